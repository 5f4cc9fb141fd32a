//! `axon demo` looks like a shop that has been running: its history reaches the moment the demo
//! starts, the live traffic carries on at the history's rate, and the budgets give CAC and
//! LTV/CAC a marketer would believe.

use crate::helpers::*;
use serde_json::Value;

async fn get(client: &reqwest::Client, url: String) -> Value {
    let r = client
        .get(&url)
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_demo_history_runs_up_to_now_at_the_live_rate_with_plausible_budgets() {
    let data = tempfile::tempdir().unwrap();
    let started = jiff::Timestamp::now().as_millisecond();
    // An explicit `--rate 0` would be reported as such: this run measures the history's rate.
    let (server, lines) = start_demo(data.path(), &["--history-events", "60000"]);
    let client = reqwest::Client::new();
    let base = &server.base;

    // The seeded history reaches the hour before the start, not only yesterday.
    let iso = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    let hour = get(
        &client,
        format!(
            "{base}/api/v1/dashboard/activity/1?widgets=overview&period=custom&startDate={}&endDate={}",
            iso(started - 3_600_000),
            iso(started)
        ),
    )
    .await;
    let visits = hour["data"]["overview"]["totalVisits"].as_u64().unwrap();
    assert!(visits > 0, "no history in the hour before the demo started");

    // The live traffic's rate is the history's: the live activities' events over their week of
    // history, per second, within a factor of two (weekday and hour seasonality).
    let line = printed(&lines, "live traffic ≈").expect("the demo prints its live rate");
    assert!(line.contains("the history's last 24 h"), "{line}");
    let rate: f64 = line.split_whitespace().next().unwrap().parse().unwrap();
    let mut live_events = 0.0;
    for a in [1, 2] {
        let page = get(
            &client,
            format!("{base}/api/v1/behavior/events?activityId={a}&limit=1"),
        )
        .await;
        live_events += page["total"].as_f64().unwrap();
    }
    let history_rate = live_events / (7.0 * 86_400.0);
    assert!(
        rate > history_rate / 2.0 && rate < history_rate * 2.0,
        "live {rate}/s vs history {history_rate}/s"
    );

    // Budgets: CAC is a real cost and LTV/CAC a plausible multiple for every activity.
    let mut ratios = Vec::new();
    for a in 1..=6 {
        let c = get(
            &client,
            format!("{base}/api/v1/dashboard/cohort/activity/{a}"),
        )
        .await;
        let cac = c["avgCAC"].as_f64().unwrap();
        let ratio = c["ltvCacRatioCurrent"].as_f64().unwrap();
        assert!(cac >= 10_000.0, "activity {a}: CAC ₩{cac}");
        assert!(
            (0.5..=6.0).contains(&ratio),
            "activity {a}: LTV/CAC {ratio}"
        );
        ratios.push(ratio);
    }
    assert!(
        ratios.iter().any(|r| *r < 1.0) && ratios.iter().any(|r| *r >= 3.0),
        "the cohorts show healthy and losing activities: {ratios:?}"
    );
    // A campaign's budget is what its activities spend.
    let activities = get(&client, format!("{base}/api/v1/activities")).await;
    for c in get(&client, format!("{base}/api/v1/campaigns")).await["campaigns"]
        .as_array()
        .unwrap()
    {
        let spent: f64 = activities["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["campaignId"] == c["id"])
            .map(|a| a["budget"].as_f64().unwrap())
            .sum();
        assert_eq!(c["budget"].as_f64().unwrap(), spent, "{c}");
    }
}
