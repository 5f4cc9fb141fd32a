//! Throwaway database servers for tests: a PostgreSQL 15+ cluster (`initdb` + `postgres`, run
//! as the `postgres` user when the tests run as root) and a MariaDB server
//! (`mariadb-install-db` + `mariadbd`), each in its own temp directory on a free 127.0.0.1
//! port, one per test process, shared by its tests (each test takes a fresh database); and a
//! Redis server (`redis-server`, no persistence) per test, which a test may restart empty; and a
//! Kafka-protocol broker (tansu, durable) per test, which a test may kill and restart ([`kafka`]);
//! and a ClickHouse server per test process, each test in its own database ([`clickhouse`]).
//!
//! Every server runs under a small `sh` guard that holds the test process's pipe: when the test
//! process ends — normally, by a panic, or killed — the pipe closes and the guard stops the
//! server by its PID and removes the directory, so no server outlives its tests. [`Server`]'s
//! `Drop` does the same at once.
//!
//! Without the server binaries a test calls [`postgres`]/[`mariadb`], gets `None` and prints
//! `SKIPPED <test>: <reason>` — never a silent pass; with `CI=true` a missing server panics, so
//! CI cannot go green without having run them.

mod clickhouse;
mod guard;
mod kafka;
pub use clickhouse::{clickhouse, clickhouse_bins, ClickHouse};
use guard::{or_skip, spawn_guard, stop_guard, Guard};
pub use kafka::{kafka, tansu_bin, Broker};

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    MariaDb,
}

/// A running server: where it listens and how to make databases on it.
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub pid: u32,
    dir: PathBuf,
    /// Tools of the server's installation (`createdb`, `mariadb`).
    bin: PathBuf,
    guard: Mutex<Option<(Child, ChildStdin)>>,
    next_db: AtomicU32,
}

impl Server {
    /// A new, empty database on this server and its URL (`postgres://…` / `mysql://…`).
    pub fn database(&self, prefix: &str) -> String {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let name = database_name(prefix, n);
        match self.kind {
            Kind::Postgres => {
                run(Command::new(self.bin.join("createdb")).args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                    &name,
                ]));
                format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
            }
            Kind::MariaDb => {
                run(Command::new(&self.bin).args([
                    "-h",
                    "127.0.0.1",
                    "-P",
                    &self.port.to_string(),
                    "-u",
                    "root",
                    "-e",
                    &format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
                ]));
                format!("mysql://root@127.0.0.1:{}/{name}", self.port)
            }
        }
    }

    /// Stops the server by its PID (fast shutdown) and waits for the guard to clean up.
    pub fn stop(&self) {
        let Some((mut child, stdin)) = self.guard.lock().ok().and_then(|mut g| g.take()) else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        drop(stdin);
        let _ = child.wait();
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The shared PostgreSQL server of this test process, started on first use; `None` (after
/// printing why) when PostgreSQL is not installed and CI is not set.
pub fn postgres(test: &str) -> Option<&'static Server> {
    static PG: OnceLock<Result<Server, String>> = OnceLock::new();
    shared(&PG, test, "PostgreSQL", start_postgres)
}

/// The shared MariaDB server of this test process (see [`postgres`]).
pub fn mariadb(test: &str) -> Option<&'static Server> {
    static MARIA: OnceLock<Result<Server, String>> = OnceLock::new();
    shared(&MARIA, test, "MariaDB", start_mariadb)
}

fn shared(
    cell: &'static OnceLock<Result<Server, String>>,
    test: &str,
    what: &str,
    start: fn() -> Result<Server, String>,
) -> Option<&'static Server> {
    or_skip(
        test,
        what,
        cell.get_or_init(start).as_ref().map_err(Clone::clone),
    )
}

/// The newest PostgreSQL ≥ 15 under /usr/lib/postgresql (Debian's layout), or `AXON_TEST_PG_BIN`.
fn postgres_bin() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("AXON_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed (no /usr/lib/postgresql)".to_string())?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|v| *v >= 15)
        .collect();
    versions.sort_unstable();
    let v = versions
        .last()
        .ok_or("no PostgreSQL 15 or newer under /usr/lib/postgresql")?;
    let bin = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
    if bin.join("postgres").exists() && bin.join("initdb").exists() {
        Ok(bin)
    } else {
        Err(format!("{} has no postgres/initdb", bin.display()))
    }
}

fn start_postgres() -> Result<Server, String> {
    let bin = postgres_bin()?;
    let port = free_port()?;
    let dir = temp_dir("axon-pg")?;
    let mut cmd = Command::new("sh");
    // As root, the cluster belongs to the `postgres` user (postgres refuses to run as root).
    if is_root() {
        let (uid, gid) =
            user_ids("postgres").ok_or("running as root but there is no postgres user")?;
        chown(&dir, uid, gid)?;
        cmd.uid(uid).gid(gid);
    }
    let script = format!(
        r#"set -e
D="{dir}"
"{bin}/initdb" -D "$D/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$D/initdb.log" 2>&1
"{bin}/postgres" -D "$D/data" -p {port} -k "$D" -c listen_addresses=127.0.0.1 -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 >"$D/server.log" 2>&1 &
PID=$!
echo "pid $PID"
read _ || true
kill -TERM $PID 2>/dev/null || true
wait $PID 2>/dev/null || true
rm -rf "$D"
"#,
        dir = dir.display(),
        bin = bin.display(),
    );
    let server = guard(
        cmd.arg("-c").arg(script),
        Kind::Postgres,
        port,
        dir.clone(),
        bin.clone(),
    )?;
    wait_ready(&server, || {
        Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    })?;
    Ok(server)
}

fn start_mariadb() -> Result<Server, String> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]
                .iter()
                .map(|d| Path::new(d).join(n))
                .find(|p| p.exists())
        })
    };
    let server_bin = find(&["mariadbd", "mysqld"])
        .ok_or("MariaDB is not installed (no mariadbd; apt-get install mariadb-server)")?;
    let install =
        find(&["mariadb-install-db", "mysql_install_db"]).ok_or("no mariadb-install-db")?;
    let client = find(&["mariadb", "mysql"]).ok_or("no mariadb client")?;
    let port = free_port()?;
    let dir = temp_dir("axon-maria")?;
    let user = if is_root() { "--user=root" } else { "" };
    let script = format!(
        r#"set -e
D="{dir}"
"{install}" --no-defaults --datadir="$D/data" --auth-root-authentication-method=normal --skip-test-db {user} >"$D/install.log" 2>&1
"{server}" --no-defaults --datadir="$D/data" --port={port} --socket="$D/mysql.sock" --pid-file="$D/mysqld.pid" \
  --bind-address=127.0.0.1 {user} --skip-log-bin --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=128M \
  --max-connections=200 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin >"$D/server.log" 2>&1 &
PID=$!
echo "pid $PID"
read _ || true
kill -TERM $PID 2>/dev/null || true
wait $PID 2>/dev/null || true
rm -rf "$D"
"#,
        dir = dir.display(),
        install = install.display(),
        server = server_bin.display(),
    );
    let server = guard(
        Command::new("sh").arg("-c").arg(script),
        Kind::MariaDb,
        port,
        dir,
        client.clone(),
    )?;
    wait_ready(&server, || {
        Command::new(&client)
            .args([
                "-h",
                "127.0.0.1",
                "-P",
                &port.to_string(),
                "-u",
                "root",
                "-e",
                "SELECT 1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })?;
    Ok(server)
}

/// Starts the guard script and reads the server's PID from it.
fn guard(
    cmd: &mut Command,
    kind: Kind,
    port: u16,
    dir: PathBuf,
    bin: PathBuf,
) -> Result<Server, String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start sh: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let pid: u32 = match line
        .trim()
        .strip_prefix("pid ")
        .and_then(|p| p.parse().ok())
    {
        Some(p) => p,
        None => {
            let _ = child.wait();
            let logs = ["initdb.log", "install.log", "server.log"]
                .iter()
                .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
                .collect::<Vec<_>>()
                .join("\n");
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!("{kind:?} failed to initialise: {logs}"));
        }
    };
    Ok(Server {
        kind,
        port,
        pid,
        dir,
        bin,
        guard: Mutex::new(Some((child, stdin))),
        next_db: AtomicU32::new(1),
    })
}

fn wait_ready(server: &Server, ready: impl Fn() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", server.port)).is_ok() && ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
    server.stop();
    Err(format!(
        "{:?} did not become ready within 60 s: {log}",
        server.kind
    ))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `n`-th database of this process for `prefix`: letters, digits and `_` only, short enough
/// for every server (PostgreSQL and MariaDB cap names at 63/64 characters).
fn database_name(prefix: &str, n: u32) -> String {
    let mut prefix: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    prefix.truncate(40);
    format!("{prefix}_{}_{n}", std::process::id())
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn temp_dir(prefix: &str) -> Result<PathBuf, String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name) && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

fn chown(dir: &Path, uid: u32, gid: u32) -> Result<(), String> {
    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
        .map_err(|e| format!("chown {}: {e}", dir.display()))
}

/// A Redis server of one test (see [`redis`]): no persistence, so [`RedisServer::restart_empty`]
/// comes back with nothing — as a Redis without AOF does after a crash.
pub struct RedisServer {
    pub port: u16,
    pid: AtomicU32,
    dir: PathBuf,
    guard: Mutex<Option<Guard>>,
}

impl RedisServer {
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.pid.load(Ordering::Relaxed)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server (`kill -9`) and starts a new, empty one on the same port; returns once
    /// it answers `PING`.
    pub fn restart_empty(&self) {
        use std::io::Write;
        let mut g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        let (_, stdin, out) = g.as_mut().expect("the Redis server runs");
        stdin
            .write_all(b"restart\n")
            .expect("the Redis guard listens");
        stdin.flush().expect("the Redis guard listens");
        let pid = read_pid(out).expect("the Redis guard restarted the server");
        self.pid.store(pid, Ordering::Relaxed);
        drop(g);
        redis_ready(self.port).expect("the restarted Redis answers");
    }

    /// Stops the server by its PID and waits for the guard to clean up.
    pub fn stop(&self) {
        stop_guard(&self.guard);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_pid(out: &mut impl BufRead) -> Option<u32> {
    let mut line = String::new();
    out.read_line(&mut line).ok()?;
    line.trim().strip_prefix("pid ")?.parse().ok()
}

fn redis_ready(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let pong = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "PING"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "PONG");
        if pong {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "Redis on port {port} did not answer PING within 30 s"
    ))
}

/// A fresh Redis server for this test; `None` (after printing why) when `redis-server` is not
/// installed and CI is not set.
pub fn redis(test: &str) -> Option<RedisServer> {
    or_skip(test, "Redis", start_redis())
}

fn start_redis() -> Result<RedisServer, String> {
    let bin = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or("Redis is not installed (no redis-server; apt-get install redis-server)")?;
    if Command::new("redis-cli").arg("--version").output().is_err() {
        return Err("no redis-cli (apt-get install redis-tools)".into());
    }
    let port = free_port()?;
    let dir = temp_dir("axon-redis")?;
    // The guard restarts the server on a `restart` line and stops it when its stdin closes.
    let script = format!(
        r#"D="{dir}"
start() {{
  "{bin}" --bind 127.0.0.1 --port {port} --dir "$D" --save '' --appendonly no \
    --protected-mode no --daemonize no --logfile "$D/server.log" &
  PID=$!
  echo "pid $PID"
}}
start
while read cmd; do
  [ "$cmd" = restart ] || break
  kill -KILL $PID 2>/dev/null
  wait $PID 2>/dev/null
  start
done
kill -TERM $PID 2>/dev/null
wait $PID 2>/dev/null
rm -rf "$D"
"#,
        dir = dir.display(),
        bin = bin.display(),
    );
    let (guard, pid) = spawn_guard(script, "Redis")?;
    let server = RedisServer {
        port,
        pid: AtomicU32::new(pid),
        dir,
        guard: Mutex::new(Some(guard)),
    };
    if let Err(e) = redis_ready(port) {
        let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
        return Err(format!("{e}: {log}"));
    }
    Ok(server)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_start_take_databases_and_stop_by_pid() {
        for (kind, start) in [
            (Kind::Postgres, start_postgres as fn() -> _),
            (Kind::MariaDb, start_mariadb),
        ] {
            let server = match start() {
                Ok(s) => s,
                Err(reason) => {
                    assert!(
                        std::env::var("CI").map_or(true, |v| v != "true"),
                        "{kind:?}: {reason}"
                    );
                    println!(
                        "SKIPPED servers_start_take_databases_and_stop_by_pid ({kind:?}): {reason}"
                    );
                    continue;
                }
            };
            let url = server.database("harness");
            assert!(url.contains(&format!(":{}/", server.port)), "{url}");
            let pid = server.pid;
            let dir = server.dir().to_path_buf();
            assert!(Path::new(&format!("/proc/{pid}")).exists());
            drop(server);
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "{kind:?} still runs"
            );
            assert!(!dir.exists(), "{kind:?} left its directory");
        }
    }

    #[test]
    fn redis_starts_restarts_empty_and_stops_by_pid() {
        let Some(server) = redis("testdb::redis_starts_restarts_empty_and_stops_by_pid") else {
            return;
        };
        let cli = |args: &[&str]| {
            let out = Command::new("redis-cli")
                .args(["-p", &server.port.to_string()])
                .args(args)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        assert_eq!(cli(&["SET", "k", "v"]), "OK");
        assert_eq!(cli(&["GET", "k"]), "v");
        let first = server.pid();
        server.restart_empty();
        assert_ne!(server.pid(), first);
        assert!(
            !Path::new(&format!("/proc/{first}")).exists(),
            "the old server still runs"
        );
        assert_eq!(cli(&["GET", "k"]), "", "a restarted Redis is empty");
        let (pid, dir) = (server.pid(), server.dir().to_path_buf());
        drop(server);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "Redis still runs"
        );
        assert!(!dir.exists(), "Redis left its directory");
    }
}
