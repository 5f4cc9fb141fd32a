#!/usr/bin/env bash
# The memory of a raw-event export of a large window: serves DATA_DIR, reads the server's RSS and
# peak RSS (VmHWM) idle, downloads one activity's events of the window, and reads them again.
#
#   bench/export-memory.sh AXON_BINARY DATA_DIR PORT ACTIVITY START END [csv|parquet]
#
# DATA_DIR: `axon simulate --events 1000000 --activities 1 --campaigns 1 --out SIM &&
# axon --data-dir DATA_DIR import --dir SIM` (a read-only run: exports write nothing). Without a
# format the request has none (what an older build answers: CSV). The server is stopped by PID.
set -eu
AXON=$1; DATA=$2; PORT=$3; ACT=$4; START=$5; END=$6; FMT=${7:-}
KEY=bench-admin-key-export
AXON_ADMIN_KEY=$KEY AXON_LOG=warn "$AXON" --data-dir "$DATA" serve --listen 127.0.0.1:$PORT \
  > "/tmp/export-memory-$PORT.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
until curl -sf 127.0.0.1:$PORT/readyz > /dev/null; do sleep 1; kill -0 $SPID; done
sleep 2
kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/$SPID/status; }
echo "load: $(uptime)"
echo "idle: rss $(kb VmRSS) kB, peak $(kb VmHWM) kB"
Q="period=custom&startDate=$START&endDate=$END${FMT:+&format=$FMT}"
curl -s -o /dev/null -H "Authorization: Bearer $KEY" \
  -w "export ${FMT:-default}: HTTP %{http_code}, %{size_download} bytes, first byte %{time_starttransfer} s, total %{time_total} s\n" \
  "http://127.0.0.1:$PORT/api/v1/dashboard/activity/$ACT/events?$Q"
echo "after: rss $(kb VmRSS) kB, peak $(kb VmHWM) kB"
