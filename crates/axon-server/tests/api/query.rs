//! The question box endpoints (SPEC §7): real questions end to end, bad input → 400, unknown
//! scopes → 404, off-topic → 200 UNKNOWN.

use crate::helpers::*;
use serde_json::{json, Value};

fn pv(a: i64, who: &str) -> Value {
    json!({"triggerType": "PAGE_VIEW", "anonymousId": who, "properties": {"activityId": a}})
}

async fn ask(app: &TestApp, path: &str, q: &str) -> Reply {
    app.post(path, json!({"query": q})).await
}

#[tokio::test]
async fn questions_are_answered_from_the_dashboards_in_the_questions_language() {
    let app = spawn_app().await;
    let c = app.campaign("Winter").await;
    let a = app.activity(c).await;
    for i in 0..3 {
        assert_eq!(app.track(pv(a, &format!("v{i}"))).await.status, 202);
    }
    let r = ask(
        &app,
        &format!("/api/v1/dashboard/activity/{a}/query"),
        "how many visits in the last 7 days?",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["intent"], "VISITS");
    assert_eq!(r.body["parameters"]["period"], "7d");
    assert_eq!(r.body["data"]["value"], 3);
    assert!(
        r.body["answer"].as_str().unwrap().contains("3 visits"),
        "{}",
        r.body["answer"]
    );

    let r = ask(
        &app,
        &format!("/api/v1/dashboard/campaign/{c}/query"),
        "지난 7일간 방문 몇 건이야?",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["value"], 3);
    assert!(
        r.body["answer"].as_str().unwrap().contains("3건"),
        "{}",
        r.body["answer"]
    );

    let r = ask(
        &app,
        &format!("/api/v1/dashboard/activity/{a}/query"),
        "재고 얼마나 남았어?",
    )
    .await;
    assert_eq!(r.body["intent"], "REMAINING_STOCK");
    assert_eq!(r.body["data"]["remainingStock"], 100);

    let r = app
        .post(
            "/api/v1/dashboard/global/query",
            json!({"query": "top 3 campaigns by visits in the last 7 days", "language": "ko"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["intent"], "RANKING");
    assert_eq!(r.body["data"]["rows"][0]["campaignId"], c);
    assert_eq!(r.body["parameters"]["language"], "ko");
    for k in ["answer", "intent", "parameters", "data"] {
        assert!(!r.body[k].is_null(), "{k}");
    }
}

#[tokio::test]
async fn off_topic_questions_get_a_helpful_unknown_answer() {
    let app = spawn_app().await;
    let r = ask(
        &app,
        "/api/v1/dashboard/global/query",
        "what's the weather like?",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["intent"], "UNKNOWN");
    assert!(r.body["answer"].as_str().unwrap().contains("You can ask"));
}

#[tokio::test]
async fn empty_oversize_and_non_text_questions_are_refused() {
    let app = spawn_app().await;
    let path = "/api/v1/dashboard/global/query";
    assert_error(&ask(&app, path, "").await, 400, "INVALID_QUESTION");
    assert_error(&ask(&app, path, "   ").await, 400, "INVALID_QUESTION");
    assert_error(
        &ask(&app, path, &"가".repeat(501)).await,
        400,
        "INVALID_QUESTION",
    );
    assert_eq!(ask(&app, path, &"a".repeat(500)).await.status, 200);
    assert_error(
        &app.post(path, json!({"query": 42})).await,
        400,
        "INVALID_QUESTION",
    );
    assert_error(
        &app.post(path, json!({"query": ["a"]})).await,
        400,
        "INVALID_QUESTION",
    );
    assert_error(&app.post(path, json!({})).await, 400, "INVALID_QUESTION");
    assert_error(
        &app.post(path, json!({"query": "hi", "language": "fr"}))
            .await,
        400,
        "INVALID_QUESTION",
    );
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(ADMIN_KEY)
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(ADMIN_KEY)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn unknown_scopes_are_404_and_anonymous_callers_401() {
    let app = spawn_app().await;
    let r = ask(&app, "/api/v1/dashboard/campaign/999/query", "visits?").await;
    assert_error(&r, 404, "CAMPAIGN_NOT_FOUND");
    let r = ask(&app, "/api/v1/dashboard/activity/999/query", "visits?").await;
    assert_error(&r, 404, "ACTIVITY_NOT_FOUND");
    let r = app
        .call(
            reqwest::Method::POST,
            "/api/v1/dashboard/global/query",
            None,
            Some(&json!({"query": "visits?"})),
        )
        .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
}

#[tokio::test]
async fn breakdown_questions_answer_with_the_split() {
    let app = spawn_app().await;
    let c = app.campaign("Split").await;
    let a = app.activity(c).await;
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
    let desktop = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
    let events: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("s{i}"), "userAgent": if i < 3 { iphone } else { desktop }, "properties": {"activityId": a}}))
        .collect();
    assert_eq!(
        app.track(serde_json::Value::Array(events)).await.status,
        202
    );
    let r = app
        .post(
            &format!("/api/v1/dashboard/activity/{a}/query"),
            serde_json::json!({"query": "지난 7일 기기별 방문 몇 건이야?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["parameters"]["breakdown"], "device");
    let answer = r.body["answer"].as_str().unwrap();
    assert!(
        answer.contains("mobile 3") && answer.contains("desktop 2"),
        "{answer} {}",
        r.body["parameters"]
    );
    let rows = r.body["data"]["breakdown"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["totalVisits"].as_i64().unwrap())
            .sum::<i64>(),
        5
    );
    let en = app
        .post(
            &format!("/api/v1/dashboard/activity/{a}/query"),
            serde_json::json!({"query": "visits by device in the last 7 days"}),
        )
        .await;
    assert!(
        en.body["answer"]
            .as_str()
            .unwrap()
            .contains("Top by device: mobile 3"),
        "{:?}",
        en.body
    );
}

#[tokio::test]
async fn parts_of_a_question_that_cannot_be_applied_are_named_and_listed() {
    let app = spawn_app().await;
    let c = app.campaign("Qualifiers").await;
    let a = app.activity(c).await;
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
    let desktop = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
    let events: Vec<Value> = (0..5)
        .map(|i| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("q{i}"), "userAgent": if i < 3 { iphone } else { desktop }, "properties": {"activityId": a}}))
        .collect();
    assert_eq!(app.track(Value::Array(events)).await.status, 202);
    let path = format!("/api/v1/dashboard/activity/{a}/query");

    // Gender and age are never collected: the overall rate, saying so.
    let r = ask(&app, &path, "남성 20대 구매율은?").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["intent"], "CONVERSION_RATE");
    assert_eq!(r.body["notApplied"], json!(["gender", "age"]));
    let answer = r.body["answer"].as_str().unwrap();
    assert!(
        answer.starts_with("성별 조건(남성), 연령대 조건(20대)은 적용하지 못했습니다"),
        "{answer}"
    );
    let r = ask(&app, &path, "conversion rate of women in their 30s").await;
    assert_eq!(r.body["notApplied"], json!(["gender", "age"]));
    assert!(
        r.body["answer"]
            .as_str()
            .unwrap()
            .starts_with("Not applied: gender (\"women\"), age (\"30s\")"),
        "{}",
        r.body["answer"]
    );

    // A split the metric has: applied, the named value first.
    let r = ask(&app, &path, "지난 7일 모바일 방문 몇 건이야?").await;
    assert_eq!(r.body["notApplied"], json!([]), "{:?}", r.body);
    assert_eq!(r.body["parameters"]["breakdown"], "device");
    assert_eq!(r.body["parameters"]["breakdownValue"], "mobile");
    assert_eq!(r.body["data"]["breakdownValue"]["totalVisits"], 3);
    let answer = r.body["answer"].as_str().unwrap();
    assert!(answer.contains("그중 mobile의 방문: 3건"), "{answer}");

    // A split the metric has not got: the whole figure, saying so.
    let r = ask(&app, &path, "ROAS by device").await;
    assert_eq!(r.body["intent"], "ROAS");
    assert_eq!(r.body["notApplied"], json!(["device"]));
    assert!(r.body["parameters"].get("breakdown").is_none());
    assert!(
        r.body["answer"]
            .as_str()
            .unwrap()
            .starts_with("Not applied: the split by device"),
        "{}",
        r.body["answer"]
    );

    // Nothing skipped: an empty list, always present.
    let r = ask(&app, &path, "how many visits in the last 7 days?").await;
    assert_eq!(r.body["notApplied"], json!([]));
}

#[tokio::test]
async fn each_page_suggests_questions_it_answers_in_full() {
    let app = spawn_app().await;
    let c = app.campaign("Winter").await;
    let a = app.activity(c).await;
    assert_eq!(app.track(pv(a, "s1")).await.status, 202);
    for (scope, own, foreign) in [
        (
            "global".to_string(),
            vec![],
            vec!["this activity", "이 활동", "this campaign", "이 캠페인"],
        ),
        (
            format!("campaign/{c}"),
            vec!["this campaign", "이 캠페인"],
            vec!["this activity", "이 활동"],
        ),
        (
            format!("activity/{a}"),
            vec!["this activity", "이 활동"],
            vec!["this campaign", "이 캠페인"],
        ),
    ] {
        for lang in ["ko", "en"] {
            let r = app
                .get(&format!(
                    "/api/v1/dashboard/{scope}/query/suggestions?language={lang}"
                ))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            assert_eq!(r.body["language"], lang);
            let list = r.body["suggestions"].as_array().unwrap();
            assert!(list.len() >= 4, "{scope} {lang}");
            for q in list {
                let q = q.as_str().unwrap();
                let l = q.to_lowercase();
                assert!(!foreign.iter().any(|f| l.contains(f)), "{scope}: {q}");
                assert!(
                    own.is_empty() || own.iter().any(|o| l.contains(o)),
                    "{scope}: {q}"
                );
                let r = ask(&app, &format!("/api/v1/dashboard/{scope}/query"), q).await;
                assert_eq!(r.status, 200, "{q}: {:?}", r.body);
                let intent = r.body["intent"].as_str().unwrap();
                assert!(
                    !matches!(intent, "UNKNOWN" | "AMBIGUOUS"),
                    "{scope} {q}: {:?}",
                    r.body
                );
                assert_eq!(r.body["notApplied"], json!([]), "{scope} {q}: {:?}", r.body);
                assert_eq!(r.body["parameters"]["language"], lang, "{q}");
            }
        }
    }
    let r = app.get("/api/v1/dashboard/global/query/suggestions").await;
    assert_eq!(r.body["language"], "ko", "Korean by default");
    assert_error(
        &app.get("/api/v1/dashboard/global/query/suggestions?language=fr")
            .await,
        400,
        "INVALID_QUESTION",
    );
    assert_error(
        &app.get("/api/v1/dashboard/campaign/999/query/suggestions")
            .await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_error(
        &app.get("/api/v1/dashboard/activity/999/query/suggestions")
            .await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
}

/// A one-shot chat endpoint: answers `reply` and hands back the request it received.
async fn llm_stub(reply: &'static str) -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
        while !whole_request(&got) {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = tx.send(String::from_utf8_lossy(&got).to_string());
        let body = format!(r#"{{"choices":[{{"message":{{"content":"{reply}"}}}}]}}"#);
        let resp = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        let _ = s.write_all(resp.as_bytes()).await;
    });
    (format!("http://{addr}/v1"), rx)
}

/// Headers and as many body bytes as `content-length` says.
fn whole_request(got: &[u8]) -> bool {
    let text = String::from_utf8_lossy(got).to_lowercase();
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    body.len() >= length
}

#[tokio::test]
async fn the_llm_named_by_the_configuration_phrases_the_answer() {
    let (url, request) = llm_stub("Three people visited this week.").await;
    let app = spawn_with(|c| {
        c.llm_url = Some(url);
        c.llm_model = "house-model".into();
        c.llm_key = Some(axon_server::Secret::new("llm-key"));
    })
    .await;
    let c = app.campaign("Winter").await;
    let a = app.activity(c).await;
    let r = ask(
        &app,
        &format!("/api/v1/dashboard/activity/{a}/query"),
        "how many visits in the last 7 days?",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["answer"], "Three people visited this week.");
    let sent = request.await.unwrap();
    assert!(sent.contains("\"model\":\"house-model\""), "{sent}");
    assert!(
        sent.to_lowercase()
            .contains("authorization: bearer llm-key"),
        "{sent}"
    );
}
