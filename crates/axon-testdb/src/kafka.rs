//! A Kafka-protocol broker per test: tansu (Apache-2.0, written in Rust), on a free 127.0.0.1
//! port with durable storage (`--storage-engine sqlite://tansu.db` in its own temp dir, so a
//! [`Broker::restart`] after `kill -9` comes back with every acknowledged message).
//!
//! The binary: `AXON_TANSU` if set, else `../shared/bin/tansu` beside the repository, else the
//! one `.ci/run` installs into `~/.cache/axon/tansu` (`cargo install tansu --version 0.6.0
//! --locked --features dynostore,libsql`). Without one: `SKIPPED …`, or a panic under `CI=true`.

use super::{free_port, or_skip, read_pid, spawn_guard, stop_guard, temp_dir, Guard};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Broker {
    pub port: u16,
    pid: AtomicU32,
    dir: PathBuf,
    guard: Mutex<Option<Guard>>,
}

impl Broker {
    /// `host:port` for `bootstrap.servers`.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.pid.load(Ordering::Relaxed)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the broker (`kill -9`) and starts it again on the same port and storage file;
    /// returns once it accepts connections.
    pub fn restart(&self) {
        self.kill();
        self.start_again();
    }

    /// Kills the broker (`kill -9`) and leaves it down until [`Broker::start_again`].
    pub fn kill(&self) {
        use std::io::Write;
        let mut g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        let (_, stdin, _) = g.as_mut().expect("the broker's guard runs");
        stdin
            .write_all(b"kill\n")
            .expect("the broker's guard listens");
        stdin.flush().expect("the broker's guard listens");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the killed broker again on the same port and storage file.
    pub fn start_again(&self) {
        use std::io::Write;
        let mut g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        let (_, stdin, out) = g.as_mut().expect("the broker's guard runs");
        stdin
            .write_all(b"start\n")
            .expect("the broker's guard listens");
        stdin.flush().expect("the broker's guard listens");
        let pid = read_pid(out).expect("the guard started the broker again");
        self.pid.store(pid, Ordering::Relaxed);
        drop(g);
        ready(self.port, &self.dir).expect("the restarted broker accepts connections");
    }

    /// Stops the broker by its PID and waits for the guard to remove its directory.
    pub fn stop(&self) {
        stop_guard(&self.guard);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The tansu binary, or why there is none.
pub fn tansu_bin() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("AXON_TANSU") {
        candidates.push(PathBuf::from(p));
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    candidates.push(repo.join("../shared/bin/tansu"));
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(PathBuf::from(home).join(".cache/axon/tansu/bin/tansu"));
    }
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "no tansu broker (looked at {}; .ci/run installs it)",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// A fresh broker for this test; `None` (after printing why) without a tansu binary and CI
/// not set.
pub fn kafka(test: &str) -> Option<Broker> {
    or_skip(test, "Kafka", start())
}

fn start() -> Result<Broker, String> {
    let bin = tansu_bin()?;
    let port = free_port()?;
    let dir = temp_dir("axon-kafka")?;
    // The guard kills the broker on `kill`, starts it again on `start`, and stops it (and
    // removes the directory) when its stdin closes — when the test process ends, however.
    let script = format!(
        r#"cd "{dir}" || exit 1
start() {{
  "{bin}" broker --listener-url tcp://127.0.0.1:{port} \
    --advertised-listener-url tcp://127.0.0.1:{port} \
    --storage-engine sqlite://tansu.db >> server.log 2>&1 &
  PID=$!
  echo "pid $PID"
}}
start
while read cmd; do
  case "$cmd" in
    kill) kill -KILL $PID 2>/dev/null; wait $PID 2>/dev/null ;;
    start) start ;;
    *) break ;;
  esac
done
kill -KILL $PID 2>/dev/null
wait $PID 2>/dev/null
cd / && rm -rf "{dir}"
"#,
        dir = dir.display(),
        bin = bin.display(),
    );
    let (guard, pid) = spawn_guard(script, "broker's")?;
    let broker = Broker {
        port,
        pid: AtomicU32::new(pid),
        dir: dir.clone(),
        guard: Mutex::new(Some(guard)),
    };
    ready(port, &dir)?;
    Ok(broker)
}

fn ready(port: u16, dir: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    Err(format!(
        "tansu on port {port} did not listen within 30 s: {log}"
    ))
}
