//! Funnel and overview split by one property (SPEC §5.2 `breakdown=`): utm_source,
//! referrerDomain, device, browser (per event), or the person's grade or region (profile).
//! Approvals and promotion purchases carry no event properties, so they are credited to the
//! person's first touch in the window. Top 10 values by visits, the rest as "other".

use crate::engine::Engine;
use crate::funnel::approvals_in;
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, TriggerType, UserProfile};
use axon_domain::period::Window;
use axon_domain::{Dec2, DomainError};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    UtmSource,
    ReferrerDomain,
    Device,
    Browser,
    Grade,
    Region,
}

impl Dimension {
    pub fn parse(s: &str) -> Result<Dimension, DomainError> {
        Ok(match s {
            "utm_source" => Dimension::UtmSource,
            "referrerDomain" => Dimension::ReferrerDomain,
            "device" => Dimension::Device,
            "browser" => Dimension::Browser,
            "grade" => Dimension::Grade,
            "region" => Dimension::Region,
            _ => {
                return Err(DomainError::new(
                    "INVALID_BREAKDOWN",
                    format!("unknown breakdown '{s}' (expected utm_source, referrerDomain, device, browser, grade or region)"),
                ))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::UtmSource => "utm_source",
            Dimension::ReferrerDomain => "referrerDomain",
            Dimension::Device => "device",
            Dimension::Browser => "browser",
            Dimension::Grade => "grade",
            Dimension::Region => "region",
        }
    }

    /// Whether values come from the person's profile rather than the event.
    pub fn from_profile(self) -> bool {
        matches!(self, Dimension::Grade | Dimension::Region)
    }
}

const NONE: &str = "(none)";

fn query_param(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1.split('#').next()?;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key && !v.is_empty()).then(|| v.to_string())
    })
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let h = rest
        .split(['/', '?', '#'])
        .next()?
        .split('@')
        .next_back()?
        .split(':')
        .next()?;
    (!h.is_empty()).then(|| h.trim_start_matches("www.").to_ascii_lowercase())
}

/// Device class from a user agent.
pub fn device(ua: &str) -> &'static str {
    let l = ua.to_ascii_lowercase();
    if l.contains("ipad") || l.contains("tablet") {
        "tablet"
    } else if l.contains("mobi") || l.contains("iphone") || l.contains("android") {
        "mobile"
    } else {
        "desktop"
    }
}

/// Browser family from a user agent (order matters: Edge and Samsung also say Chrome).
pub fn browser(ua: &str) -> &'static str {
    if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("SamsungBrowser") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Other"
    }
}

/// The event-level value of a dimension, if the event carries it.
pub fn event_value(d: Dimension, e: &Event) -> Option<String> {
    match d {
        Dimension::UtmSource => e
            .properties
            .get("utm_source")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                e.page_url
                    .as_deref()
                    .and_then(|u| query_param(u, "utm_source"))
            }),
        Dimension::ReferrerDomain => e.referrer.as_deref().and_then(host),
        Dimension::Device => e.user_agent.as_deref().map(|u| device(u).to_string()),
        Dimension::Browser => e.user_agent.as_deref().map(|u| browser(u).to_string()),
        Dimension::Grade | Dimension::Region => None,
    }
}

fn profile_value(d: Dimension, p: Option<&UserProfile>) -> String {
    let v = match d {
        Dimension::Grade => p.and_then(|p| p.grade).map(|g| g.as_str().to_string()),
        Dimension::Region => p
            .and_then(|p| p.region.as_deref())
            .map(|r| r.split('-').next().unwrap_or(r).to_string()),
        _ => None,
    };
    v.unwrap_or_else(|| NONE.to_string())
}

#[derive(Default)]
struct Row {
    values: [u64; 4],
    visitors: HashSet<String>,
    gmv: i64,
}

impl Engine {
    /// The breakdown of one activity, from its raw events in the window (read from the log by
    /// the caller) and the profiles of the users among them.
    pub fn breakdown(
        &self,
        ids: &[ActivityId],
        d: Dimension,
        w: &Window,
        events: &[Event],
        profiles: &HashMap<String, UserProfile>,
    ) -> Value {
        let canon = |key: String| {
            self.persons.get(&key).map_or(key, |raw| {
                self.persons.name(self.persons.canonical(raw)).to_string()
            })
        };
        let user_of = |key: &str| key.strip_prefix("u:").map(str::to_string);
        let value_of_person =
            |key: &str| profile_value(d, user_of(key).and_then(|u| profiles.get(&u)));
        let mut rows: HashMap<String, Row> = HashMap::default();
        let mut first_touch: HashMap<String, String> = HashMap::default();
        let mut sorted: Vec<&Event> = events
            .iter()
            .filter(|e| !e.bot && w.contains(e.occurred_at))
            .collect();
        sorted.sort_by_key(|e| e.occurred_at);
        for e in sorted {
            let person = canon(e.person().key());
            let value = if d.from_profile() {
                value_of_person(&person)
            } else {
                event_value(d, e).unwrap_or_else(|| NONE.to_string())
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
        let touch = |person: String| {
            let key = canon(person);
            first_touch.get(&key).cloned().unwrap_or_else(|| {
                if d.from_profile() {
                    value_of_person(&key)
                } else {
                    NONE.to_string()
                }
            })
        };
        for a in ids.iter().filter_map(|id| self.activities.get(id)) {
            for (_, p) in approvals_in(a, w) {
                rows.entry(touch(self.persons.name(*p).to_string()))
                    .or_default()
                    .values[2] += 1;
            }
            for r in a.promo.iter().filter(|r| w.contains(axon_domain::Ts(r.ts))) {
                rows.entry(touch(self.persons.name(r.person).to_string()))
                    .or_default()
                    .gmv += r.revenue;
            }
        }
        let mut ordered: Vec<(String, Row)> = rows.into_iter().collect();
        ordered.sort_by(|a, b| b.1.values[0].cmp(&a.1.values[0]).then(a.0.cmp(&b.0)));
        let mut out = Vec::new();
        let mut other = Row::default();
        for (i, (value, row)) in ordered.into_iter().enumerate() {
            if i < 10 {
                out.push((value, row));
            } else {
                for k in 0..4 {
                    other.values[k] += row.values[k];
                }
                other.visitors.extend(row.visitors);
                other.gmv += row.gmv;
            }
        }
        if other.values.iter().any(|v| *v > 0) || other.gmv > 0 {
            out.push(("other".to_string(), other));
        }
        let pct = |a: u64, b: u64| Dec2::percent(i128::from(a), i128::from(b));
        json!({
            "dimension": d.as_str(),
            "rows": out.iter().map(|(value, r)| json!({
                "value": value,
                "totalVisits": r.values[0], "uniqueVisitors": r.visitors.len(), "totalParticipants": r.values[1],
                "approvedCount": r.values[2], "purchaseCount": r.values[3], "gmv": Dec2(r.gmv),
                "engagementRate": pct(r.values[1], r.values[0]), "conversionRate": pct(r.values[3], r.values[0]),
                "funnel": r.values,
            })).collect::<Vec<_>>(),
            "definition": format!(
                "{} split by {} (top 10 by visits, the rest as other); approvals and GMV are credited to the person's first touch in the window, {}",
                format_args!("activities {ids:?}"), d.as_str(), self.window_label(w)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_and_urls_give_their_values() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!((device(chrome), browser(chrome)), ("desktop", "Chrome"));
        assert_eq!((device(iphone), browser(iphone)), ("mobile", "Safari"));
        assert_eq!(
            browser("Mozilla/5.0 Chrome/120 Safari/537.36 Edg/120"),
            "Edge"
        );
        assert_eq!(
            query_param("https://s/p?a=1&utm_source=naver#x", "utm_source").as_deref(),
            Some("naver")
        );
        assert_eq!(
            host("https://www.Google.com:443/search?q=1").as_deref(),
            Some("google.com")
        );
        assert!(Dimension::parse("shoe").is_err());
        assert_eq!(Dimension::parse("region").unwrap().as_str(), "region");
    }
}
