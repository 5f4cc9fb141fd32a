//! Entities and enums of SPEC §1 with their exact wire spellings.

use crate::filter::Filter;
use crate::money::Dec2;
use crate::time::Ts;
use crate::DomainError;
use serde::{Deserialize, Serialize};

pub type CampaignId = i64;
pub type ActivityId = i64;
pub type ProductId = i64;

/// Declares a wire enum with `parse`/`as_str`/`ALL` and serde in SCREAMING_SNAKE_CASE.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $wire)] $variant),+ }

        // By hand: the derive does not see a `rename` that comes through a macro fragment, and
        // would document the Rust variant names instead of the wire spellings.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(s: &str) -> Result<$name, DomainError> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(DomainError::invalid(format!(
                        concat!("unknown ", $what, " '{}' (expected one of {})"),
                        s,
                        [$($wire),+].join(", ")
                    ))),
                }
            }
        }
    };
}

wire_enum!(ActivityType, "activityType" {
    FirstComeFirstServe = "FIRST_COME_FIRST_SERVE", Coupon = "COUPON", Giveaway = "GIVEAWAY",
});
wire_enum!(ActivityStatus, "activity status" {
    Draft = "DRAFT", Active = "ACTIVE", Paused = "PAUSED", Ended = "ENDED",
});
wire_enum!(EntryStatus, "entry status" {
    Approved = "APPROVED", Paid = "PAID", Cancelled = "CANCELLED", Rejected = "REJECTED",
});
wire_enum!(PurchaseType, "purchaseType" { CampaignActivity = "CAMPAIGNACTIVITY", Shop = "SHOP" });
wire_enum!(
    /// The kind of a behaviour event; also the funnel's raw material.
    TriggerType, "triggerType" {
    PageView = "PAGE_VIEW", Click = "CLICK", Approved = "APPROVED", Purchase = "PURCHASE",
    FormSubmission = "FORM_SUBMISSION", ScrollDepth = "SCROLL_DEPTH", Visit = "VISIT",
});
wire_enum!(Grade, "grade" {
    Bronze = "BRONZE", Silver = "SILVER", Gold = "GOLD", Platinum = "PLATINUM", Diamond = "DIAMOND",
    Vip = "VIP", Vvip = "VVIP", Vvvip = "VVVIP",
});
wire_enum!(FunnelStep, "funnel step" { Visit = "VISIT", Engage = "ENGAGE", Qualify = "QUALIFY", Purchase = "PURCHASE" });
wire_enum!(CouponStatus, "coupon status" { Issued = "ISSUED", Used = "USED", Expired = "EXPIRED" });
wire_enum!(DefinitionStatus, "event definition status" { Active = "ACTIVE", Inactive = "INACTIVE" });
wire_enum!(Role, "role" { Admin = "ADMIN", Viewer = "VIEWER" });

impl TriggerType {
    /// Index 0..7, for dense per-trigger counters.
    pub fn index(self) -> usize {
        TriggerType::ALL
            .iter()
            .position(|t| *t == self)
            .unwrap_or(0)
    }

    /// Whether a browser may report this kind: approvals and purchases are facts only the
    /// entry gate, the purchases API or the shop's backend (with an ADMIN key) can state.
    pub fn from_browser(self) -> bool {
        !matches!(self, TriggerType::Approved | TriggerType::Purchase)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: CampaignId,
    pub name: String,
    pub start_at: Option<Ts>,
    pub end_at: Option<Ts>,
    pub budget: Dec2,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: ActivityId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub campaign_id: CampaignId,
    pub name: String,
    pub activity_type: ActivityType,
    pub status: ActivityStatus,
    /// `None` = unlimited, `Some(0)` = closed.
    pub limit_count: Option<i64>,
    pub start_date: Ts,
    pub end_date: Ts,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub product_id: Option<ProductId>,
    pub coupon_id: Option<i64>,
    pub price: Dec2,
    /// Units per entry when the request does not say (default 1).
    pub quantity: i64,
    pub budget: Dec2,
    pub filters: Vec<Filter>,
    pub image_url: Option<String>,
    pub payment_required: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
}

impl Activity {
    /// Open for entries: ACTIVE and `now` within `[startDate, endDate]` (inclusive).
    pub fn is_open(&self, now: Ts) -> bool {
        self.status == ActivityStatus::Active && self.start_date <= now && now <= self.end_date
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: ProductId,
    pub name: String,
    pub price: Dec2,
    pub stock: i64,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub discount_rate: Option<Dec2>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub user_id: String,
    pub grade: Option<Grade>,
    pub age: Option<i64>,
    pub region: Option<String>,
    pub last_purchase_at: Option<Ts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub activity_id: ActivityId,
    pub user_id: String,
    pub status: EntryStatus,
    pub order: i64,
    pub quantity: i64,
    pub requested_at: Ts,
    pub processed_at: Option<Ts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Purchase {
    pub id: i64,
    pub user_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub product_id: Option<ProductId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub activity_id: Option<ActivityId>,
    pub purchase_type: PurchaseType,
    /// Unit price.
    pub price: Dec2,
    pub quantity: i64,
    pub purchased_at: Ts,
    pub order_id: Option<String>,
}

impl Purchase {
    /// Revenue = price × quantity.
    pub fn revenue(&self) -> Dec2 {
        self.price * self.quantity
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventDefinition {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: DefinitionStatus,
    pub trigger_type: TriggerType,
    /// PAGE_VIEW: `{"urlPattern": "/campaign-activity/*/view"}`; CLICK: `{"selector": "#buy"}`.
    pub trigger_payload: serde_json::Value,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// An API key as stored: only the hash of the secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The first characters of the secret, to recognise a key in a list.
    pub prefix: String,
    #[serde(skip)]
    pub hash: String,
    pub created_at: Ts,
    pub revoked_at: Option<Ts>,
}
