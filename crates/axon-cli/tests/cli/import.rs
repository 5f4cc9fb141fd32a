//! `axon import`: validates every row, all-or-nothing, idempotent, refuses a locked data dir,
//! keeps the API's invariants (products exist, limits hold, no silent overwrite).

use crate::helpers::*;
use axon_cli::serve::block as wait_on;
use axon_store::sqlite::SqliteStore;
use axon_store::{ActivityRepo, CampaignRepo, CommerceRepo, EventLog};
use std::path::Path;

fn write_dataset(dir: &Path) {
    std::fs::write(
        dir.join("products.csv"),
        "id,name,price,stock\n5,TV,1290000,10\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("campaigns.csv"),
        "id,name,budget\n1,Black Friday,5000000\n2,Winter,0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("activities.csv"),
        "id,campaign_id,name,limit_count,price,budget,start_at,end_at\n\
         10,1,TV deal,100,1290000,5000000,2026-11-01T00:00:00Z,2026-11-30T00:00:00Z\n\
         11,2,Coat deal,,300000,,2026-11-01,2026-11-30\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("entries.csv"),
        "activity_id,user_id,status,created_at\n10,u1,PAID,2026-11-02T10:00:00Z\n10,u2,CANCELLED,2026-11-02T09:00:00Z\n11,u1,APPROVED,2026-11-03T00:00:00Z\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("purchases.csv"),
        "id,user_id,campaign_activity_id,product_id,price,quantity,purchase_type,purchased_at\n\
         1,u1,10,5,1290000,1,CAMPAIGNACTIVITY,2026-11-02T10:05:00Z\n\
         2,u1,,5,300000,2,SHOP,2026-12-02T10:05:00Z\n",
    )
    .unwrap();
    let events = [
        r#"{"eventId":"e1","triggerType":"PAGE_VIEW","anonymousId":"a1","pageUrl":"https://s/campaign-activity/10/view","occurredAt":"2026-11-02T09:00:00Z"}"#,
        r#"{"triggerType":"CLICK","userId":"u1","properties":{"activityId":10},"occurredAt":"2026-11-02T09:01:00Z"}"#,
        "",
        r#"{"triggerType":"CLICK","userId":"u1","properties":{"activityId":10},"occurredAt":"2026-11-02T09:01:00Z"}"#,
    ];
    std::fs::write(dir.join("events.ndjson"), events.join("\n")).unwrap();
}

fn import(data: &Path, input: &Path) -> std::process::Output {
    import_with(data, input, &[])
}

fn import_with(data: &Path, input: &Path, extra: &[&str]) -> std::process::Output {
    axon()
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "import",
            "--dir",
            input.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// The import's error output, after checking it failed.
fn refused(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn import_ok(data: &Path, input: &Path) -> std::process::Output {
    let out = import(data, input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn counts(data: &Path) -> (usize, usize, usize, usize, u64) {
    let s = SqliteStore::open(data).unwrap();
    let mut purchases = 0;
    wait(s.all_purchases(&mut |_| purchases += 1)).unwrap();
    let entries = wait(s.entries(10)).unwrap().len() + wait(s.entries(11)).unwrap().len();
    (
        wait(s.campaigns()).unwrap().len(),
        wait(s.activities(None)).unwrap().len(),
        entries,
        purchases,
        wait(s.count()).unwrap(),
    )
}

#[test]
fn import_loads_every_file_and_a_rerun_changes_nothing() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    let out = import_ok(data.path(), input.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 campaigns, 2 activities, 3 entries, 2 purchases, 3 events"),
        "{stdout}"
    );
    assert!(stdout.contains("rows/s"), "{stdout}");
    assert_eq!(counts(data.path()), (2, 2, 3, 2, 3));
    {
        let s = SqliteStore::open(data.path()).unwrap();
        let entries = wait(s.entries(10)).unwrap();
        let first = entries.iter().find(|e| e.user_id == "u2").unwrap();
        assert_eq!(
            (first.order, first.status.as_str()),
            (1, "CANCELLED"),
            "order follows entry time; status kept"
        );
        let coat = wait(s.activity(11)).unwrap().unwrap();
        assert_eq!(coat.limit_count, None, "an empty limit is unlimited");
        let mut campaign_of_events = Vec::new();
        wait(s.replay(&mut |_, e| campaign_of_events.push(e.campaign_id))).unwrap();
        assert_eq!(
            campaign_of_events,
            vec![Some(1), Some(1), Some(1)],
            "events are enriched with the campaign"
        );
        let shop = wait(s.purchases_of_user("u1")).unwrap();
        assert_eq!(shop[1].activity_id, None);
        assert_eq!(shop[1].purchase_type.as_str(), "SHOP");
    }
    let again = import(data.path(), input.path());
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 events (3 duplicates skipped)"));
    assert_eq!(counts(data.path()), (2, 2, 3, 2, 3));
}

#[test]
fn a_bad_row_names_its_file_and_line_and_nothing_is_written() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    std::fs::write(
        input.path().join("purchases.csv"),
        "id,user_id,campaign_activity_id,product_id,price,quantity,purchase_type,purchased_at\n\
         1,u1,10,5,1290000,1,CAMPAIGNACTIVITY,2026-11-02T10:05:00Z\n\
         2,u1,,5,three hundred,2,SHOP,2026-12-02T10:05:00Z\n",
    )
    .unwrap();
    let out = import(data.path(), input.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("purchases.csv:3:") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(counts(data.path()), (0, 0, 0, 0, 0));

    write_dataset(input.path());
    std::fs::write(
        input.path().join("events.ndjson"),
        "{\"triggerType\":\"PAGE_VIEW\",\"anonymousId\":\"a\"}\n{\"triggerType\":\"NOPE\"}\n",
    )
    .unwrap();
    let out = import(data.path(), input.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("events.ndjson:2:"), "{err}");
    assert_eq!(counts(data.path()), (0, 0, 0, 0, 0));

    std::fs::write(input.path().join("events.ndjson"), "").unwrap();
    std::fs::write(
        input.path().join("entries.csv"),
        "activity_id,user_id,status,created_at\n99,u1,PAID,2026-11-02T10:00:00Z\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&import(data.path(), input.path()).stderr).to_string();
    assert!(
        err.contains("entries.csv:2: activity 99 does not exist"),
        "{err}"
    );
}

#[test]
fn rows_dated_outside_the_horizon_are_refused_as_by_the_api() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    for (file, content, line) in [
        (
            "purchases.csv",
            "id,user_id,campaign_activity_id,product_id,price,quantity,purchase_type,purchased_at\n\
             1,u1,10,5,1290000,1,CAMPAIGNACTIVITY,0001-01-01T00:00:00Z\n",
            "purchases.csv:2: purchased_at must lie between 2000-01-01",
        ),
        (
            "entries.csv",
            "activity_id,user_id,status,created_at\n10,u1,PAID,2999-01-01T00:00:00Z\n",
            "entries.csv:2: created_at must lie between",
        ),
        (
            "events.ndjson",
            r#"{"triggerType":"PAGE_VIEW","anonymousId":"a","occurredAt":"1999-01-01T00:00:00Z"}"#,
            "events.ndjson:1:",
        ),
        (
            "activities.csv",
            "id,campaign_id,name,start_at,end_at\n10,1,TV deal,0001-01-01,2026-11-30\n",
            "activities.csv:2: start_at must lie between",
        ),
    ] {
        write_dataset(input.path());
        std::fs::write(input.path().join(file), content).unwrap();
        let out = import(data.path(), input.path());
        assert!(!out.status.success(), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(line), "{err}");
        assert_eq!(counts(data.path()), (0, 0, 0, 0, 0));
    }
}

#[test]
fn import_refuses_a_data_dir_in_use() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    let server = start_server(data.path());
    let out = import(data.path(), input.path());
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"));
    drop(server);
    let missing = import(data.path(), &input.path().join("nope"));
    assert!(!missing.status.success());
}

#[tokio::test]
async fn an_imported_bare_end_date_includes_its_whole_day_as_in_the_api() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    import_ok(data.path(), input.path());
    let server = start_server(data.path());
    let client = reqwest::Client::new();
    let created = admin(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/campaigns/2/activities", server.base),
        serde_json::json!({"name": "Coat deal", "activityType": "FIRST_COME_FIRST_SERVE",
            "startDate": "2026-11-01", "endDate": "2026-11-30"}),
    )
    .await;
    let imported = admin(
        &client,
        reqwest::Method::GET,
        format!("{}/api/v1/activities/11", server.base),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(created["endDate"], "2026-11-30T14:59:59.999Z", "{created}");
    assert_eq!(
        (&imported["startDate"], &imported["endDate"]),
        (&created["startDate"], &created["endDate"]),
        "end_at 2026-11-30 in activities.csv is the endDate 2026-11-30 of the API"
    );
}

/// Runs a store read from this synchronous test.
fn wait<F: std::future::Future>(f: F) -> F::Output {
    wait_on(f).unwrap()
}

#[test]
fn import_into_a_shared_database_loads_everything_once() {
    let Some(server) = axon_testdb::postgres("cli::import::import_into_a_shared_database") else {
        return;
    };
    let url = server.database("import");
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    let run = || {
        axon()
            .env("AXON_DATABASE_URL", &url)
            .args([
                "--data-dir",
                data.path().to_str().unwrap(),
                "import",
                "--dir",
            ])
            .arg(input.path())
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 campaigns, 2 activities, 3 entries, 2 purchases, 3 events"),
        "{stdout}"
    );
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 events (3 duplicates skipped)"));
    assert!(
        !data.path().join("axon.db").exists(),
        "nothing went to the embedded store"
    );
    let s = axon_store::sql::SqlStore::open(&url).unwrap();
    let mut purchases = 0;
    wait(s.all_purchases(&mut |_| purchases += 1)).unwrap();
    assert_eq!(
        (
            wait(s.campaigns()).unwrap().len(),
            wait(s.activities(None)).unwrap().len(),
            wait(s.entries(10)).unwrap().len() + wait(s.entries(11)).unwrap().len(),
            purchases,
            wait(s.count()).unwrap(),
        ),
        (2, 2, 3, 2, 3)
    );
}

#[test]
fn an_activity_with_entries_and_purchases_is_overwritten_only_with_replace() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    import_ok(data.path(), input.path());
    let activities = std::fs::read_to_string(input.path().join("activities.csv")).unwrap();
    std::fs::write(
        input.path().join("activities.csv"),
        activities.replace("10,1,TV deal,100", "10,1,TV deal (new),100"),
    )
    .unwrap();
    std::fs::write(
        input.path().join("events.ndjson"),
        r#"{"eventId":"new","triggerType":"PAGE_VIEW","anonymousId":"a9","occurredAt":"2026-11-02T09:00:00Z"}"#,
    )
    .unwrap();
    let err = refused(&import(data.path(), input.path()));
    assert!(
        err.contains("activities.csv:2: activity 10 already exists with 2 entries and 1 purchases")
            && err.contains("--replace")
            && err.contains("nothing was imported"),
        "{err}"
    );
    let s = SqliteStore::open(data.path()).unwrap();
    assert_eq!(wait(s.activity(10)).unwrap().unwrap().name, "TV deal");
    assert_eq!(wait(s.count()).unwrap(), 3, "not even the new event");
    drop(s);
    let out = import_with(data.path(), input.path(), &["--replace"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = SqliteStore::open(data.path()).unwrap();
    assert_eq!(wait(s.activity(10)).unwrap().unwrap().name, "TV deal (new)");
    assert_eq!(wait(s.count()).unwrap(), 4);
    drop(s);
    // The same files again: the rows equal what is stored, so no --replace is needed.
    import_ok(data.path(), input.path());
}

#[test]
fn approved_and_paid_entries_beyond_the_limit_are_refused_counting_stored_ones() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    let activities = std::fs::read_to_string(input.path().join("activities.csv")).unwrap();
    std::fs::write(
        input.path().join("activities.csv"),
        activities.replace("10,1,TV deal,100", "10,1,TV deal,1"),
    )
    .unwrap();
    std::fs::write(
        input.path().join("entries.csv"),
        "activity_id,user_id,status,created_at\n\
         10,u1,PAID,2026-11-02T10:00:00Z\n\
         10,u2,CANCELLED,2026-11-02T09:00:00Z\n\
         10,u3,APPROVED,2026-11-02T11:00:00Z\n",
    )
    .unwrap();
    let err = refused(&import(data.path(), input.path()));
    assert!(
        err.contains(
            "entries.csv:4: activity 10 has 2 units APPROVED or PAID, more than its limit_count 1"
        ) && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(counts(data.path()), (0, 0, 0, 0, 0));
    // Within the limit it loads; a later file's entry counts with the stored ones.
    std::fs::write(
        input.path().join("entries.csv"),
        "activity_id,user_id,status,created_at\n10,u1,PAID,2026-11-02T10:00:00Z\n",
    )
    .unwrap();
    import_ok(data.path(), input.path());
    for f in [
        "campaigns.csv",
        "activities.csv",
        "purchases.csv",
        "events.ndjson",
    ] {
        std::fs::remove_file(input.path().join(f)).unwrap();
    }
    std::fs::write(
        input.path().join("entries.csv"),
        "activity_id,user_id,status,created_at\n10,u7,APPROVED,2026-11-03T10:00:00Z\n",
    )
    .unwrap();
    let err = refused(&import(data.path(), input.path()));
    assert!(
        err.contains("entries.csv:2: activity 10 has 2 units"),
        "{err}"
    );
    // The stored PAID entry itself may change (u1 cancelled frees its unit for u7).
    std::fs::write(
        input.path().join("entries.csv"),
        "activity_id,user_id,status,created_at\n\
         10,u7,APPROVED,2026-11-03T10:00:00Z\n\
         10,u1,CANCELLED,2026-11-02T10:00:00Z\n",
    )
    .unwrap();
    import_ok(data.path(), input.path());
}

#[test]
fn products_must_exist_for_activities_and_purchases() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dataset(input.path());
    std::fs::write(
        input.path().join("activities.csv"),
        "id,campaign_id,name,start_at,end_at,product_id\n10,1,TV deal,2026-11-01,2026-11-30,77\n",
    )
    .unwrap();
    let err = refused(&import(data.path(), input.path()));
    assert!(
        err.contains("activities.csv:2: product 77 does not exist"),
        "{err}"
    );
    write_dataset(input.path());
    std::fs::write(
        input.path().join("purchases.csv"),
        "id,user_id,product_id,price,purchased_at\n1,u1,77,1000,2026-11-02T10:05:00Z\n",
    )
    .unwrap();
    let err = refused(&import(data.path(), input.path()));
    assert!(
        err.contains("purchases.csv:2: product 77 does not exist"),
        "{err}"
    );
    assert_eq!(counts(data.path()), (0, 0, 0, 0, 0));
    // A product stored by an earlier import counts.
    write_dataset(input.path());
    import_ok(data.path(), input.path());
    std::fs::remove_file(input.path().join("products.csv")).unwrap();
    import_ok(data.path(), input.path());
}

/// With `--clickhouse-url` the import also loads ClickHouse (issue 15) — what the store
/// stored, once: a rerun writes no event again, and entries and purchases stand as stored.
#[test]
fn an_import_with_clickhouse_loads_it_once() {
    let Some(ch) = axon_testdb::clickhouse("cli::import::an_import_with_clickhouse") else {
        return;
    };
    let db = ch.database("import");
    let (data, input) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_dataset(input.path());
    let extra = ["--clickhouse-url", &ch.url(), "--clickhouse-database", &db];
    let query = |sql: &str| {
        let (ok, out) = ch
            .client_query(&format!("SELECT count() FROM {db}.{sql}"))
            .unwrap();
        assert!(ok, "{out}");
        out.trim().parse::<u64>().unwrap()
    };
    for run in 0..2 {
        let out = import_with(data.path(), input.path(), &extra);
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            printed.contains("loaded ClickHouse"),
            "run {run}: {printed}"
        );
        let (_, _, entries, purchases, events) = counts(data.path());
        assert_eq!(
            query("events"),
            events,
            "run {run}: every event written once"
        );
        assert_eq!(query("events FINAL"), events);
        assert_eq!(query("entries FINAL") as usize, entries);
        assert_eq!(query("purchases FINAL") as usize, purchases);
    }
}
