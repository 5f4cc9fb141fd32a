//! Starting and stopping the real `axon` binary.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const ADMIN_KEY: &str = "cli-test-key";
pub const JWT_SECRET: &str = "cli-test-jwt-secret";

pub fn axon() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_axon"));
    c.env("AXON_ADMIN_KEY", ADMIN_KEY)
        .env("AXON_JWT_SECRET", JWT_SECRET)
        .env("AXON_LOG", "warn");
    c
}

/// `--url BASE --admin-key … --jwt-secret …`: the flags of a load command against a test server.
pub fn target(base: &str) -> [&str; 6] {
    [
        "--url",
        base,
        "--admin-key",
        ADMIN_KEY,
        "--jwt-secret",
        JWT_SECRET,
    ]
}

/// Runs a command to its end and asserts it succeeded (showing its output if not); its stdout.
pub fn succeeds(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

/// Starts `axon serve` on a free port and waits until it is listening.
pub fn start_server(data_dir: &Path) -> Server {
    start_server_with(data_dir, &[])
}

/// Starts `axon serve` with extra environment variables.
pub fn start_server_with(data_dir: &Path, envs: &[(&str, &str)]) -> Server {
    let mut cmd = axon();
    cmd.envs(envs.iter().copied()).args([
        "--data-dir",
        data_dir.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    serving(cmd)
}

/// Spawns `cmd` (an `axon serve` or `axon demo`) and waits until it is listening.
pub fn serving(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start axon serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("axon serve exited before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("axon serving on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

/// Starts `axon demo ARGS` on a free port over `data_dir` and waits for its URLs; the server and
/// the lines it printed up to the dashboards' URL (admin key, JWT secret, live traffic…).
pub fn start_demo(data_dir: &Path, args: &[&str]) -> (Server, Vec<String>) {
    start_demo_with(axon(), data_dir, args)
}

/// [`start_demo`] from a prepared command (extra or removed environment variables).
pub fn start_demo_with(mut cmd: Command, data_dir: &Path, args: &[&str]) -> (Server, Vec<String>) {
    let mut child = cmd
        .args(["--data-dir", data_dir.to_str().unwrap(), "demo"])
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = loop {
        let line = lines.next().expect("axon demo exited early").unwrap();
        let line = line.trim_start().to_string();
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("dashboards") {
            break rest.trim().split("/admin").next().unwrap().to_string();
        }
    };
    // The lines printed after the URLs too (the live traffic's rate).
    for line in lines.by_ref().take(3) {
        printed.push(line.unwrap().trim_start().to_string());
    }
    std::thread::spawn(move || for _ in lines {});
    (Server { child, base }, printed)
}

/// The value after `label` on the demo's printed lines.
pub fn printed<'a>(lines: &'a [String], label: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(label))
        .map(str::trim)
}

impl Server {
    /// SIGKILL: no graceful shutdown, no flush.
    pub fn kill_hard(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An admin API call that must succeed; its JSON answer.
pub async fn admin(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> Value {
    let r = client
        .request(method, &url)
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().await.unwrap()
}

/// Every entry of an activity: user → (status, quantity).
pub async fn entries(
    client: &reqwest::Client,
    base: &str,
    a: i64,
) -> HashMap<String, (String, i64)> {
    let mut out = HashMap::new();
    for page in 0.. {
        let v = admin(
            client,
            reqwest::Method::GET,
            format!("{base}/api/v1/activities/{a}/entries?size=100&page={page}"),
            Value::Null,
        )
        .await;
        for e in v["entries"].as_array().unwrap() {
            out.insert(
                e["userId"].as_str().unwrap().to_string(),
                (
                    e["status"].as_str().unwrap().to_string(),
                    e["quantity"].as_i64().unwrap(),
                ),
            );
        }
        if page + 1 >= v["totalPages"].as_i64().unwrap() {
            break;
        }
    }
    out
}

/// An end-user JWT for `user`, signed with the test servers' secret.
pub fn jwt(user: &str) -> String {
    axon_server::auth::mint_jwt(
        JWT_SECRET.as_bytes(),
        user,
        axon_server::auth::jwt_expiry_from_now(),
    )
}
