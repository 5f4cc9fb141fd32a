//! The FCFS gate (SPEC §3.2): `POST /api/v1/activities/{id}/entries` for end users (JWT) and
//! `GET` of the same path for admins (paged list).
//!
//! Check order: activity → product → retry of a live reservation → filters → open → duplicate →
//! stock. The decision is taken in the ledger under its lock; the 200 is sent only after the
//! entry, its reservation token and its `APPROVED` event are durable together; a failed write
//! gives the units back.

use super::activities::find;
use super::giveaways;
use crate::auth::{generate_key, EndUser, Viewer};
use crate::error::{ApiError, ApiResult, Kind};
use crate::extract::{ApiPath, ApiQuery};
use crate::gate::sweep_once;
use crate::metrics::Metrics;
use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::filter::evaluate;
use axon_domain::model::{Activity, ActivityId, ActivityType, Entry, EntryStatus, TriggerType};
use axon_domain::Ts;
use axon_engine::ledger::{Admit, Hold};
use axon_store::NewEntry;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Most units one entry may ask for.
const MAX_QUANTITY: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities/{id}/entries", get(list).post(enter))
        .route("/api/v1/activities/{id}/stock", get(stock))
}

/// Public: what a storefront needs for its countdown and sold-out state.
async fn stock(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<Value>> {
    let a = find(&state, id)?;
    let ledger = &state.gate.ledger;
    let remaining = a.limit_count.map(|l| ledger.remaining(id, Some(l)));
    Ok(Json(
        json!({"activityId": id, "limitCount": a.limit_count, "remaining": remaining,
        "held": ledger.held(id), "soldOut": remaining == Some(0), "open": a.is_open(state.now()),
        "startDate": a.start_date, "endDate": a.end_date, "timestamp": state.now()}),
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EntryInput {
    product_id: Option<i64>,
    quantity: Option<i64>,
}

/// A JSON body that may be empty (the default then).
pub(crate) fn optional_json<T: Default + DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice::<Option<T>>(body)
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            if e.is_data() {
                ApiError::validation(e.to_string())
            } else {
                ApiError::bad_request("MALFORMED_JSON", e.to_string())
            }
        })
}

/// The answer to a retry of a live reservation: the same token, and the stored entry's id and
/// quantity (an indexed read).
fn retry_answer(state: &AppState, activity: i64, user: &str, h: &Hold) -> ApiResult<Json<Value>> {
    let entry = state.repo.entry_of(activity, user)?;
    Ok(Json(
        json!({"status": "SUCCESS", "order": h.order, "entryId": entry.as_ref().map(|e| e.id),
        "quantity": entry.as_ref().map(|e| e.quantity), "reservationToken": h.reservation_token,
        "expiresAt": h.reservation_expires_at, "isRetry": true}),
    ))
}

/// Filters (§3.3) against the stored profile; 400 `NOT_ELIGIBLE` with the failing filter.
pub(crate) fn check_filters(state: &AppState, a: &Activity, user: &str) -> ApiResult<()> {
    if a.filters.is_empty() {
        return Ok(());
    }
    let profile = state.repo.profile(user)?;
    evaluate(&a.filters, profile.as_ref(), state.tz()).map_err(|i| {
        ApiError::bad_request(
            "NOT_ELIGIBLE",
            format!("not eligible for this activity: {}", i.reason),
        )
        .with(
            "filter",
            serde_json::to_value(&i.filter).unwrap_or(Value::Null),
        )
        .with("reason", i.reason)
    })
}

/// Open: ACTIVE, now within [startDate, endDate], and not closed by `limitCount: 0`.
pub(crate) fn check_open(a: &Activity, now: Ts) -> ApiResult<()> {
    if a.is_open(now) && a.limit_count != Some(0) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "ACTIVITY_CLOSED",
        format!(
            "activity {} is not open for entries (status {}, {} – {})",
            a.id,
            a.status.as_str(),
            a.start_date,
            a.end_date
        ),
    )
    .with("activityStatus", a.status.as_str()))
}

async fn enter(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let input: EntryInput = optional_json(&body)?;
    let a = find(&state, id)?;
    if let Some(p) = input.product_id {
        if a.product_id != Some(p) {
            return Err(ApiError::bad_request(
                "PRODUCT_MISMATCH",
                format!("product {p} is not the product of activity {id}"),
            ));
        }
    }
    let units = match a.activity_type {
        ActivityType::FirstComeFirstServe => input.quantity.unwrap_or(a.quantity),
        _ => 1,
    };
    if !(1..=MAX_QUANTITY).contains(&units) {
        return Err(ApiError::validation(format!(
            "quantity must be between 1 and {MAX_QUANTITY}"
        )));
    }
    let now = state.now();
    if a.activity_type == ActivityType::Giveaway {
        return giveaways::enter(&state, &a, user, now).await;
    }
    if let Some(h) = state.gate.ledger.live_hold(id, &user, now) {
        return retry_answer(&state, id, &user, &h);
    }
    check_filters(&state, &a, &user)?;
    check_open(&a, now)?;
    if a.activity_type == ActivityType::Coupon && a.coupon_id.is_none() {
        return Err(ApiError::bad_request(
            "COUPON_NOT_CONFIGURED",
            format!("COUPON activity {id} has no couponId"),
        ));
    }
    let mut admit = state
        .gate
        .ledger
        .admit(id, &user, units, a.limit_count, now);
    if matches!(admit, Admit::SoldOut { .. }) && state.gate.ledger.has_due(now) {
        // Lazily release holds that expired since the last sweep, then look again.
        sweep_once(&state).await;
        admit = state
            .gate
            .ledger
            .admit(id, &user, units, a.limit_count, now);
    }
    let order = match admit {
        Admit::Reserved { order } => order,
        Admit::Retry(h) => return retry_answer(&state, id, &user, &h),
        Admit::Duplicate { in_progress } => {
            let msg = if in_progress {
                "this user's entry is being processed"
            } else {
                "this user has already entered this activity"
            };
            Metrics::inc(&state.metrics.gate_duplicates_total, 1);
            return Err(ApiError::conflict("DUPLICATED", msg));
        }
        Admit::SoldOut { remaining } => {
            Metrics::inc(&state.metrics.gate_sold_out_total, 1);
            return Err(
                ApiError::new(Kind::Gone, "SOLD_OUT", "sold out: no stock is left")
                    .with("remaining", remaining),
            );
        }
    };
    let answer = write_entry(&state, &a, user, units, order, now).await;
    if answer.is_ok() {
        Metrics::inc(&state.metrics.gate_approved_total, 1);
    }
    answer
}

async fn write_entry(
    state: &AppState,
    a: &Activity,
    user: String,
    units: i64,
    order: i64,
    now: Ts,
) -> ApiResult<Json<Value>> {
    let holds = a.activity_type == ActivityType::FirstComeFirstServe && a.payment_required;
    let reservation = holds.then(|| {
        (
            generate_key("rsv_"),
            now.plus_ms(
                i64::try_from(state.config.reservation_ttl.as_millis()).unwrap_or(i64::MAX),
            ),
        )
    });
    let mut props = Map::new();
    props.insert("activityId".into(), a.id.into());
    props.insert("campaignId".into(), a.campaign_id.into());
    props.insert("order".into(), order.into());
    props.insert("quantity".into(), units.into());
    let event = Event::backend(TriggerType::Approved, &user, now, props);
    let entry = Entry {
        id: 0,
        activity_id: a.id,
        user_id: user.clone(),
        status: EntryStatus::Approved,
        order,
        quantity: units,
        requested_at: now,
        processed_at: Some(now),
    };
    let coupon_id = (a.activity_type == ActivityType::Coupon)
        .then_some(a.coupon_id)
        .flatten();
    let written = state
        .repo
        .insert_entry(NewEntry {
            entry,
            event: event.clone(),
            reservation: reservation.clone(),
            coupon_id,
        })
        .await;
    let w = match written {
        Ok(w) => w,
        Err(e) => {
            state.gate.ledger.abort(a.id, &user);
            return Err(e.into());
        }
    };
    let hold = reservation.as_ref().map(|(token, exp)| Hold {
        reservation_token: token.clone(),
        reservation_expires_at: *exp,
        expires_at: *exp,
        order,
    });
    state.gate.ledger.committed(a.id, &user, w.entry.id, hold);
    let events: Vec<(u64, Event)> = w.seq.map(|s| (s, event)).into_iter().collect();
    state.observe(&events, std::slice::from_ref(&w.entry), &[]);
    let mut body = json!({"status": "SUCCESS", "order": order, "entryId": w.entry.id, "quantity": units,
        "reservationToken": reservation.as_ref().map(|r| r.0.clone()),
        "expiresAt": reservation.as_ref().map(|r| r.1), "isRetry": false,
        "paymentRequired": holds});
    if let Some(uc) = w.user_coupon {
        body["userCouponId"] = uc.id.into();
        body["couponId"] = uc.coupon_id.into();
    }
    Ok(Json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

async fn list(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(EntryStatus::parse)
        .transpose()?;
    let page = q.page.unwrap_or(0);
    let size = q.size.unwrap_or(20);
    if page < 0 || !(1..=100).contains(&size) {
        return Err(ApiError::bad_request(
            "INVALID_QUERY",
            "page must be ≥ 0 and size between 1 and 100",
        ));
    }
    find(&state, id)?;
    let (entries, total) = state
        .repo
        .entries_page(id, status, page.saturating_mul(size), size)?;
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({"entryId": e.id, "userId": e.user_id, "status": e.status, "order": e.order,
                "quantity": e.quantity, "requestedAt": e.requested_at, "processedAt": e.processed_at})
        })
        .collect();
    Ok(Json(
        json!({"activityId": id, "statusFilter": status, "page": page, "size": size,
        "totalElements": total, "totalPages": (total + size - 1) / size, "entries": rows}),
    ))
}
