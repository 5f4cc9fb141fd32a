//! `spawn_app()`: a real server on 127.0.0.1:0 over a temp data dir, with request helpers.

use axon_server::{Config, Secret};
use reqwest::{Client, Method, Response};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const ADMIN_KEY: &str = "test-admin-key";
pub const JWT_SECRET: &str = "test-jwt-secret";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub _dir: tempfile::TempDir,
    pub data_dir: PathBuf,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// Spawns with a customised config (write key, CORS list, …).
pub async fn spawn_with(customise: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (base, _) = serve(test_config(dir.path(), customise), std::future::pending()).await;
    TestApp {
        base,
        client: Client::new(),
        data_dir: dir.path().to_path_buf(),
        _dir: dir,
    }
}

fn test_config(dir: &Path, customise: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::new(dir.to_path_buf(), Secret::new(ADMIN_KEY));
    config.jwt_secret = Secret::new(JWT_SECRET);
    config.database_url = shared_database(dir).map(Secret::new);
    customise(&mut config);
    config
}

/// `AXON_TEST_BACKEND=postgres|mariadb` runs the suite on that server (started by
/// `axon-testdb`): each data dir gets its own fresh database, remembered in the dir so a node
/// restarted on it finds its data again. Unset: the embedded store.
fn shared_database(dir: &Path) -> Option<String> {
    let backend = std::env::var("AXON_TEST_BACKEND").ok()?;
    let remembered = dir.join("test-database-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Some(url);
    }
    let server = match backend.as_str() {
        "postgres" => axon_testdb::postgres("api"),
        "mariadb" | "mysql" => axon_testdb::mariadb("api"),
        _ => None,
    }
    .unwrap_or_else(|| panic!("AXON_TEST_BACKEND={backend}: no such server here"));
    let url = server.database("api");
    std::fs::write(&remembered, &url).unwrap();
    Some(url)
}

/// Serves `config` on a free port until `shutdown`; returns the base URL and the server task.
async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (
    String,
    tokio::task::JoinHandle<Result<(), axon_server::ServeError>>,
) {
    let state = axon_server::open_state(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(axon_server::serve(state, listener, shutdown));
    (format!("http://{addr}"), task)
}

/// A server over a data dir the test owns, so it can be stopped and started again on it.
pub struct Node {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), axon_server::ServeError>>,
}

impl Node {
    pub async fn start(dir: &Path, customise: impl FnOnce(&mut Config)) -> Node {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (base, task) = serve(test_config(dir, customise), async move {
            let _ = stopped.await;
        })
        .await;
        Node { base, stop, task }
    }

    /// Graceful shutdown; the data dir is free again when this returns.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

async fn reply(r: Response) -> Reply {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply { status, body }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits until the dashboards include every acknowledged write (SPEC §5.6: within 1 s).
    /// The projector's progress is public on `/readyz`; a test that reads a dashboard right
    /// after a write waits for it instead of sleeping.
    pub async fn settled(&self) {
        settle(&self.client, &self.base).await;
    }

    /// A request with the given bearer key (None = anonymous) and JSON body. Dashboard and
    /// question requests first wait for the writes before them to be projected.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        if path.starts_with("/api/v1/dashboard") {
            self.settled().await;
        }
        let mut rb = self.client.request(method, self.url(path));
        if let Some(k) = key {
            rb = rb.bearer_auth(k);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        reply(rb.send().await.unwrap()).await
    }

    /// A request with a raw body and content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut rb = self
            .client
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(k) = key {
            rb = rb.bearer_auth(k);
        }
        reply(rb.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, Some(ADMIN_KEY), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(ADMIN_KEY), Some(&body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(ADMIN_KEY), Some(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(ADMIN_KEY), Some(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, Some(ADMIN_KEY), None).await
    }

    /// The body of a public GET as text (`/metrics`, assets).
    pub async fn text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Posts events (no auth: the collection endpoint is public).
    pub async fn track(&self, body: Value) -> Reply {
        self.call(Method::POST, "/api/v1/behavior/events", None, Some(&body))
            .await
    }

    /// Posts events as the shop's backend (with the ADMIN key): purchases and approvals too.
    pub async fn track_as_backend(&self, body: Value) -> Reply {
        self.call(
            Method::POST,
            "/api/v1/behavior/events",
            Some(ADMIN_KEY),
            Some(&body),
        )
        .await
    }

    /// Creates a campaign and returns its id.
    pub async fn campaign(&self, name: &str) -> i64 {
        let r = self
            .post(
                "/api/v1/campaigns",
                serde_json::json!({"name": name, "budget": 5_000_000}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// Creates an FCFS activity in a campaign and returns its id.
    pub async fn activity(&self, campaign: i64) -> i64 {
        let r = self
            .post(
                &format!("/api/v1/campaigns/{campaign}/activities"),
                serde_json::json!({"name": "TV deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 100,
                    "startDate": "2026-11-01", "endDate": "2026-11-30", "price": 1_290_000}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }
}

/// Waits until the server at `base` has projected every acknowledged write (its `/readyz`
/// reports the projection lag), failing the test past SPEC §5.6's 1 s.
pub async fn settle(client: &Client, base: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let r = client.get(format!("{base}/readyz")).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        if v["projection"]["lag"] == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the dashboards did not catch up within 1 s: {v}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

/// Asserts an error reply: status, code, and a non-empty message.
pub fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.body["error"], code, "{:?}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{:?}",
        r.body
    );
}
