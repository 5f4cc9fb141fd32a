//! Parquet exports: a widget, the drop-off list and the raw events of a window as typed Parquet
//! files (read back with the `parquet` crate, and by DuckDB as a real consumer), equal to the
//! JSON answers and the CSV downloads; unknown formats and windows past the limit refused.

use crate::helpers::*;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;

const PARQUET: &str = "application/vnd.apache.parquet";

/// A download's body, checked for its type and file name.
async fn fetch(app: &TestApp, path: &str, accept: Option<&str>, kind: &str, file: &str) -> Vec<u8> {
    app.settled().await;
    let mut rb = app.client.get(app.url(path)).bearer_auth(ADMIN_KEY);
    if let Some(a) = accept {
        rb = rb.header("accept", a);
    }
    let r = rb.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], kind, "{path}");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"{file}\"").as_str()
    );
    r.bytes().await.unwrap().to_vec()
}

/// A Parquet file's column names and rows (by column name), read with the `parquet` crate.
fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<(String, Field)>>) {
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(bytes).unwrap();
    let reader = SerializedFileReader::new(f).unwrap();
    let names = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| {
            r.unwrap()
                .get_column_iter()
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect()
        })
        .collect();
    (names, rows)
}

fn col<'a>(row: &'a [(String, Field)], name: &str) -> &'a Field {
    &row.iter().find(|(n, _)| n == name).unwrap().1
}

/// A campaign with two activities, visits on both (Korean text in the properties) and one
/// click, projected.
async fn seeded(app: &TestApp) -> (i64, i64, i64) {
    let c = app.campaign("내보내기 Export").await;
    let a = app.activity(c).await;
    let b = app.activity(c).await;
    let mut events: Vec<Value> = (0..4)
        .map(|i| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("방문자{i}"),
            "pageUrl": "https://shop.example/p?q=a,b", "properties": {"activityId": a, "상품": "겨울 코트"}}))
        .collect();
    events.push(
        json!({"triggerType": "CLICK", "anonymousId": "방문자0", "properties": {"activityId": a}}),
    );
    events.push(
        json!({"triggerType": "PAGE_VIEW", "anonymousId": "b0", "properties": {"activityId": b}}),
    );
    assert_eq!(app.track(json!(events)).await.status, 202);
    app.settled().await;
    (c, a, b)
}

#[tokio::test]
async fn a_widget_and_the_drop_off_list_download_as_parquet_with_the_json_answers_rows() {
    let app = spawn_app().await;
    let (c, a, _) = seeded(&app).await;
    let base = format!("/api/v1/dashboard/activity/{a}?period=7d&widgets=funnel");
    let json = app.get(&base).await.body;
    let steps = json["data"]["funnel"]["steps"].as_array().unwrap().clone();
    let bytes = fetch(
        &app,
        &format!("{base}&format=parquet"),
        None,
        PARQUET,
        &format!("activity-{a}-funnel.parquet"),
    )
    .await;
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let (names, rows) = read(&bytes);
    assert_eq!(&names[..3], ["step", "name", "value"]);
    assert_eq!(rows.len(), steps.len());
    for (row, step) in rows.iter().zip(&steps) {
        assert_eq!(
            col(row, "step"),
            &Field::Str(step["step"].as_str().unwrap().into())
        );
        assert_eq!(
            col(row, "name"),
            &Field::Str(step["name"].as_str().unwrap().into())
        );
        assert_eq!(
            col(row, "value"),
            &Field::Long(step["value"].as_i64().unwrap())
        );
        assert_eq!(
            col(row, "users"),
            &Field::Long(step["users"].as_i64().unwrap())
        );
        assert_eq!(
            col(row, "rate"),
            &Field::Double(step["rate"].as_f64().unwrap())
        );
    }
    assert_eq!(col(&rows[0], "name"), &Field::Str("방문".into()));
    assert_eq!(col(&rows[0], "value"), &Field::Long(4));

    // The Accept header asks for the same file; the CSV of the part has the same rows.
    let overview = format!("/api/v1/dashboard/activity/{a}?period=7d&widgets=overview");
    let by_accept = fetch(
        &app,
        &overview,
        Some(PARQUET),
        PARQUET,
        &format!("activity-{a}-overview.parquet"),
    )
    .await;
    let (names, rows) = read(&by_accept);
    assert_eq!(names, ["metric", "value", "previous", "changePercent"]);
    let visits = rows
        .iter()
        .find(|r| col(r, "metric") == &Field::Str("totalVisits".into()))
        .unwrap();
    let j = app.get(&overview).await.body;
    assert_eq!(j["data"]["overview"]["totalVisits"], 4);
    assert_eq!(
        col(visits, "value"),
        &Field::Double(4.0),
        "a figure column mixes counts and rates"
    );
    let csv = fetch(
        &app,
        &format!("{overview}&format=csv"),
        None,
        "text/csv; charset=utf-8",
        &format!("activity-{a}-overview.csv"),
    )
    .await;
    // The CSV has a header and one more line: the widget's definition, which the Parquet
    // file keeps in its metadata so that its value columns stay numbers.
    assert_eq!(
        String::from_utf8_lossy(&csv).lines().count(),
        rows.len() + 2
    );
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(&by_accept).unwrap();
    let reader = SerializedFileReader::new(f).unwrap();
    let notes = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .clone();
    let definition = notes.iter().find(|k| k.key == "definition").unwrap();
    assert_eq!(
        definition.value.as_ref(),
        j["data"]["overview"]["definition"]
            .as_str()
            .map(str::to_string)
            .as_ref()
    );

    // The campaign's heat map: seven weekdays, 24 INT64 hours.
    let heat = fetch(
        &app,
        &format!("/api/v1/dashboard/campaign/{c}?widgets=heatmap&format=parquet"),
        None,
        PARQUET,
        &format!("campaign-{c}-heatmap.parquet"),
    )
    .await;
    let (names, rows) = read(&heat);
    assert_eq!((names.len(), rows.len()), (25, 7));
    let visits: i64 = rows
        .iter()
        .flat_map(|r| r[1..].iter())
        .map(|(_, f)| match f {
            Field::Long(n) => *n,
            other => panic!("{other:?}"),
        })
        .sum();
    assert_eq!(
        visits, 5,
        "every visit of the campaign's two activities in one cell"
    );
    let eff = fetch(
        &app,
        "/api/v1/dashboard/overview?format=parquet&part=efficiency",
        None,
        PARQUET,
        "overview-efficiency.parquet",
    )
    .await;
    let (_, rows) = read(&eff);
    assert!(
        rows.iter()
            .any(|r| col(r, "campaignName") == &Field::Str("내보내기 Export".into())),
        "{rows:?}"
    );

    // The whole drop-off list, the same persons as the JSON pages.
    let drop = format!("/api/v1/dashboard/activity/{a}/funnel/dropoff?step=VISIT&period=7d");
    let page = app.get(&drop).await.body;
    let file = fetch(
        &app,
        &format!("{drop}&format=parquet"),
        None,
        PARQUET,
        &format!("dropoff-activity-{a}-VISIT.parquet"),
    )
    .await;
    let (names, rows) = read(&file);
    assert_eq!(
        names,
        [
            "personId",
            "userId",
            "anonymousId",
            "sessionId",
            "reachedAt"
        ]
    );
    assert_eq!(rows.len() as u64, page["totalElements"].as_u64().unwrap());
    assert_eq!(rows.len(), 3, "four visitors, one clicked");
    for (row, person) in rows.iter().zip(page["persons"].as_array().unwrap()) {
        assert_eq!(
            col(row, "personId"),
            &Field::Str(person["personId"].as_str().unwrap().into())
        );
        let at = axon_domain::Ts::parse_utc(person["reachedAt"].as_str().unwrap()).unwrap();
        assert_eq!(col(row, "reachedAt"), &Field::TimestampMillis(at.0));
    }
}

#[tokio::test]
async fn the_raw_events_stream_as_csv_and_parquet_with_the_stored_events() {
    let app = spawn_app().await;
    let (c, a, b) = seeded(&app).await;
    // The stored events, as the JSON listing shows them.
    let listed = |id: i64| {
        let app = &app;
        async move {
            app.get(&format!(
                "/api/v1/behavior/events?activityId={id}&limit=100"
            ))
            .await
            .body["events"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let (of_a, of_b) = (listed(a).await, listed(b).await);
    assert_eq!((of_a.len(), of_b.len()), (5, 1));

    let path = format!("/api/v1/dashboard/campaign/{c}/events?period=7d");
    let file = format!("events-campaign-{c}.parquet");
    let bytes = fetch(
        &app,
        &format!("{path}&format=parquet"),
        None,
        PARQUET,
        &file,
    )
    .await;
    let by_accept = fetch(&app, &path, Some(PARQUET), PARQUET, &file).await;
    let (names, rows) = read(&bytes);
    assert_eq!(read(&by_accept).1, rows);
    assert_eq!(&names[..3], ["occurredAt", "triggerType", "eventName"]);
    assert_eq!(rows.len(), 6);
    // Activity by activity, each in storage order (the listing is newest first).
    let stored: Vec<&Value> = of_a.iter().rev().chain(of_b.iter().rev()).collect();
    for (row, e) in rows.iter().zip(&stored) {
        let at = axon_domain::Ts::parse_utc(e["occurredAt"].as_str().unwrap()).unwrap();
        assert_eq!(col(row, "occurredAt"), &Field::TimestampMillis(at.0));
        assert_eq!(
            col(row, "triggerType"),
            &Field::Str(e["triggerType"].as_str().unwrap().into())
        );
        assert_eq!(
            col(row, "anonymousId"),
            &Field::Str(e["anonymousId"].as_str().unwrap().into())
        );
        assert_eq!(
            col(row, "activityId"),
            &Field::Long(e["activityId"].as_i64().unwrap())
        );
        assert_eq!(col(row, "campaignId"), &Field::Long(c));
        assert_eq!(col(row, "bot"), &Field::Bool(false));
        let Field::Str(p) = col(row, "properties") else {
            panic!("properties as JSON text")
        };
        assert_eq!(&serde_json::from_str::<Value>(p).unwrap(), &e["properties"]);
    }
    assert!(matches!(
        col(&rows[0], "eventName"),
        Field::Null | Field::Str(_)
    ));

    // The CSV: the same rows, the same order, one line each.
    let csv = fetch(
        &app,
        &format!("{path}&format=csv"),
        None,
        "text/csv; charset=utf-8",
        &format!("events-campaign-{c}.csv"),
    )
    .await;
    assert!(csv.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7);
    for (line, e) in lines[1..].iter().zip(&stored) {
        assert!(
            line.starts_with(&format!(
                "{},{},",
                e["occurredAt"].as_str().unwrap(),
                e["triggerType"].as_str().unwrap()
            )),
            "{line}"
        );
    }
    let (names_a, rows_a) = read(
        &fetch(
            &app,
            &format!("/api/v1/dashboard/activity/{a}/events?period=7d&format=parquet"),
            None,
            PARQUET,
            &format!("events-activity-{a}.parquet"),
        )
        .await,
    );
    assert_eq!((names_a, rows_a.len()), (names, 5));

    // Unknown formats, JSON for a download, and windows past the limit are refused.
    for bad in [
        format!("{path}&format=xlsx"),
        format!("{path}&format=json"),
        format!("/api/v1/dashboard/activity/{a}?widgets=funnel&format=xml"),
        format!("/api/v1/dashboard/activity/{a}/funnel/dropoff?format=pdf"),
    ] {
        assert_error(&app.get(&bad).await, 400, "INVALID_FORMAT");
    }
    let too_long = "period=custom&startDate=2025-01-01&endDate=2026-06-01";
    for p in [
        format!("/api/v1/dashboard/campaign/{c}/events?{too_long}&format=parquet"),
        format!("/api/v1/dashboard/activity/{a}?widgets=funnel&{too_long}&format=parquet"),
    ] {
        assert_error(&app.get(&p).await, 400, "INVALID_PERIOD");
    }
    assert_error(
        &app.get("/api/v1/dashboard/campaign/999999/events?format=parquet")
            .await,
        404,
        "NOT_FOUND",
    );
}

/// DuckDB's answer to `sql` over the file, as JSON lines — or `None` (with the skip printed)
/// where python3's `duckdb` is missing outside CI.
fn duckdb(files: &[(&str, &std::path::Path)], sql: &str) -> Option<Vec<Value>> {
    let probe = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but python3 cannot import duckdb (pip install duckdb)"
        );
        eprintln!("SKIPPED DuckDB interop: python3 has no duckdb package (pip install duckdb)");
        return None;
    }
    let mut script = String::from("import duckdb, json, sys\n");
    for (name, path) in files {
        script.push_str(&format!(
            "duckdb.sql(\"CREATE VIEW {name} AS SELECT * FROM read_parquet('{}')\")\n",
            path.display()
        ));
    }
    script.push_str(&format!(
        "rel = duckdb.sql({sql:?})\ncols = rel.columns\nfor r in rel.fetchall():\n    print(json.dumps(dict(zip(cols, [v if isinstance(v, (int, float, str, bool, type(None))) else str(v) for v in r])), ensure_ascii=False))\n"
    ));
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[tokio::test]
async fn duckdb_reads_the_exports_with_their_types_counts_and_values() {
    let app = spawn_app().await;
    let (c, a, _) = seeded(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.parquet");
    let funnel = dir.path().join("funnel.parquet");
    std::fs::write(
        &events,
        fetch(
            &app,
            &format!("/api/v1/dashboard/campaign/{c}/events?period=7d&format=parquet"),
            None,
            PARQUET,
            &format!("events-campaign-{c}.parquet"),
        )
        .await,
    )
    .unwrap();
    std::fs::write(
        &funnel,
        fetch(
            &app,
            &format!("/api/v1/dashboard/activity/{a}?period=7d&widgets=funnel&format=parquet"),
            None,
            PARQUET,
            &format!("activity-{a}-funnel.parquet"),
        )
        .await,
    )
    .unwrap();
    let files = [("events", events.as_path()), ("funnel", funnel.as_path())];
    let Some(types) = duckdb(
        &files,
        "SELECT column_name, column_type FROM (DESCRIBE events)",
    ) else {
        return;
    };
    let ty = |n: &str| {
        types.iter().find(|t| t["column_name"] == n).unwrap()["column_type"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(ty("occurredAt"), "TIMESTAMP WITH TIME ZONE");
    assert_eq!(ty("activityId"), "BIGINT");
    assert_eq!(ty("bot"), "BOOLEAN");
    assert_eq!(ty("triggerType"), "VARCHAR");
    let counts = duckdb(
        &files,
        "SELECT count(*) AS n, count(DISTINCT anonymousId) AS people, sum(CASE WHEN triggerType = 'CLICK' THEN 1 ELSE 0 END) AS clicks, \
         count(DISTINCT activityId) AS activities, max(json_extract_string(properties, '$.상품')) AS item, \
         sum(CASE WHEN occurredAt > now() - INTERVAL 8 DAY THEN 1 ELSE 0 END) AS recent FROM events",
    )
    .unwrap();
    assert_eq!(
        counts[0],
        json!({"n": 6, "people": 5, "clicks": 1, "activities": 2, "item": "겨울 코트", "recent": 6})
    );
    let steps = duckdb(&files, "SELECT step, name, value, users, rate FROM funnel").unwrap();
    let j = app
        .get(&format!(
            "/api/v1/dashboard/activity/{a}?period=7d&widgets=funnel"
        ))
        .await
        .body;
    for (row, step) in steps
        .iter()
        .zip(j["data"]["funnel"]["steps"].as_array().unwrap())
    {
        for k in ["step", "name", "value", "users"] {
            assert_eq!(row[k], step[k], "{k}");
        }
        assert_eq!(row["rate"].as_f64(), step["rate"].as_f64());
    }
    assert_eq!(steps.len(), 4);
}

#[tokio::test]
async fn the_document_names_both_download_types_on_every_export_route() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.body;
    for path in [
        "/api/v1/dashboard/activity/{id}",
        "/api/v1/dashboard/campaign/{id}",
        "/api/v1/dashboard/overview",
        "/api/v1/dashboard/activity/{id}/funnel/dropoff",
        "/api/v1/dashboard/activity/{id}/events",
        "/api/v1/dashboard/campaign/{id}/events",
    ] {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(content["text/csv"].is_object(), "{path}: {content}");
        let parquet = &content[PARQUET]["schema"];
        let schema = match parquet.get("$ref").and_then(Value::as_str) {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => parquet,
        };
        assert_eq!(
            (&schema["type"], &schema["format"]),
            (&json!("string"), &json!("binary")),
            "{path}: {schema}"
        );
    }
}
