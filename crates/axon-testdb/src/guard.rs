//! The guard processes every throwaway server runs under, and the skip-or-fail rule.

use super::read_pid;
use std::io::BufReader;
use std::process::{Child, ChildStdin, Command, Stdio};

/// The started server, or `None` after printing why the test is skipped — a panic instead
/// under `CI=true`, so CI cannot pass without the server.
pub(crate) fn or_skip<T>(test: &str, what: &str, started: Result<T, String>) -> Option<T> {
    match started {
        Ok(s) => Some(s),
        Err(reason) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: CI=true but no {what} server could be started: {reason}");
            }
            println!("SKIPPED {test}: {reason}");
            eprintln!("SKIPPED {test}: {reason}");
            None
        }
    }
}

/// A guard process (`sh -c script`) whose stdin is the test's pipe: it prints `pid N` of the
/// server it started and stops it when the pipe closes.
pub(crate) type Guard = (Child, ChildStdin, BufReader<std::process::ChildStdout>);

/// Stops a guard's server: closing its stdin makes the guard stop the server by its PID and
/// clean up; waits for the guard to finish. Idempotent.
pub(crate) fn stop_guard(guard: &std::sync::Mutex<Option<Guard>>) {
    let Some((mut child, stdin, _)) = guard.lock().ok().and_then(|mut g| g.take()) else {
        return;
    };
    drop(stdin);
    let _ = child.wait();
}

pub(crate) fn spawn_guard(script: String, what: &str) -> Result<(Guard, u32), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start sh: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let mut out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let pid = read_pid(&mut out).ok_or_else(|| format!("the {what} guard printed no PID"))?;
    Ok(((child, stdin, out), pid))
}
