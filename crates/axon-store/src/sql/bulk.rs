//! The bulk loader behind `axon import` on the SQL backends: one writer job that consumes
//! chunks as the producer parses them, inside one transaction, so a bad row anywhere leaves
//! nothing written (mirrors `sqlite/bulk.rs`). On PostgreSQL the events go through `COPY`
//! ([`super::copy`]); on MySQL/MariaDB through large multi-row inserts.

use super::catalog::save_product;
use super::commerce::{insert_entries, insert_purchases};
use super::events::insert_encoded;
use super::relational::{save_activity, save_campaign};
use super::SqlStore;
use crate::{BulkChunk, BulkLoader, BulkReport};
use crate::{Pending, StoreError};
use std::sync::mpsc::Receiver;

impl BulkLoader for SqlStore {
    fn bulk_load(&self, chunks: Receiver<BulkChunk>) -> Pending<BulkReport> {
        let d = self.dialect();
        let url = self.url.clone();
        // The producer hands chunks over a blocking channel; a thread forwards them to the
        // writer's async job.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<BulkChunk>(4);
        std::thread::spawn(move || {
            for chunk in chunks {
                if tx.blocking_send(chunk).is_err() {
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
                let mut copy: Option<super::copy::EventCopy> = None;
                #[cfg(not(feature = "postgres"))]
                let _ = url;
                while let Some(chunk) = rx.recv().await {
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
                        #[cfg(feature = "postgres")]
                        BulkChunk::Events(evs) if d == super::Dialect::Postgres => {
                            copy.get_or_insert_with(|| super::copy::EventCopy::start(url.clone()))
                                .send(c, evs)
                                .await?;
                        }
                        BulkChunk::Events(evs) => {
                            let (stored, duplicates) = insert_encoded(c, d, &evs).await?;
                            r.events += stored;
                            r.duplicate_events += duplicates;
                        }
                        BulkChunk::Abort(reason) => {
                            return Err(StoreError::conflict("IMPORT_ABORTED", reason))
                        }
                    }
                }
                #[cfg(feature = "postgres")]
                if let Some(copy) = copy {
                    let (stored, duplicates) = copy.finish(c).await?;
                    r.events += stored;
                    r.duplicate_events += duplicates;
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
