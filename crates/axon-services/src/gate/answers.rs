//! The gate's typed answers, serialised as SPEC §3.2 spells them.

use axon_domain::model::{ActivityId, EntryStatus};
use axon_domain::Ts;
use serde::Serialize;

/// An admitted entry, or the repeat of a live reservation (`is_retry`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Admitted {
    pub status: &'static str,
    pub order: i64,
    pub entry_id: Option<i64>,
    pub quantity: Option<i64>,
    pub reservation_token: Option<String>,
    pub expires_at: Option<Ts>,
    pub is_retry: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_required: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_coupon_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<i64>,
}

/// A giveaway entry: counted now, decided by the draw.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GiveawayEntry {
    pub status: &'static str,
    pub order: i64,
    pub is_retry: bool,
    pub draw_pending: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum EntryAnswer {
    Admitted(Admitted),
    Giveaway(GiveawayEntry),
}

/// What a storefront needs for its countdown and sold-out state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StockView {
    pub activity_id: ActivityId,
    pub limit_count: Option<i64>,
    pub remaining: Option<i64>,
    pub held: i64,
    pub sold_out: bool,
    pub open: bool,
    pub start_date: Ts,
    pub end_date: Ts,
    pub timestamp: Ts,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EntryRow {
    pub entry_id: i64,
    pub user_id: String,
    pub status: EntryStatus,
    pub order: i64,
    pub quantity: i64,
    pub requested_at: Ts,
    pub processed_at: Option<Ts>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EntriesPage {
    pub activity_id: ActivityId,
    pub status_filter: Option<EntryStatus>,
    pub page: i64,
    pub size: i64,
    pub total_elements: i64,
    pub total_pages: i64,
    pub entries: Vec<EntryRow>,
}

/// The approval token a prepare trades a reservation for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub approval_token: String,
    pub expires_at: Ts,
    pub entry_id: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Paid {
    pub status: &'static str,
    pub entry_id: i64,
    pub purchase_id: Option<i64>,
}

/// A recorded giveaway draw (the seed as a string: it may exceed 2^53).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DrawView {
    pub activity_id: ActivityId,
    pub seed: String,
    pub participants: i64,
    pub winner_count: usize,
    pub winners: Vec<String>,
    pub drawn_at: Ts,
}
