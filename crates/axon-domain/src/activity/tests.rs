//! The activity validation's rules, one sentence each.

use super::*;
use serde_json::json;

fn seoul() -> BusinessTz {
    BusinessTz::new("Asia/Seoul").unwrap()
}

const NOW: Ts = Ts(1_795_000_000_000); // 2026-11-18

fn rules(tz: &BusinessTz, spelling: Spelling) -> Rules<'_> {
    Rules {
        tz,
        now: NOW,
        spelling,
        horizon: crate::Horizon::default(),
    }
}

fn draft() -> ActivityDraft {
    ActivityDraft {
        name: Some("  TV deal ".into()),
        activity_type: Some("FIRST_COME_FIRST_SERVE".into()),
        start_date: Some("2026-11-01".into()),
        end_date: Some("2026-11-30".into()),
        ..ActivityDraft::default()
    }
}

fn message(r: Result<Activity, DomainError>) -> String {
    r.unwrap_err().message
}

#[test]
fn a_bare_end_date_includes_its_whole_business_day() {
    let tz = seoul();
    let a = draft().create(1, &rules(&tz, Spelling::Json)).unwrap();
    assert_eq!(a.start_date.to_iso(), "2026-10-31T15:00:00Z");
    assert_eq!(a.end_date.to_iso(), "2026-11-30T14:59:59.999Z");
}

#[test]
fn an_end_with_a_time_is_taken_as_given() {
    let tz = seoul();
    let mut d = draft();
    d.end_date = Some("2026-11-30T00:00:00Z".into());
    let a = d.create(1, &rules(&tz, Spelling::Json)).unwrap();
    assert_eq!(a.end_date.to_iso(), "2026-11-30T00:00:00Z");
}

#[test]
fn create_and_load_give_the_same_instants_for_the_same_dates() {
    let tz = seoul();
    let created = draft().create(1, &rules(&tz, Spelling::Json)).unwrap();
    let loaded = draft().load(7, 1, &rules(&tz, Spelling::Csv)).unwrap();
    assert_eq!(
        (created.start_date, created.end_date),
        (loaded.start_date, loaded.end_date)
    );
}

#[test]
fn a_new_activity_is_a_trimmed_draft_with_the_defaults() {
    let tz = seoul();
    let a = draft().create(3, &rules(&tz, Spelling::Json)).unwrap();
    assert_eq!((a.id, a.campaign_id, a.name.as_str()), (0, 3, "TV deal"));
    assert_eq!(a.status, ActivityStatus::Draft);
    assert_eq!((a.limit_count, a.quantity, a.price), (None, 1, Dec2::ZERO));
    assert!(a.payment_required);
    assert_eq!((a.created_at, a.updated_at), (NOW, NOW));
}

#[test]
fn create_requires_a_name_a_type_and_both_dates() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Json);
    let mut d = draft();
    d.name = Some("   ".into());
    assert_eq!(message(d.create(1, &r)), "name is required");
    let mut d = draft();
    d.activity_type = None;
    assert!(message(d.create(1, &r)).starts_with("activityType is required"));
    let mut d = draft();
    d.start_date = Some(String::new());
    assert_eq!(message(d.create(1, &r)), "startDate is required");
    let mut d = draft();
    d.end_date = None;
    assert_eq!(message(d.create(1, &r)), "endDate is required");
}

#[test]
fn a_name_longer_than_200_characters_is_refused() {
    let tz = seoul();
    let mut d = draft();
    d.name = Some("가".repeat(MAX_NAME_CHARS));
    assert!(d.clone().create(1, &rules(&tz, Spelling::Json)).is_ok());
    d.name = Some("가".repeat(MAX_NAME_CHARS + 1));
    assert_eq!(
        message(d.create(1, &rules(&tz, Spelling::Json))),
        "name is longer than 200 characters"
    );
}

#[test]
fn an_unknown_type_or_status_is_a_validation_error() {
    let tz = seoul();
    let mut d = draft();
    d.activity_type = Some("LOTTERY".into());
    let e = d.create(1, &rules(&tz, Spelling::Json)).unwrap_err();
    assert_eq!(e.code, "VALIDATION_ERROR");
    let mut d = draft();
    d.status = Some("DONE".into());
    let e = d.create(1, &rules(&tz, Spelling::Json)).unwrap_err();
    assert_eq!(e.code, "VALIDATION_ERROR");
}

#[test]
fn a_new_activity_moves_only_by_the_state_machine() {
    let tz = seoul();
    let mut d = draft();
    d.status = Some("ACTIVE".into());
    assert_eq!(
        d.create(1, &rules(&tz, Spelling::Json)).unwrap().status,
        ActivityStatus::Active
    );
    let mut d = draft();
    d.status = Some("ENDED".into());
    let e = d.create(1, &rules(&tz, Spelling::Json)).unwrap_err();
    assert_eq!(e.code, "INVALID_STATUS_TRANSITION");
}

#[test]
fn an_update_keeps_absent_fields_and_moves_status_by_the_state_machine() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Json);
    let mut base = draft().create(1, &r).unwrap();
    base.status = ActivityStatus::Ended;
    base.price = Dec2::from_int(1_000);
    let change = ActivityDraft {
        limit_count: Some(Some(5)),
        ..ActivityDraft::default()
    };
    let a = change.update(base.clone(), &r).unwrap();
    assert_eq!(
        (a.limit_count, a.price, a.name.as_str()),
        (Some(5), base.price, "TV deal")
    );
    let back = ActivityDraft {
        status: Some("ACTIVE".into()),
        ..ActivityDraft::default()
    };
    assert_eq!(
        back.update(base, &r).unwrap_err().code,
        "INVALID_STATUS_TRANSITION"
    );
}

#[test]
fn an_update_that_moves_the_end_before_the_start_is_refused() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Json);
    let base = draft().create(1, &r).unwrap();
    let change = ActivityDraft {
        end_date: Some("2026-10-01".into()),
        ..ActivityDraft::default()
    };
    assert_eq!(
        message(change.update(base, &r)),
        "endDate is before startDate"
    );
}

#[test]
fn a_loaded_record_keeps_any_status_and_without_one_ends_when_its_end_has_passed() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Csv);
    let mut past = draft();
    past.end_date = Some("2026-11-10".into());
    assert_eq!(
        past.clone().load(9, 1, &r).unwrap().status,
        ActivityStatus::Ended
    );
    assert_eq!(
        draft().load(9, 1, &r).unwrap().status,
        ActivityStatus::Active
    );
    past.status = Some("PAUSED".into());
    let a = past.load(9, 1, &r).unwrap();
    assert_eq!((a.id, a.status), (9, ActivityStatus::Paused));
}

#[test]
fn negative_limits_prices_and_budgets_and_quantities_below_one_are_refused() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Json);
    let mut d = draft();
    d.limit_count = Some(Some(-1));
    assert_eq!(
        message(d.create(1, &r)),
        "limitCount must be ≥ 0 (null = unlimited)"
    );
    let mut d = draft();
    d.price = Some(Dec2(-1));
    assert_eq!(message(d.create(1, &r)), "price must be ≥ 0");
    let mut d = draft();
    d.budget = Some(Dec2(-1));
    assert_eq!(message(d.create(1, &r)), "budget must be ≥ 0");
    let mut d = draft();
    d.quantity = Some(0);
    assert_eq!(
        message(d.create(1, &r)),
        "quantity must be between 1 and 1000000"
    );
    let mut d = draft();
    d.quantity = Some(i64::MAX);
    assert_eq!(
        message(d.create(1, &r)),
        "quantity must be between 1 and 1000000"
    );
    let mut d = draft();
    d.limit_count = Some(Some(0));
    assert_eq!(d.create(1, &r).unwrap().limit_count, Some(0), "0 = closed");
}

#[test]
fn messages_name_the_fields_as_the_import_files_spell_them() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Csv);
    let mut d = draft();
    d.limit_count = Some(Some(-1));
    assert_eq!(
        message(d.load(1, 1, &r)),
        "limit_count must be ≥ 0 (empty = unlimited)"
    );
    let mut d = draft();
    d.end_date = Some("2026-10-01".into());
    assert_eq!(message(d.load(1, 1, &r)), "end_at is before start_at");
    let mut d = draft();
    d.start_date = Some("soon".into());
    assert!(message(d.load(1, 1, &r)).starts_with("start_at: 'soon' is not"));
}

#[test]
fn filters_are_parsed_and_a_bad_one_is_an_invalid_filter() {
    let tz = seoul();
    let r = rules(&tz, Spelling::Json);
    let mut d = draft();
    d.filters = Some(json!([{"type": "AGE", "operator": "BETWEEN", "values": [20, 39]}]));
    assert_eq!(d.create(1, &r).unwrap().filters.len(), 1);
    let mut d = draft();
    d.filters = Some(json!([{"type": "AGE", "operator": "BETWEEN", "values": [20]}]));
    assert_eq!(d.create(1, &r).unwrap_err().code, "INVALID_FILTER");
}

#[test]
fn a_blank_image_url_is_no_image() {
    let tz = seoul();
    let mut d = draft();
    d.image_url = Some(Some("  ".into()));
    assert_eq!(
        d.create(1, &rules(&tz, Spelling::Json)).unwrap().image_url,
        None
    );
}

#[test]
fn a_named_product_must_exist_and_none_needs_nothing() {
    let tz = seoul();
    let mut a = draft().create(1, &rules(&tz, Spelling::Json)).unwrap();
    assert!(known_product(&a, false).is_ok(), "no product named");
    a.product_id = Some(5);
    assert!(known_product(&a, true).is_ok());
    let e = known_product(&a, false).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("UNKNOWN_PRODUCT", "product 5 does not exist")
    );
}

#[test]
fn approved_and_paid_units_may_not_exceed_the_limit() {
    let tz = seoul();
    let mut a = draft().load(10, 1, &rules(&tz, Spelling::Csv)).unwrap();
    assert!(within_limit(&a, 1_000, Spelling::Csv).is_ok(), "unlimited");
    a.limit_count = Some(2);
    assert!(within_limit(&a, 2, Spelling::Csv).is_ok());
    let e = within_limit(&a, 3, Spelling::Csv).unwrap_err();
    assert_eq!(e.code, "OVER_LIMIT");
    assert!(
        e.message.contains("3 units") && e.message.contains("limit_count 2"),
        "{}",
        e.message
    );
    assert!(takes_units(EntryStatus::Paid) && takes_units(EntryStatus::Approved));
    assert!(!takes_units(EntryStatus::Cancelled) && !takes_units(EntryStatus::Rejected));
}
