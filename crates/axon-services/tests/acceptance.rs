//! The worked examples of the issue: the overview formulas and the cohort cases, answered by the
//! dashboards service over the engine.

mod support;

use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::period::{Period, Window};
use axon_domain::{BusinessTz, Dec2, Ts};
use axon_engine::Engine;
use axon_services::dashboards::{Query, ACTIVITY_WIDGETS};
use serde_json::{json, Map, Value};
use support::dashboards;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_790_000_000_000;

fn activity(id: i64, budget: i64) -> Activity {
    Activity {
        id,
        campaign_id: 1,
        name: format!("A{id}"),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Active,
        limit_count: Some(100),
        start_date: Ts(T0),
        end_date: Ts(T0 + 30 * DAY),
        product_id: Some(1),
        coupon_id: None,
        price: Dec2::from_int(1_290_000),
        quantity: 1,
        budget: Dec2::from_int(budget),
        filters: vec![],
        image_url: None,
        payment_required: true,
        created_at: Ts(T0),
        updated_at: Ts(T0),
    }
}

fn engine_with(budget: i64) -> Engine {
    let mut e = Engine::new(BusinessTz::default());
    e.upsert_campaign(&support::campaign());
    e.upsert_activity(&activity(1, budget));
    e
}

fn event(t: TriggerType, user: &str, at: i64) -> Event {
    let mut props = Map::new();
    props.insert("activityId".into(), json!(1));
    let mut e = Event::backend(t, user, Ts(at), props);
    e.activity_id = Some(1);
    e
}

fn purchase(id: i64, user: &str, activity: Option<i64>, price: i64, at: i64) -> Purchase {
    Purchase {
        id,
        user_id: user.into(),
        product_id: Some(1),
        activity_id: activity,
        purchase_type: if activity.is_some() {
            PurchaseType::CampaignActivity
        } else {
            PurchaseType::Shop
        },
        price: Dec2::from_int(price),
        quantity: 1,
        purchased_at: Ts(at),
        order_id: None,
    }
}

#[test]
fn the_worked_example_gives_the_documented_numbers() {
    let mut e = engine_with(5_000_000);
    let mut seq = 0;
    let mut add = |e: &mut Engine, t, n: usize| {
        for i in 0..n {
            seq += 1;
            e.apply_event(seq, &event(t, &format!("u{i}"), T0 + 1000 + i as i64));
        }
    };
    add(&mut e, TriggerType::PageView, 100);
    add(&mut e, TriggerType::Click, 40);
    add(&mut e, TriggerType::Purchase, 12);
    let mut entries = Vec::new();
    for i in 0..12 {
        entries.push(Entry {
            id: i,
            activity_id: 1,
            user_id: format!("u{i}"),
            status: EntryStatus::Paid,
            order: i,
            quantity: 1,
            requested_at: Ts(T0 + 2000),
            processed_at: None,
        });
        e.apply_entry(&entries[entries.len() - 1]);
        e.apply_purchase(&purchase(
            i + 1,
            &format!("u{i}"),
            Some(1),
            1_290_000,
            T0 + 3000,
        ));
    }
    let q = Query {
        period: Period::Custom,
        window: Window::new(Ts(T0), Ts(T0 + DAY)),
        now: Ts(T0 + DAY),
        widgets: ACTIVITY_WIDGETS.to_vec(),
        conversion_window_hours: None,
        breakdown: None,
    };
    let dash = dashboards(e, &entries);
    let d = serde_json::to_value(dash.view().activity(1, &q).unwrap().data).unwrap();
    let o = &d["overview"];
    assert_eq!(o["gmv"], 15_480_000);
    assert_eq!(o["averageOrderValue"], 1_290_000);
    assert_eq!(o["conversionRate"], 12);
    assert_eq!(o["engagementRate"], 40);
    assert_eq!(o["qualificationRate"], 30);
    assert_eq!(o["purchaseRate"], 100);
    assert_eq!(o["roas"], json!(309.6));
    assert_eq!(
        o["change"]["totalVisits"],
        Value::Null,
        "no previous period data"
    );
    let steps = d["funnel"]["steps"].as_array().unwrap();
    let values: Vec<i64> = steps.iter().map(|s| s["value"].as_i64().unwrap()).collect();
    assert_eq!(values, vec![100, 40, 12, 12]);
    assert_eq!(steps[2]["rateFromFirst"], 12);
    assert_eq!(d["realtime"]["remainingStock"], 88);
    assert_eq!(d["realtime"]["paid"], 12);
}

fn cohort(e: &Engine) -> Value {
    let c = dashboards(e.clone(), &[])
        .view()
        .activity_cohort(
            1,
            &Window::new(Ts(T0), Ts(T0 + 30 * DAY)),
            Ts(T0 + 400 * DAY),
        )
        .unwrap();
    serde_json::to_value(c).unwrap()
}

#[test]
fn one_customer_cohort_ltv_windows_include_day_30() {
    let mut e = engine_with(1_000_000);
    e.apply_purchase(&purchase(1, "c1", Some(1), 1_290_000, T0 + 1000));
    e.apply_purchase(&purchase(2, "c1", None, 300_000, T0 + 1000 + 30 * DAY));
    e.apply_purchase(&purchase(3, "c1", None, 800_000, T0 + 1000 + 90 * DAY));
    e.apply_purchase(&purchase(4, "c1", None, 999, T0 - DAY)); // before the first: not counted
    let c = cohort(&e);
    assert_eq!(c["totalCustomers"], 1);
    assert_eq!(c["ltv30d"], 1_590_000);
    assert_eq!(c["ltv90d"], 2_390_000);
    assert_eq!(c["ltv365d"], 2_390_000);
    assert_eq!(c["ltvCurrent"], 2_390_000);
    assert_eq!(c["repeatPurchaseRate"], 100);
    assert_eq!(c["avgPurchaseFrequency"], 3);
    assert_eq!(c["avgCAC"], 1_000_000);
    assert_eq!(c["ltvCacRatioCurrent"], json!(2.39));
    assert_eq!(c["health"], "WARN");
    assert_eq!(c["monthly"].as_array().unwrap().len(), 12);
    assert_eq!(c["monthly"][0]["cumulativeLtv"], 1_290_000);
    assert_eq!(c["monthly"][3]["cumulativeLtv"], 2_390_000);
    assert_eq!(c["monthly"][3]["breakEven"], true);
}

#[test]
fn three_customer_cohort_averages_per_customer() {
    let mut e = engine_with(900_000);
    e.apply_purchase(&purchase(1, "a", Some(1), 1_000_000, T0 + 1));
    e.apply_purchase(&purchase(2, "b", Some(1), 1_000_000, T0 + 2));
    e.apply_purchase(&purchase(3, "c", Some(1), 1_000_000, T0 + 3));
    e.apply_purchase(&purchase(4, "a", None, 500_000, T0 + 10 * DAY));
    e.apply_purchase(&purchase(5, "b", None, 200_000, T0 + 60 * DAY));
    e.apply_purchase(&purchase(6, "z", None, 700_000, T0 + 5 * DAY)); // not in the cohort
    let c = cohort(&e);
    assert_eq!(c["totalCustomers"], 3);
    assert_eq!(c["ltv30d"], json!(1_166_666.67));
    assert_eq!(c["ltv90d"], json!(1_233_333.33));
    assert_eq!(c["repeatPurchaseRate"], json!(66.67));
    assert_eq!(c["avgPurchaseFrequency"], json!(1.67));
    assert_eq!(c["avgOrderValue"], 740_000);
    assert_eq!(c["avgCAC"], 300_000);
    assert_eq!(c["ltvCacRatio90d"], json!(4.11));
    assert_eq!(c["health"], "GOOD");
}

#[test]
fn empty_cohort_is_all_zeros_and_zero_budget_has_no_health() {
    let e = engine_with(1_000_000);
    let c = cohort(&e);
    for k in [
        "totalCustomers",
        "avgCAC",
        "ltv30d",
        "ltvCurrent",
        "ltvCacRatio30d",
        "repeatPurchaseRate",
        "avgPurchaseFrequency",
        "avgOrderValue",
    ] {
        assert_eq!(c[k], 0, "{k}");
    }
    assert!(c["health"].is_null());
    let mut e = engine_with(0);
    e.apply_purchase(&purchase(1, "a", Some(1), 1_000_000, T0 + 1));
    let c = cohort(&e);
    assert_eq!(
        (c["avgCAC"].clone(), c["ltvCacRatioCurrent"].clone()),
        (json!(0), json!(0))
    );
    assert!(c["health"].is_null());
    assert_eq!(c["ltvCurrent"], 1_000_000);
}

#[test]
fn retention_matrix_counts_first_time_buyers_still_buying() {
    let mut e = engine_with(0);
    e.apply_purchase(&purchase(1, "a", Some(1), 1000, T0 + 1));
    e.apply_purchase(&purchase(2, "b", Some(1), 1000, T0 + 2));
    e.apply_purchase(&purchase(3, "a", None, 1000, T0 + 35 * DAY));
    let m = dashboards(e, &[])
        .view()
        .campaign_cohort(
            1,
            false,
            &Window::new(Ts(0), Ts(T0 + 70 * DAY)),
            Ts(T0 + 70 * DAY),
        )
        .unwrap();
    let m = serde_json::to_value(m).unwrap();
    let rows = m["cohorts"].as_array().unwrap();
    let total: i64 = rows.iter().map(|r| r["size"].as_i64().unwrap()).sum();
    assert_eq!(total, 2);
    let first = &rows[0];
    assert_eq!(first["retention"][0], 100);
    let later: i64 = rows
        .iter()
        .flat_map(|r| r["counts"].as_array().unwrap().iter().skip(1))
        .map(|c| c.as_i64().unwrap())
        .sum();
    assert_eq!(later, 1, "one of the two bought again in a later month");
}

#[test]
fn a_young_cohort_marks_its_windows_incomplete_and_its_curve_stops_today() {
    let mut e = engine_with(1_000_000);
    e.apply_purchase(&purchase(1, "c1", Some(1), 1_290_000, T0 + 1000));
    e.apply_purchase(&purchase(2, "c2", Some(1), 1_290_000, T0 + 1000 + 5 * DAY));
    let now = Ts(T0 + 1000 + 40 * DAY);
    let c = serde_json::to_value(
        dashboards(e.clone(), &[])
            .view()
            .activity_cohort(1, &Window::new(Ts(T0), Ts(T0 + 30 * DAY)), now)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(c["windows"]["30d"]["complete"], true, "{}", c["windows"]);
    assert_eq!(c["windows"]["30d"]["completeCustomers"], 2);
    assert_eq!(c["windows"]["90d"]["complete"], false);
    assert_eq!(c["windows"]["90d"]["completeCustomers"], 0);
    assert_eq!(
        c["windows"]["90d"]["elapsedDays"], 35,
        "days since the youngest first purchase"
    );
    assert_eq!(c["windows"]["365d"]["complete"], false);
    assert_eq!(c["ltv90d"], c["ltvCurrent"], "the value so far");
    assert_eq!(
        c["monthly"].as_array().unwrap().len(),
        2,
        "months 0 and 1 have begun, the rest have not"
    );
}
