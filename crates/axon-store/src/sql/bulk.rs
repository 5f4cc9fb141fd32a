//! The bulk loader behind `axon import` on the SQL backends: one writer job that consumes
//! chunks as the producer parses them, inside one transaction, so a bad row anywhere leaves
//! nothing written (mirrors `sqlite/bulk.rs`). On PostgreSQL the events go through `COPY`
//! ([`super::copy`]): the job takes the other chunks and the copier's staged batches as either
//! comes; on MySQL/MariaDB through large multi-row inserts.

use super::catalog::save_product;
use super::commerce::{insert_entries, insert_purchases};
use super::events::insert_encoded;
use super::relational::{save_activity, save_campaign};
use super::SqlStore;
use crate::{BulkChunk, BulkLoader, BulkReport};
use crate::{Pending, StoreError};
use sqlx_core::any::AnyConnection;
use std::sync::mpsc::Receiver;

impl BulkLoader for SqlStore {
    fn bulk_load(&self, chunks: Receiver<BulkChunk>) -> Pending<BulkReport> {
        let d = self.dialect();
        let url = self.url.clone();
        // The producer hands chunks over a blocking channel; a thread forwards them to the
        // writer's async job — on PostgreSQL the events straight to the copier, so staging
        // goes on while the job moves a staged batch.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<BulkChunk>(4);
        let (copy_tx, copy_rx) = if cfg!(feature = "postgres") && d == super::Dialect::Postgres {
            let (etx, erx) = tokio::sync::mpsc::channel(4);
            (Some(etx), Some(erx))
        } else {
            (None, None)
        };
        std::thread::spawn(move || {
            for chunk in chunks {
                let sent = match (chunk, &copy_tx) {
                    (BulkChunk::Events(evs), Some(copier)) => copier.blocking_send(evs).is_ok(),
                    (other, _) => tx.blocking_send(other).is_ok(),
                };
                if !sent {
                    return;
                }
            }
        });
        #[cfg(feature = "postgres")]
        let cleanup_url = url.clone();
        let loaded = self.writer().submit(move |c, _| {
            Box::pin(async move {
                let mut r = BulkReport::default();
                #[cfg(feature = "postgres")]
                {
                    let mut copy =
                        copy_rx.map(|erx| super::copy::EventCopy::start(url.clone(), erx));
                    let (mut others_done, mut staged_done) = (false, copy.is_none());
                    while !(others_done && staged_done) {
                        tokio::select! {
                            staged = next_staged(&mut copy), if !staged_done => match (staged, &mut copy) {
                                (Some(s), Some(copy)) => copy.move_staged(c, s).await?,
                                _ => staged_done = true,
                            },
                            chunk = rx.recv(), if !others_done => match chunk {
                                Some(chunk) => handle(c, d, &mut r, chunk).await?,
                                None => others_done = true,
                            },
                        }
                    }
                    if let Some(copy) = copy {
                        let (stored, duplicates) = copy.finish(c).await?;
                        r.events += stored;
                        r.duplicate_events += duplicates;
                    }
                }
                #[cfg(not(feature = "postgres"))]
                {
                    let _ = (url, copy_rx);
                    while let Some(chunk) = rx.recv().await {
                        handle(c, d, &mut r, chunk).await?;
                    }
                }
                Ok(r)
            })
        });
        #[cfg(feature = "postgres")]
        if d == super::Dialect::Postgres {
            // Staging tables of a load that did not commit are dropped once it has ended.
            let (done, answer) = Pending::channel();
            self.shared.rt.spawn(async move {
                let r = loaded.await;
                if r.is_err() {
                    if let Err(e) = super::copy::cleanup_url(&cleanup_url).await {
                        tracing::warn!(error = %e, "could not drop the import's staging tables");
                    }
                }
                let _ = done.send(r);
            });
            return answer;
        }
        loaded
    }
}

/// The copier's next staged batch (none without a copier).
#[cfg(feature = "postgres")]
async fn next_staged(copy: &mut Option<super::copy::EventCopy>) -> Option<super::copy::Staged> {
    match copy {
        Some(copy) => copy.next_staged().await,
        None => None,
    }
}

/// Writes one chunk of the load inside the import's transaction.
async fn handle(
    c: &mut AnyConnection,
    d: super::Dialect,
    r: &mut BulkReport,
    chunk: BulkChunk,
) -> Result<(), StoreError> {
    match chunk {
        BulkChunk::Products(ps) => {
            for p in &ps {
                save_product(c, d, p).await?;
            }
            r.products += ps.len() as u64;
        }
        BulkChunk::Campaigns(cs) => {
            for k in &cs {
                save_campaign(c, d, k).await?;
            }
            r.campaigns += cs.len() as u64;
        }
        BulkChunk::Activities(acts) => {
            for a in &acts {
                save_activity(c, d, a).await?;
            }
            r.activities += acts.len() as u64;
        }
        BulkChunk::Entries(es) => {
            r.entries += insert_entries(c, d, &es).await? as u64;
        }
        BulkChunk::Purchases(ps) => {
            r.purchases += insert_purchases(c, d, &ps).await? as u64;
        }
        BulkChunk::Events(evs) => {
            let (stored, duplicates) = insert_encoded(c, d, &evs).await?;
            r.events += stored;
            r.duplicate_events += duplicates;
        }
        BulkChunk::Abort(reason) => return Err(StoreError::conflict("IMPORT_ABORTED", reason)),
    }
    Ok(())
}
