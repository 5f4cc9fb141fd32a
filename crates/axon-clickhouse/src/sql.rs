//! The SQL the adapter writes, in one place: what differs between ClickHouse versions or what
//! 18.16 lacks is decided here (times as `Int64` milliseconds, buckets by integer division,
//! `ANY LEFT JOIN … USING`, values escaped by the client because 18.16 has no server-side
//! parameters), and the shared fragments — the person of an event with its linked user, the
//! activity filter — are written once.

use crate::ChError;
use axon_domain::model::ActivityId;
use std::collections::BTreeSet;

/// How a read that counts or sums events names the events table: `FINAL` folds rows written
/// twice at read time.
pub const EVENTS: &str = "events FINAL";

/// The events as written, for reads whose answer a row written twice cannot change: distinct
/// persons, the set of times a person reached a funnel step, the anonymous ids to look links up
/// for. A duplicate is the same row (same sequence number, same content), so it adds nothing
/// to a distinct count, a minimum or a set — and these reads skip the merge `FINAL` costs.
pub const EVENT_ROWS: &str = "events";

/// Entries and purchases as they stand (the highest version of each key).
pub const ENTRIES: &str = "entries FINAL";
pub const PURCHASES: &str = "purchases FINAL";

/// Counted events: bots are stored but never counted (as in the engine).
pub const COUNTED: &str = "bot = 0";

/// The canonical person of an event row: its user; else the user its anonymous id was last
/// linked to (column `linked` of [`links_join`]); else the anonymous id; else the session.
pub const PERSON: &str = "multiIf(user_id != '', concat('u:', user_id), \
     anonymous_id != '', if(linked != '', concat('u:', linked), concat('a:', anonymous_id)), \
     concat('s:', session_id))";

/// Joins each row of the counted events matching `filter` to the user its anonymous id is
/// linked to: an event that carries both ids links them (`identity_links`); the latest such
/// event (by sequence number) wins, as in the engine, and a link counts for the person's
/// earlier anonymous events too. Only the anonymous ids among those rows are looked up (the
/// links table is ordered by anonymous id). Rows written twice are the same (id, user, seq), so
/// `argMax` needs no `FINAL`.
pub fn links_join(filter: &str) -> String {
    format!(
        "ANY LEFT JOIN (SELECT anonymous_id, argMax(user_id, seq) AS linked FROM identity_links \
         WHERE anonymous_id IN (SELECT anonymous_id FROM {EVENT_ROWS} WHERE {COUNTED} AND {filter} \
         AND anonymous_id != '') GROUP BY anonymous_id) USING anonymous_id"
    )
}

/// `activity_id IN (…)` for these activities (each once), or `None` for none at all.
pub fn activity_filter(ids: &[ActivityId]) -> Option<String> {
    id_list(ids).map(|list| format!("activity_id IN ({list})"))
}

/// Ids (activities, products) as a literal list, each once; 0 means "none" and is left out;
/// `None` when nothing is left.
pub fn id_list(ids: &[i64]) -> Option<String> {
    let set: BTreeSet<i64> = ids.iter().copied().filter(|id| *id != 0).collect();
    (!set.is_empty()).then(|| {
        set.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Distinct canonical persons among the counted events matching `filter`.
pub fn persons_query(filter: &str) -> String {
    format!(
        "SELECT uniqExact({PERSON}) FROM (SELECT user_id, anonymous_id, session_id \
         FROM {EVENT_ROWS} WHERE {COUNTED} AND {filter}) {}",
        links_join(filter)
    )
}

/// A database name Axon accepts: letters, digits and `_`, not starting with a digit.
pub fn check_identifier(name: &str) -> Result<(), ChError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ChError::Schema(format!(
            "the ClickHouse database name {name:?} must be letters, digits and _"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_filters_list_each_activity_once_and_none_for_none() {
        assert_eq!(
            activity_filter(&[3, 1, 3]).as_deref(),
            Some("activity_id IN (1, 3)")
        );
        assert_eq!(activity_filter(&[]), None);
        assert_eq!(activity_filter(&[0]), None, "0 is 'unattributed'");
    }

    #[test]
    fn database_names_are_plain_identifiers() {
        assert!(check_identifier("axon_1").is_ok());
        for bad in ["", "1x", "a-b", "a;DROP", "a b"] {
            assert!(check_identifier(bad).is_err(), "{bad}");
        }
    }
}
