//! The MCP tools and resources, each one REST call (or two) made in-process on the API router
//! with the caller's `Authorization`: the answer is the API's JSON, an API error the tool's error
//! result (with our error code and message), never a protocol failure.

use axum::body::Body;
use axum::http::{header, HeaderValue, Request};
use axum::Router;
use rmcp::model::{
    CallToolResult, ContentBlock, JsonObject, ReadResourceResult, Resource, ResourceContents, Tool,
};
use rmcp::ErrorData;
use serde_json::{json, Value};
use tower::ServiceExt;

/// Makes one API request; the status and the JSON answer (`null` when it was not JSON).
pub(super) async fn call(
    api: &Router,
    auth: Option<HeaderValue>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    let Ok(req) = req else {
        return (
            400,
            json!({"error": "INVALID_ARGUMENT", "message": "bad request"}),
        );
    };
    let Ok(res) = api.clone().oneshot(req).await;
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn schema(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => JsonObject::new(),
    }
}

const PERIOD: &str = "1d | 7d | 30d | custom (with startDate and endDate, YYYY-MM-DD or ISO instants, business time zone)";

/// The tools an assistant may call.
pub(super) fn catalogue() -> Vec<Tool> {
    let scope = json!({"type": "string", "enum": ["global", "campaign", "activity"],
        "description": "what the question is about (default global)"});
    vec![
        Tool::new(
            "ask",
            "Answer a marketing question in Korean or English (e.g. '지난 7일간 방문자 중 몇 퍼센트가 구매했어?', 'top 3 activities by GMV last month') from exact dashboard numbers. The answer says which parts of the question it could not apply (notApplied).",
            schema(json!({"type": "object", "required": ["question"], "properties": {
                "question": {"type": "string"},
                "scope": scope,
                "id": {"type": "integer", "description": "the campaign or activity id when scope is campaign or activity"},
                "language": {"type": "string", "enum": ["ko", "en"]}}})),
        ),
        Tool::new(
            "get_dashboard",
            "A dashboard as the API answers it: an activity's or campaign's widgets (overview, funnel, comparison, realtime, trend; campaigns also activities, heatmap) or the global overview, each number with its definition.",
            schema(json!({"type": "object", "required": ["scope"], "properties": {
                "scope": {"type": "string", "enum": ["activity", "campaign", "overview"]},
                "id": {"type": "integer"},
                "period": {"type": "string", "description": PERIOD},
                "startDate": {"type": "string"}, "endDate": {"type": "string"},
                "widgets": {"type": "string", "description": "comma-separated widget names (default: all)"},
                "breakdown": {"type": "string", "enum": ["utm_source", "referrerDomain", "device", "browser", "grade", "region"]}}})),
        ),
        Tool::new(
            "list_campaigns",
            "Every campaign: id, name, budget, dates.",
            schema(json!({"type": "object", "properties": {}})),
        ),
        Tool::new(
            "find_activities",
            "Activities (promotions), optionally of one campaign and/or whose name contains a text: id, name, type, status, dates, stock limit, price.",
            schema(json!({"type": "object", "properties": {
                "campaignId": {"type": "integer"},
                "name": {"type": "string", "description": "part of the name, any case"}}})),
        ),
        Tool::new(
            "get_cohort",
            "Cohort LTV and CAC of an activity's customers (LTV 30/90/365 days and current, LTV/CAC, repeat rate, health, whether each window is complete), or a campaign's retention matrix.",
            schema(json!({"type": "object", "properties": {
                "activityId": {"type": "integer"}, "campaignId": {"type": "integer"},
                "granularity": {"type": "string", "enum": ["month", "week"], "description": "campaign retention matrix periods"}}})),
        ),
        Tool::new(
            "get_stock",
            "An activity's realtime FCFS stock: remaining, held, sold out, open.",
            schema(json!({"type": "object", "required": ["activityId"], "properties": {
                "activityId": {"type": "integer"}}})),
        ),
        Tool::new(
            "get_dropoff",
            "Who reached a funnel step of an activity and not the next (paged).",
            schema(json!({"type": "object", "required": ["activityId", "step"], "properties": {
                "activityId": {"type": "integer"},
                "step": {"type": "string", "enum": ["VISIT", "ENGAGE", "QUALIFY"]},
                "period": {"type": "string", "description": PERIOD},
                "startDate": {"type": "string"}, "endDate": {"type": "string"},
                "page": {"type": "integer", "minimum": 0}, "size": {"type": "integer", "minimum": 1, "maximum": 100}}})),
        ),
    ]
}

fn bad(message: String) -> ErrorData {
    ErrorData::invalid_params(message, None)
}

fn int(args: &JsonObject, key: &str) -> Result<Option<i64>, ErrorData> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad(format!("'{key}' must be an integer"))),
    }
}

fn text<'a>(args: &'a JsonObject, key: &str) -> Result<Option<&'a str>, ErrorData> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(bad(format!("'{key}' must be a string"))),
    }
}

fn required_int(args: &JsonObject, key: &str) -> Result<i64, ErrorData> {
    int(args, key)?.ok_or_else(|| bad(format!("'{key}' is required")))
}

/// `?k=v&…` of the given string arguments that are present.
fn query(args: &JsonObject, keys: &[&str]) -> Result<String, ErrorData> {
    let mut pairs = Vec::new();
    for k in keys {
        match args.get(*k) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => pairs.push((k.to_string(), s.clone())),
            Some(Value::Number(n)) => pairs.push((k.to_string(), n.to_string())),
            Some(_) => return Err(bad(format!("'{k}' must be a string or a number"))),
        }
    }
    let q = serde_urlencoded::to_string(&pairs).map_err(|e| bad(e.to_string()))?;
    Ok(if q.is_empty() { q } else { format!("?{q}") })
}

/// The tool's answer: the API's JSON as text (and as structured content), or its error.
fn answer((status, body): (u16, Value)) -> CallToolResult {
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    if (200..300).contains(&status) {
        let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
        if body.is_object() {
            r.structured_content = Some(body);
        }
        r
    } else {
        CallToolResult::error(vec![ContentBlock::text(format!("HTTP {status}: {text}"))])
    }
}

pub(super) async fn run(
    api: &Router,
    auth: Option<HeaderValue>,
    name: &str,
    args: &JsonObject,
) -> Result<CallToolResult, ErrorData> {
    let get = |path: String| {
        let auth = auth.clone();
        async move { call(api, auth, "GET", &path, None).await }
    };
    Ok(match name {
        "ask" => {
            let question =
                text(args, "question")?.ok_or_else(|| bad("'question' is required".into()))?;
            let scope = match (text(args, "scope")?.unwrap_or("global"), int(args, "id")?) {
                ("global", _) => "global".to_string(),
                (s @ ("campaign" | "activity"), Some(id)) => format!("{s}/{id}"),
                ("campaign" | "activity", None) => {
                    return Err(bad("'id' is required for that scope".into()))
                }
                (other, _) => return Err(bad(format!("unknown scope '{other}'"))),
            };
            let mut body = json!({"query": question});
            if let Some(l) = text(args, "language")? {
                body["language"] = json!(l);
            }
            let path = format!("/api/v1/dashboard/{scope}/query");
            let (status, v) = call(api, auth.clone(), "POST", &path, Some(body)).await;
            let mut r = answer((status, v.clone()));
            // The answer text first, so an assistant can quote it; the numbers follow.
            if let Some(a) = v["answer"].as_str() {
                r.content.insert(0, ContentBlock::text(a.to_string()));
            }
            r
        }
        "get_dashboard" => {
            let q = query(
                args,
                &["period", "startDate", "endDate", "widgets", "breakdown"],
            )?;
            let path = match (text(args, "scope")?, int(args, "id")?) {
                (Some("overview"), _) => format!("/api/v1/dashboard/overview{q}"),
                (Some(s @ ("activity" | "campaign")), Some(id)) => {
                    format!("/api/v1/dashboard/{s}/{id}{q}")
                }
                (Some("activity" | "campaign"), None) => {
                    return Err(bad("'id' is required for that scope".into()))
                }
                (Some(other), _) => return Err(bad(format!("unknown scope '{other}'"))),
                (None, _) => return Err(bad("'scope' is required".into())),
            };
            answer(get(path).await)
        }
        "list_campaigns" => answer(get("/api/v1/campaigns".into()).await),
        "find_activities" => {
            let (status, mut v) = get(format!(
                "/api/v1/activities{}",
                query(args, &["campaignId"])?
            ))
            .await;
            if let (Some(needle), Some(list)) =
                (text(args, "name")?, v["activities"].as_array_mut())
            {
                let needle = needle.to_lowercase();
                list.retain(|a| {
                    a["name"]
                        .as_str()
                        .is_some_and(|n| n.to_lowercase().contains(&needle))
                });
            }
            answer((status, v))
        }
        "get_cohort" => match (int(args, "activityId")?, int(args, "campaignId")?) {
            (Some(a), _) => answer(get(format!("/api/v1/dashboard/cohort/activity/{a}")).await),
            (None, Some(c)) => answer(
                get(format!(
                    "/api/v1/dashboard/cohort/campaign/{c}{}",
                    query(args, &["granularity"])?
                ))
                .await,
            ),
            (None, None) => return Err(bad("'activityId' or 'campaignId' is required".into())),
        },
        "get_stock" => answer(
            get(format!(
                "/api/v1/activities/{}/stock",
                required_int(args, "activityId")?
            ))
            .await,
        ),
        "get_dropoff" => {
            let a = required_int(args, "activityId")?;
            let q = query(
                args,
                &["step", "period", "startDate", "endDate", "page", "size"],
            )?;
            answer(get(format!("/api/v1/dashboard/activity/{a}/funnel/dropoff{q}")).await)
        }
        other => {
            return Err(ErrorData::invalid_params(
                format!("unknown tool '{other}'"),
                None,
            ))
        }
    })
}

/// Every campaign and activity as a resource (`axon://campaign/{id}`, `axon://activity/{id}`).
pub(super) async fn resources(
    api: &Router,
    auth: Option<HeaderValue>,
) -> Result<Vec<Resource>, ErrorData> {
    let (s1, campaigns) = call(api, auth.clone(), "GET", "/api/v1/campaigns", None).await;
    let (s2, activities) = call(api, auth, "GET", "/api/v1/activities", None).await;
    if s1 != 200 || s2 != 200 {
        return Err(ErrorData::invalid_request(
            format!("the API refused: {campaigns} {activities}"),
            None,
        ));
    }
    let mut out = Vec::new();
    for c in campaigns["campaigns"].as_array().into_iter().flatten() {
        out.push(
            Resource::new(
                format!("axon://campaign/{}", c["id"]),
                c["name"].as_str().unwrap_or_default(),
            )
            .with_description("campaign summary: KPIs and its activities compared (last 30 days)")
            .with_mime_type("application/json"),
        );
    }
    for a in activities["activities"].as_array().into_iter().flatten() {
        out.push(
            Resource::new(
                format!("axon://activity/{}", a["id"]),
                a["name"].as_str().unwrap_or_default(),
            )
            .with_description(
                "activity summary: its settings, KPIs, funnel and realtime stock (last 30 days)",
            )
            .with_mime_type("application/json"),
        );
    }
    Ok(out)
}

/// A resource's text: the summary as JSON.
pub(super) async fn read(
    api: &Router,
    auth: Option<HeaderValue>,
    uri: &str,
) -> Result<ReadResourceResult, ErrorData> {
    let not_found = || ErrorData::resource_not_found(format!("no such resource: {uri}"), None);
    let (kind, id) = uri
        .strip_prefix("axon://")
        .and_then(|r| r.split_once('/'))
        .ok_or_else(not_found)?;
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let summary = match kind {
        "campaign" => {
            let (s, c) = call(
                api,
                auth.clone(),
                "GET",
                &format!("/api/v1/campaigns/{id}"),
                None,
            )
            .await;
            let (_, d) = call(
                api,
                auth,
                "GET",
                &format!("/api/v1/dashboard/campaign/{id}?widgets=overview,activities&period=30d"),
                None,
            )
            .await;
            (s, json!({"campaign": c, "dashboard": d}))
        }
        "activity" => {
            let (s, a) = call(
                api,
                auth.clone(),
                "GET",
                &format!("/api/v1/activities/{id}"),
                None,
            )
            .await;
            let (_, d) = call(
                api,
                auth,
                "GET",
                &format!(
                    "/api/v1/dashboard/activity/{id}?widgets=overview,funnel,realtime&period=30d"
                ),
                None,
            )
            .await;
            (s, json!({"activity": a, "dashboard": d}))
        }
        _ => return Err(not_found()),
    };
    match summary.0 {
        200 => Ok(ReadResourceResult::new(vec![ResourceContents::text(
            serde_json::to_string_pretty(&summary.1).unwrap_or_default(),
            uri,
        )
        .with_mime_type("application/json")])),
        404 => Err(not_found()),
        s => Err(ErrorData::invalid_request(
            format!("the API answered {s}: {}", summary.1),
            None,
        )),
    }
}
