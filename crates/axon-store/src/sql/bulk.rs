//! The bulk loader behind `axon import` on the SQL backends: one writer job that consumes
//! chunks as the producer parses them, inside one transaction, so a bad row anywhere leaves
//! nothing written (mirrors `sqlite/bulk.rs`).

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
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let mut r = BulkReport::default();
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
                Ok(r)
            })
        })
    }
}
