#!/usr/bin/env bash
# Ingest through Kafka next to the other modes, in one run: `axon bench ingest` (batches of 100,
# closed loop) against one embedded node, one node on PostgreSQL + Redis (events stored directly),
# one node and three nodes on Kafka (tansu) + PostgreSQL + Redis (scripts/cluster.sh --kafka; three
# generators at once, one per node). Then the end-to-end lag on the 3-node cluster: one event
# posted to node 1, timed until node 2's dashboard counts it, N times. After the 3-node ingest it
# prints how far behind the sink group was and how long it took to store the rest. Figures for BENCHMARKS.md;
# nothing is asserted.
#
#   bench/cluster-ingest.sh [SECONDS] [LAG_SAMPLES]    (AXON_BIN defaults to target/release/axon)
#   ONLY_KAFKA3=1 bench/cluster-ingest.sh …            the 3-node Kafka part alone (ingest, drain, lag)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
SAMPLES="${2:-200}"
BIN="${AXON_BIN:-${CARGO_TARGET_DIR:-target}/release/axon}"
[ -x "$BIN" ] || { echo "build first: cargo build --release (or set AXON_BIN)" >&2; exit 1; }
export AXON_MAX_CONNECTIONS_PER_IP=0 AXON_RATE_LIMIT_PER_IP=0
export AXON_BIN="$BIN" AXON_LOG=warn AXON_ADMIN_KEY=bench-admin-key-0123 AXON_JWT_SECRET=bench-jwt-secret
WORK=$(mktemp -d)
trap 'for c in c1 k1 k3; do scripts/cluster.sh down --dir "$WORK/$c" >/dev/null 2>&1 || true; done; [ -n "${EMB:-}" ] && kill "$EMB" 2>/dev/null; rm -rf "$WORK"' EXIT
ingest() { "$BIN" bench ingest --url "$1" --batch 100 --concurrency 16 --duration "$SECS"; }
urls() { sed -n 's/^AXON_CLUSTER_URLS=//p' "$1/cluster.env" | tr ',' ' '; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -z "${ONLY_KAFKA3:-}" ]; then
echo "### embedded (SQLite), 1 node"
P=$(port)
"$BIN" --data-dir "$WORK/emb" serve --listen "127.0.0.1:$P" >"$WORK/emb.log" 2>&1 &
EMB=$!
until grep -q "axon serving on" "$WORK/emb.log"; do sleep 0.2; done
ingest "http://127.0.0.1:$P"
kill "$EMB"; wait "$EMB" 2>/dev/null || true; EMB=

echo "### PostgreSQL + Redis, 1 node (events stored directly)"
scripts/cluster.sh up --nodes 1 --dir "$WORK/c1" >/dev/null
ingest "$(urls "$WORK/c1")"
scripts/cluster.sh down --dir "$WORK/c1" >/dev/null

echo "### Kafka + PostgreSQL + Redis, 1 node"
scripts/cluster.sh up --nodes 1 --kafka --dir "$WORK/k1" >/dev/null
ingest "$(urls "$WORK/k1")"
scripts/cluster.sh down --dir "$WORK/k1" >/dev/null

fi
echo "### Kafka + PostgreSQL + Redis, 3 nodes (one generator per node, at once)"
scripts/cluster.sh up --nodes 3 --kafka --dir "$WORK/k3" >/dev/null
for u in $(urls "$WORK/k3"); do ingest "$u" >"$WORK/ingest-${u##*:}.txt" & done
wait
cat "$WORK"/ingest-*.txt
echo "events/s (acked), all nodes: $(awk '/events\/s \(acked\)/ {s += $3} END {print s}' "$WORK"/ingest-*.txt)"
# How long the sink group takes to store what was acknowledged (the lag back to 0).
first=$(urls "$WORK/k3" | cut -d' ' -f1)
t0=$(date +%s.%N)
lag() { curl -s "$first/metrics" | awk '/^axon_kafka_consumer_lag\{/ {s += $2} END {print s + 0}'; }
echo "sink lag when the generators stopped: $(lag) messages"
until [ "$(lag)" = 0 ]; do sleep 0.2; done
echo "sink lag back to 0 after $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"

echo "### end-to-end lag: POST to node 1 -> counted on node 2's dashboard ($SAMPLES samples)"
python3 - "$AXON_ADMIN_KEY" $(urls "$WORK/k3") "$SAMPLES" <<'PY'
import json, sys, time, urllib.request
key, a_url, b_url, samples = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[-1])
def call(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
c = call("POST", f"{a_url}/api/v1/campaigns", {"name": "lag"})
a = call("POST", f"{a_url}/api/v1/campaigns/{c['id']}/activities", {"name": "lag",
    "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 1,
    "startDate": "2026-01-01T00:00:00Z", "endDate": "2030-01-01T00:00:00Z"})["id"]
dash = f"{b_url}/api/v1/dashboard/activity/{a}?widgets=overview"
lags = []
for i in range(samples):
    t0 = time.perf_counter()
    call("POST", f"{a_url}/api/v1/behavior/events",
         {"triggerType": "PAGE_VIEW", "anonymousId": f"lag{i}", "eventId": f"lag{i}", "properties": {"activityId": a}})
    while call("GET", dash)["data"]["overview"]["totalVisits"] < i + 1:
        time.sleep(0.002)
    lags.append((time.perf_counter() - t0) * 1000)
lags.sort()
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
print(f"lag ms over {samples}: p50 {q(0.5):.1f}  p90 {q(0.9):.1f}  p99 {q(0.99):.1f}  max {lags[-1]:.1f}")
PY
