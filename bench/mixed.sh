#!/bin/sh
# Runs `axon bench mixed` against a fresh copy of a prepared data dir, then stops the server.
#
#   bench/mixed.sh AXON_BINARY DATA_DIR PORT OUT [axon bench mixed flags…]
#
# DATA_DIR: `axon simulate --events N --out SIM && axon --data-dir DATA_DIR import --dir SIM`
# (then `sqlite3 DATA_DIR/axon.db 'PRAGMA wal_checkpoint(TRUNCATE)'` for data dirs imported by a
# build older than the WAL fold on close). It is never served itself: every run adds events, so
# each run serves a copy. OUT receives the machine load, the date, the server's memory and the
# benchmark's output.
set -e
AXON=$1; DATA=$2; PORT=$3; OUT=$4; shift 4
RUN="$DATA.run"
rm -rf "$RUN" && cp -a "$DATA" "$RUN" && sync
AXON_ADMIN_KEY=bench-admin-key AXON_JWT_SECRET=benchsecret AXON_LOG=warn \
  "$AXON" --data-dir "$RUN" serve --listen 127.0.0.1:$PORT > "$OUT.serve.log" 2>&1 &
SPID=$!
until curl -sf 127.0.0.1:$PORT/readyz > /dev/null; do sleep 1; kill -0 $SPID; done
{ echo "binary: $AXON"; echo "uptime: $(uptime)"; echo "date: $(date -u)";
  echo "server rss before: $(grep VmRSS /proc/$SPID/status)"; } > "$OUT"
"$AXON" bench mixed --url http://127.0.0.1:$PORT --admin-key bench-admin-key --jwt-secret benchsecret "$@" >> "$OUT" 2>&1 \
  || echo "bench exit $?" >> "$OUT"
{ echo "server rss after: $(grep VmRSS /proc/$SPID/status)"; echo "uptime after: $(uptime)"; } >> "$OUT"
kill $SPID; wait $SPID || true
rm -rf "$RUN"
