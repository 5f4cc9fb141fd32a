#!/usr/bin/env python3
"""Axon vs DuckDB on the same `axon simulate` dataset, in one run (issue 11, deliverable 2).

1. Copies the imported data dir (never touches the original), runs
   `axon --data-dir COPY bench dashboards --no-http --peer-out FILE`, which rebuilds the engine,
   times the most popular activity's full dashboard and its cohort on fresh data (an event
   applied before every call) and writes those answers and timings as JSON.
2. Loads the same simulated files (events.ndjson, entries.csv, purchases.csv) into an in-memory
   DuckDB, resolving identity links into a table once at load (anonymous id -> the user of its
   last linking event, in log order), as an analyst would keep an identity table.
3. Times the same dashboard as five SQL queries -- overview counts with distinct persons (this
   window and the previous one), distinct persons per step, the ordered funnel with the
   conversion window and its time-to-convert, hourly views, cohort LTV -- checks that every
   answer equals Axon's and prints Axon's time, DuckDB's and the ratio.

Usage:
  pip install duckdb
  python3 bench/peers/duckdb.py --axon target/release/axon \
      --data-dir /tmp/axon-bench/data-10m --sim /tmp/axon-bench/sim-10m

Exit status 1 when an answer differs.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

# This file is named duckdb.py: keep its own folder off the path so the import finds the package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
import duckdb  # noqa: E402

HOUR = 3_600_000
BOT_MARKERS = [
    "bot", "crawler", "spider", "crawling", "slurp", "facebookexternalhit", "bingpreview",
    "mediapartners-google", "lighthouse", "pingdom", "uptimerobot", "headlesschrome-bot",
    "yeti/", "daum", "semrush", "ahrefs", "petalbot", "bytespider", "gptbot", "applebot",
]


def run_axon(args, out_json):
    """Runs Axon's in-process benchmark over a fresh copy of the data dir."""
    work = tempfile.mkdtemp(prefix="axon-peer-", dir=args.tmp)
    copy = os.path.join(work, "data")
    t = time.time()
    subprocess.run(["cp", "-a", args.data_dir, copy], check=True)
    print(f"copied {args.data_dir} in {time.time() - t:.1f} s", flush=True)
    cmd = [args.axon, "--data-dir", copy, "bench", "dashboards", "--no-http",
           "--calls", str(args.calls), "--peer-out", out_json]
    if args.conversion_window_hours is not None:
        cmd += ["--conversion-window-hours", str(args.conversion_window_hours)]
    env = dict(os.environ, AXON_LOG=os.environ.get("AXON_LOG", "warn"))
    env.setdefault("AXON_ADMIN_KEY", "peer-bench-admin-key")
    try:
        subprocess.run(cmd, check=True, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load(con, sim, links_in_query):
    """Loads the simulated files; returns the load time in seconds. By default every person is
    resolved to a dense integer id of its canonical person at load (DuckDB's best layout: the
    queries then count and join integers); with `links_in_query` the events keep their person keys
    and every query resolves them through the `links` table."""
    ev = os.path.join(sim, "events.ndjson")
    t = time.time()
    con.execute("SET TimeZone = 'UTC'")
    markers = " OR ".join(f"contains(lower(userAgent), '{m}')" for m in BOT_MARKERS)
    con.execute(f"""
        CREATE TABLE raw AS
        SELECT row_number() OVER () AS seq, *
        FROM read_json('{ev}', format = 'newline_delimited', columns = {{
            eventId: 'VARCHAR', triggerType: 'VARCHAR', userId: 'VARCHAR',
            anonymousId: 'VARCHAR', sessionId: 'VARCHAR', pageUrl: 'VARCHAR',
            userAgent: 'VARCHAR', occurredAt: 'TIMESTAMPTZ', properties: 'JSON'}})""")
    # Attribution and person keys exactly as Axon's parser: properties.activityId, else the
    # /campaign-activity/{id} path segment; userId > anonymousId > sessionId; bots dropped.
    con.execute(f"""
        CREATE TABLE ev AS
        SELECT seq, triggerType AS t, epoch_ms(occurredAt) AS ts,
               coalesce(TRY_CAST(json_extract_string(properties, '$.activityId') AS BIGINT),
                        TRY_CAST(regexp_extract(pageUrl,
                            '^(?:[a-z]+://[^/]*)?(?:/[^?#]*)?/campaign-activity/([0-9]+)(?:[/?#]|$)', 1)
                            AS BIGINT)) AS activity,
               CASE WHEN userId IS NOT NULL THEN 'u:' || userId
                    WHEN anonymousId IS NOT NULL THEN 'a:' || anonymousId
                    ELSE 's:' || coalesce(sessionId, '') END AS person,
               userId, anonymousId
        FROM raw
        WHERE NOT coalesce({markers}, false)
        ORDER BY activity, ts""")
    con.execute("DROP TABLE raw")
    # Identity links: the last linking event (in log order) of each anonymous id wins.
    con.execute("""
        CREATE TABLE links AS
        SELECT 'a:' || anonymousId AS anon, arg_max('u:' || userId, seq) AS usr
        FROM ev WHERE userId IS NOT NULL AND anonymousId IS NOT NULL GROUP BY 1""")
    con.execute(f"""
        CREATE TABLE entries AS
        SELECT activity_id AS activity, 'u:' || user_id AS p, status,
               epoch_ms(CAST(created_at AS TIMESTAMPTZ)) AS ts
        FROM read_csv('{os.path.join(sim, "entries.csv")}', header = true, all_varchar = true,
                      types = {{'activity_id': 'BIGINT'}})""")
    con.execute(f"""
        CREATE TABLE purchases AS
        SELECT id, 'u:' || user_id AS person, campaign_activity_id AS activity,
               purchase_type AS kind, CAST(price AS DECIMAL(18, 2)) * quantity AS revenue,
               epoch_ms(CAST(purchased_at AS TIMESTAMPTZ)) AS ts
        FROM read_csv('{os.path.join(sim, "purchases.csv")}', header = true, all_varchar = true,
                      types = {{'id': 'BIGINT', 'campaign_activity_id': 'BIGINT',
                                'quantity': 'BIGINT'}})""")
    if links_in_query:
        con.execute("""CREATE VIEW evp AS SELECT e.t, e.ts, e.activity, coalesce(l.usr, e.person) AS p
                       FROM ev e LEFT JOIN links l ON l.anon = e.person""")
        return time.time() - t
    con.execute("""
        CREATE TABLE canon AS
        SELECT e.seq, e.t, e.ts, e.activity, coalesce(l.usr, e.person) AS key
        FROM ev e LEFT JOIN links l ON l.anon = e.person""")
    con.execute("""
        CREATE TABLE dict AS
        SELECT key, row_number() OVER () AS pid
        FROM (SELECT key FROM canon UNION SELECT p FROM entries UNION SELECT person FROM purchases)""")
    con.execute("""
        CREATE TABLE evp AS
        SELECT c.t, c.ts, c.activity, d.pid AS p FROM canon c JOIN dict d USING (key)
        ORDER BY c.activity, c.ts""")
    con.execute("DROP TABLE canon")
    con.execute("CREATE TABLE entries2 AS SELECT e.activity, d.pid AS p, e.status, e.ts "
                "FROM entries e JOIN dict d ON d.key = e.p")
    con.execute("DROP TABLE entries")
    con.execute("ALTER TABLE entries2 RENAME TO entries")
    return time.time() - t


# The five queries. $a activity, $s/$e window, $ps previous window start, $h conversion window
# (ms, NULL = none), $ce cohort end. `evp` holds each event's canonical person `p`.
PERSONS = """
    SELECT t, ts, p FROM evp WHERE activity = $a AND ts >= {lo} AND ts < $e"""

Q_OVERVIEW = f"""
    WITH x AS ({PERSONS.format(lo="$ps")}),
    b AS (
        SELECT (ts >= $s) AS cur,
               count(*) FILTER (WHERE t = 'PAGE_VIEW') AS visits,
               count(DISTINCT p) FILTER (WHERE t = 'PAGE_VIEW') AS visitors,
               count(*) FILTER (WHERE t = 'CLICK') AS clicks,
               count(*) FILTER (WHERE t = 'PURCHASE') AS purchases
        FROM x GROUP BY 1),
    q AS (
        SELECT (ts >= $s) AS cur, count(*) AS approved,
               count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
        FROM entries WHERE activity = $a AND status <> 'REJECTED' AND ts >= $ps AND ts < $e
        GROUP BY 1),
    g AS (
        SELECT (ts >= $s) AS cur, sum(revenue) AS gmv, count(*) AS orders
        FROM purchases WHERE activity = $a AND kind = 'CAMPAIGNACTIVITY' AND ts >= $ps AND ts < $e
        GROUP BY 1)
    SELECT c.cur, coalesce(visits, 0), coalesce(visitors, 0), coalesce(clicks, 0),
           coalesce(approved, 0), coalesce(cancelled, 0), coalesce(purchases, 0),
           coalesce(gmv, 0), coalesce(orders, 0)
    FROM (VALUES (true), (false)) c(cur)
    LEFT JOIN b ON b.cur = c.cur LEFT JOIN q ON q.cur = c.cur LEFT JOIN g ON g.cur = c.cur"""

Q_STEP_USERS = f"""
    WITH x AS ({PERSONS.format(lo="$s")})
    SELECT (SELECT count(DISTINCT p) FROM x WHERE t = 'PAGE_VIEW'),
           (SELECT count(DISTINCT p) FROM x WHERE t = 'CLICK'),
           (SELECT count(DISTINCT p) FROM entries
             WHERE activity = $a AND status <> 'REJECTED' AND ts >= $s AND ts < $e),
           (SELECT count(DISTINCT p) FROM x WHERE t = 'PURCHASE')"""

# Greedy earliest match per person: first visit in the window, then the earliest click at or
# after it, the earliest approval at or after that click, the earliest purchase after that; each
# step within $h of the first visit. Step 1 of the ordered funnel is the distinct visitors.
TIMING = """count(*), list_sort(list({d}))[CAST(round((count(*) - 1) * 0.5) AS BIGINT) + 1],
           list_sort(list({d}))[CAST(round((count(*) - 1) * 0.9) AS BIGINT) + 1]"""
Q_ORDERED = f"""
    WITH x AS ({PERSONS.format(lo="$s")}),
    ap AS (SELECT p, ts FROM entries
           WHERE activity = $a AND status <> 'REJECTED' AND ts >= $s AND ts < $e),
    v AS (SELECT p, min(ts) AS v FROM x WHERE t = 'PAGE_VIEW'
          AND p IN (SELECT p FROM x WHERE t = 'CLICK') GROUP BY p),
    c AS (SELECT v.p, v.v, min(x.ts) AS c FROM v JOIN x ON x.p = v.p AND x.t = 'CLICK'
          AND x.ts >= v.v AND ($h IS NULL OR x.ts - v.v <= $h) GROUP BY 1, 2),
    q AS (SELECT c.p, c.v, c.c, min(ap.ts) AS q FROM c JOIN ap ON ap.p = c.p
          AND ap.ts >= c.c AND ($h IS NULL OR ap.ts - c.v <= $h) GROUP BY 1, 2, 3),
    pu AS (SELECT q.p, q.v, q.q, min(x.ts) AS pt FROM q JOIN x ON x.p = q.p AND x.t = 'PURCHASE'
           AND x.ts >= q.q AND ($h IS NULL OR x.ts - q.v <= $h) GROUP BY 1, 2, 3)
    SELECT * FROM (SELECT count(DISTINCT p) FROM x WHERE t = 'PAGE_VIEW'),
           (SELECT {TIMING.format(d="(c - v) // 1000")} FROM c),
           (SELECT {TIMING.format(d="(q - c) // 1000")} FROM q),
           (SELECT {TIMING.format(d="(pt - q) // 1000")} FROM pu)"""

Q_HOURLY = """
    WITH h AS (SELECT unnest(range($s // 3600000 * 3600000, $e, 3600000)) AS b)
    SELECT h.b, coalesce(n, 0) FROM h LEFT JOIN (
        SELECT ts // 3600000 * 3600000 AS b, count(*) AS n FROM ev
        WHERE activity = $a AND t = 'PAGE_VIEW' AND ts >= $s AND ts < $e GROUP BY 1) c
    ON c.b = h.b ORDER BY h.b"""

Q_COHORT = """
    WITH f AS (SELECT person, min(ts) AS first FROM purchases
               WHERE activity = $a AND kind = 'CAMPAIGNACTIVITY' GROUP BY 1
               HAVING min(ts) >= 0 AND min(ts) < $ce)
    SELECT (SELECT count(*) FROM f), coalesce(sum(p.revenue), 0)
    FROM f JOIN purchases p ON p.person = f.person AND p.ts >= f.first"""

QUERIES = [
    ("overview counts + distinct (2 windows)", Q_OVERVIEW),
    ("distinct persons per step", Q_STEP_USERS),
    ("ordered funnel + time to convert", Q_ORDERED),
    ("hourly views", Q_HOURLY),
    ("cohort LTV", Q_COHORT),
]


def half_up_div(num_hundredths, den):
    return (2 * num_hundredths + den) // (2 * den) if den else 0


def hundredths(x):
    return int((Decimal(str(x)) * 100).to_integral_value())


def iso_ms(ts):
    """Axon's timestamps are ISO-8601 strings in UTC."""
    d = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return round(d.timestamp() * 1000)


def compare(results, axon, problems):
    d = axon["dashboard"]["data"]
    ov, fu, tr = d["overview"], d["funnel"], d["trend"]
    rows = {r[0]: r for r in results[0]}

    def check(name, ours, theirs):
        if ours != theirs:
            if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
                i = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
                problems.append(f"{name}: first difference at {i}: DuckDB {ours[i]} vs Axon {theirs[i]}")
            else:
                problems.append(f"{name}: DuckDB {str(ours)[:200]} vs Axon {str(theirs)[:200]}")

    for cur, o in ((True, ov), (False, ov["previous"])):
        r = rows[cur]
        tag = "current" if cur else "previous"
        check(f"{tag} totalVisits", r[1], o["totalVisits"])
        check(f"{tag} uniqueVisitors", r[2], o["uniqueVisitors"])
        check(f"{tag} totalParticipants", r[3], o["totalParticipants"])
        check(f"{tag} approvedCount", r[4], o["approvedCount"])
        check(f"{tag} cancelledCount", r[5], o["cancelledCount"])
        check(f"{tag} purchaseCount", r[6], o["purchaseCount"])
        check(f"{tag} gmv (hundredths)", hundredths(r[7]), hundredths(o["gmv"]))
    steps = fu["steps"]
    check("step values", [rows[True][i] for i in (1, 3, 4, 6)], [s["value"] for s in steps])
    check("step users", list(results[1][0]), [s["users"] for s in steps])
    o = results[2][0]
    check("ordered users", [o[0], o[1], o[4], o[7]], fu["ordered"]["users"])
    for k, t in enumerate(fu["timeToConvert"]):
        n, med, p90 = o[1 + 3 * k: 4 + 3 * k]
        check(f"time to convert {k}", [n, med, p90],
              [t["converted"], t["medianSeconds"], t["p90Seconds"]])
    check("hourly views", [(b, n) for b, n in results[3]],
          [(iso_ms(p["timestamp"]), p["count"]) for p in tr["hourly"]])
    n, revenue = results[4][0]
    c = axon["cohort"]
    check("cohort customers", n, c["totalCustomers"])
    check("cohort LTV (current, hundredths)", half_up_div(hundredths(revenue), n),
          hundredths(c["ltvCurrent"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--axon", default="target/release/axon")
    ap.add_argument("--data-dir", required=True, help="an imported data dir (copied, never served)")
    ap.add_argument("--sim", required=True, help="the `axon simulate` output it was imported from")
    ap.add_argument("--calls", type=int, default=100, help="Axon's in-process calls per kind")
    ap.add_argument("--reps", type=int, default=7, help="DuckDB runs of the five queries")
    ap.add_argument("--conversion-window-hours", type=int, default=24)
    ap.add_argument("--tmp", default=None, help="where the data dir copy goes")
    ap.add_argument("--axon-json", help="reuse a --peer-out file instead of running Axon")
    ap.add_argument("--links-in-query", action="store_true",
                    help="resolve identity links inside every query instead of once at load")
    args = ap.parse_args()

    out_json = args.axon_json
    if out_json is None:
        out_json = os.path.join(tempfile.gettempdir(), f"axon-peer-{os.getpid()}.json")
        run_axon(args, out_json)
    with open(out_json) as f:
        axon = json.load(f)

    con = duckdb.connect()
    secs = load(con, args.sim, args.links_in_query)
    n_events = con.execute("SELECT count(*) FROM ev").fetchone()[0]
    layout = ("links resolved in every query" if args.links_in_query
              else "canonical integer person ids resolved at load")
    multi = con.execute("""SELECT count(*) FROM (SELECT anonymousId FROM ev WHERE userId IS NOT NULL
        AND anonymousId IS NOT NULL GROUP BY 1 HAVING count(DISTINCT userId) > 1)""").fetchone()[0]
    print(f"DuckDB {duckdb.__version__}: loaded {n_events:,} events in {secs:.1f} s "
          f"({n_events / secs:,.0f} events/s; {multi} anonymous ids linked to more than one user; {layout})")

    h = axon["conversionWindowHours"]
    params = {"a": axon["activityId"], "s": axon["windowStartMs"], "e": axon["windowEndMs"],
              "ps": axon["previousStartMs"], "h": None if h is None else h * HOUR,
              "ce": axon["cohortEndMs"]}
    times = [[] for _ in QUERIES]
    totals = []
    results = None
    for _ in range(args.reps):
        got, total = [], 0.0
        for i, (_, sql) in enumerate(QUERIES):
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            t = time.perf_counter()
            rows = con.execute(sql, used).fetchall()
            dt = (time.perf_counter() - t) * 1000
            times[i].append(dt)
            total += dt
            got.append(rows)
        totals.append(total)
        results = got

    problems = []
    compare(results, axon, problems)
    tm = axon["timings"]
    axon_ms = tm["dashboardFreshP50Ms"] + tm["cohortFreshP50Ms"]
    axon_p99 = tm["dashboardFreshP99Ms"] + tm["cohortFreshP99Ms"]
    duck_ms = statistics.median(totals)
    print(f"\nactivity {params['a']}, window {params['s']} .. {params['e']} (ms), conversion window "
          f"{h} h, {axon['events']:,} events in Axon")
    for (name, _), ts in zip(QUERIES, times):
        print(f"  DuckDB {name:<40} p50 {statistics.median(ts):9.2f} ms   max {max(ts):9.2f} ms")
    print(f"  DuckDB, all five (p50 of {args.reps} runs)            {duck_ms:9.2f} ms "
          f"(min {min(totals):.2f}, max {max(totals):.2f})")
    print(f"  Axon full dashboard + cohort, fresh data (p50 of {tm['calls']})  {axon_ms:9.2f} ms "
          f"(p99 {axon_p99:.2f} ms; dashboard p50 {tm['dashboardFreshP50Ms']:.2f}, "
          f"cohort p50 {tm['cohortFreshP50Ms']:.2f})")
    print(f"  ratio DuckDB / Axon (p50)                        {duck_ms / axon_ms:9.1f}x")
    if problems:
        print("\nANSWERS DIFFER:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("  answers: all equal (overview both windows, step values and users, ordered funnel, "
          "time to convert, hourly views, cohort)")


if __name__ == "__main__":
    main()
