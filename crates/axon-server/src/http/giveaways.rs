//! Giveaways (SPEC §3.4): entries are collected without a cap while the activity is open;
//! `POST /api/v1/activities/{id}/draw` (admin, after the end) picks `limitCount` winners
//! uniformly with a seed that is recorded, so the draw can be replayed and audited.

use super::activities::find;
use super::entries::{check_filters, check_open, optional_json};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::model::{
    Activity, ActivityId, ActivityStatus, ActivityType, Entry, EntryStatus, TriggerType,
};
use axon_domain::Ts;
use axon_engine::ledger::draw_winners;
use axon_store::Draw;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/activities/{id}/draw", post(draw).get(show))
}

/// A giveaway entry: filters, open, then one per user.
pub(crate) async fn enter(
    state: &AppState,
    a: &Activity,
    user: String,
    now: Ts,
) -> ApiResult<Json<Value>> {
    check_filters(state, a, &user)?;
    check_open(a, now)?;
    let order = state.repo.add_participant(a.id, user, now).await?;
    Ok(Json(
        json!({"status": "SUCCESS", "order": order, "isRetry": false, "drawPending": true}),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DrawInput {
    /// Replays a draw with a chosen seed; by default a fresh random one.
    seed: Option<u64>,
}

fn answer(d: &Draw) -> Json<Value> {
    Json(
        json!({"activityId": d.activity_id, "seed": d.seed.to_string(), "participants": d.participants,
        "winnerCount": d.winners.len(), "winners": d.winners, "drawnAt": d.drawn_at}),
    )
}

async fn draw(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let input: DrawInput = optional_json(&body)?;
    let a = find(&state, id)?;
    if a.activity_type != ActivityType::Giveaway {
        return Err(ApiError::bad_request(
            "NOT_A_GIVEAWAY",
            format!(
                "activity {id} is {}, not GIVEAWAY",
                a.activity_type.as_str()
            ),
        ));
    }
    let now = state.now();
    if now <= a.end_date && a.status != ActivityStatus::Ended {
        return Err(ApiError::conflict(
            "DRAW_TOO_EARLY",
            format!("the giveaway runs until {}; draw after it ends", a.end_date),
        ));
    }
    if state.repo.draw(id)?.is_some() {
        return Err(ApiError::conflict(
            "ALREADY_DRAWN",
            format!("activity {id} has already been drawn"),
        ));
    }
    let seed = input.seed.unwrap_or_else(|| {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("the OS random source failed");
        u64::from_le_bytes(b)
    });
    let people = state.repo.participants(id)?;
    let k = a
        .limit_count
        .map_or(people.len(), |l| usize::try_from(l).unwrap_or(0));
    let winners: Vec<usize> = draw_winners(&(0..people.len()).collect::<Vec<_>>(), k, seed);
    let mut rank = vec![0i64; people.len()];
    for (r, &i) in winners.iter().enumerate() {
        rank[i] = i64::try_from(r).unwrap_or(0) + 1;
    }
    let mut entries = Vec::with_capacity(people.len());
    let mut events = Vec::with_capacity(winners.len());
    for (i, (user, at)) in people.iter().enumerate() {
        let won = rank[i] > 0;
        entries.push(Entry {
            id: 0,
            activity_id: id,
            user_id: user.clone(),
            status: if won {
                EntryStatus::Approved
            } else {
                EntryStatus::Rejected
            },
            order: if won { rank[i] } else { 0 },
            quantity: 1,
            requested_at: *at,
            processed_at: Some(now),
        });
        if won {
            let mut props = Map::new();
            props.insert("activityId".into(), id.into());
            props.insert("campaignId".into(), a.campaign_id.into());
            props.insert("order".into(), rank[i].into());
            events.push(Event::backend(TriggerType::Approved, user, now, props));
        }
    }
    let d = Draw {
        activity_id: id,
        seed,
        participants: i64::try_from(people.len()).unwrap_or(0),
        winners: winners.iter().map(|&i| people[i].0.clone()).collect(),
        drawn_at: now,
    };
    let (stored, seqs) = state.repo.record_draw(d.clone(), entries, events).await?;
    state.observe(&seqs, &stored, &[]);
    Ok(answer(&d))
}

async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<Value>> {
    find(&state, id)?;
    let d = state.repo.draw(id)?.ok_or_else(|| {
        ApiError::not_found("NOT_DRAWN", format!("activity {id} has not been drawn yet"))
    })?;
    Ok(answer(&d))
}
