//! A throwaway ClickHouse server (Debian's `clickhouse-server`, 18.16 here) shared by the tests
//! of one process: its own config (HTTP and native ports free on 127.0.0.1, data, tmp and
//! user-file paths in a temp dir, a passwordless `default` user on loopback only — the package's
//! `/etc/clickhouse-server` is not read), started under a guard that stops it by PID and
//! removes the directory when the test process ends. Each test takes a fresh database.

use super::{free_port, or_skip, spawn_guard, stop_guard, temp_dir, Guard};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct ClickHouse {
    /// The HTTP interface (what Axon's adapter talks to).
    pub http_port: u16,
    /// The native protocol (what `clickhouse-client` talks to).
    pub tcp_port: u16,
    pub pid: u32,
    dir: PathBuf,
    client: PathBuf,
    guard: Mutex<Option<Guard>>,
    next_db: AtomicU32,
}

impl ClickHouse {
    /// `http://127.0.0.1:PORT` of the HTTP interface.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A new, empty database; its name.
    pub fn database(&self, prefix: &str) -> String {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let name = super::database_name(prefix, n);
        let out = self
            .client_query(&format!("CREATE DATABASE {name}"))
            .expect("clickhouse-client runs");
        assert!(out.0, "CREATE DATABASE {name}: {}", out.1);
        name
    }

    /// Runs one query with `clickhouse-client`; (succeeded, stdout or stderr).
    pub fn client_query(&self, sql: &str) -> Result<(bool, String), String> {
        let out = Command::new(&self.client)
            .args(["--host", "127.0.0.1", "--port", &self.tcp_port.to_string()])
            .args(["--query", sql])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", self.client.display()))?;
        Ok(if out.status.success() {
            (true, String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            (false, String::from_utf8_lossy(&out.stderr).into_owned())
        })
    }

    /// Stops the server by its PID; the guard removes the directory.
    pub fn stop(&self) {
        stop_guard(&self.guard);
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The shared ClickHouse server of this test process, started on first use; `None` (after
/// printing why) when it is not installed and CI is not set.
pub fn clickhouse(test: &str) -> Option<&'static ClickHouse> {
    static CH: OnceLock<Result<ClickHouse, String>> = OnceLock::new();
    or_skip(
        test,
        "ClickHouse",
        CH.get_or_init(start).as_ref().map_err(Clone::clone),
    )
}

/// The installed server and client binaries.
pub fn clickhouse_bins() -> Result<(PathBuf, PathBuf), String> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            ["/usr/sbin", "/usr/bin", "/usr/local/bin"]
                .iter()
                .map(|d| Path::new(d).join(n))
                .find(|p| p.exists())
        })
    };
    let server = find(&["clickhouse-server"]).ok_or(
        "ClickHouse is not installed (no clickhouse-server; apt-get install clickhouse-server)",
    )?;
    let client = find(&["clickhouse-client"])
        .ok_or("no clickhouse-client (apt-get install clickhouse-client)")?;
    Ok((server, client))
}

/// The server's own config: ports, paths, and a `default` user on loopback only. The element
/// names are the ones 18.16 reads and current servers still accept.
pub fn config(dir: &Path, http_port: u16, tcp_port: u16) -> String {
    let d = dir.display();
    format!(
        r#"<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog></logger>
  <http_port>{http_port}</http_port>
  <tcp_port>{tcp_port}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
"#
    )
}

fn start() -> Result<ClickHouse, String> {
    let (server, client) = clickhouse_bins()?;
    let (http_port, tcp_port) = (free_port()?, free_port()?);
    let dir = temp_dir("axon-clickhouse")?;
    std::fs::write(dir.join("config.xml"), config(&dir, http_port, tcp_port))
        .map_err(|e| format!("writing the ClickHouse config: {e}"))?;
    let script = format!(
        r#"cd "{dir}" || exit 1
"{server}" --config-file="{dir}/config.xml" >> console.log 2>&1 &
PID=$!
echo "pid $PID"
read _ || true
kill -TERM $PID 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  kill -0 $PID 2>/dev/null || break
  sleep 0.5
done
kill -KILL $PID 2>/dev/null
wait $PID 2>/dev/null
cd / && rm -rf "{dir}"
"#,
        dir = dir.display(),
        server = server.display(),
    );
    let (guard, pid) = spawn_guard(script, "ClickHouse")?;
    let ch = ClickHouse {
        http_port,
        tcp_port,
        pid,
        dir: dir.clone(),
        client,
        guard: Mutex::new(Some(guard)),
        next_db: AtomicU32::new(1),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", http_port)).is_ok()
            && ch.client_query("SELECT 1").is_ok_and(|(ok, _)| ok)
        {
            return Ok(ch);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = ["console.log", "error.log"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .collect::<Vec<_>>()
        .join("\n");
    ch.stop();
    Err(format!(
        "ClickHouse on port {http_port} did not answer within 60 s: {log}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clickhouse_starts_takes_databases_and_stops_by_pid() {
        let test = "testdb::clickhouse_starts_takes_databases_and_stops_by_pid";
        let Some(ch) = or_skip(test, "ClickHouse", start()) else {
            return;
        };
        let db = ch.database("harness");
        let (ok, out) = ch
            .client_query(&format!(
                "SELECT name FROM system.databases WHERE name = '{db}'"
            ))
            .unwrap();
        assert!(ok && out.trim() == db, "{out}");
        let (pid, dir) = (ch.pid, ch.dir().to_path_buf());
        assert!(Path::new(&format!("/proc/{pid}")).exists());
        drop(ch);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "ClickHouse still runs"
        );
        assert!(!dir.exists(), "ClickHouse left its directory");
    }
}
