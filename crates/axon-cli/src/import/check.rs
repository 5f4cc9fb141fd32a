//! The fuzz entry point of `axon import`: one file's rows validated exactly as the import
//! validates them, against ids a store is said to hold, without a store.

use super::{
    activity, campaign, entry, number_entries, product, purchase, read_rows, Context, Options,
    Stored,
};
use axon_domain::model::Entry;
use axon_domain::{BusinessTz, Horizon, Ts};
use std::collections::{HashMap, HashSet};

/// What a store holds that [`check_csv`]'s rows may name.
pub struct Held<'a> {
    pub campaigns: &'a [i64],
    pub activities: &'a [axon_domain::model::Activity],
    pub products: &'a [i64],
}

/// Validates the rows of one import file given as bytes (`name`: `products.csv`,
/// `campaigns.csv`, `activities.csv`, `entries.csv` or `purchases.csv`) exactly as `axon import`
/// does, against a store that already holds `campaigns`, `activities` and `products` (ids);
/// the number of valid rows, or the first bad row. The fuzz target `csv_rows` calls this.
pub fn check_csv(
    name: &str,
    bytes: &[u8],
    tz: &BusinessTz,
    now: Ts,
    horizon: Horizon,
    held: &Held<'_>,
) -> Result<usize, String> {
    let Held {
        campaigns,
        activities,
        products,
    } = held;
    let mut ctx = Context {
        tz,
        now,
        opts: Options {
            horizon,
            replace: false,
            show_progress: false,
        },
        campaigns: campaigns.iter().copied().collect(),
        campaign_names: HashMap::new(),
        activities: activities.iter().map(|a| (a.id, a.clone())).collect(),
        activity_lines: HashMap::new(),
        products: products.iter().copied().collect(),
        stored: Stored::default(),
    };
    let rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let mut promo = HashSet::new();
    match name {
        "products.csv" => read_rows(rdr, name, |r| product(&ctx, r)).map(|v| v.len()),
        "campaigns.csv" => read_rows(rdr, name, |r| campaign(&mut ctx, r)).map(|v| v.len()),
        "activities.csv" => read_rows(rdr, name, |r| activity(&mut ctx, r)).map(|v| v.len()),
        "entries.csv" => read_rows(rdr, name, |r| entry(&ctx, r)).map(|v| {
            let mut rows: Vec<(u64, Entry)> = v.into_iter().map(|e| (0, e)).collect();
            number_entries(&mut rows);
            rows.len()
        }),
        "purchases.csv" => read_rows(rdr, name, |r| purchase(&ctx, &mut promo, r)).map(|v| v.len()),
        other => Err(format!("{other} is not an import file")),
    }
}
