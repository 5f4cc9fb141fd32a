//! Payments (SPEC §3.2 steps 2–3): `POST /api/v1/payments/prepare` trades a live reservation
//! token for an approval token (extending the hold to cover it); `POST /api/v1/payments/confirm`
//! records the purchase while the hold is still live. Tokens are random secrets bound to the
//! user; confirm is idempotent.

use super::activities::find;
use crate::auth::{generate_key, EndUser};
use crate::error::{ApiError, ApiResult, Kind};
use crate::extract::ApiJson;
use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::model::{Entry, EntryStatus, Purchase, PurchaseType, TriggerType};
use axon_engine::ledger::ConfirmRefusal;
use axon_store::{NewPurchase, TokenKind, TokenRecord};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

const EXPIRED_KO: &str = "결제 시간이 만료되었습니다. 처음부터 다시 응모해주세요.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payments/prepare", post(prepare))
        .route("/api/v1/payments/confirm", post(confirm))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrepareInput {
    reservation_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfirmInput {
    approval_token: String,
}

fn reservation_expired() -> ApiError {
    ApiError::new(Kind::Forbidden, "RESERVATION_EXPIRED", EXPIRED_KO)
}

fn token_shape(t: &str) -> ApiResult<()> {
    if t.trim().is_empty() || t.len() > 256 {
        return Err(ApiError::validation("the token must be 1–256 characters"));
    }
    Ok(())
}

fn ttl_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

async fn prepare(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PrepareInput>,
) -> ApiResult<Json<Value>> {
    token_shape(&input.reservation_token)?;
    let now = state.now();
    let rec = state
        .repo
        .token(&input.reservation_token)?
        .filter(|t| t.kind == TokenKind::Reservation && t.user_id == user)
        .ok_or_else(reservation_expired)?;
    if let Some(e) = state.repo.entry(rec.entry_id)? {
        if e.status == EntryStatus::Paid {
            return Err(ApiError::conflict(
                "ALREADY_PAID",
                "this reservation has already been paid",
            )
            .with("entryId", e.id));
        }
    }
    if rec.expires_at <= now {
        return Err(reservation_expired());
    }
    // A second prepare answers the approval token already issued (the client may have lost it).
    if let Some(t) = state
        .repo
        .tokens_of_entry(rec.entry_id)?
        .into_iter()
        .find(|t| t.kind == TokenKind::Approval && t.expires_at > now)
    {
        return Ok(Json(
            json!({"approvalToken": t.token, "expiresAt": t.expires_at, "entryId": rec.entry_id}),
        ));
    }
    let expires_at = now.plus_ms(ttl_ms(state.config.approval_ttl));
    state
        .gate
        .ledger
        .extend(rec.activity_id, &user, expires_at, now)
        .map_err(|r| match r {
            ConfirmRefusal::AlreadyFinal => {
                ApiError::conflict("ALREADY_PAID", "this reservation has already been paid")
            }
            ConfirmRefusal::InProgress => {
                ApiError::conflict("PAYMENT_IN_PROGRESS", "a payment is being confirmed")
            }
            ConfirmRefusal::Expired | ConfirmRefusal::Unknown => reservation_expired(),
        })?;
    let token = generate_key("apv_");
    state
        .repo
        .add_token(TokenRecord {
            token: token.clone(),
            kind: TokenKind::Approval,
            entry_id: rec.entry_id,
            activity_id: rec.activity_id,
            user_id: user,
            expires_at,
        })
        .await?;
    Ok(Json(
        json!({"approvalToken": token, "expiresAt": expires_at, "entryId": rec.entry_id}),
    ))
}

fn paid_answer(entry: &Entry, purchase: Option<&Purchase>) -> Json<Value> {
    Json(json!({"status": "SUCCESS", "entryId": entry.id, "purchaseId": purchase.map(|p| p.id)}))
}

fn approval_expired() -> ApiError {
    ApiError::new(
        Kind::Gone,
        "APPROVAL_EXPIRED",
        "결제 승인 시간이 만료되었습니다. 처음부터 다시 응모해주세요.",
    )
}

async fn confirm(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<Json<Value>> {
    token_shape(&input.approval_token)?;
    let now = state.now();
    let rec = state
        .repo
        .token(&input.approval_token)?
        .filter(|t| t.kind == TokenKind::Approval)
        .ok_or_else(|| {
            ApiError::new(
                Kind::Forbidden,
                "INVALID_APPROVAL_TOKEN",
                "this approval token is not valid",
            )
        })?;
    if rec.user_id != user {
        return Err(ApiError::new(
            Kind::Forbidden,
            "TOKEN_NOT_YOURS",
            "this approval token belongs to another user",
        ));
    }
    let entry = state
        .repo
        .entry(rec.entry_id)?
        .ok_or_else(approval_expired)?;
    if entry.status == EntryStatus::Paid {
        return Ok(paid_answer(
            &entry,
            state.repo.purchase_of_entry(&entry)?.as_ref(),
        ));
    }
    if rec.expires_at <= now || entry.status != EntryStatus::Approved {
        return Err(approval_expired());
    }
    let a = find(&state, rec.activity_id)?;
    match state.gate.ledger.begin_confirm(a.id, &user, now) {
        Ok(_) => {}
        Err(ConfirmRefusal::InProgress) => {
            return Err(ApiError::conflict(
                "PAYMENT_IN_PROGRESS",
                "this payment is being confirmed",
            ))
        }
        Err(ConfirmRefusal::AlreadyFinal) => {
            // A concurrent confirm of the same token won: answer what it recorded.
            let e = state.repo.entry(entry.id)?.unwrap_or(entry);
            let p = state.repo.purchase_of_entry(&e)?;
            return Ok(paid_answer(&e, p.as_ref()));
        }
        Err(ConfirmRefusal::Expired | ConfirmRefusal::Unknown) => return Err(approval_expired()),
    }
    let purchase = Purchase {
        id: 0,
        user_id: user.clone(),
        product_id: a.product_id,
        activity_id: Some(a.id),
        purchase_type: PurchaseType::CampaignActivity,
        price: a.price,
        quantity: entry.quantity,
        purchased_at: now,
        order_id: Some(format!("AXON-{}-{}", a.id, entry.id)),
    };
    let mut props = Map::new();
    props.insert("activityId".into(), a.id.into());
    props.insert("campaignId".into(), a.campaign_id.into());
    if let Some(p) = a.product_id {
        props.insert("productId".into(), p.into());
    }
    props.insert(
        "amount".into(),
        serde_json::to_value(purchase.revenue()).unwrap_or(Value::Null),
    );
    props.insert("quantity".into(), entry.quantity.into());
    props.insert("orderId".into(), purchase.order_id.clone().into());
    let event = Event::backend(TriggerType::Purchase, &user, now, props);
    let written = state
        .repo
        .record_purchase(NewPurchase {
            purchase,
            event: event.clone(),
            entry_id: Some(entry.id),
        })
        .await;
    state.gate.ledger.end_confirm(a.id, &user, written.is_ok());
    let w = written?;
    if w.created {
        let mut event = event;
        event
            .properties
            .insert("purchaseId".into(), w.purchase.id.into());
        let events: Vec<(u64, Event)> = w.seq.map(|s| (s, event)).into_iter().collect();
        let entries: Vec<Entry> = w.entry.iter().cloned().collect();
        state.observe(&events, &entries, std::slice::from_ref(&w.purchase));
        if let Some(p) = &w.product {
            state.remember_product(p);
        }
    }
    let entry = w.entry.unwrap_or(entry);
    crate::metrics::Metrics::inc(&state.metrics.gate_paid_total, 1);
    Ok(paid_answer(&entry, Some(&w.purchase)))
}
