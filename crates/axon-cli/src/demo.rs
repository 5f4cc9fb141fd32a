//! `axon demo`: the product with something to look at. On an empty data dir it seeds a
//! realistic history (two campaigns, six activities with products, 60 days of traffic up to
//! this moment, entries, purchases and repeat buyers), makes the two most popular activities
//! live, gives every activity a budget that makes its CAC and LTV/CAC plausible, then serves and
//! drives live traffic through the public APIs — visits, clicks, FCFS entries and payments — at
//! the rate the history had over its last 24 hours, on the same hour-of-day curve, so the live
//! numbers continue the history instead of jumping. Prints the admin key and the dashboard URL.

use crate::cli::{DemoArgs, Settings};
use crate::serve::block;
use crate::simulate::{generate, weighted, Rng, Shape, Traits, GRADES, HOUR_WEIGHTS, REGIONS};
use crate::CliError;
use axon_domain::model::{ActivityId, ActivityStatus, PurchaseType};
use axon_domain::money::Dec2;
use axon_domain::time::MS_PER_DAY;
use axon_domain::{BusinessTz, Clock, Ts};
use axon_store::sqlite::SqliteStore;
use axon_store::{ActivityRepo, CampaignRepo, CommerceRepo, EventLog};
use serde_json::json;
use std::collections::HashMap;
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

/// The live activities (the two most popular), and how many days of their run lie behind.
const LIVE: [ActivityId; 2] = [1, 2];
const LIVE_DAYS: i64 = 7;
/// Decades of age (offset from 20) and their shares among shoppers.
const AGE_BANDS: [(u64, u64); 4] = [(0, 30), (10, 35), (20, 22), (30, 13)];
/// The person numbers of the live shoppers (`u{n}` / `a{n}`).
const LIVE_PEOPLE: (u64, u64) = (500_000, 550_000);
/// The LTV/CAC each activity's budget aims at: mostly healthy, one borderline, one losing money,
/// so the cohort page shows every colour.
const TARGET_LTV_CAC: [f64; 6] = [3.4, 2.6, 4.1, 1.8, 0.9, 3.0];

/// Seeds an empty store with history; returns whether it did.
fn seed(store: &SqliteStore, settings: &Settings, args: &DemoArgs) -> Result<bool, CliError> {
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
        live_until_end: LIVE.len(),
        live_days: LIVE_DAYS,
    };
    eprintln!(
        "seeding the demo: {} events of history …",
        args.history_events
    );
    // The history runs up to this moment; the live traffic carries on from it.
    generate(&shape, &dir, now, tz)?;
    crate::import::import_dir(store, &dir, tz, now, &crate::import::Options::default())?;
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
        if LIVE.contains(&a.id) {
            a.status = ActivityStatus::Active;
            a.end_date = Ts(now.0 + LIVE_DAYS * MS_PER_DAY);
            a.limit_count = Some(a.limit_count.unwrap_or(0) + 300);
        }
        store.save_activity(a).wait()?;
    }
    set_budgets(store)?;
    seed_profiles(store)?;
    seed_definitions(store, now)?;
    Ok(true)
}

/// Budgets as a marketer would have set them: each activity's spend is what its customers cost
/// at the LTV/CAC it aims at (a live activity is half-way through its run, so its budget covers
/// twice the customers it has so far), and each campaign's budget is the sum of its activities'.
fn set_budgets(store: &SqliteStore) -> Result<(), CliError> {
    // Per activity: its customers (first purchase there) and their revenue from then on.
    let mut purchases = Vec::new();
    block(store.all_purchases(&mut |p| purchases.push(p)))??;
    let mut first: HashMap<(ActivityId, String), Ts> = HashMap::new();
    for p in &purchases {
        if let (PurchaseType::CampaignActivity, Some(a)) = (p.purchase_type, p.activity_id) {
            let at = first
                .entry((a, p.user_id.clone()))
                .or_insert(p.purchased_at);
            *at = (*at).min(p.purchased_at);
        }
    }
    let mut by_user: HashMap<&str, Vec<(ActivityId, Ts)>> = HashMap::new();
    for ((a, user), at) in &first {
        by_user.entry(user.as_str()).or_default().push((*a, *at));
    }
    let mut revenue: HashMap<ActivityId, i64> = HashMap::new();
    for p in &purchases {
        for (a, since) in by_user.get(p.user_id.as_str()).into_iter().flatten() {
            if p.purchased_at >= *since {
                *revenue.entry(*a).or_default() += p.revenue().0;
            }
        }
    }
    let mut customers: HashMap<ActivityId, i64> = HashMap::new();
    for (a, _) in first.keys() {
        *customers.entry(*a).or_default() += 1;
    }
    let mut campaign_budgets: HashMap<i64, Dec2> = HashMap::new();
    for mut a in block(store.activities(None))?? {
        let n = customers.get(&a.id).copied().unwrap_or(0);
        let ltv = revenue.get(&a.id).copied().unwrap_or(0) as f64 / n.max(1) as f64;
        let target = TARGET_LTV_CAC[usize::try_from(a.id - 1).unwrap_or(0) % TARGET_LTV_CAC.len()];
        let expected = if LIVE.contains(&a.id) { 2 * n } else { n };
        // Whole ten-thousands of won, as budgets are written.
        let budget = (ltv / target * expected as f64 / 1_000_000.0).round() as i64 * 10_000;
        a.budget = Dec2::from_int(budget.max(100_000));
        *campaign_budgets.entry(a.campaign_id).or_insert(Dec2::ZERO) += a.budget;
        store.save_activity(a).wait()?;
    }
    for mut c in block(store.campaigns())?? {
        c.budget = campaign_budgets.get(&c.id).copied().unwrap_or(Dec2::ZERO);
        store.save_campaign(c).wait()?;
    }
    Ok(())
}

/// Profiles (grade, age, region) for every signed-in person of the history and for the live
/// shoppers to come, so the grade and region breakdowns split the demo's funnel.
fn seed_profiles(store: &SqliteStore) -> Result<(), CliError> {
    use axon_domain::model::{Grade, UserProfile};
    use axon_store::CatalogRepo;
    let mut users = std::collections::BTreeSet::new();
    block(store.replay(&mut |_, e| {
        if let Some(u) = e.user_id {
            users.insert(u);
        }
    }))??;
    users.extend((LIVE_PEOPLE.0..LIVE_PEOPLE.1).map(|p| format!("u{p}")));
    let pending: Vec<_> = users
        .into_iter()
        .filter_map(|user_id| {
            let person: u64 = user_id.trim_start_matches('u').parse().ok()?;
            let grade = Grade::parse(weighted(person, 3, &GRADES)).ok();
            // Ages 20–59, spread by the person number's hash.
            let age = 20 + i64::try_from(weighted(person, 4, &AGE_BANDS)).unwrap_or(0);
            Some(store.upsert_profile(UserProfile {
                user_id,
                grade,
                age: Some(age + i64::try_from(person % 10).unwrap_or(0)),
                region: Some(weighted(person, 5, &REGIONS).to_string()),
                last_purchase_at: None,
            }))
        })
        .collect();
    // Written by the group-commit writer in a few large transactions.
    for p in pending {
        p.wait()?;
    }
    Ok(())
}

/// The live activities' traffic over the last 24 hours of the store: events per second in
/// total and each activity's share.
fn recent_rate(store: &SqliteStore, now: Ts) -> Result<(f64, Vec<(ActivityId, f64)>), CliError> {
    let since = Ts(now.0 - MS_PER_DAY);
    let mut counts = Vec::new();
    for a in LIVE {
        counts.push((
            a,
            block(store.activity_events(a, since, now))??.len() as f64,
        ));
    }
    let total: f64 = counts.iter().map(|(_, n)| n).sum();
    let shares = counts
        .into_iter()
        .map(|(a, n)| (a, if total > 0.0 { n / total } else { 0.5 }))
        .collect();
    Ok((total / 86_400.0, shares))
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
    let tz = settings.config.tz.clone();
    let (seeded, (history_rate, shares)) = {
        let store = SqliteStore::open(&settings.config.data_dir)?;
        let seeded = seed(&store, settings, args)?;
        (seeded, recent_rate(&store, settings.config.clock.now())?)
    };
    // The live traffic continues the history (or what `--rate` says).
    let rate = args.rate.unwrap_or(history_rate);
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
        println!(
            "  live traffic ≈ {rate:.2} events/s on average, on the history's hour-of-day curve ({})",
            if args.rate.is_some() {
                "--rate"
            } else {
                "the history's last 24 h"
            }
        );
        if rate > 0.0 {
            tokio::spawn(traffic(
                base.clone(),
                config.jwt_secret.expose().to_string(),
                Pace {
                    rate,
                    tz,
                    clock: config.clock.clone(),
                    shares,
                },
            ));
        }
        axon_server::serve(state, listener, crate::serve::shutdown_signal()).await?;
        Ok(())
    })
}

/// How fast the live traffic runs: `rate` events/s averaged over a day, on the history's
/// hour-of-day curve, split between the live activities by their recent shares.
struct Pace {
    rate: f64,
    tz: BusinessTz,
    clock: std::sync::Arc<dyn Clock>,
    shares: Vec<(ActivityId, f64)>,
}

impl Pace {
    /// The pause after one event, for the hour of the day it is now.
    fn pause(&self, now: Ts) -> Duration {
        let mean = HOUR_WEIGHTS.iter().sum::<f64>() / 24.0;
        let weight = HOUR_WEIGHTS[usize::from(self.tz.hour_of_day(now)) % 24] / mean;
        Duration::from_secs_f64((1.0 / (self.rate * weight)).min(60.0))
    }

    fn activity(&self, rng: &mut Rng) -> ActivityId {
        let mut x = rng.f64();
        for (a, share) in &self.shares {
            if x < *share {
                return *a;
            }
            x -= share;
        }
        LIVE[0]
    }
}

/// Simulated shoppers on the live activities, through the public APIs, with the history's
/// funnel: 1–3 page views, 45 % click, 20 % of clickers enter, 35 % of the admitted pay.
async fn traffic(base: String, jwt_secret: String, pace: Pace) {
    let client = reqwest::Client::new();
    let mut rng = Rng::new(u64::from(std::process::id()));
    let events = format!("{base}/api/v1/behavior/events");
    let sleep = |n: u32| tokio::time::sleep(pace.pause(pace.clock.now()) * n);
    let mut visitor = 0u64;
    loop {
        visitor += 1;
        let activity = pace.activity(&mut rng);
        let person = LIVE_PEOPLE.0 + rng.below(LIVE_PEOPLE.1 - LIVE_PEOPLE.0);
        let traits = Traits::of(person);
        let landing = match traits.utm_source {
            Some(u) => {
                format!("{base}/demo/shop/activity/{activity}?utm_source={u}&utm_medium=promo")
            }
            None => format!("{base}/demo/shop/activity/{activity}"),
        };
        let views = 1 + u32::from(rng.chance(0.35)) + u32::from(rng.chance(0.1));
        for _ in 0..views {
            let view = json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("a{person}"), "pageUrl": landing,
                "userAgent": traits.user_agent, "referrer": traits.referrer, "properties": {"activityId": activity, "source": "demo"}});
            let _ = client.post(&events).json(&view).send().await;
            sleep(1).await;
        }
        if !rng.chance(0.45) {
            continue;
        }
        let user = format!("u{person}");
        let click = json!({"triggerType": "CLICK", "userId": user, "anonymousId": format!("a{person}"), "pageUrl": landing,
            "userAgent": traits.user_agent, "referrer": traits.referrer, "properties": {"activityId": activity, "source": "demo"}});
        let _ = client.post(&events).json(&click).send().await;
        sleep(1).await;
        if rng.chance(0.2) {
            let token = axon_server::auth::mint_jwt(
                jwt_secret.as_bytes(),
                &user,
                axon_server::auth::jwt_expiry_from_now(),
            );
            // An approval and, for buyers, a purchase: the server records those events.
            let buys = rng.chance(0.35);
            enter_and_pay(&client, &base, activity, &token, buys).await;
            sleep(1 + u32::from(buys)).await;
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
