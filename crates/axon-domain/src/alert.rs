//! Alert rules (issue 17 §4): what a marketer wants to be told about one activity or campaign —
//! sold out, remaining stock below N %, conversion rate down more than X % against the previous
//! period, no events for M minutes — and the one decision of whether a rule fires, from figures
//! the evaluator reads. The conversion-rate change is [`crate::metrics::change`], the same
//! formula as the dashboards' `change` line.

use crate::metrics::{self, Counts, Overview};
use crate::model::{ActivityId, CampaignId};
use crate::{Dec2, DomainError, Ts};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// What an alert rule watches.
    AlertKind, "alert kind" {
    SoldOut = "SOLD_OUT", StockBelow = "STOCK_BELOW", ConversionDrop = "CONVERSION_DROP",
    NoEvents = "NO_EVENTS",
});

wire_enum!(AlertScopeKind, "alert scope" { Activity = "ACTIVITY", Campaign = "CAMPAIGN" });

wire_enum!(
    /// What a webhook delivery announces: the rule started or stopped firing.
    AlertTransition, "alert transition" { Firing = "FIRING", Resolved = "RESOLVED" });

/// Longest "no events for M minutes" and conversion-rate period a rule may name (a week).
pub const MAX_MINUTES: i64 = 7 * 24 * 60;

/// One stored rule. `threshold` is N (%) for `STOCK_BELOW`, X (%) for `CONVERSION_DROP` and M
/// (minutes) for `NO_EVENTS`; `window_minutes` is the conversion-rate period (compared with the
/// same length just before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    pub id: i64,
    pub scope: AlertScopeKind,
    pub scope_id: i64,
    pub kind: AlertKind,
    pub threshold: i64,
    pub window_minutes: i64,
    pub webhook_url: String,
    /// The HMAC-SHA256 key of its webhook deliveries (shown to admins).
    pub secret: String,
    pub created_at: Ts,
    /// Whether the rule is firing now, as the evaluator last decided it.
    pub firing: bool,
    /// When it started firing (while `firing`).
    pub firing_since: Option<Ts>,
    /// What it saw when it last changed state (for the banner and the webhook).
    pub detail: String,
}

/// One attempt to deliver a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertDelivery {
    pub id: i64,
    pub rule_id: i64,
    pub transition: AlertTransition,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<i64>,
    /// Why there is no status (connection refused, timeout), or empty.
    pub error: String,
    pub at: Ts,
}

impl AlertDelivery {
    /// A 2xx answer.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A rule as an admin asks for it, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDraft {
    pub scope: AlertScopeKind,
    pub scope_id: i64,
    pub kind: AlertKind,
    pub threshold: Option<i64>,
    pub window_minutes: Option<i64>,
    pub webhook_url: String,
}

impl AlertDraft {
    /// The checked rule (id 0): thresholds in range, an http(s) URL. The default period of a
    /// conversion rule is a day.
    pub fn validate(self, secret: String, now: Ts) -> Result<AlertRule, DomainError> {
        let threshold = match self.kind {
            AlertKind::SoldOut => 0,
            AlertKind::StockBelow | AlertKind::ConversionDrop => {
                let n = self.threshold.ok_or_else(|| {
                    DomainError::invalid(format!("{} needs a threshold (%)", self.kind.as_str()))
                })?;
                if !(1..=100).contains(&n) {
                    return Err(DomainError::invalid(
                        "threshold must be a percentage 1..100",
                    ));
                }
                n
            }
            AlertKind::NoEvents => {
                let m = self
                    .threshold
                    .ok_or_else(|| DomainError::invalid("NO_EVENTS needs a threshold (minutes)"))?;
                if !(1..=MAX_MINUTES).contains(&m) {
                    return Err(DomainError::invalid(format!(
                        "threshold must be 1..{MAX_MINUTES} minutes"
                    )));
                }
                m
            }
        };
        let window_minutes = match self.kind {
            AlertKind::ConversionDrop => self.window_minutes.unwrap_or(24 * 60),
            _ => 0,
        };
        if self.kind == AlertKind::ConversionDrop && !(1..=MAX_MINUTES).contains(&window_minutes) {
            return Err(DomainError::invalid(format!(
                "windowMinutes must be 1..{MAX_MINUTES}"
            )));
        }
        let url = self.webhook_url.trim().to_string();
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || url.len() > 2000 || url.chars().any(char::is_whitespace) {
            return Err(DomainError::invalid(
                "webhookUrl must be an http:// or https:// URL",
            ));
        }
        if self.scope_id <= 0 {
            return Err(DomainError::invalid("scopeId must be a positive id"));
        }
        Ok(AlertRule {
            id: 0,
            scope: self.scope,
            scope_id: self.scope_id,
            kind: self.kind,
            threshold,
            window_minutes,
            webhook_url: url,
            secret,
            created_at: now,
            firing: false,
            firing_since: None,
            detail: String::new(),
        })
    }
}

/// Which activity or campaign a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    Activity(ActivityId),
    Campaign(CampaignId),
}

impl AlertRule {
    pub fn watched(&self) -> Watched {
        match self.scope {
            AlertScopeKind::Activity => Watched::Activity(self.scope_id),
            AlertScopeKind::Campaign => Watched::Campaign(self.scope_id),
        }
    }
}

/// What the evaluator read for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Units left and the limit they are of, summed over the scope's limited activities
    /// (`None` when nothing in the scope has a limit).
    Stock { remaining: i64, limit: Option<i64> },
    /// The funnel counts of the period and of the same length just before.
    Conversion { current: Counts, previous: Counts },
    /// Events of any kind in the last M minutes.
    Events { count: u64 },
}

/// Whether the rule fires on this reading, with a line saying what was seen.
pub fn fires(rule: &AlertRule, reading: &Reading) -> (bool, String) {
    match (rule.kind, reading) {
        (AlertKind::SoldOut, Reading::Stock { remaining, limit }) => match limit {
            Some(l) => (*remaining <= 0, format!("remaining {remaining} of {l}")),
            None => (false, "no stock limit".into()),
        },
        (AlertKind::StockBelow, Reading::Stock { remaining, limit }) => match limit {
            Some(l) if *l > 0 => {
                let pct = metrics::rate(u64::try_from(*remaining).unwrap_or(0), *l as u64);
                (
                    pct < Dec2::from_int(rule.threshold),
                    format!("remaining {remaining} of {l} ({pct}%)"),
                )
            }
            _ => (false, "no stock limit".into()),
        },
        (AlertKind::ConversionDrop, Reading::Conversion { current, previous }) => {
            let cur = metrics::overview(current, Dec2::ZERO);
            let prev = metrics::overview(previous, Dec2::ZERO);
            conversion_drop(rule.threshold, &cur, &prev)
        }
        (AlertKind::NoEvents, Reading::Events { count }) => (
            *count == 0,
            format!("{count} events in the last {} minutes", rule.threshold),
        ),
        _ => (false, "reading does not fit the rule".into()),
    }
}

/// Fires when the conversion rate's percent change (the dashboards' `change`) is −X % or less;
/// never when the previous period had no conversion rate to compare with.
fn conversion_drop(x: i64, cur: &Overview, prev: &Overview) -> (bool, String) {
    let change = metrics::change(cur, prev).conversion_rate;
    let line = format!(
        "conversion rate {}% (previous {}%, change {})",
        cur.conversion_rate,
        prev.conversion_rate,
        change.map_or("n/a".into(), |c| format!("{c}%"))
    );
    let fired = change.is_some_and(|c| c <= Dec2::from_int(-x));
    (fired, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: AlertKind, threshold: i64) -> AlertRule {
        AlertDraft {
            scope: AlertScopeKind::Activity,
            scope_id: 1,
            kind,
            threshold: Some(threshold),
            window_minutes: None,
            webhook_url: "http://127.0.0.1:9/x".into(),
        }
        .validate("s".into(), Ts(0))
        .unwrap()
    }

    fn counts(visits: u64, purchases: u64) -> Counts {
        Counts {
            visits,
            purchases,
            ..Counts::default()
        }
    }

    #[test]
    fn each_kind_fires_only_past_its_threshold() {
        let sold = rule(AlertKind::SoldOut, 0);
        let stock = |remaining| Reading::Stock {
            remaining,
            limit: Some(100),
        };
        assert!(fires(&sold, &stock(0)).0);
        assert!(!fires(&sold, &stock(1)).0);
        let below = rule(AlertKind::StockBelow, 10);
        assert!(fires(&below, &stock(9)).0);
        assert!(!fires(&below, &stock(10)).0);
        assert!(
            !fires(
                &below,
                &Reading::Stock {
                    remaining: 0,
                    limit: None
                }
            )
            .0
        );
        let drop = rule(AlertKind::ConversionDrop, 50);
        let conv = |c, p| Reading::Conversion {
            current: c,
            previous: p,
        };
        // 10 % → 5 % is −50 %: fires at X = 50; 10 % → 6 % (−40 %) does not.
        assert!(fires(&drop, &conv(counts(100, 5), counts(100, 10))).0);
        assert!(!fires(&drop, &conv(counts(100, 6), counts(100, 10))).0);
        assert!(!fires(&drop, &conv(counts(100, 0), counts(0, 0))).0);
        let quiet = rule(AlertKind::NoEvents, 5);
        assert!(fires(&quiet, &Reading::Events { count: 0 }).0);
        assert!(!fires(&quiet, &Reading::Events { count: 1 }).0);
    }

    #[test]
    fn a_draft_is_checked() {
        let d = |kind, threshold, url: &str| AlertDraft {
            scope: AlertScopeKind::Campaign,
            scope_id: 3,
            kind,
            threshold,
            window_minutes: None,
            webhook_url: url.into(),
        };
        assert!(d(AlertKind::StockBelow, None, "http://x")
            .validate("k".into(), Ts(0))
            .is_err());
        assert!(d(AlertKind::StockBelow, Some(101), "http://x")
            .validate("k".into(), Ts(0))
            .is_err());
        assert!(d(AlertKind::SoldOut, None, "ftp://x")
            .validate("k".into(), Ts(0))
            .is_err());
        assert!(d(AlertKind::NoEvents, Some(0), "http://x")
            .validate("k".into(), Ts(0))
            .is_err());
        let r = d(AlertKind::ConversionDrop, Some(20), " https://h/x ")
            .validate("k".into(), Ts(5))
            .unwrap();
        assert_eq!(
            (r.window_minutes, r.webhook_url.as_str()),
            (1440, "https://h/x")
        );
    }
}
