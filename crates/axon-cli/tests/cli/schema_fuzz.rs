//! Schema-driven API fuzzing: schemathesis (PyPI) reads the server's own OpenAPI document
//! (`/api/v1/openapi.json`) and sends generated requests to every operation with an ADMIN key —
//! the documented examples, the coverage phase (boundary and wrong-typed values), random
//! fuzzing and stateful sequences (ids from one answer fed to the next call). It checks that
//! nothing answers 5xx and that every answer's status, content type and body are the documented
//! ones. Bounded by `--max-examples` (about a minute here). Built as ignored where python3 or
//! its `schemathesis` package is missing (see `build.rs`) — never under `CI=true`.

use crate::helpers::*;
use serde_json::json;
use std::process::Command;

/// A few records with id 1 so the documented `{id}` examples reach real data.
async fn seed(base: &str) {
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        admin(
            &client,
            reqwest::Method::POST,
            format!("{base}{path}"),
            body,
        )
    };
    let c = post(
        "/api/v1/campaigns",
        json!({"name": "fuzz campaign", "budget": 1000}),
    )
    .await;
    let p = post(
        "/api/v1/products",
        json!({"name": "fuzz product", "price": 1000, "stock": 100}),
    )
    .await;
    let start = jiff::Timestamp::now().as_millisecond() - 86_400_000;
    let iso = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    post(
        &format!("/api/v1/campaigns/{}/activities", c["id"]),
        json!({"name": "fuzz deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 50,
            "price": 900, "productId": p["id"], "startDate": iso(start),
            "endDate": iso(start + 7 * 86_400_000)}),
    )
    .await;
    post(
        "/api/v1/coupons",
        json!({"name": "fuzz coupon", "discountAmount": 100, "minOrderAmount": 0,
            "startDate": iso(start), "endDate": iso(start + 7 * 86_400_000)}),
    )
    .await;
    admin(
        &client,
        reqwest::Method::PUT,
        format!("{base}/api/v1/users/user-1"),
        json!({"grade": "GOLD", "age": 30, "region": "Seoul"}),
    )
    .await;
}

#[tokio::test]
#[cfg_attr(
    axon_no_schemathesis,
    ignore = "schema fuzz skipped: needs python3 with the `schemathesis` package (pip install schemathesis)"
)]
async fn every_operation_survives_schema_driven_fuzzing() {
    let data = tempfile::tempdir().unwrap();
    let server = start_server(data.path());
    seed(&server.base).await;
    let report = data.path().join("junit.xml");
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; schemathesis()",
            "run",
        ])
        .arg(format!("{}/api/v1/openapi.json", server.base))
        .args(["-H", &format!("Authorization: Bearer {ADMIN_KEY}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "25",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            // The live streams never end by design (SSE); their first answer is the REST
            // dashboard's, fuzzed through the REST operations.
            "--exclude-path-regex",
            "^/api/v1/dashboard/stream/",
            "--request-timeout",
            "20",
            "--workers",
            "2",
            "--seed",
            "20261201",
            "--report",
            "junit",
            "--report-junit-path",
        ])
        .arg(&report)
        .env("NO_COLOR", "1")
        .current_dir(data.path())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The summary (operations, cases, failures) goes to the test's output.
    eprintln!("{stdout}");
    assert!(
        stdout.contains("Tested:") && stdout.contains("generated"),
        "schemathesis did not run:\n{stdout}\n{stderr}"
    );
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{stderr}"
    );
    drop(server);
}
