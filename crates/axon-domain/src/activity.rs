//! The one activity validation, shared by the admin API and `axon import` so the two cannot
//! drift: an [`ActivityDraft`] holds the field values a surface received, and `create`, `update`
//! or `load` turn it into a valid [`Activity`] or the first rule it breaks. Dates are read in the
//! business zone; a bare end date includes its whole business day (SPEC §1: dates inclusive).
//! Rules that need what is stored (does the product exist? how many units are sold?) are
//! [`known_product`] and [`within_limit`]: the caller looks the facts up, the rule is here.

use crate::field::{double_option, non_negative, required_name};
use crate::filter::parse_filters;
use crate::model::{Activity, ActivityStatus, ActivityType, CampaignId, EntryStatus, ProductId};
use crate::{status, BusinessTz, Dec2, DomainError, Ts};
use serde::Deserialize;
use serde_json::Value;

/// The most units one entry may take (the purchases API's bound too).
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Longest activity name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Field values as a surface received them (deserialises from the API's camelCase JSON).
/// `None` = not given: required on `create`/`load`, kept from the base on `update`;
/// `Some(None)` (an explicit `null`) clears an optional field.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivityDraft {
    pub name: Option<String>,
    pub activity_type: Option<String>,
    pub status: Option<String>,
    /// `Some(None)` = unlimited.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub limit_count: Option<Option<i64>>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub product_id: Option<Option<ProductId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub coupon_id: Option<Option<i64>>,
    pub price: Option<Dec2>,
    pub quantity: Option<i64>,
    pub budget: Option<Dec2>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<crate::filter::Filter>>))]
    pub filters: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub image_url: Option<Option<String>>,
    pub payment_required: Option<bool>,
}

/// How the surface spells its fields in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The JSON API: `startDate`, `limitCount`, … (null = unlimited).
    Json,
    /// The import files' columns: `start_at`, `limit_count`, … (empty = unlimited).
    Csv,
}

impl Spelling {
    fn field(self, json: &'static str) -> &'static str {
        match (self, json) {
            (Spelling::Json, f) => f,
            (Spelling::Csv, "activityType") => "activity_type",
            (Spelling::Csv, "limitCount") => "limit_count",
            (Spelling::Csv, "startDate") => "start_at",
            (Spelling::Csv, "endDate") => "end_at",
            (Spelling::Csv, f) => f,
        }
    }

    fn unlimited(self) -> &'static str {
        match self {
            Spelling::Json => "null",
            Spelling::Csv => "empty",
        }
    }
}

/// What a validation reads besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub tz: &'a BusinessTz,
    /// Stamped into `updated_at` (and `created_at` of a new activity); decides a loaded
    /// activity's default status.
    pub now: Ts,
    pub spelling: Spelling,
    /// Where its dates may lie (plans: `earliest` … a decade ahead).
    pub horizon: crate::Horizon,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
    Load,
}

impl ActivityDraft {
    /// A new activity (the API's create): name, type and both dates are required; the status
    /// starts at DRAFT and may only move by the state machine.
    pub fn create(
        self,
        campaign_id: CampaignId,
        rules: &Rules<'_>,
    ) -> Result<Activity, DomainError> {
        let base = blank(0, campaign_id, ActivityStatus::Draft, rules.now);
        self.apply(base, Mode::Create, rules)
    }

    /// A change to `base` (the API's update): absent fields keep their value; the status moves
    /// by the state machine.
    pub fn update(self, base: Activity, rules: &Rules<'_>) -> Result<Activity, DomainError> {
        self.apply(base, Mode::Update, rules)
    }

    /// A record loaded as it stands (import): required fields as for `create`; any status is
    /// taken as given, and without one it is ENDED when the end has passed, else ACTIVE.
    pub fn load(
        self,
        id: i64,
        campaign_id: CampaignId,
        rules: &Rules<'_>,
    ) -> Result<Activity, DomainError> {
        let base = blank(id, campaign_id, ActivityStatus::Active, rules.now);
        self.apply(base, Mode::Load, rules)
    }

    fn apply(self, base: Activity, mode: Mode, rules: &Rules<'_>) -> Result<Activity, DomainError> {
        let sp = rules.spelling;
        let required =
            |field: &'static str| DomainError::invalid(format!("{} is required", sp.field(field)));
        let fresh = mode != Mode::Update;
        let mut a = base;
        if self.name.is_some() || fresh {
            a.name = required_name("name", self.name.as_deref(), MAX_NAME_CHARS)?;
        }
        match self.activity_type.as_deref() {
            Some(t) => a.activity_type = ActivityType::parse(t)?,
            None if fresh => {
                return Err(DomainError::invalid(format!(
                    "{} is required (FIRST_COME_FIRST_SERVE, COUPON or GIVEAWAY)",
                    sp.field("activityType")
                )))
            }
            None => {}
        }
        let given_status = self
            .status
            .as_deref()
            .map(ActivityStatus::parse)
            .transpose()?;
        if let Some(s) = given_status {
            a.status = match mode {
                Mode::Load => s,
                Mode::Create | Mode::Update => status::transition(a.status, s)?,
            };
        }
        if let Some(l) = self.limit_count {
            if l.is_some_and(|l| l < 0) {
                return Err(DomainError::invalid(format!(
                    "{} must be ≥ 0 ({} = unlimited)",
                    sp.field("limitCount"),
                    sp.unlimited()
                )));
            }
            a.limit_count = l;
        }
        match instant(rules, "startDate", self.start_date.as_deref(), false)? {
            Some(t) => a.start_date = t,
            None if fresh => return Err(required("startDate")),
            None => {}
        }
        match instant(rules, "endDate", self.end_date.as_deref(), true)? {
            Some(t) => a.end_date = t,
            None if fresh => return Err(required("endDate")),
            None => {}
        }
        if a.end_date < a.start_date {
            return Err(DomainError::invalid(format!(
                "{} is before {}",
                sp.field("endDate"),
                sp.field("startDate")
            )));
        }
        if mode == Mode::Load && given_status.is_none() && a.end_date < rules.now {
            a.status = ActivityStatus::Ended;
        }
        if let Some(p) = self.product_id {
            a.product_id = p;
        }
        if let Some(c) = self.coupon_id {
            a.coupon_id = c;
        }
        if let Some(p) = self.price {
            a.price = non_negative("price", p)?;
        }
        if let Some(q) = self.quantity {
            if !(1..=MAX_QUANTITY).contains(&q) {
                return Err(DomainError::invalid(format!(
                    "quantity must be between 1 and {MAX_QUANTITY}"
                )));
            }
            a.quantity = q;
        }
        if let Some(b) = self.budget {
            a.budget = non_negative("budget", b)?;
        }
        if let Some(f) = self.filters {
            a.filters = parse_filters(Some(&f), rules.tz)?;
        }
        if let Some(i) = self.image_url {
            a.image_url = i.filter(|s| !s.trim().is_empty());
        }
        if let Some(p) = self.payment_required {
            a.payment_required = p;
        }
        a.updated_at = rules.now;
        Ok(a)
    }
}

/// The values an activity has before a draft says otherwise.
fn blank(id: i64, campaign_id: CampaignId, status: ActivityStatus, now: Ts) -> Activity {
    Activity {
        id,
        campaign_id,
        name: String::new(),
        activity_type: ActivityType::FirstComeFirstServe,
        status,
        limit_count: None,
        start_date: now,
        end_date: now,
        product_id: None,
        coupon_id: None,
        price: Dec2::ZERO,
        quantity: 1,
        budget: Dec2::ZERO,
        filters: Vec::new(),
        image_url: None,
        payment_required: true,
        created_at: now,
        updated_at: now,
    }
}

/// Reads a date field in the business zone (blank = not given). An `end` given as a bare date
/// is the last millisecond of that business day.
fn instant(
    rules: &Rules<'_>,
    field: &'static str,
    v: Option<&str>,
    end: bool,
) -> Result<Option<Ts>, DomainError> {
    let Some(s) = v.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let t = rules.tz.parse_instant(s).map_err(|e| {
        DomainError::invalid(format!("{}: {}", rules.spelling.field(field), e.message))
    })?;
    let t = rules
        .horizon
        .plan(rules.spelling.field(field), t, rules.now)?;
    Ok(Some(if end && BusinessTz::is_date_only(s) {
        Ts(rules.tz.next_day_start(t).0 - 1)
    } else {
        t
    }))
}

/// The product an activity names must exist; `exists` is the store's answer for
/// `a.product_id` (ignored when it names none).
pub fn known_product(a: &Activity, exists: bool) -> Result<(), DomainError> {
    match a.product_id {
        Some(id) if !exists => Err(DomainError::new(
            "UNKNOWN_PRODUCT",
            format!("product {id} does not exist"),
        )),
        _ => Ok(()),
    }
}

/// True when an entry in `status` takes units of the limit (held or sold), as the stock gate
/// counts them: APPROVED (awaiting payment, or approved without one) and PAID.
pub fn takes_units(status: EntryStatus) -> bool {
    matches!(status, EntryStatus::Approved | EntryStatus::Paid)
}

/// The units of an activity's APPROVED and PAID entries may not exceed its `limit_count` — the
/// stock gate's invariant, for entries that arrive by another road than the gate (import).
pub fn within_limit(a: &Activity, taken_units: i64, spelling: Spelling) -> Result<(), DomainError> {
    match a.limit_count {
        Some(l) if taken_units > l => Err(DomainError::new(
            "OVER_LIMIT",
            format!(
                "activity {} has {taken_units} units APPROVED or PAID, more than its {} {l}",
                a.id,
                spelling.field("limitCount")
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
