//! LLM phrasing: used when the endpoint answers, the deterministic answer otherwise (closed
//! port, error status, silence past the 2 s timeout).

mod fixture;

use axon_nlq::llm::{finish, LlmConfig};
use axon_nlq::{ask, Answer, Lang, Scope};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn answer() -> Answer {
    ask(
        &fixture::dashboards(),
        Scope::Activity(11),
        "how many visits yesterday?",
        None,
        fixture::now(),
    )
    .unwrap()
}

/// A one-shot HTTP server answering `status` and `body`, after `delay`.
async fn server(status: &'static str, body: &'static str, delay: Duration) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let _ = s.read(&mut buf).await;
        tokio::time::sleep(delay).await;
        let resp = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        let _ = s.write_all(resp.as_bytes()).await;
    });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn phrasing_is_off_by_default_and_used_when_the_llm_answers() {
    let a = answer();
    let same = finish(None, "q", Lang::En, a.clone()).await;
    assert_eq!(same.answer, a.answer);
    let url = server(
        "200 OK",
        r#"{"choices":[{"message":{"content":"Yesterday brought 20 visits."}}]}"#,
        Duration::ZERO,
    )
    .await;
    let cfg = LlmConfig::new(&url, "m", Some("k"));
    let p = finish(
        Some(&cfg),
        "how many visits yesterday?",
        Lang::En,
        a.clone(),
    )
    .await;
    assert_eq!(p.answer, "Yesterday brought 20 visits.");
    assert_eq!(p.parameters["phrasedBy"], "llm");
    assert_eq!(p.data, a.data, "the numbers never change");
}

#[tokio::test]
async fn any_llm_failure_falls_back_to_the_deterministic_answer() {
    let a = answer();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let cfg = LlmConfig::new(&format!("http://{closed}"), "m", None);
    let f = finish(Some(&cfg), "q", Lang::En, a.clone()).await;
    assert_eq!(f.answer, a.answer);
    assert_eq!(f.parameters["phrasedBy"], "fallback");

    let url = server("500 Internal Server Error", "{}", Duration::ZERO).await;
    let f = finish(
        Some(&LlmConfig::new(&url, "m", None)),
        "q",
        Lang::En,
        a.clone(),
    )
    .await;
    assert_eq!(f.answer, a.answer);

    let url = server("200 OK", "{}", Duration::from_secs(5)).await;
    let started = Instant::now();
    let f = finish(
        Some(&LlmConfig::new(&url, "m", None)),
        "q",
        Lang::En,
        a.clone(),
    )
    .await;
    assert_eq!(f.answer, a.answer);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the 2 s timeout applies"
    );
}
