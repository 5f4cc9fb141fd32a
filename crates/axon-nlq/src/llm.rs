//! Optional LLM phrasing (SPEC §7): an OpenAI-compatible chat endpoint may rephrase the
//! deterministic answer. It receives only the question, the answer and the computed numbers,
//! never writes queries, and any error or a 2 s timeout falls back to the deterministic text.
//! Off unless the server's configuration names an endpoint (`AXON_LLM_URL`).

use crate::{Answer, Lang};
use serde_json::{json, Value};
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(2);

/// Where to send answers for phrasing.
#[derive(Clone)]
pub struct LlmConfig {
    /// Base URL (`…/v1`) or the full `…/chat/completions` URL.
    pub url: String,
    pub model: String,
    key: Option<String>,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "***"))
            .finish()
    }
}

impl LlmConfig {
    pub fn new(url: &str, model: &str, key: Option<&str>) -> LlmConfig {
        LlmConfig {
            url: url.trim().to_string(),
            model: model.to_string(),
            key: key.map(str::to_string).filter(|k| !k.is_empty()),
        }
    }

    fn endpoint(&self) -> String {
        let u = self.url.trim_end_matches('/');
        if u.ends_with("/chat/completions") {
            u.to_string()
        } else {
            format!("{u}/chat/completions")
        }
    }
}

/// The chat request: the deterministic answer and its numbers, nothing else.
pub fn request_body(cfg: &LlmConfig, question: &str, lang: Lang, a: &Answer) -> Value {
    let language = if lang.ko() { "Korean" } else { "English" };
    json!({
        "model": cfg.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": format!("You rephrase analytics answers for a marketer in {language}. Use only the numbers given, exactly as written; never add, round or invent numbers. When notApplied is not empty, first say which parts of the question were not applied, as the answer does. One or two sentences.")},
            {"role": "user", "content": json!({"question": question, "answer": a.answer, "intent": a.intent, "numbers": a.data, "notApplied": a.not_applied}).to_string()},
        ],
    })
}

/// Rephrases `a` through the LLM; `None` on any error, timeout or empty reply.
pub async fn phrase(cfg: &LlmConfig, question: &str, lang: Lang, a: &Answer) -> Option<String> {
    let client = reqwest::Client::builder().timeout(TIMEOUT).build().ok()?;
    let mut rb = client
        .post(cfg.endpoint())
        .json(&request_body(cfg, question, lang, a));
    if let Some(k) = &cfg.key {
        rb = rb.bearer_auth(k);
    }
    let resp = rb.send().await.ok()?.error_for_status().ok()?;
    let v: Value = resp.json().await.ok()?;
    v["choices"][0]["message"]["content"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The answer to send: phrased when configured and the LLM answered, else `a` unchanged.
/// `data.phrasedBy` says which.
pub async fn finish(cfg: Option<&LlmConfig>, question: &str, lang: Lang, mut a: Answer) -> Answer {
    if let Some(cfg) = cfg {
        match phrase(cfg, question, lang, &a).await {
            Some(text) => {
                a.answer = text;
                a.parameters["phrasedBy"] = Value::from("llm");
            }
            None => a.parameters["phrasedBy"] = Value::from("fallback"),
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_carries_what_was_not_applied() {
        let a = Answer {
            answer: "For the last 7 days, 9.86%.".into(),
            intent: "CONVERSION_RATE",
            parameters: json!({}),
            data: json!({"value": 9.86}),
            not_applied: vec!["gender", "age"],
        };
        let body = request_body(
            &LlmConfig::new("http://llm/v1", "m", None),
            "q",
            Lang::En,
            &a,
        );
        let user: Value =
            serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
        assert_eq!(user["notApplied"], json!(["gender", "age"]));
        assert!(body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("notApplied"));
    }
}
