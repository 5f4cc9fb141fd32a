//! Funnel and overview split by one dimension (SPEC §5.2 `breakdown=`), from the raw events of
//! the window (read from the log by the caller) and the profiles of the users among them.
//! Approvals, promotion purchases and PURCHASE events without browser context carry no event
//! properties, so they are credited to the person's first touch in the window. Top 10 values by visits, the rest as "other".

use crate::engine::Engine;
use crate::funnel::approvals_in;
use axon_domain::dimension::{Dimension, NONE};
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, TriggerType, UserProfile};
use axon_domain::period::Window;
use axon_domain::Dec2;
use axon_ports::aggregates::SplitRow;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

#[derive(Default)]
struct Row {
    values: [u64; 4],
    visitors: HashSet<String>,
    gmv: i64,
}

impl Row {
    fn into_split(self, value: String) -> SplitRow {
        SplitRow {
            value,
            steps: self.values,
            unique_visitors: self.visitors.len() as u64,
            gmv: Dec2(self.gmv),
        }
    }
}

impl Engine {
    pub(crate) fn split_of(
        &self,
        ids: &[ActivityId],
        d: Dimension,
        w: &Window,
        events: &[Event],
        profiles: &std::collections::HashMap<String, UserProfile>,
    ) -> Vec<SplitRow> {
        let canon = |key: &str| {
            self.persons.get(key).map_or(key.to_string(), |raw| {
                self.persons.name(self.persons.canonical(raw)).to_string()
            })
        };
        let mut approvals = Vec::new();
        let mut promo = Vec::new();
        for (_, a) in self.known(ids) {
            for (_, p) in approvals_in(a, w) {
                approvals.push(self.persons.name(*p).to_string());
            }
            for r in a.promo.iter().filter(|r| w.contains(axon_domain::Ts(r.ts))) {
                promo.push((self.persons.name(r.person).to_string(), r.revenue));
            }
        }
        split(d, w, events, profiles, &canon, &approvals, &promo)
    }
}

/// The split of one dimension from the window's raw `events` and the users' `profiles`, with
/// `canon` mapping a person key to its canonical person (linked anonymous ids → their user),
/// `approvals` the person keys of the approvals in the window and `promo` each promotion
/// purchase's person key and revenue (hundredths) in the window. Shared by every analytics
/// backend, so a breakdown means the same wherever its aggregates come from.
pub fn split(
    d: Dimension,
    w: &Window,
    events: &[Event],
    profiles: &std::collections::HashMap<String, UserProfile>,
    canon: &dyn Fn(&str) -> String,
    approvals: &[String],
    promo: &[(String, i64)],
) -> Vec<SplitRow> {
    let user_of = |key: &str| key.strip_prefix("u:").map(str::to_string);
    let value_of_person = |key: &str| d.profile_value(user_of(key).and_then(|u| profiles.get(&u)));
    let mut rows: HashMap<String, Row> = HashMap::default();
    let mut first_touch: HashMap<String, String> = HashMap::default();
    let mut sorted: Vec<&Event> = events
        .iter()
        .filter(|e| !e.bot && w.contains(e.occurred_at))
        .collect();
    sorted.sort_by_key(|e| e.occurred_at);
    for e in sorted {
        let person = canon(&e.person().key());
        let value = if d.from_profile() {
            value_of_person(&person)
        } else {
            match d.event_value(e) {
                Some(v) => v,
                // A backend's purchase carries no browser context: it is the buyer's, from
                // wherever they first came in the window.
                None if e.trigger_type == TriggerType::Purchase => first_touch
                    .get(&person)
                    .cloned()
                    .unwrap_or_else(|| NONE.to_string()),
                None => NONE.to_string(),
            }
        };
        first_touch
            .entry(person.clone())
            .or_insert_with(|| value.clone());
        let row = rows.entry(value).or_default();
        match e.trigger_type {
            TriggerType::PageView => {
                row.values[0] += 1;
                row.visitors.insert(person);
            }
            TriggerType::Click => row.values[1] += 1,
            TriggerType::Purchase => row.values[3] += 1,
            _ => {}
        }
    }
    let touch = |person: &str| {
        let key = canon(person);
        first_touch.get(&key).cloned().unwrap_or_else(|| {
            if d.from_profile() {
                value_of_person(&key)
            } else {
                NONE.to_string()
            }
        })
    };
    for p in approvals {
        rows.entry(touch(p)).or_default().values[2] += 1;
    }
    for (p, revenue) in promo {
        rows.entry(touch(p)).or_default().gmv += revenue;
    }
    let mut ordered: Vec<(String, Row)> = rows.into_iter().collect();
    ordered.sort_by(|a, b| b.1.values[0].cmp(&a.1.values[0]).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    let mut other = Row::default();
    for (i, (value, row)) in ordered.into_iter().enumerate() {
        if i < 10 {
            out.push(row.into_split(value));
        } else {
            for k in 0..4 {
                other.values[k] += row.values[k];
            }
            other.visitors.extend(row.visitors);
            other.gmv += row.gmv;
        }
    }
    if other.values.iter().any(|v| *v > 0) || other.gmv > 0 {
        out.push(other.into_split("other".to_string()));
    }
    out
}
