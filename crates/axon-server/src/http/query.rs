//! The question box (SPEC §7): `POST /api/v1/dashboard/{campaign/{id} | activity/{id} |
//! global}/query` with `{"query": "…", "language": "ko"|"en"?}` → `{answer, intent, parameters,
//! data, notApplied}` (`notApplied`: the parts of the question the answer could not apply, e.g.
//! `["gender", "age"]`); `GET …/query/suggestions?language=` lists questions that page answers. Parsing and answering live in `axon-nlq` (over the dashboards service); this module
//! checks the input, runs the answer on the reader pool and, when `AXON_LLM_URL` is set, lets
//! the LLM rephrase.

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::errors::ReadErrors;
use crate::openapi::Id;
use crate::state::AppState;
use axon_nlq::{Lang, NlqError, Scope};
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(campaign))
        .routes(routes!(activity))
        .routes(routes!(global))
        .routes(routes!(campaign_suggestions))
        .routes(routes!(activity_suggestions))
        .routes(routes!(global_suggestions))
}

/// A question (doc only: the handler reads the body itself to phrase its errors).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct Question {
    /// The question in Korean or English, e.g. "지난 7일 구매 전환율은?".
    query: String,
    /// `ko` or `en`; guessed from the text when absent.
    #[schema(nullable = true)]
    language: Option<String>,
}

/// The answer to a question (doc only).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Answer {
    /// The answer in words.
    answer: String,
    intent: String,
    parameters: Value,
    data: Value,
    /// The parts of the question the answer could not apply.
    not_applied: Vec<String>,
}

/// Questions the page's box answers in full (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct Suggestions {
    language: String,
    suggestions: Vec<String>,
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALID_QUESTION", msg)
}

/// `{"query": "<text>", "language": "ko"|"en"?}`; anything else is a 400.
fn read_body(body: &[u8]) -> ApiResult<(String, Option<Lang>)> {
    let text = std::str::from_utf8(body).map_err(|_| invalid("the body is not UTF-8 text"))?;
    let v: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request("MALFORMED_JSON", format!("the body is not JSON: {e}"))
    })?;
    let q = match v.get("query") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid("query must be a string")),
        None => return Err(invalid("query is required: {\"query\": \"…\"}")),
    };
    let lang = match v.get("language") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(Lang::parse(s).ok_or_else(|| invalid("language must be \"ko\" or \"en\""))?)
        }
        Some(_) => return Err(invalid("language must be \"ko\" or \"en\"")),
    };
    Ok((q, lang))
}

fn to_api(e: &NlqError) -> ApiError {
    match e {
        NlqError::CampaignNotFound(_) => ApiError::not_found("CAMPAIGN_NOT_FOUND", e.to_string()),
        NlqError::ActivityNotFound(_) => ApiError::not_found("ACTIVITY_NOT_FOUND", e.to_string()),
        NlqError::Service(s) => ApiError::from(s.clone()),
        _ => invalid(e.to_string()),
    }
}

async fn answer(state: AppState, scope: Scope, body: &[u8]) -> ApiResult<Json<Value>> {
    let (question, lang) = read_body(body)?;
    let q = question.clone();
    let llm = state.config.llm();
    // The scope's notes (and its family's), for questions about "after the TV ad".
    let noted = match scope {
        Scope::Activity(id) => Some(axon_domain::share::ScopeRef::Activity(id)),
        Scope::Campaign(id) => Some(axon_domain::share::ScopeRef::Campaign(id)),
        Scope::Global => None,
    };
    let notes = match noted {
        Some(s) => state.annotations.for_questions(s).await?,
        None => Vec::new(),
    };
    let readers = state.readers.clone();
    let a = readers
        .run(move || axon_nlq::ask_with(&state.dashboards, scope, &q, lang, state.now(), &notes))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| to_api(&e))?;
    let used = a.parameters["language"]
        .as_str()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let a = axon_nlq::llm::finish(llm.as_ref(), &question, used, a).await;
    Ok(Json(json!({
        "answer": a.answer, "intent": a.intent, "parameters": a.parameters, "data": a.data,
        "notApplied": a.not_applied,
    })))
}

#[utoipa::path(post, path = "/api/v1/dashboard/campaign/{id}/query", tag = "query", params(Id), request_body = Question, responses((status = 200, body = Answer), ReadErrors))]
async fn campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    answer(state, Scope::Campaign(id), &body).await
}

#[utoipa::path(post, path = "/api/v1/dashboard/activity/{id}/query", tag = "query", params(Id), request_body = Question, responses((status = 200, body = Answer), ReadErrors))]
async fn activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    answer(state, Scope::Activity(id), &body).await
}

#[utoipa::path(post, path = "/api/v1/dashboard/global/query", tag = "query", request_body = Question, responses((status = 200, body = Answer), ReadErrors))]
async fn global(_: Viewer, State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    answer(state, Scope::Global, &body).await
}

/// `?language=ko|en` (Korean when absent).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    language: Option<String>,
}

/// `GET …/query/suggestions`: questions the page's box can answer in full, in the language.
fn suggestions(state: &AppState, scope: Scope, q: &SuggestQuery) -> ApiResult<Json<Value>> {
    let lang = match q.language.as_deref().map(str::trim) {
        None | Some("") => Lang::Ko,
        Some(s) => Lang::parse(s).ok_or_else(|| invalid("language must be \"ko\" or \"en\""))?,
    };
    let list = axon_nlq::suggestions(&state.dashboards, scope, lang).map_err(|e| to_api(&e))?;
    Ok(Json(json!({"language": lang, "suggestions": list})))
}

#[utoipa::path(get, path = "/api/v1/dashboard/campaign/{id}/query/suggestions", tag = "query", params(Id, SuggestQuery), responses((status = 200, body = Suggestions), ReadErrors))]
async fn campaign_suggestions(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Value>> {
    suggestions(&state, Scope::Campaign(id), &q)
}

#[utoipa::path(get, path = "/api/v1/dashboard/activity/{id}/query/suggestions", tag = "query", params(Id, SuggestQuery), responses((status = 200, body = Suggestions), ReadErrors))]
async fn activity_suggestions(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Value>> {
    suggestions(&state, Scope::Activity(id), &q)
}

#[utoipa::path(get, path = "/api/v1/dashboard/global/query/suggestions", tag = "query", params(SuggestQuery), responses((status = 200, body = Suggestions), ReadErrors))]
async fn global_suggestions(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Value>> {
    suggestions(&state, Scope::Global, &q)
}
