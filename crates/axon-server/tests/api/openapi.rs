//! The OpenAPI document: served as 3.1, naming every route (and method) the router has, its
//! error codes those of the catalogue; the Swagger UI served from the binary.

use crate::helpers::{spawn_app, ADMIN_KEY};
use axon_server::{Config, Secret};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The router's routes, read from its `Debug` form (axum has no other way to list them):
/// path → methods (`None` for a service route such as `/mcp`, which takes any method).
fn router_routes(router: &axum::Router) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let text = format!("{router:?}");
    // Only the routes proper: the fallback router that follows has its own route ids.
    let text = text.split("fallback_router:").next().unwrap();
    let mut methods: BTreeMap<u32, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut paths: BTreeMap<u32, String> = BTreeMap::new();
    let mut rest = text;
    while let Some(i) = rest.find("RouteId(") {
        rest = &rest[i + "RouteId(".len()..];
        let end = rest.find(')').unwrap();
        let id: u32 = rest[..end].trim().parse().unwrap();
        let after = rest[end + 1..].trim_start_matches(':').trim_start();
        if let Some(p) = after.strip_prefix('"') {
            paths.insert(id, p[..p.find('"').unwrap()].to_string());
        } else if let Some(body) = after.strip_prefix("MethodRouter(MethodRouter {") {
            // `get: Route, head: None, …, fallback: …`: the methods that are not `None`.
            let fields = &body[..body.find("fallback:").unwrap()];
            let set = fields
                .split(',')
                .filter_map(|f| f.split_once(':'))
                .filter(|(m, v)| v.trim() != "None" && m.trim() != "head")
                .map(|(m, _)| m.trim().to_string())
                .collect();
            methods.insert(id, Some(set));
        } else if after.starts_with("Route(") {
            methods.insert(id, None);
        }
    }
    paths
        .into_iter()
        .map(|(id, p)| {
            // `{*rest}` (axum) is `{rest}` in OpenAPI.
            let p = p.replace("{*", "{");
            (p, methods.get(&id).cloned().flatten())
        })
        .collect()
}

#[test]
fn the_route_reader_sees_paths_and_methods() {
    use axum::routing::{any, get};
    let r: axum::Router = axum::Router::new()
        .route("/a/{id}", get(|| async {}).post(|| async {}))
        .route("/b", any(|| async {}))
        .route("/c/{*rest}", get(|| async {}));
    let routes = router_routes(&r);
    let set = |ms: &[&str]| Some(ms.iter().map(|m| m.to_string()).collect::<BTreeSet<_>>());
    assert_eq!(routes["/a/{id}"], set(&["get", "post"]));
    assert_eq!(routes["/c/{rest}"], set(&["get"]));
    assert!(routes.contains_key("/b"));
    assert_eq!(routes.len(), 3, "{routes:?}");
}

#[tokio::test]
async fn every_route_of_the_router_is_in_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(dir.path().to_path_buf(), Secret::new(ADMIN_KEY));
    let state = axon_server::open_state(config).await.unwrap();
    let routes = router_routes(&axon_server::router(state.clone()));
    assert!(
        routes.len() > 50,
        "the router's Debug form changed: {routes:?}"
    );
    let doc = serde_json::to_value(axon_server::http::document(&state)).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for (path, methods) in &routes {
        let Some(item) = paths.get(path) else {
            missing.push(format!("{path} (every method)"));
            continue;
        };
        for m in methods.iter().flatten() {
            if item.get(m).is_none() {
                missing.push(format!("{} {path}", m.to_uppercase()));
            }
        }
        if methods.is_none() {
            assert!(item.as_object().is_some_and(|o| !o.is_empty()), "{path}");
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    // And the other way: nothing documented that the router does not serve.
    let extra: Vec<&String> = paths.keys().filter(|p| !routes.contains_key(*p)).collect();
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_error_catalogue() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // The Error schema's codes are exactly the catalogue's.
    let codes: BTreeSet<&str> = doc["components"]["schemas"]["Error"]["properties"]["error"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let catalogue: BTreeSet<&str> = axon_server::codes::CATALOGUE
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes, catalogue);
    // The description carries the table: code → status → meaning.
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("| `SOLD_OUT` | 410 |"),
        "{description}"
    );
    // Every operation answers something, and every error response is a catalogued status;
    // operation ids are unique (Swagger UI and client generators key on them).
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            assert!(
                ids.insert(id.clone()),
                "operationId {id} twice ({method} {path})"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, r) in responses {
                if let Some(Value::String(to)) = r.get("$ref") {
                    let name = to.rsplit('/').next().unwrap();
                    assert!(
                        doc["components"]["responses"][name].is_object(),
                        "{method} {path} {status}: {to}"
                    );
                }
            }
        }
    }
    // A typed answer is described field by field.
    let campaign = &doc["components"]["schemas"]["Campaign"]["properties"];
    assert!(campaign["startAt"].is_object() && campaign["budget"].is_object());
}

#[tokio::test]
async fn an_uncatalogued_answer_is_impossible_for_the_common_errors() {
    // A few answers from different layers (extractor, service, router) carry catalogued codes
    // with their catalogued status: the debug assertion in ApiError would have failed otherwise.
    let app = spawn_app().await;
    for (path, status, code) in [
        ("/api/v1/campaigns/abc", 400, "INVALID_PATH"),
        ("/api/v1/campaigns/999", 404, "CAMPAIGN_NOT_FOUND"),
        ("/api/v1/nothing-here", 404, "NOT_FOUND"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, status, "{path}: {:?}", r.body);
        assert_eq!(r.body["error"], code, "{path}");
        assert!(axon_server::codes::lookup(code, status).is_some());
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let get = |p: &str| app.client.get(format!("{}{p}", app.base)).send();
    let index = get("/docs/").await.unwrap();
    assert_eq!(index.status(), 200);
    let csp = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert_eq!(script_src.trim(), "script-src 'self'", "{csp}");
    let html = index.text().await.unwrap();
    assert!(html.contains("swagger-initializer.js"), "{html}");
    // No inline script: every <script> has a src.
    for tag in html.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(
            open.contains("src="),
            "inline script in /docs/: <script{open}>"
        );
        assert!(
            !open.contains("//") || open.contains("./"),
            "a script from elsewhere: {open}"
        );
    }
    let init = get("/docs/swagger-initializer.js").await.unwrap();
    assert_eq!(init.status(), 200);
    let init = init.text().await.unwrap();
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    let bundle = get("/docs/swagger-ui-bundle.js").await.unwrap();
    assert_eq!(bundle.status(), 200);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
    // `/docs` sends the browser to the folder the files are relative to.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/docs/");
    // An unknown file is our JSON 404; the integration guide still has its page.
    let missing = get("/docs/nope.js").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"], "NOT_FOUND");
    assert_eq!(get("/docs/integration").await.unwrap().status(), 200);
}

#[tokio::test]
async fn wire_enums_are_documented_with_their_wire_spellings() {
    // Found by the schema fuzz: the derive documented `Visit`, the API answers `VISIT`.
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.body;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["FunnelStep"]["enum"],
        serde_json::json!(["VISIT", "ENGAGE", "QUALIFY", "PURCHASE"])
    );
    assert_eq!(
        schemas["ActivityType"]["enum"],
        serde_json::json!(["FIRST_COME_FIRST_SERVE", "COUPON", "GIVEAWAY"])
    );
    // The derived enums with rename_all are right too.
    assert!(schemas["FilterOp"].to_string().contains("NOT_BETWEEN"));
}
