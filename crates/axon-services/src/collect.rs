//! Event collection (SPEC §2.2): rate limit per client, validation of every event of a batch
//! (any invalid one rejects the whole batch with per-index reasons), campaign enrichment from
//! the catalogue, and one durable append. The answer is given once the batch is durable; the
//! dashboards see it once the projector has applied it (well within a second).

use crate::backends::{Backends, Settings};
use crate::counters::Counters;
use crate::error::{Kind, ServiceError, ServiceResult};
use axon_domain::event::{parse_event, Event, MAX_BATCH_EVENTS};
use axon_ports::{EventPage, EventQuery};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectReport {
    pub accepted: usize,
    pub duplicates: usize,
}

/// Who sends a batch: the client's address (as resolved through the trusted proxies), the id
/// of the API key it authenticated with, and whether that key may send backend events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sender<'a> {
    pub client: Option<&'a str>,
    pub key: Option<&'a str>,
    pub trusted: bool,
}

pub struct Collect {
    b: Backends,
    settings: Settings,
    counters: Arc<Counters>,
}

impl Collect {
    pub fn new(b: Backends, settings: Settings, counters: Arc<Counters>) -> Collect {
        Collect {
            b,
            settings,
            counters,
        }
    }

    /// Stores a batch (`body`: one event object or an array) from `sender`. An untrusted
    /// sender (no ADMIN key: a browser) may send only browser events; approvals, purchases and
    /// `source: "backend"` events are refused with 403, so the dashboards' purchase and approval
    /// figures come only from the gate, the purchases API, `axon import` and key-holding
    /// backends. A sender with a key is rate-limited per key, any other per client address.
    pub async fn collect(&self, sender: Sender<'_>, body: &[u8]) -> ServiceResult<CollectReport> {
        let (limit_key, limit, what) = match (sender.key, sender.client) {
            (Some(k), _) => (
                Some(format!("key:{k}")),
                self.settings.rate_limit_per_key,
                "this key",
            ),
            (None, Some(c)) => (
                Some(format!("ip:{c}")),
                self.settings.rate_limit_per_ip,
                "this address",
            ),
            (None, None) => (None, 0, ""),
        };
        if let Some(key) = limit_key {
            if !self.b.limits.allow(&key, limit) {
                Counters::inc(&self.counters.rate_limited_total, 1);
                return Err(ServiceError::new(
                    Kind::TooManyRequests,
                    "RATE_LIMITED",
                    format!("too many requests from {what}; slow down"),
                ));
            }
        }
        let trusted = sender.trusted;
        let events = self.parse_batch(body)?;
        if !trusted {
            refuse_backend_events(&events)?;
        }
        let bots = events.iter().filter(|e| e.bot).count() as u64;
        let report = self.b.events.append(events).await?;
        let c = &self.counters;
        Counters::inc(&c.events_bot_total, bots);
        Counters::inc(&c.events_accepted_total, report.accepted() as u64);
        Counters::inc(&c.events_duplicate_total, report.duplicates() as u64);
        Counters::inc(&c.event_batches_total, 1);
        Ok(CollectReport {
            accepted: report.accepted(),
            duplicates: report.duplicates(),
        })
    }

    fn parse_batch(&self, body: &[u8]) -> ServiceResult<Vec<Event>> {
        let decoded = decode_batch(
            body,
            self.settings.now(),
            &self.settings.tz,
            &self.settings.horizon,
        );
        // The batch's size rides on the error only as far as this counter.
        let mut events = decoded.map_err(|mut e| {
            if let Some(n) = e.details.remove("total").and_then(|v| v.as_u64()) {
                Counters::inc(&self.counters.events_rejected_total, n);
            }
            e
        })?;
        let catalog = self.b.analytics.snapshot();
        for e in &mut events {
            if let Some(c) = e.activity_id.and_then(|a| catalog.campaign_of(a)) {
                e.enrich_campaign(c);
            }
        }
        Ok(events)
    }

    /// Stored events, newest first (checking a tracker integration).
    pub async fn list(&self, q: EventQuery) -> ServiceResult<EventPage> {
        if !(1..=1000).contains(&q.limit) {
            return Err(ServiceError::invalid(
                "INVALID_QUERY",
                "limit must be between 1 and 1000",
            ));
        }
        Ok(self.b.events.query(&q).await?)
    }
}

/// 403 naming every event of the batch that only a trusted sender may store.
pub fn refuse_backend_events(events: &[Event]) -> ServiceResult<()> {
    let errors: Vec<Value> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.needs_trusted_sender())
        .map(|(index, e)| {
            json!({"index": index, "reasons": [format!(
                "{} events with source {:?} come from the shop's backend: send them with an ADMIN key (Authorization: Bearer …), or use the entry gate and the purchases API",
                e.trigger_type.as_str(),
                e.source()
            )]})
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ServiceError::forbidden(
        "BACKEND_EVENT_FORBIDDEN",
        format!(
            "{} of {} events may only be sent by a trusted backend; none were stored",
            errors.len(),
            events.len()
        ),
    )
    .with("errors", Value::Array(errors)))
}

/// Decodes a collection body — one event object or an array, sent as `application/json` or as
/// `text/plain` JSON text (what `navigator.sendBeacon` sends) — and validates every event; any
/// invalid one rejects the whole batch with per-index reasons. Pure: the fuzz target
/// `tracker_body` and the service call the same function.
pub fn decode_batch(
    body: &[u8],
    now: axon_domain::Ts,
    tz: &axon_domain::BusinessTz,
    horizon: &axon_domain::Horizon,
) -> ServiceResult<Vec<Event>> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ServiceError::invalid("MALFORMED_JSON", format!("the body is not valid JSON: {e}"))
    })?;
    let items = match v {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        _ => {
            return Err(ServiceError::invalid(
                "INVALID_EVENTS",
                "the body must be an event object or an array of events",
            ))
        }
    };
    if items.is_empty() {
        return Err(ServiceError::invalid(
            "EMPTY_BATCH",
            "the batch has no events",
        ));
    }
    if items.len() > MAX_BATCH_EVENTS {
        return Err(ServiceError::invalid(
            "TOO_MANY_EVENTS",
            format!("at most {MAX_BATCH_EVENTS} events per request"),
        ));
    }
    let mut events = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match parse_event(item, now, tz, horizon) {
            Ok(e) => events.push(e),
            Err(reasons) => errors.push(json!({"index": index, "reasons": reasons})),
        }
    }
    if !errors.is_empty() {
        let n = errors.len();
        return Err(ServiceError::invalid(
            "INVALID_EVENTS",
            format!(
                "{n} of {} events are invalid; none were stored",
                items.len()
            ),
        )
        .with("errors", Value::Array(errors))
        .with("total", json!(items.len())));
    }
    Ok(events)
}
