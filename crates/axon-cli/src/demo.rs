//! `axon demo`: the product with something to look at. On an empty data dir it seeds a
//! realistic history (two campaigns, six activities with products, 60 days of traffic up to
//! today, entries, purchases and repeat buyers), makes the two most popular activities live,
//! then serves and drives live traffic through the public APIs — visits, clicks, FCFS entries
//! and payments — at an adjustable rate. Prints the admin key and the dashboard URL.

use crate::cli::{DemoArgs, Settings};
use crate::serve::block;
use crate::simulate::{generate, Rng, Shape};
use crate::CliError;
use axon_domain::model::ActivityStatus;
use axon_domain::time::MS_PER_DAY;
use axon_domain::Ts;
use axon_store::sqlite::SqliteStore;
use axon_store::{ActivityRepo, CampaignRepo};
use serde_json::json;
use std::time::Duration;

const CAMPAIGN_NAMES: [&str; 2] = ["블랙프라이데이 2026", "겨울 시즌 특가"];
const ACTIVITY_NAMES: [&str; 6] = [
    "OLED TV 55\" 선착순",
    "노트북 한정 특가",
    "무선 이어폰 타임딜",
    "에어프라이어 선착순",
    "패딩 점퍼 반값",
    "스마트워치 100명 한정",
];

/// Seeds an empty store with history; returns whether it did.
fn seed(settings: &Settings, args: &DemoArgs) -> Result<bool, CliError> {
    let store = SqliteStore::open(&settings.config.data_dir)?;
    if !block(store.campaigns())??.is_empty() {
        return Ok(false);
    }
    let tz = &settings.config.tz;
    let now = settings.config.clock.now();
    let dir = std::env::temp_dir().join(format!("axon-demo-seed-{}", std::process::id()));
    let shape = Shape {
        events: args.history_events,
        activities: 6,
        campaigns: 2,
        seed: 2026,
        live_until_end: 2,
    };
    eprintln!(
        "seeding the demo: {} events of history …",
        args.history_events
    );
    generate(&shape, &dir, tz.day_start(now), tz)?;
    crate::import::import_dir(&store, &dir, tz, now, false)?;
    let _ = std::fs::remove_dir_all(&dir);
    for mut c in block(store.campaigns())?? {
        if let Some(name) = CAMPAIGN_NAMES.get(usize::try_from(c.id - 1).unwrap_or(0)) {
            c.name = (*name).to_string();
            store.save_campaign(c).wait()?;
        }
    }
    for mut a in block(store.activities(None))?? {
        if let Some(name) = ACTIVITY_NAMES.get(usize::try_from(a.id - 1).unwrap_or(0)) {
            a.name = (*name).to_string();
        }
        if a.id <= 2 {
            a.status = ActivityStatus::Active;
            a.start_date = a.start_date.min(Ts(now.0 - 3 * MS_PER_DAY));
            a.end_date = Ts(now.0 + 7 * MS_PER_DAY);
            a.limit_count = Some(a.limit_count.unwrap_or(0) + 300);
        }
        store.save_activity(a).wait()?;
    }
    seed_definitions(&store, now)?;
    Ok(true)
}

/// The tracker definitions of the demo shop: page views and the entry button.
fn seed_definitions(store: &SqliteStore, now: Ts) -> Result<(), CliError> {
    use axon_domain::model::{DefinitionStatus, EventDefinition, TriggerType};
    use axon_store::CatalogRepo;
    for (name, trigger, payload) in [
        (
            "demo shop view",
            TriggerType::PageView,
            json!({"urlPattern": "/demo/shop/activity/*"}),
        ),
        (
            "demo entry click",
            TriggerType::Click,
            json!({"selector": "#enter-button"}),
        ),
    ] {
        let d = EventDefinition {
            id: 0,
            name: name.into(),
            description: None,
            status: DefinitionStatus::Active,
            trigger_type: trigger,
            trigger_payload: payload,
            created_at: now,
            updated_at: now,
        };
        store.upsert_definition(d).wait()?;
    }
    Ok(())
}

pub fn run(settings: &Settings, args: &DemoArgs) -> Result<(), CliError> {
    let mut config = settings.config.clone();
    config.demo = true;
    if config.jwt_secret.expose().is_empty() {
        // Demo mode only: a per-run secret so the simulated shoppers can hold user tokens.
        config.jwt_secret = axon_server::Secret::new(axon_server::auth::generate_key("demo_"));
    }
    let seeded = seed(settings, args)?;
    crate::serve::runtime()?.block_on(async move {
        let state = axon_server::open_state(config.clone()).await?;
        let listener = crate::serve::listen(&settings.listen).await?;
        let base = format!("http://{}", listener.local_addr()?);
        println!(
            "Axon demo {}",
            if seeded {
                "(seeded a fresh history)"
            } else {
                "(existing data)"
            }
        );
        println!("  admin key   {}", config.admin_key.expose());
        // The shop backend's end-user JWT secret, so `axon loadtest --jwt-secret` can run here.
        println!("  jwt secret  {}", config.jwt_secret.expose());
        println!("  dashboards  {base}/admin/login  →  {base}/admin/dashboard/overview");
        println!(
            "  activity    {base}/admin/dashboard/1   campaign {base}/admin/dashboard/campaign/1"
        );
        println!("  demo shop   {base}/demo/shop/activity/1");
        println!("  live traffic ≈ {} events/s (--rate)", args.rate);
        if args.rate > 0 {
            tokio::spawn(traffic(
                base.clone(),
                config.jwt_secret.expose().to_string(),
                args.rate,
            ));
        }
        axon_server::serve(state, listener, crate::serve::shutdown_signal()).await?;
        Ok(())
    })
}

/// Simulated shoppers on the two live activities, through the public APIs.
async fn traffic(base: String, jwt_secret: String, rate: u64) {
    let client = reqwest::Client::new();
    let mut rng = Rng::new(u64::from(std::process::id()));
    let pause = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let events = format!("{base}/api/v1/behavior/events");
    let mut visitor = 0u64;
    loop {
        visitor += 1;
        let activity = if rng.chance(0.65) { 1 } else { 2 };
        let person = 500_000 + rng.below(50_000);
        let page = format!("{base}/demo/shop/activity/{activity}");
        let view = json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("a{person}"), "pageUrl": page,
            "userAgent": "Mozilla/5.0 (demo shopper)", "properties": {"activityId": activity, "source": "demo"}});
        let _ = client.post(&events).json(&view).send().await;
        tokio::time::sleep(pause).await;
        if !rng.chance(0.45) {
            continue;
        }
        let user = format!("u{person}");
        let click = json!({"triggerType": "CLICK", "userId": user, "anonymousId": format!("a{person}"), "pageUrl": page,
            "properties": {"activityId": activity, "source": "demo"}});
        let _ = client.post(&events).json(&click).send().await;
        tokio::time::sleep(pause).await;
        if rng.chance(0.2) {
            let token = axon_server::auth::mint_jwt(jwt_secret.as_bytes(), &user, None);
            enter_and_pay(&client, &base, activity, &token, rng.chance(0.35)).await;
        }
        if visitor.is_multiple_of(1000) {
            tracing::info!(visitors = visitor, "demo traffic");
        }
    }
}

/// The FCFS flow of SPEC §3.2: entry, then (for buyers) prepare and confirm.
async fn enter_and_pay(
    client: &reqwest::Client,
    base: &str,
    activity: i64,
    token: &str,
    buys: bool,
) {
    let entry = client
        .post(format!("{base}/api/v1/activities/{activity}/entries"))
        .bearer_auth(token)
        .json(&json!({"quantity": 1}))
        .send()
        .await;
    let Ok(entry) = entry else { return };
    let Ok(body) = entry.json::<serde_json::Value>().await else {
        return;
    };
    let Some(reservation) = body["reservationToken"].as_str().filter(|_| buys) else {
        return;
    };
    let prepared = client
        .post(format!("{base}/api/v1/payments/prepare"))
        .bearer_auth(token)
        .json(&json!({"reservationToken": reservation}))
        .send()
        .await;
    let Ok(prepared) = prepared else { return };
    let Ok(prepared) = prepared.json::<serde_json::Value>().await else {
        return;
    };
    if let Some(approval) = prepared["approvalToken"].as_str() {
        let _ = client
            .post(format!("{base}/api/v1/payments/confirm"))
            .bearer_auth(token)
            .json(&json!({"approvalToken": approval}))
            .send()
            .await;
    }
}
