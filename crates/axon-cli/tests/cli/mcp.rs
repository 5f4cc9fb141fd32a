//! The MCP server as an assistant uses it: the official MCP Python SDK (PyPI `mcp`, driven by
//! `tests/mcp/client.py`) over streamable HTTP (`/mcp` of a running server, with an admin and a
//! viewer key, and without one) and over stdio (`axon mcp`). Built as ignored where python3 or
//! its `mcp` package is missing (see `build.rs`) — never under `CI=true`.

use crate::helpers::*;
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn client() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mcp/client.py")
}

fn run_client(args: &[&str]) {
    let out = Command::new("python3")
        .arg(client())
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success() && stdout.contains(": 0 failed"),
        "MCP client checks failed:\n{stdout}\n{stderr}"
    );
}

#[tokio::test]
#[cfg_attr(
    axon_no_mcp_client,
    ignore = "MCP test skipped: needs python3 with the `mcp` package (pip install mcp)"
)]
async fn an_assistant_reads_the_same_numbers_over_http_and_stdio_and_needs_a_key() {
    let data = tempfile::tempdir().unwrap();
    let server = start_server(data.path());
    let client = reqwest::Client::new();
    let base = server.base.clone();
    let c = admin(
        &client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns"),
        json!({"name": "MCP campaign", "budget": 1000}),
    )
    .await;
    let start = jiff::Timestamp::now().as_millisecond() - 86_400_000;
    let iso = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    let a = admin(
        &client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns/{}/activities", c["id"]),
        json!({"name": "MCP deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 50,
            "price": 900, "startDate": iso(start), "endDate": iso(start + 7 * 86_400_000)}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    admin(
        &client,
        reqwest::Method::PATCH,
        format!("{base}/api/v1/activities/{id}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;
    let views: Vec<_> = (0..3)
        .map(|i| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("m{i}"), "properties": {"activityId": id}}))
        .collect();
    let r = client
        .post(format!("{base}/api/v1/behavior/events"))
        .json(&views)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let viewer = admin(
        &client,
        reqwest::Method::POST,
        format!("{base}/api/v1/api-keys"),
        json!({"name": "assistant", "role": "VIEWER"}),
    )
    .await;
    let viewer = viewer["key"].as_str().unwrap().to_string();
    // Let the projection take the events in before the assistant reads.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    run_client(&["http", &base, ADMIN_KEY, &viewer]);
    // The data dir is released by the server, then `axon mcp` opens it over stdio.
    drop(server);
    run_client(&[
        "stdio",
        env!("CARGO_BIN_EXE_axon"),
        data.path().to_str().unwrap(),
        ADMIN_KEY,
    ]);
}
