//! `axon bench mixed` against a real server on a small simulated dataset: it picks the most
//! visited activity, runs every phase and prints a row for each, with no failed request.

use crate::helpers::*;
use std::collections::HashMap;

#[test]
fn mixed_bench_reads_the_most_visited_activity_and_reports_every_phase() {
    let (sim, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The dataset ends today, so "most visited over the last year" sees all of it.
    let today = jiff::Zoned::now().date().to_string();
    let sim_dir = sim.path().to_str().unwrap();
    for args in [
        vec![
            "simulate",
            "--events",
            "3000",
            "--activities",
            "6",
            "--campaigns",
            "2",
            "--end",
            &today,
            "--out",
            sim_dir,
        ],
        vec![
            "--data-dir",
            data.path().to_str().unwrap(),
            "import",
            "--dir",
            sim_dir,
        ],
    ] {
        succeeds(axon().args(&args));
    }
    // The activity with the most PAGE_VIEWs, counted from the dataset itself.
    let mut views: HashMap<i64, u64> = HashMap::new();
    for line in std::fs::read_to_string(sim.path().join("events.ndjson"))
        .unwrap()
        .lines()
    {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        if e["triggerType"] == "PAGE_VIEW" {
            *views
                .entry(e["properties"]["activityId"].as_i64().unwrap())
                .or_default() += 1;
        }
    }
    let (&top, &n) = views.iter().max_by_key(|(a, n)| (**n, -**a)).unwrap();

    let server = start_server(data.path());
    let stdout = succeeds(
        axon()
            .args(["bench", "mixed"])
            .args(target(&server.base))
            .args([
                "--readers",
                "0,2",
                "--duration",
                "1",
                "--warmup",
                "0.2",
                "--batch",
                "5",
                "--rate",
                "200",
                "--connections",
                "2",
                "--entry-rate",
                "20",
            ]),
    );
    assert!(
        stdout.contains(&format!("activity          {top} (")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("the most visited ({n} visits")),
        "{stdout}"
    );
    assert!(
        stdout.contains("ingest rate       200 events/s = 40.0 batches/s (open loop)"),
        "{stdout}"
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| 0 |") || l.starts_with("| 2 |"))
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for r in &rows {
        assert!(r.ends_with("| 0/0/0 |"), "a request failed: {r}");
    }
    // The readers' phase answered dashboards; the phase without readers has none.
    assert!(rows[0].contains("| — | — |"), "{stdout}");
    assert!(!rows[1].contains("| — | — |"), "{stdout}");

    // Anything but loopback is refused before any request is made.
    let out = axon()
        .args([
            "bench",
            "mixed",
            "--url",
            "http://10.1.2.3:8080",
            "--admin-key",
            ADMIN_KEY,
            "--jwt-secret",
            JWT_SECRET,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
