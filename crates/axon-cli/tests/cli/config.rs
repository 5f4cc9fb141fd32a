//! Settings as an operator gives them: variables on the process, `axon.toml`, the defaults, and
//! bad values refused at start, naming the setting and never echoing a secret.

use crate::helpers::*;
use std::path::Path;

fn write_toml(dir: &Path, text: &str) -> String {
    let path = dir.join("axon.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_variable_wins_over_axon_toml_which_wins_over_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write_toml(
        dir.path(),
        "listen = \"256.0.0.1:1\"\nadmin_key = \"from-the-file\"\nrate_limit_per_ip = 0\n",
    );
    let mut cmd = axon();
    cmd.env_remove("AXON_ADMIN_KEY")
        .env("AXON_LISTEN", "127.0.0.1:0")
        .env("AXON_DATA_DIR", &data)
        .args(["--config", &file, "serve"]);
    let server = serving(cmd);
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/campaigns", server.base))
        .bearer_auth("from-the-file")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the file's admin key, not a generated one");
    assert!(
        data.join("session.key").exists(),
        "the data dir of AXON_DATA_DIR"
    );
}

/// Runs `axon serve` that must refuse to start; its exit code and stderr.
fn refused(envs: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    // Should the bad value be accepted, the unbindable address ends the run anyway.
    refused_on("256.0.0.1:1", envs, args)
}

fn refused_on(listen: &str, envs: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let data = tempfile::tempdir().unwrap();
    let out = axon()
        .env("AXON_LISTEN", listen)
        .env("AXON_DATA_DIR", data.path())
        .envs(envs.iter().copied())
        .args(args)
        .arg("serve")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn bad_settings_are_refused_at_start_naming_the_setting() {
    let (code, err) = refused(&[("AXON_LOG_FORMAT", "xml")], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("log_format"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let file = write_toml(dir.path(), "log_level = \"loud\"\n");
    let (code, err) = refused(&[], &["--config", &file]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("log_level") && err.contains("axon.toml"),
        "{err}"
    );

    let (code, err) = refused(&[("AXON_SESSION_SECRET", "tiny-secret-value")], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("AXON_SESSION_SECRET") && err.contains("32 bytes"),
        "{err}"
    );
    assert!(
        !err.contains("tiny-secret-value"),
        "the secret is not echoed: {err}"
    );
}

#[test]
fn help_lists_every_variable_and_never_shows_a_secret() {
    for command in ["serve", "demo"] {
        let out = axon()
            .env(
                "AXON_SESSION_SECRET",
                "a-session-secret-that-is-long-enough",
            )
            .env("AXON_LLM_KEY", "an-llm-key")
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        for var in [
            "AXON_CONFIG",
            "AXON_DATA_DIR",
            "AXON_TIMEZONE",
            "AXON_LOG",
            "AXON_LOG_FORMAT",
            "AXON_LISTEN",
            "AXON_ADMIN_KEY",
            "AXON_JWT_SECRET",
            "AXON_WRITE_KEY",
            "AXON_CORS_ORIGINS",
            "AXON_RATE_LIMIT_PER_IP",
            "AXON_RESERVATION_TTL",
            "AXON_APPROVAL_TTL",
            "AXON_SESSION_SECRET",
            "AXON_LLM_URL",
            "AXON_LLM_MODEL",
            "AXON_LLM_KEY",
        ] {
            assert!(
                help.contains(&format!("[env: {var}")),
                "{command}: {var}\n{help}"
            );
        }
        for secret in [
            ADMIN_KEY,
            JWT_SECRET,
            "a-session-secret-that-is-long-enough",
            "an-llm-key",
        ] {
            assert!(!help.contains(secret), "{command} --help shows {secret}");
        }
    }
}

#[test]
fn an_address_in_use_and_a_data_dir_that_is_a_file_are_named_in_the_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = refused_on(&addr, &[], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&addr) && err.contains("listen"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = axon()
        .env("AXON_LISTEN", "127.0.0.1:0")
        .env("AXON_DATA_DIR", &file)
        .arg("serve")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(file.to_str().unwrap()),
        "the path is named: {err}"
    );
}

#[tokio::test]
async fn the_demo_prints_the_jwt_secret_its_gate_accepts() {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = axon();
    cmd.env_remove("AXON_JWT_SECRET");
    let (server, lines) = start_demo_with(
        cmd,
        data.path(),
        &["--rate", "0", "--history-events", "300"],
    );
    let secret = printed(&lines, "jwt secret").map(str::to_string);
    let secret = secret.expect("the demo prints its JWT secret before the URLs");
    let token = axon_server::auth::mint_jwt(
        secret.as_bytes(),
        "loadtest-user",
        axon_server::auth::jwt_expiry_from_now(),
    );
    // Activity 1 of the demo is live: a token signed with the printed secret gets past the
    // authentication (any gate answer but 401).
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/activities/1/entries", server.base))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 401, "{:?}", r.text().await);
}

#[tokio::test]
async fn sigterm_closes_live_streams_and_the_server_exits_within_two_seconds() {
    let data = tempfile::tempdir().unwrap();
    let mut server = start_server(data.path());
    let client = reqwest::Client::new();
    let c = admin(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/campaigns", server.base),
        serde_json::json!({"name": "Live", "budget": 0}),
    )
    .await;
    let mut stream = client
        .get(format!(
            "{}/api/v1/dashboard/stream/campaign/{}?widgets=overview",
            server.base, c["id"]
        ))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.chunk().await.unwrap().is_some(), "the first update");
    let pid = server.child.id().to_string();
    let sent = std::time::Instant::now();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < std::time::Duration::from_millis(2500),
            "still running {:?} after SIGTERM with a live stream open",
            sent.elapsed()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "a clean exit: {status:?}");
    // The stream ended with the server instead of hanging.
    let rest = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the live stream was closed");
}
