//! Alerts (issue 17 §4): rules per activity or campaign, evaluated by exactly one node, their
//! state changes delivered as signed webhooks and shown on the scope's dashboard.
//!
//! The evaluator ([`Alerts::tick`], run every few seconds by [`Alerts::run`]) first takes or
//! renews the lease row in the store (`AlertRepo::claim_lease`): in the scale-out mode every node
//! runs the loop and the one holding the lease evaluates; if it dies, another takes over once the
//! lease has expired. Each rule's firing state lives on its row, and is written *before* its
//! webhook is sent, so a node taking over never announces a change twice. Deliveries run on
//! their own tasks (retries with exponential backoff must not hold up the next evaluation) and
//! every attempt is logged with its status code.

pub mod evaluate;
pub mod webhook;

use crate::backends::Backends;
use crate::error::{ServiceError, ServiceResult};
use axon_domain::alert::{
    fires, AlertDelivery, AlertDraft, AlertKind, AlertRule, AlertScopeKind, AlertTransition,
};
use axon_domain::{Clock, Ts};
use axon_ports::alerts::ALERT_LEASE;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use webhook::{Retry, Transport};

/// A firing rule as a dashboard viewer sees it: no webhook URL, no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FiringAlert {
    pub rule_id: i64,
    pub kind: AlertKind,
    pub threshold: i64,
    pub since: Option<String>,
    pub detail: String,
}

/// What one evaluation did.
#[derive(Debug, Default)]
pub struct Tick {
    /// Whether this node held the lease (and so evaluated).
    pub evaluated: bool,
    /// The rules whose state changed, with the transition announced.
    pub changed: Vec<(i64, AlertTransition)>,
    /// The deliveries started (each ends after its last attempt).
    pub deliveries: Vec<tokio::task::JoinHandle<()>>,
}

pub struct Alerts {
    b: Backends,
    clock: Arc<dyn Clock>,
    transport: Arc<dyn Transport>,
    retry: Retry,
    /// This node's name on the lease.
    node: String,
    lease: Duration,
}

impl Alerts {
    pub fn new(b: Backends, clock: Arc<dyn Clock>, transport: Arc<dyn Transport>) -> Alerts {
        Alerts {
            b,
            clock,
            transport,
            retry: Retry::default(),
            node: crate::tokens::generate_key("node_"),
            lease: Duration::from_secs(30),
        }
    }

    pub fn with_retry(mut self, retry: Retry) -> Alerts {
        self.retry = retry;
        self
    }

    /// How long a lease lasts without renewal (the evaluation interval must be shorter).
    pub fn with_lease(mut self, lease: Duration) -> Alerts {
        self.lease = lease;
        self
    }

    /// Names this node on the lease (default: a random name per process).
    pub fn with_node(mut self, node: &str) -> Alerts {
        self.node = node.to_string();
        self
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Stores a rule for an existing activity or campaign, with a fresh signing secret.
    pub async fn create(&self, draft: AlertDraft) -> ServiceResult<AlertRule> {
        let rule = draft.validate(crate::tokens::generate_key("whsec_"), self.clock.now())?;
        let snap = self.b.analytics.snapshot();
        if evaluate::scope_of(&*snap, &rule).is_none() {
            return Err(ServiceError::not_found(
                "SCOPE_NOT_FOUND",
                format!(
                    "{} {} does not exist",
                    rule.scope.as_str().to_lowercase(),
                    rule.scope_id
                ),
            ));
        }
        Ok(self.b.repo.create_alert_rule(rule).await?)
    }

    /// Every rule, or those of one scope.
    pub async fn rules(
        &self,
        scope: Option<(AlertScopeKind, i64)>,
    ) -> ServiceResult<Vec<AlertRule>> {
        let all = self.b.repo.alert_rules().await?;
        Ok(match scope {
            None => all,
            Some((kind, id)) => all
                .into_iter()
                .filter(|r| r.scope == kind && r.scope_id == id)
                .collect(),
        })
    }

    pub async fn rule(&self, id: i64) -> ServiceResult<AlertRule> {
        self.b
            .repo
            .alert_rules()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| {
                ServiceError::not_found(
                    "ALERT_NOT_FOUND",
                    format!("alert rule {id} does not exist"),
                )
            })
    }

    pub async fn delete(&self, id: i64) -> ServiceResult<()> {
        self.rule(id).await?;
        Ok(self.b.repo.delete_alert_rule(id).await?)
    }

    /// The newest delivery attempts of a rule (at most `limit`, at most 500).
    pub async fn deliveries(&self, id: i64, limit: usize) -> ServiceResult<Vec<AlertDelivery>> {
        self.rule(id).await?;
        Ok(self.b.repo.deliveries(id, limit.clamp(1, 500)).await?)
    }

    /// The rules of a scope that are firing now, for its dashboard.
    pub async fn firing(&self, scope: AlertScopeKind, id: i64) -> ServiceResult<Vec<FiringAlert>> {
        Ok(self
            .rules(Some((scope, id)))
            .await?
            .into_iter()
            .filter(|r| r.firing)
            .map(|r| FiringAlert {
                rule_id: r.id,
                kind: r.kind,
                threshold: r.threshold,
                since: r.firing_since.map(Ts::to_iso),
                detail: r.detail,
            })
            .collect())
    }

    /// One evaluation at the clock's now, if this node holds (or can take) the lease.
    pub async fn tick(&self) -> ServiceResult<Tick> {
        let now = self.clock.now();
        let until = Ts(now.0 + crate::backends::ms(self.lease));
        if !self
            .b
            .repo
            .claim_lease(ALERT_LEASE, &self.node, now, until)
            .await?
        {
            return Ok(Tick::default());
        }
        let mut tick = Tick {
            evaluated: true,
            ..Tick::default()
        };
        let snap = self.b.analytics.snapshot();
        let stock = self.b.stock_levels();
        for rule in self.b.repo.alert_rules().await? {
            // A rule whose activity or campaign was deleted has nothing to watch.
            let Some((activities, name)) = evaluate::scope_of(&*snap, &rule) else {
                continue;
            };
            let reading = evaluate::reading(&*snap, &*stock, &rule, &activities, now);
            let (firing, detail) = fires(&rule, &reading);
            if firing == rule.firing {
                continue;
            }
            let since = firing.then_some(now);
            self.b
                .repo
                .set_alert_state(rule.id, firing, since, detail.clone())
                .await?;
            let transition = if firing {
                AlertTransition::Firing
            } else {
                AlertTransition::Resolved
            };
            tick.changed.push((rule.id, transition));
            tick.deliveries
                .push(self.spawn_delivery(rule, name, transition, detail, now));
        }
        Ok(tick)
    }

    fn spawn_delivery(
        &self,
        rule: AlertRule,
        scope_name: String,
        transition: AlertTransition,
        detail: String,
        now: Ts,
    ) -> tokio::task::JoinHandle<()> {
        let payload = serde_json::json!({
            "ruleId": rule.id,
            "transition": transition,
            "kind": rule.kind,
            "scope": rule.scope,
            "scopeId": rule.scope_id,
            "scopeName": scope_name,
            "threshold": rule.threshold,
            "windowMinutes": rule.window_minutes,
            "detail": detail,
            "at": now.to_iso(),
        });
        let (repo, clock, transport, retry) = (
            self.b.repo.clone(),
            self.clock.clone(),
            self.transport.clone(),
            self.retry,
        );
        tokio::spawn(async move {
            for attempt in 1..=retry.attempts.max(1) {
                if attempt > 1 {
                    tokio::time::sleep(retry.delay_before(attempt)).await;
                }
                let at = clock.now();
                let timestamp = at.0.div_euclid(1000);
                let mut body = payload.clone();
                body["timestamp"] = timestamp.into();
                let body = body.to_string().into_bytes();
                let headers =
                    webhook::signed_headers(&rule.secret, timestamp, transition.as_str(), &body);
                let posted = transport
                    .post(rule.webhook_url.clone(), headers, body)
                    .await;
                let d = AlertDelivery {
                    id: 0,
                    rule_id: rule.id,
                    transition,
                    attempt: i64::from(attempt),
                    status: posted.as_ref().ok().map(|s| i64::from(*s)),
                    error: posted.as_ref().err().cloned().unwrap_or_default(),
                    at,
                };
                let delivered = d.delivered();
                if let Err(e) = repo.record_delivery(d).await {
                    tracing::warn!(rule = rule.id, error = %e, "could not log a webhook delivery");
                }
                if delivered {
                    return;
                }
            }
            tracing::warn!(rule = rule.id, "webhook not delivered after every retry");
        })
    }

    /// Evaluates every `interval` until `closing` turns true. Errors are logged, never fatal:
    /// a store hiccup skips one evaluation.
    pub async fn run(
        self: Arc<Self>,
        interval: Duration,
        mut closing: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = closing.wait_for(|c| *c) => return,
            }
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e.message, "alert evaluation failed");
            }
        }
    }
}
