//! `axon loadtest` against a real server: a short herd sells exactly the stock.

use crate::helpers::*;

#[test]
fn a_short_herd_sells_exactly_the_stock_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let stdout = succeeds(axon().args(["loadtest"]).args(target(&server.base)).args([
        "--users",
        "60",
        "--stock",
        "20",
        "--quantity",
        "2",
        "--duplicate-rate",
        "0.3",
        "--ramp-secs",
        "0.5",
        "--hold-secs",
        "1",
        "--decay-secs",
        "0.3",
    ]));
    assert!(stdout.contains("successes (paid)  10 "), "{stdout}");
    assert!(stdout.contains("errors            0"), "{stdout}");
    assert!(stdout.contains("verdict           OK"), "{stdout}");
    // A wrong secret gets nothing approved: the verdict fails and the exit code says so.
    let out = axon()
        .args([
            "loadtest",
            "--url",
            &server.base,
            "--admin-key",
            ADMIN_KEY,
            "--jwt-secret",
            "wrong",
            "--users",
            "5",
            "--stock",
            "5",
            "--ramp-secs",
            "0.2",
            "--hold-secs",
            "0.3",
            "--decay-secs",
            "0.1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
