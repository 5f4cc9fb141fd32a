//! The bulk loader behind `axon import`: one job on the writer that consumes chunks as the
//! producer parses them, inside one transaction, so a bad row anywhere leaves nothing written.

use super::catalog::save_product;
use super::commerce::{insert_entries, insert_purchases};
use super::events::insert_encoded;
use super::relational::{save_activity, save_campaign};
use super::SqliteStore;
use crate::{BulkChunk, BulkLoader, BulkReport};
use crate::{Pending, StoreError};
use std::sync::mpsc::Receiver;

impl BulkLoader for SqliteStore {
    fn bulk_load(&self, chunks: Receiver<BulkChunk>) -> Pending<BulkReport> {
        self.writer().submit(move |conn| {
            let mut r = BulkReport::default();
            for chunk in chunks {
                match chunk {
                    BulkChunk::Products(ps) => {
                        for p in &ps {
                            save_product(conn, p)?;
                        }
                        r.products += ps.len() as u64;
                    }
                    BulkChunk::Campaigns(cs) => {
                        for c in &cs {
                            save_campaign(conn, c)?;
                        }
                        r.campaigns += cs.len() as u64;
                    }
                    BulkChunk::Activities(acts) => {
                        for a in &acts {
                            save_activity(conn, a)?;
                        }
                        r.activities += acts.len() as u64;
                    }
                    BulkChunk::Entries(es) => r.entries += insert_entries(conn, &es)? as u64,
                    BulkChunk::Purchases(ps) => r.purchases += insert_purchases(conn, &ps)? as u64,
                    BulkChunk::Events(evs) => {
                        let (stored, duplicates) = insert_encoded(conn, &evs)?;
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
    }
}
