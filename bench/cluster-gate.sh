#!/usr/bin/env bash
# The FCFS gate herd (`axon loadtest`, 5,000 virtual users, stock 100, gate only) against one
# embedded node, one node on PostgreSQL + Redis, three such nodes (scripts/cluster.sh), and one
# and three nodes with the FCFS commands through Kafka (scripts/cluster.sh --kafka), in one run;
# then redis-benchmark EVALSHA of the gate's own admit script on the cluster's Redis as
# the ceiling. Figures for BENCHMARKS.md; nothing is asserted beyond the loadtest's verdict.
#
#   bench/cluster-gate.sh [USERS]      (AXON_BIN defaults to target/release/axon)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${1:-5000}"
BIN="${AXON_BIN:-${CARGO_TARGET_DIR:-target}/release/axon}"
[ -x "$BIN" ] || { echo "build first: cargo build --release (or set AXON_BIN)" >&2; exit 1; }
# One client address opens USERS connections: lift the per-address cap (AXON_MAX_CONNECTIONS_PER_IP).
export AXON_MAX_CONNECTIONS_PER_IP=0
export AXON_BIN="$BIN" AXON_LOG=warn AXON_ADMIN_KEY=bench-admin-key-0123 AXON_JWT_SECRET=bench-jwt-secret
WORK=$(mktemp -d)
trap 'for c in c1 c3 k1 k3; do scripts/cluster.sh down --dir "$WORK/$c" >/dev/null 2>&1 || true; done; [ -n "${EMB:-}" ] && kill "$EMB" 2>/dev/null; rm -rf "$WORK"' EXIT
herd() { "$BIN" loadtest --url "$1" --admin-key "$AXON_ADMIN_KEY" --jwt-secret "$AXON_JWT_SECRET" \
  --users "$USERS" --stock 100 --no-track; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "### embedded (SQLite, in-process ledger), 1 node"
P=$(port)
"$BIN" --data-dir "$WORK/emb" serve --listen "127.0.0.1:$P" >"$WORK/emb.log" 2>&1 &
EMB=$!
until grep -q "axon serving on" "$WORK/emb.log"; do sleep 0.2; done
herd "http://127.0.0.1:$P"
kill "$EMB"; wait "$EMB" 2>/dev/null || true; EMB=

echo "### PostgreSQL + Redis, 1 node"
scripts/cluster.sh up --nodes 1 --dir "$WORK/c1" >/dev/null
herd "$(sed -n 's/^AXON_CLUSTER_URLS=//p' "$WORK/c1/cluster.env")"
scripts/cluster.sh down --dir "$WORK/c1" >/dev/null

echo "### PostgreSQL + Redis, 3 nodes"
scripts/cluster.sh up --nodes 3 --dir "$WORK/c3" >/dev/null
herd "$(sed -n 's/^AXON_CLUSTER_URLS=//p' "$WORK/c3/cluster.env")"

echo "### Kafka + PostgreSQL + Redis, 1 node (FCFS commands through the broker)"
scripts/cluster.sh up --nodes 1 --kafka --dir "$WORK/k1" >/dev/null
herd "$(sed -n 's/^AXON_CLUSTER_URLS=//p' "$WORK/k1/cluster.env")"
scripts/cluster.sh down --dir "$WORK/k1" >/dev/null

echo "### Kafka + PostgreSQL + Redis, 3 nodes (FCFS commands through the broker)"
scripts/cluster.sh up --nodes 3 --kafka --dir "$WORK/k3" >/dev/null
herd "$(sed -n 's/^AXON_CLUSTER_URLS=//p' "$WORK/k3/cluster.env")"
scripts/cluster.sh down --dir "$WORK/k3" >/dev/null

echo "### redis-benchmark: EVALSHA of the gate's admit script (AOF appendfsync always), 50 clients"
RP=$(sed -n 's|^AXON_REDIS_URL=redis://127.0.0.1:\([0-9]*\)/0|\1|p' "$WORK/c3/cluster.env")
SHA=$(cat crates/axon-redis/src/lua/prelude.lua <(echo) crates/axon-redis/src/lua/admit.lua |
  redis-cli -p "$RP" -x SCRIPT LOAD)
# prefix, activity, user, units, limit, now, lease: every call admits a new person to a big stock.
redis-benchmark -p "$RP" -n 200000 -c 50 -r 100000000 -q \
  EVALSHA "$SHA" 0 axon: 999999 u__rand_int__ 1 1000000000 1000 31000 | tr '\r' '\n' | tail -n 1
