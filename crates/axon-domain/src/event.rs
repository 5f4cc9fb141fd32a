//! The unified behaviour event (SPEC §2.1): parse, validate with the limits, attribute to an
//! activity, resolve the person, and flag bots.

use crate::model::{ActivityId, CampaignId, Purchase, TriggerType};
use crate::time::{BusinessTz, Ts};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const MAX_EVENT_NAME: usize = 128;
pub const MAX_ID_LEN: usize = 128;
pub const MAX_URL_LEN: usize = 2048;
pub const MAX_PROPERTIES_BYTES: usize = 8 * 1024;
pub const MAX_BATCH_EVENTS: usize = 1000;
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;

/// User-agent fragments of well-known crawlers and monitors (lower case).
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "crawling",
    "slurp",
    "facebookexternalhit",
    "bingpreview",
    "mediapartners-google",
    "lighthouse",
    "pingdom",
    "uptimerobot",
    "headlesschrome-bot",
    "yeti/",
    "daum",
    "semrush",
    "ahrefs",
    "petalbot",
    "bytespider",
    "gptbot",
    "applebot",
];

/// True when the user agent belongs to a known bot.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    BOT_MARKERS.iter().any(|m| ua.contains(m))
}

/// A validated, attributed event as stored in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    pub trigger_type: TriggerType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub occurred_at: Ts,
    pub received_at: Ts,
    pub properties: Map<String, Value>,
    /// Attributed activity (properties.activityId, else the pageUrl path).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub activity_id: Option<ActivityId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub campaign_id: Option<CampaignId>,
    #[serde(default)]
    pub bot: bool,
}

/// What analytics needs of a stored event: enough to count it, attribute it and resolve its
/// person, without the properties. Start-up replay reads only these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCore {
    pub trigger_type: TriggerType,
    pub occurred_at: Ts,
    pub activity_id: Option<ActivityId>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub session_id: Option<String>,
    pub bot: bool,
}

impl EventCore {
    /// The person key (`u:…`, `a:…`, `s:…`) by priority userId > anonymousId > sessionId.
    pub fn person_key(&self) -> String {
        match (&self.user_id, &self.anonymous_id, &self.session_id) {
            (Some(u), _, _) => format!("u:{u}"),
            (None, Some(a), _) => format!("a:{a}"),
            (None, None, s) => format!("s:{}", s.as_deref().unwrap_or("")),
        }
    }
}

impl From<&Event> for EventCore {
    fn from(e: &Event) -> EventCore {
        EventCore {
            trigger_type: e.trigger_type,
            occurred_at: e.occurred_at,
            activity_id: e.activity_id,
            user_id: e.user_id.clone(),
            anonymous_id: e.anonymous_id.clone(),
            session_id: e.session_id.clone(),
            bot: e.bot,
        }
    }
}

/// The identity of a person, by priority userId > anonymousId > sessionId.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Person {
    User(String),
    Anonymous(String),
    Session(String),
}

impl Person {
    /// A compact key: `u:…`, `a:…` or `s:…`.
    pub fn key(&self) -> String {
        match self {
            Person::User(s) => format!("u:{s}"),
            Person::Anonymous(s) => format!("a:{s}"),
            Person::Session(s) => format!("s:{s}"),
        }
    }

    /// Reads a key written by [`Person::key`]; `None` for anything else.
    pub fn from_key(key: &str) -> Option<Person> {
        let (kind, id) = key.split_once(':')?;
        let id = id.to_string();
        match kind {
            "u" => Some(Person::User(id)),
            "a" => Some(Person::Anonymous(id)),
            "s" => Some(Person::Session(id)),
            _ => None,
        }
    }
}

impl Event {
    pub fn person(&self) -> Person {
        if let Some(u) = &self.user_id {
            Person::User(u.clone())
        } else if let Some(a) = &self.anonymous_id {
            Person::Anonymous(a.clone())
        } else {
            Person::Session(self.session_id.clone().unwrap_or_default())
        }
    }

    /// The dedupe scope: `properties.source` (e.g. "backend"), else "web".
    pub fn source(&self) -> &str {
        self.properties
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("web")
    }

    /// Whether only a trusted sender may store this event: an approval or purchase, or one that
    /// claims the backend's dedupe scope (`source: "backend"`).
    pub fn needs_trusted_sender(&self) -> bool {
        !self.trigger_type.from_browser() || self.source() == "backend"
    }

    /// Sets the campaign found for the attributed activity (enrichment).
    pub fn enrich_campaign(&mut self, campaign_id: CampaignId) {
        self.campaign_id = Some(campaign_id);
        self.properties
            .insert("campaignId".into(), Value::from(campaign_id));
    }

    /// The `APPROVED` event of an admitted entry (FCFS, coupon, or a giveaway winner).
    pub fn approved(
        user_id: &str,
        activity: ActivityId,
        campaign: CampaignId,
        order: i64,
        quantity: i64,
        at: Ts,
    ) -> Event {
        let mut props = Map::new();
        props.insert("activityId".into(), activity.into());
        props.insert("campaignId".into(), campaign.into());
        props.insert("order".into(), order.into());
        props.insert("quantity".into(), quantity.into());
        Event::backend(TriggerType::Approved, user_id, at, props)
    }

    /// The `PURCHASE` event of a purchase (`campaign` when it belongs to an activity).
    pub fn purchase(p: &Purchase, campaign: Option<CampaignId>) -> Event {
        let mut props = Map::new();
        if let (Some(a), Some(c)) = (p.activity_id, campaign) {
            props.insert("activityId".into(), a.into());
            props.insert("campaignId".into(), c.into());
        }
        if let Some(product) = p.product_id {
            props.insert("productId".into(), product.into());
        }
        props.insert(
            "amount".into(),
            serde_json::to_value(p.revenue()).unwrap_or(Value::Null),
        );
        props.insert("quantity".into(), p.quantity.into());
        props.insert("orderId".into(), p.order_id.clone().into());
        Event::backend(TriggerType::Purchase, &p.user_id, p.purchased_at, props)
    }

    /// Builds a backend event (source "backend") such as APPROVED or PURCHASE.
    pub fn backend(
        trigger_type: TriggerType,
        user_id: &str,
        at: Ts,
        properties: Map<String, Value>,
    ) -> Event {
        let mut properties = properties;
        properties.insert("source".into(), Value::from("backend"));
        let activity_id = properties.get("activityId").and_then(Value::as_i64);
        let campaign_id = properties.get("campaignId").and_then(Value::as_i64);
        Event {
            event_id: None,
            event_name: Some(trigger_type.as_str().to_ascii_lowercase()),
            trigger_type,
            user_id: Some(user_id.to_string()),
            anonymous_id: None,
            session_id: None,
            page_url: None,
            referrer: None,
            user_agent: None,
            occurred_at: at,
            received_at: at,
            properties,
            activity_id,
            campaign_id,
            bot: false,
        }
    }
}

/// Extracts the activity id from a `/campaign-activity/{id}` path segment of a URL.
pub fn activity_from_url(url: &str) -> Option<ActivityId> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_start = if url.contains("://") {
        after_scheme.find('/')?
    } else {
        0
    };
    let path = &after_scheme[path_start..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segs = path.split('/');
    while let Some(s) = segs.next() {
        if s == "campaign-activity" {
            return segs.next().and_then(|id| id.parse().ok());
        }
    }
    None
}

fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    max: usize,
    reasons: &mut Vec<String>,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            reasons.push(format!("{key} is longer than {max} characters"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            reasons.push(format!("{key} must be a string"));
            None
        }
    }
}

fn id_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses and validates one event; `Err` lists every reason it is invalid. `occurredAt` must
/// lie within the `horizon` for facts.
pub fn parse_event(
    v: &Value,
    now: Ts,
    tz: &BusinessTz,
    horizon: &crate::Horizon,
) -> Result<Event, Vec<String>> {
    let Some(obj) = v.as_object() else {
        return Err(vec!["an event must be a JSON object".into()]);
    };
    let mut reasons = Vec::new();
    let trigger_type = match obj.get("triggerType") {
        Some(Value::String(s)) => TriggerType::parse(s)
            .map_err(|e| reasons.push(e.message))
            .ok(),
        None | Some(Value::Null) => {
            reasons.push("triggerType is required".into());
            None
        }
        Some(_) => {
            reasons.push("triggerType must be a string".into());
            None
        }
    };
    let user_id = match obj.get("userId") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > MAX_ID_LEN => {
            reasons.push(format!("userId is longer than {MAX_ID_LEN} characters"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            reasons.push("userId must be an integer or a string".into());
            None
        }
    };
    let event_id = opt_string(obj, "eventId", MAX_ID_LEN, &mut reasons);
    let event_name = opt_string(obj, "eventName", MAX_EVENT_NAME, &mut reasons);
    let anonymous_id = opt_string(obj, "anonymousId", MAX_ID_LEN, &mut reasons);
    let session_id = opt_string(obj, "sessionId", MAX_ID_LEN, &mut reasons);
    let page_url = opt_string(obj, "pageUrl", MAX_URL_LEN, &mut reasons);
    let referrer = opt_string(obj, "referrer", MAX_URL_LEN, &mut reasons);
    let user_agent = opt_string(obj, "userAgent", MAX_URL_LEN, &mut reasons);
    if user_id.is_none() && anonymous_id.is_none() && session_id.is_none() {
        reasons.push("one of userId, anonymousId or sessionId is required".into());
    }
    let occurred_at = match obj.get("occurredAt") {
        None | Some(Value::Null) => Some(now),
        Some(Value::String(s)) => match tz.parse_instant(s) {
            Ok(t) => match horizon.fact("occurredAt", t, now) {
                Ok(t) => Some(t),
                Err(e) => {
                    reasons.push(e.message);
                    None
                }
            },
            Err(e) => {
                reasons.push(format!("occurredAt: {}", e.message));
                None
            }
        },
        Some(_) => {
            reasons.push("occurredAt must be an ISO-8601 string".into());
            None
        }
    };
    let properties = match obj.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => {
            if serde_json::to_string(m).map_or(0, |s| s.len()) > MAX_PROPERTIES_BYTES {
                reasons.push(format!(
                    "properties are larger than {MAX_PROPERTIES_BYTES} bytes"
                ));
            }
            m.clone()
        }
        Some(_) => {
            reasons.push("properties must be an object".into());
            Map::new()
        }
    };
    let activity_id = match properties.get("activityId") {
        None | Some(Value::Null) => page_url.as_deref().and_then(activity_from_url),
        Some(v) => {
            let id = id_value(v);
            if id.is_none() {
                reasons.push("properties.activityId must be an integer".into());
            }
            id
        }
    };
    if let Some(v) = properties.get("campaignId").filter(|v| !v.is_null()) {
        if id_value(v).is_none() {
            reasons.push("properties.campaignId must be an integer".into());
        }
    }
    if !reasons.is_empty() {
        return Err(reasons);
    }
    let bot = user_agent.as_deref().is_some_and(is_bot);
    let campaign_id = properties.get("campaignId").and_then(id_value);
    Ok(Event {
        event_id,
        event_name,
        trigger_type: trigger_type.unwrap_or(TriggerType::PageView),
        user_id,
        anonymous_id,
        session_id,
        page_url,
        referrer,
        user_agent,
        occurred_at: occurred_at.unwrap_or(now),
        received_at: now,
        properties,
        activity_id,
        campaign_id,
        bot,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_person_key_reads_back_as_the_same_person() {
        for p in [
            Person::User("7".into()),
            Person::Anonymous("a:b".into()),
            Person::Session(String::new()),
        ] {
            assert_eq!(Person::from_key(&p.key()), Some(p));
        }
        assert_eq!(Person::from_key("x:1"), None);
    }

    fn now() -> Ts {
        Ts::parse_utc("2026-11-18T10:30:00Z").unwrap()
    }

    fn parse(v: Value) -> Result<Event, Vec<String>> {
        parse_event(
            &v,
            now(),
            &BusinessTz::default(),
            &crate::Horizon::default(),
        )
    }

    #[test]
    fn a_full_event_parses_and_is_attributed_from_properties() {
        let e = parse(json!({"eventId": "e1", "eventName": "page_view", "triggerType": "PAGE_VIEW", "userId": 123,
            "anonymousId": "a-1", "pageUrl": "https://shop.example/campaign-activity/789/view",
            "occurredAt": "2026-11-18T10:00:00Z", "properties": {"activityId": 790, "source": "web"}}))
        .unwrap();
        assert_eq!(e.user_id.as_deref(), Some("123"));
        assert_eq!(e.activity_id, Some(790));
        assert_eq!(e.person(), Person::User("123".into()));
        assert_eq!(e.occurred_at.to_iso(), "2026-11-18T10:00:00Z");
        assert!(!e.bot);
    }

    #[test]
    fn activity_comes_from_url_when_properties_have_none() {
        let e = parse(json!({"triggerType": "CLICK", "sessionId": "s", "pageUrl": "https://x/campaign-activity/789/view?x=1"})).unwrap();
        assert_eq!(e.activity_id, Some(789));
        assert_eq!(e.occurred_at, now());
        assert_eq!(e.person(), Person::Session("s".into()));
        assert_eq!(activity_from_url("/campaign-activity/12"), Some(12));
        assert_eq!(activity_from_url("https://x/campaign-activity/abc"), None);
        assert_eq!(activity_from_url("https://campaign-activity/5"), None);
    }

    #[test]
    fn invalid_events_list_every_reason() {
        let r = parse(json!({"eventName": 5, "occurredAt": "2026-11-20T10:30:00Z"})).unwrap_err();
        assert!(r.iter().any(|m| m.contains("triggerType is required")));
        assert!(r.iter().any(|m| m.contains("eventName must be a string")));
        assert!(r.iter().any(|m| m.contains("one of userId")));
        assert!(r.iter().any(|m| m.contains("occurredAt must lie between")));
        assert!(parse(json!([1])).is_err());
        assert!(parse(json!({"triggerType": "HOVER", "userId": "u"})).is_err());
        assert!(parse(json!({"triggerType": "CLICK", "userId": 1.5})).is_err());
        assert!(parse(
            json!({"triggerType": "CLICK", "userId": "u", "properties": {"activityId": "x"}})
        )
        .is_err());
        let big = "x".repeat(MAX_PROPERTIES_BYTES);
        assert!(
            parse(json!({"triggerType": "CLICK", "userId": "u", "properties": {"p": big}}))
                .is_err()
        );
        assert!(parse(
            json!({"triggerType": "CLICK", "userId": "u", "eventName": "n".repeat(129)})
        )
        .is_err());
    }

    #[test]
    fn bots_are_flagged_not_refused() {
        let e = parse(json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})).unwrap();
        assert!(e.bot);
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
        ));
    }

    #[test]
    fn offsetless_time_is_business_time_and_source_defaults_to_web() {
        let e = parse(json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "occurredAt": "2026-11-18T09:00:00"})).unwrap();
        assert_eq!(e.occurred_at.to_iso(), "2026-11-18T00:00:00Z");
        assert_eq!(e.source(), "web");
        let b = Event::backend(TriggerType::Approved, "7", now(), Map::new());
        assert_eq!(b.source(), "backend");
    }
}
