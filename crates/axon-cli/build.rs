//! Decides, when the test binary is built, whether the browser test can run here: without
//! Debian's chromium, node or `tests/ui/node_modules/playwright-core` the test is compiled as
//! `#[ignore]`, so the skip shows on cargo's summary line ("1 ignored") instead of passing.
//! Likewise the MCP test without python3 and its `mcp` package, and the schema fuzz without
//! python3 and `schemathesis`. Under `CI=true` neither is
//! ever ignored: there a missing prerequisite fails the run.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(axon_no_browser)");
    println!("cargo::rustc-check-cfg=cfg(axon_no_mcp_client)");
    println!("cargo::rustc-check-cfg=cfg(axon_no_schemathesis)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    // Installing chromium or running `npm ci` changes these directories.
    println!("cargo::rerun-if-changed=/usr/bin");
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ui");
    println!("cargo::rerun-if-changed={}", ui.display());
    println!(
        "cargo::rerun-if-changed={}",
        ui.join("node_modules").display()
    );
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let node = Command::new("node").arg("--version").output().is_ok();
    let ready = Path::new("/usr/bin/chromium").exists()
        && node
        && ui.join("node_modules/playwright-core").exists();
    if !ready && !ci {
        println!("cargo::rustc-cfg=axon_no_browser");
    }
    let mcp = Command::new("python3")
        .args(["-c", "import mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !mcp && !ci {
        println!("cargo::rustc-cfg=axon_no_mcp_client");
    }
    let schemathesis = Command::new("python3")
        .args(["-c", "import schemathesis"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !schemathesis && !ci {
        println!("cargo::rustc-cfg=axon_no_schemathesis");
    }
}
