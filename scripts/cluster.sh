#!/usr/bin/env bash
# A local Axon cluster in one command: PostgreSQL, Redis and N `axon serve` nodes on free
# 127.0.0.1 ports, in one state directory, every PID recorded, so `down` stops exactly what `up`
# started.
#
#   scripts/cluster.sh up [--nodes N] [--dir DIR] [--kafka] [--clickhouse]
#                                                   start (default 3 nodes, DIR /tmp/axon-cluster);
#                                                   --kafka adds a Kafka-protocol broker (tansu),
#                                                   --clickhouse a ClickHouse server
#   scripts/cluster.sh status [--dir DIR]           what runs, with URLs
#   scripts/cluster.sh down [--dir DIR] [--keep]    stop it (and delete DIR unless --keep)
#
# The nodes run `$AXON_BIN` (default: `cargo build --release` here, then target/release/axon).
# Any AXON_* variable in the caller's environment reaches every node (e.g. AXON_APPROVAL_TTL);
# the script sets the shared ones itself: AXON_DATABASE_URL, AXON_REDIS_URL, AXON_ADMIN_KEY,
# AXON_JWT_SECRET, AXON_SESSION_SECRET (the last three generated unless already set).
# `up` prints the URLs and keys and writes them to DIR/cluster.env (shell syntax, mode 0600).
# PostgreSQL keeps its defaults (fsync on); Redis runs with AOF `appendfsync always`, the setting
# the README's Scale-out section recommends for the gate. With --kafka, tansu (`$AXON_TANSU`, else
# ../shared/bin/tansu, else ~/.cache/axon/tansu/bin/tansu) keeps its log in DIR/kafka/tansu.db
# (durable across a restart) and every node gets AXON_KAFKA_BROKERS. With --clickhouse, Debian's
# clickhouse-server runs with its own config and data in DIR/clickhouse (HTTP and native ports
# free on 127.0.0.1) and every node gets AXON_CLICKHOUSE_URL (export AXON_ANALYTICS=clickhouse
# to have it answer the dashboards).
set -Eeuo pipefail

cmd="${1:-}"
[ $# -gt 0 ] && shift
NODES=3
DIR="${AXON_CLUSTER_DIR:-${TMPDIR:-/tmp}/axon-cluster}"
KEEP=0
KAFKA=0
CLICKHOUSE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --kafka) KAFKA=1; shift ;;
    --clickhouse) CLICKHOUSE=1; shift ;;
    *) echo "cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$NODES" in '' | *[!0-9]*) echo "cluster.sh: --nodes takes a number" >&2; exit 2 ;; esac

die() { echo "cluster.sh: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

record() { echo "$1 $2" >>"$DIR/pids"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { echo "cluster.sh: $what did not come up within ${secs}s" >&2; return 1; }
    sleep 0.2
  done
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

up() {
  [ -e "$DIR/pids" ] && die "a cluster is already recorded in $DIR (scripts/cluster.sh down --dir $DIR)"
  [ "$NODES" -ge 1 ] || die "--nodes must be at least 1"
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pgbin" ] && [ -x "$pgbin/postgres" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
  local bin="${AXON_BIN:-}"
  if [ -z "$bin" ]; then
    local here; here="$(cd "$(dirname "$0")/.." && pwd)"
    (cd "$here" && cargo build --release -q)
    bin="${CARGO_TARGET_DIR:-$here/target}/release/axon"
  fi
  [ -x "$bin" ] || die "no axon binary at $bin"
  mkdir -p "$DIR"
  : >"$DIR/pids"
  trap 'echo "cluster.sh: up failed (line $LINENO); stopping what started" >&2; down_recorded; exit 1' ERR

  # PostgreSQL: its own cluster. As root it runs as `postgres`, which may not be able to reach
  # DIR (a 0700 temp dir), so its directory is then a temp dir of its own, recorded in DIR/pgdir.
  local pgport pg; pgport=$(free_port)
  if [ "$(id -u)" = 0 ]; then
    pg=$(mktemp -d "${TMPDIR:-/tmp}/axon-cluster-pg.XXXXXX")
    chown postgres: "$pg"
  else
    pg="$DIR/pg"; mkdir -p "$pg"
  fi
  echo "$pg" >"$DIR/pgdir"
  as_pg "$pgbin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --locale=C >"$DIR/pg-initdb.log" 2>&1 ||
    { cat "$DIR/pg-initdb.log" >&2; die "initdb failed"; }
  as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
    -o "-p $pgport -k $pg -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null ||
    { cat "$pg/server.log" >&2; die "PostgreSQL did not start"; }
  record postgres "$(head -1 "$pg/data/postmaster.pid")"
  as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres axon

  # Redis: AOF with fsync on every write.
  local rport; rport=$(free_port)
  mkdir -p "$DIR/redis"
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$DIR/redis" --appendonly yes \
    --appendfsync always --save "" --daemonize yes --pidfile "$DIR/redis/redis.pid" \
    --logfile "$DIR/redis/redis.log"
  wait_for 20 "Redis" test -s "$DIR/redis/redis.pid"
  record redis "$(cat "$DIR/redis/redis.pid")"
  wait_for 20 "Redis" redis-cli -p "$rport" ping

  # Kafka (tansu): durable storage in DIR/kafka (its sqlite path is relative to its cwd).
  if [ "$KAFKA" = 1 ]; then
    local tansu="${AXON_TANSU:-}" here kport
    here="$(cd "$(dirname "$0")/.." && pwd)"
    [ -n "$tansu" ] || for c in "$here/../shared/bin/tansu" "$HOME/.cache/axon/tansu/bin/tansu"; do
      [ -x "$c" ] && { tansu="$c"; break; }
    done
    [ -n "$tansu" ] && [ -x "$tansu" ] || die "no tansu broker (set AXON_TANSU; .ci/run shows how to build it)"
    kport=$(free_port)
    mkdir -p "$DIR/kafka"
    (cd "$DIR/kafka" && exec "$tansu" broker --listener-url "tcp://127.0.0.1:$kport" \
      --advertised-listener-url "tcp://127.0.0.1:$kport" --storage-engine sqlite://tansu.db \
      >"$DIR/kafka/tansu.log" 2>&1) &
    record kafka "$!"
    wait_for 30 "the Kafka broker" bash -c "exec 3<>/dev/tcp/127.0.0.1/$kport"
    export AXON_KAFKA_BROKERS="127.0.0.1:$kport"
  fi

  # ClickHouse: its own config (ports, paths, a passwordless default user on loopback).
  if [ "$CLICKHOUSE" = 1 ]; then
    command -v clickhouse-server >/dev/null || die "no clickhouse-server (apt-get install clickhouse-server clickhouse-client)"
    local chttp ctcp cdir="$DIR/clickhouse"
    chttp=$(free_port); ctcp=$(free_port)
    mkdir -p "$cdir"
    cat >"$cdir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$cdir/server.log</log><errorlog>$cdir/error.log</errorlog></logger>
  <http_port>$chttp</http_port>
  <tcp_port>$ctcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$cdir/data/</path>
  <tmp_path>$cdir/tmp/</tmp_path>
  <user_files_path>$cdir/user_files/</user_files_path>
  <format_schema_path>$cdir/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
EOF
    (cd "$cdir" && exec clickhouse-server --config-file="$cdir/config.xml" >"$cdir/console.log" 2>&1) &
    record clickhouse "$!"
    wait_for 60 "ClickHouse" curl -sf "http://127.0.0.1:$chttp/ping"
    export AXON_CLICKHOUSE_URL="http://127.0.0.1:$chttp"
    CLICKHOUSE_TCP_PORT="$ctcp"
  fi

  export AXON_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/axon"
  export AXON_REDIS_URL="redis://127.0.0.1:$rport/0"
  export AXON_ADMIN_KEY="${AXON_ADMIN_KEY:-axk_cluster_$(secret)}"
  export AXON_JWT_SECRET="${AXON_JWT_SECRET:-$(secret)}"
  export AXON_SESSION_SECRET="${AXON_SESSION_SECRET:-$(secret)$(secret)}"

  # Nodes: the first alone (it applies the migrations), then the others together.
  local urls=() i port
  start_node() {
    local i="$1" port="$2"
    mkdir -p "$DIR/node$i"
    "$bin" --data-dir "$DIR/node$i" serve --listen "127.0.0.1:$port" >"$DIR/node$i.log" 2>&1 &
    record "node$i" "$!"
  }
  # A free port can be taken by another process before the node binds it: a node that reports
  # its address in use is started again on another port (at most 3 times).
  node_up() { grep -q "axon serving on" "$DIR/node$1.log" || grep -q "Address already in use" "$DIR/node$1.log"; }
  serve_node() {
    local i="$1" tries
    for tries in 1 2 3; do
      wait_for 120 "node$i" node_up "$i" || { cat "$DIR/node$i.log" >&2; return 1; }
      grep -q "axon serving on" "$DIR/node$i.log" && return 0
      port=$(free_port)
      start_node "$i" "$port"
      urls[$((i - 1))]="http://127.0.0.1:$port"
    done
    cat "$DIR/node$i.log" >&2
    return 1
  }
  for i in $(seq 1 "$NODES"); do
    port=$(free_port)
    start_node "$i" "$port"
    urls+=("http://127.0.0.1:$port")
    if [ "$i" = 1 ]; then serve_node 1; fi
  done
  for i in $(seq 1 "$NODES"); do
    serve_node "$i"
  done
  trap - ERR

  local list; list=$(IFS=,; echo "${urls[*]}")
  umask 077
  cat >"$DIR/cluster.env" <<EOF
AXON_CLUSTER_URLS=$list
AXON_ADMIN_KEY=$AXON_ADMIN_KEY
AXON_JWT_SECRET=$AXON_JWT_SECRET
AXON_SESSION_SECRET=$AXON_SESSION_SECRET
AXON_DATABASE_URL=$AXON_DATABASE_URL
AXON_REDIS_URL=$AXON_REDIS_URL
EOF
  if [ "$KAFKA" = 1 ]; then echo "AXON_KAFKA_BROKERS=$AXON_KAFKA_BROKERS" >>"$DIR/cluster.env"; fi
  if [ "$CLICKHOUSE" = 1 ]; then
    printf 'AXON_CLICKHOUSE_URL=%s\nCLICKHOUSE_TCP_PORT=%s\n' "$AXON_CLICKHOUSE_URL" "$CLICKHOUSE_TCP_PORT" >>"$DIR/cluster.env"
  fi
  echo "axon cluster up in $DIR ($NODES nodes)"
  echo "  postgres   $AXON_DATABASE_URL"
  echo "  redis      $AXON_REDIS_URL"
  if [ "$KAFKA" = 1 ]; then echo "  kafka      $AXON_KAFKA_BROKERS"; fi
  if [ "$CLICKHOUSE" = 1 ]; then echo "  clickhouse $AXON_CLICKHOUSE_URL (native port $CLICKHOUSE_TCP_PORT)"; fi
  for i in $(seq 1 "$NODES"); do echo "  node$i      ${urls[$((i - 1))]}"; done
  echo "  urls       $list"
  echo "  admin key  $AXON_ADMIN_KEY"
  echo "  jwt secret $AXON_JWT_SECRET"
  echo "  env file   $DIR/cluster.env"
}

# Stops every recorded PID, newest first: TERM, then KILL after 15 s.
down_recorded() {
  [ -e "$DIR/pids" ] || return 0
  local name pid
  tac "$DIR/pids" | while read -r name pid; do
    alive "$pid" || continue
    # PostgreSQL's fast shutdown is SIGINT (SIGTERM would wait for its clients).
    if [ "$name" = postgres ]; then kill -INT "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 75); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$DIR/pids"
}

down() {
  [ -e "$DIR/pids" ] || { echo "cluster.sh: no cluster recorded in $DIR"; return 0; }
  down_recorded
  if [ "$KEEP" = 0 ]; then
    [ -s "$DIR/pgdir" ] && rm -rf "$(cat "$DIR/pgdir")"
    rm -rf "$DIR"
  fi
  echo "axon cluster in $DIR stopped"
}

status() {
  [ -e "$DIR/pids" ] || { echo "no cluster recorded in $DIR"; return 1; }
  local name pid
  while read -r name pid; do
    if alive "$pid"; then echo "$name $pid running"; else echo "$name $pid stopped"; fi
  done <"$DIR/pids"
  grep '^AXON_CLUSTER_URLS=' "$DIR/cluster.env" 2>/dev/null | sed 's/^AXON_CLUSTER_URLS=/urls /'
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
