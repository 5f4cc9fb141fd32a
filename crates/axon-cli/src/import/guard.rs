//! The invariants an import keeps beyond each row's own validity — the rules the API keeps on
//! what is already stored: APPROVED and PAID units within an activity's `limit_count` (the
//! domain's [`within_limit`], counted over the stored entries and the file's together), and no
//! silent overwrite of an activity that has entries or purchases (`--replace` says so). A row
//! that equals the stored record is no overwrite, so re-running the same files still succeeds.

use super::{at, Context};
use crate::serve::block;
use crate::CliError;
use axon_domain::activity::{takes_units, within_limit, Spelling};
use axon_domain::model::{Activity, Entry};
use axon_store::Repo;
use std::collections::{BTreeMap, HashMap};

/// What the store already holds about activities' entries and purchases.
#[derive(Debug, Default)]
pub(super) struct Stored {
    /// Per activity: each user's stored entry and the units it takes (0 when it takes none).
    entries: HashMap<i64, HashMap<String, i64>>,
    /// Purchases per activity.
    purchases: HashMap<i64, u64>,
}

impl Stored {
    /// Reads the stored entries and purchases (nothing to read when no activity is stored).
    pub fn read<S: Repo>(store: &S, any_activity: bool) -> Result<Stored, CliError> {
        let mut s = Stored::default();
        if !any_activity {
            return Ok(s);
        }
        let entries = &mut s.entries;
        block(store.all_entries(&mut |e: Entry| {
            let units = if takes_units(e.status) { e.quantity } else { 0 };
            entries
                .entry(e.activity_id)
                .or_default()
                .insert(e.user_id, units);
        }))??;
        let purchases = &mut s.purchases;
        block(store.all_purchases(&mut |p| {
            if let Some(a) = p.activity_id {
                *purchases.entry(a).or_default() += 1;
            }
        }))??;
        Ok(s)
    }
}

/// The same record apart from its bookkeeping stamps.
fn same_record(stored: &Activity, row: &Activity) -> bool {
    let mut row = row.clone();
    row.created_at = stored.created_at;
    row.updated_at = stored.updated_at;
    *stored == row
}

/// An activities.csv row may change a stored activity only when nothing refers to it yet, or
/// with `--replace`.
pub(super) fn may_overwrite(ctx: &Context<'_>, row: &Activity) -> Result<(), String> {
    let Some(stored) = ctx.activities.get(&row.id) else {
        return Ok(());
    };
    if ctx.opts.replace || same_record(stored, row) {
        return Ok(());
    }
    let entries = ctx.stored.entries.get(&row.id).map_or(0, HashMap::len);
    let purchases = ctx.stored.purchases.get(&row.id).copied().unwrap_or(0);
    if entries == 0 && purchases == 0 {
        return Ok(());
    }
    Err(format!(
        "activity {} already exists with {entries} entries and {purchases} purchases and this row \
         changes it; pass --replace to overwrite it",
        row.id
    ))
}

/// Every activity's APPROVED and PAID units, stored and imported, within its limit. `rows` are
/// the entries in the order they are stored (a later row of a user replaces an earlier one, and
/// a row replaces the user's stored entry); a breach names the entries.csv row that crossed the
/// limit, or the activities.csv row whose new limit is below what is already taken.
pub(super) fn check_limits(ctx: &Context<'_>, rows: &[(u64, Entry)]) -> Result<(), String> {
    let mut by_activity: BTreeMap<i64, Vec<&(u64, Entry)>> = BTreeMap::new();
    for r in rows {
        by_activity.entry(r.1.activity_id).or_default().push(r);
    }
    for id in ctx.activity_lines.keys() {
        by_activity.entry(*id).or_default();
    }
    for (id, rows) in by_activity {
        let Some(a) = ctx.activities.get(&id) else {
            continue;
        };
        let Some(limit) = a.limit_count else {
            continue;
        };
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, (_, e)) in rows.iter().enumerate() {
            last.insert(e.user_id.as_str(), i);
        }
        let mut taken: i64 = ctx.stored.entries.get(&id).map_or(0, |m| {
            m.iter()
                .filter(|(u, _)| !last.contains_key(u.as_str()))
                .map(|(_, n)| n)
                .sum()
        });
        let mut crossed = None;
        for (i, (line, e)) in rows.iter().enumerate() {
            if last.get(e.user_id.as_str()) != Some(&i) || !takes_units(e.status) {
                continue;
            }
            taken += e.quantity;
            if taken > limit && crossed.is_none() {
                crossed = Some(*line);
            }
        }
        if let Err(e) = within_limit(a, taken, Spelling::Csv) {
            return Err(match (crossed, ctx.activity_lines.get(&id)) {
                (Some(line), _) => at("entries.csv", line, e.message),
                (None, Some(line)) => at("activities.csv", *line, e.message),
                (None, None) => format!("entries.csv: {}", e.message),
            });
        }
    }
    Ok(())
}
