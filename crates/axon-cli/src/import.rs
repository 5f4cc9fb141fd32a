//! `axon import --dir DIR`: bulk-loads the files of SPEC §9 (any subset) into a stopped server's
//! data dir. Every row is validated; a bad row aborts the load with its file and line, and the
//! whole import is one transaction, so nothing is half-written. Re-running the same files
//! changes nothing: rows upsert by id, events dedupe by eventId (one is derived from the line
//! when the file has none).
//!
//! The rows keep the API's invariants ([`guard`]): a named product exists, APPROVED and PAID
//! units stay within an activity's `limit_count`, and an activity that already has entries or
//! purchases is overwritten only with `--replace`.

mod check;
mod clickhouse;
mod guard;

use crate::cli::{ImportArgs, Settings};
use crate::progress::{rate, Progress};
use crate::serve::block;
use crate::CliError;
use axon_domain::activity::MAX_QUANTITY;
use axon_domain::activity::{ActivityDraft, Rules, Spelling};
use axon_domain::event::parse_event;
use axon_domain::model::{Campaign, Entry, EntryStatus, Product, Purchase, PurchaseType};
use axon_domain::Horizon;
use axon_domain::{BusinessTz, Dec2, Ts};
use axon_store::sqlite::SqliteStore;
use axon_store::{BulkChunk, BulkLoader, BulkReport, EncodedEvent, Repo};
pub use check::{check_csv, Held};
use guard::Stored;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::Instant;

const CHUNK: usize = 5_000;

pub fn run(s: &Settings, args: &ImportArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let now = s.config.clock.now();
    // The same validation and one all-or-nothing transaction on either store.
    let opts = Options {
        horizon: s.config.horizon,
        replace: args.replace,
        show_progress: true,
    };
    let r = match &s.config.database_url {
        Some(url) => {
            let store = axon_store::sql::SqlStore::open(url.expose())?;
            let r = import_dir(&store, &args.dir, &s.config.tz, now, &opts)?;
            clickhouse::load(s, &store)?;
            r
        }
        None => {
            let store = SqliteStore::open(&s.config.data_dir)?;
            let r = import_dir(&store, &args.dir, &s.config.tz, now, &opts)?;
            clickhouse::load(s, &store)?;
            r
        }
    };
    let rows = r.campaigns + r.activities + r.entries + r.purchases + r.events + r.duplicate_events;
    println!(
        "imported {} campaigns, {} activities, {} entries, {} purchases, {} events ({} duplicates skipped) in {:.2} s — {:.0} rows/s",
        r.campaigns,
        r.activities,
        r.entries,
        r.purchases,
        r.events,
        r.duplicate_events,
        started.elapsed().as_secs_f64(),
        rate(rows, started.elapsed())
    );
    Ok(())
}

/// How an import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Where the rows' dates may lie: the server's horizon, so import checks what the API does.
    pub horizon: Horizon,
    /// Overwrite activities that already have entries or purchases (`--replace`).
    pub replace: bool,
    pub show_progress: bool,
}

/// What is known while validating: ids that rows may refer to.
struct Context<'a> {
    tz: &'a BusinessTz,
    now: Ts,
    opts: Options,
    campaigns: HashSet<i64>,
    campaign_names: HashMap<String, i64>,
    /// Activities as they will stand: the stored ones, then the file's rows.
    activities: HashMap<i64, axon_domain::model::Activity>,
    /// The line of each activities.csv row, to name it when a later check fails.
    activity_lines: HashMap<i64, u64>,
    products: HashSet<i64>,
    stored: Stored,
}

/// A bad row: where it is and what is wrong.
fn at(file: &str, line: u64, msg: impl std::fmt::Display) -> String {
    format!("{file}:{line}: {msg}")
}

/// Loads every known file of `dir` into `store` in one transaction.
pub fn import_dir<S: BulkLoader + Repo>(
    store: &S,
    dir: &Path,
    tz: &BusinessTz,
    now: Ts,
    opts: &Options,
) -> Result<BulkReport, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Import(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let known = [
        "products.csv",
        "campaigns.csv",
        "activities.csv",
        "entries.csv",
        "purchases.csv",
        "events.ndjson",
    ];
    if !known.iter().any(|f| dir.join(f).exists()) {
        return Err(CliError::Import(format!(
            "{} holds none of {}",
            dir.display(),
            known.join(", ")
        )));
    }
    let activities: HashMap<_, _> = block(store.activities(None))??
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let stored = Stored::read(store, !activities.is_empty())?;
    let mut ctx = Context {
        tz,
        now,
        opts: *opts,
        campaigns: HashSet::new(),
        campaign_names: HashMap::new(),
        activities,
        activity_lines: HashMap::new(),
        products: block(store.products())??
            .into_iter()
            .map(|p| p.id)
            .collect(),
        stored,
    };
    for c in block(store.campaigns())?? {
        ctx.campaigns.insert(c.id);
        ctx.campaign_names.insert(c.name, c.id);
    }
    let (tx, rx) = sync_channel(8);
    let pending = store.bulk_load(rx);
    let produced = produce(&mut ctx, dir, &tx);
    if let Err(msg) = &produced {
        let _ = tx.send(BulkChunk::Abort(msg.clone()));
    }
    drop(tx);
    let stored = pending.wait();
    match (produced, stored) {
        (Err(msg), _) => Err(CliError::Import(format!("{msg}; nothing was imported"))),
        (Ok(()), Err(e)) => Err(CliError::Import(format!("{e}; nothing was imported"))),
        (Ok(()), Ok(r)) => Ok(r),
    }
}

fn send(tx: &SyncSender<BulkChunk>, chunk: BulkChunk) -> Result<(), String> {
    tx.send(chunk)
        .map_err(|_| "the store stopped accepting rows".to_string())
}

fn produce(ctx: &mut Context<'_>, dir: &Path, tx: &SyncSender<BulkChunk>) -> Result<(), String> {
    if let Some(rows) = read_csv(dir, "products.csv", |r| product(ctx, r))? {
        ctx.products.extend(rows.iter().map(|p| p.id));
        send(tx, BulkChunk::Products(rows))?;
    }
    if let Some(rows) = read_csv(dir, "campaigns.csv", |r| campaign(ctx, r))? {
        send(tx, BulkChunk::Campaigns(rows))?;
    }
    if let Some(rows) = read_csv(dir, "activities.csv", |r| activity(ctx, r))? {
        send(tx, BulkChunk::Activities(rows))?;
    }
    let mut entries = read_csv(dir, "entries.csv", |r| Ok((r.line, entry(ctx, r)?)))?;
    if let Some(rows) = &mut entries {
        number_entries(rows);
    }
    guard::check_limits(ctx, entries.as_deref().unwrap_or_default())?;
    if let Some(rows) = entries {
        let rows: Vec<Entry> = rows.into_iter().map(|(_, e)| e).collect();
        for c in rows.chunks(CHUNK) {
            send(tx, BulkChunk::Entries(c.to_vec()))?;
        }
    }
    let mut promo = HashSet::new();
    if let Some(rows) = read_csv(dir, "purchases.csv", |r| purchase(ctx, &mut promo, r))? {
        for c in rows.chunks(CHUNK) {
            send(tx, BulkChunk::Purchases(c.to_vec()))?;
        }
    }
    events(ctx, dir, tx)
}

/// One CSV row with its header, read by column name.
struct Row<'a> {
    file: &'a str,
    line: u64,
    headers: &'a csv::StringRecord,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, col: &str) -> Option<&str> {
        self.headers
            .iter()
            .position(|h| h.trim() == col)
            .and_then(|i| self.rec.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn err(&self, msg: impl std::fmt::Display) -> String {
        at(self.file, self.line, msg)
    }

    fn req(&self, col: &str) -> Result<&str, String> {
        self.get(col)
            .ok_or_else(|| self.err(format!("{col} is required")))
    }

    fn int(&self, col: &str) -> Result<Option<i64>, String> {
        self.get(col)
            .map(|v| {
                v.parse()
                    .map_err(|_| self.err(format!("{col} '{v}' is not an integer")))
            })
            .transpose()
    }

    fn req_int(&self, col: &str) -> Result<i64, String> {
        self.int(col)?
            .ok_or_else(|| self.err(format!("{col} is required")))
    }

    fn money(&self, col: &str) -> Result<Option<Dec2>, String> {
        let v = self
            .get(col)
            .map(|v| Dec2::parse(v).map_err(|e| self.err(format!("{col}: {}", e.message))))
            .transpose()?;
        if v.is_some_and(|d| d.0 < 0) {
            return Err(self.err(format!("{col} must be ≥ 0")));
        }
        Ok(v)
    }

    /// A date column, within the horizon for plans (`fact` = within the one for facts).
    fn time(&self, ctx: &Context<'_>, col: &str, fact: bool) -> Result<Option<Ts>, String> {
        self.get(col)
            .map(|v| {
                let t = ctx
                    .tz
                    .parse_instant(v)
                    .map_err(|e| self.err(format!("{col}: {}", e.message)))?;
                let checked = if fact {
                    ctx.opts.horizon.fact(col, t, ctx.now)
                } else {
                    ctx.opts.horizon.plan(col, t, ctx.now)
                };
                checked.map_err(|e| self.err(e.message))
            })
            .transpose()
    }
}

/// Reads `name` from `dir` when present, validating each row with `f`.
fn read_csv<T>(
    dir: &Path,
    name: &str,
    f: impl FnMut(&Row<'_>) -> Result<T, String>,
) -> Result<Option<Vec<T>>, String> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    let rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .map_err(|e| format!("{name}: {e}"))?;
    read_rows(rdr, name, f).map(Some)
}

/// Validates every row of one CSV file read from `rdr` with `f`.
fn read_rows<T, R: std::io::Read>(
    mut rdr: csv::Reader<R>,
    name: &str,
    mut f: impl FnMut(&Row<'_>) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let headers = rdr.headers().map_err(|e| at(name, 1, e))?.clone();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| at(name, line, e))?;
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        out.push(f(&Row {
            file: name,
            line,
            headers: &headers,
            rec: &rec,
        })?);
    }
    Ok(out)
}

fn product(_ctx: &Context<'_>, r: &Row<'_>) -> Result<Product, String> {
    let id = r.req_int("id")?;
    let stock = r.int("stock")?.unwrap_or(0);
    if id <= 0 || stock < 0 {
        return Err(r.err("id must be > 0 and stock ≥ 0"));
    }
    Ok(Product {
        id,
        name: r.req("name")?.to_string(),
        price: r.money("price")?.unwrap_or(Dec2::ZERO),
        stock,
        category: r.get("category").map(str::to_string),
        brand: r.get("brand").map(str::to_string),
        discount_rate: r.money("discount_rate")?,
    })
}

fn campaign(ctx: &mut Context<'_>, r: &Row<'_>) -> Result<Campaign, String> {
    let id = r.req_int("id")?;
    if id <= 0 {
        return Err(r.err("id must be > 0"));
    }
    let name = r.req("name")?.to_string();
    if let Some(other) = ctx.campaign_names.get(&name).filter(|o| **o != id) {
        return Err(r.err(format!(
            "campaign name '{name}' is already used by campaign {other}"
        )));
    }
    ctx.campaign_names.insert(name.clone(), id);
    ctx.campaigns.insert(id);
    let (start_at, end_at) = (
        r.time(ctx, "start_at", false)?,
        r.time(ctx, "end_at", false)?,
    );
    Ok(Campaign {
        id,
        name,
        start_at,
        end_at,
        budget: r.money("budget")?.unwrap_or(Dec2::ZERO),
        created_at: ctx.now,
        updated_at: ctx.now,
    })
}

/// An activity row through the domain's one validation (the API's rules, the columns' names);
/// the import format has no type column, so a row without one is FIRST_COME_FIRST_SERVE.
fn activity(ctx: &mut Context<'_>, r: &Row<'_>) -> Result<axon_domain::model::Activity, String> {
    let id = r.req_int("id")?;
    let campaign_id = r.req_int("campaign_id")?;
    if id <= 0 {
        return Err(r.err("id must be > 0"));
    }
    if !ctx.campaigns.contains(&campaign_id) {
        return Err(r.err(format!("campaign {campaign_id} does not exist")));
    }
    let text = |col: &str| r.get(col).map(str::to_string);
    let draft = ActivityDraft {
        name: text("name"),
        activity_type: Some(
            text("activity_type").unwrap_or_else(|| "FIRST_COME_FIRST_SERVE".into()),
        ),
        status: text("status"),
        limit_count: Some(r.int("limit_count")?),
        start_date: text("start_at"),
        end_date: text("end_at"),
        product_id: Some(r.int("product_id")?),
        price: r.money("price")?,
        budget: r.money("budget")?,
        ..ActivityDraft::default()
    };
    let rules = Rules {
        tz: ctx.tz,
        now: ctx.now,
        spelling: Spelling::Csv,
        horizon: ctx.opts.horizon,
    };
    let a = draft
        .load(id, campaign_id, &rules)
        .map_err(|e| r.err(e.message))?;
    axon_domain::activity::known_product(
        &a,
        a.product_id.is_some_and(|p| ctx.products.contains(&p)),
    )
    .map_err(|e| r.err(e.message))?;
    if ctx.activity_lines.contains_key(&id) {
        return Err(r.err(format!("activity {id} appears twice in the file")));
    }
    guard::may_overwrite(ctx, &a).map_err(|e| r.err(e))?;
    ctx.activity_lines.insert(id, r.line);
    ctx.activities.insert(id, a.clone());
    Ok(a)
}

fn entry(ctx: &Context<'_>, r: &Row<'_>) -> Result<Entry, String> {
    let activity_id = r.req_int("activity_id")?;
    if !ctx.activities.contains_key(&activity_id) {
        return Err(r.err(format!("activity {activity_id} does not exist")));
    }
    let status = EntryStatus::parse(r.req("status")?).map_err(|e| r.err(e.message))?;
    let at = r
        .time(ctx, "created_at", true)?
        .ok_or_else(|| r.err("created_at is required"))?;
    let quantity = r.int("quantity")?.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(r.err(format!("quantity must be between 1 and {MAX_QUANTITY}")));
    }
    Ok(Entry {
        id: 0,
        activity_id,
        user_id: r.req("user_id")?.to_string(),
        status,
        order: 0,
        quantity,
        requested_at: at,
        processed_at: Some(at),
    })
}

/// Numbers entries per activity in time order (the FCFS order), stable for re-runs; that is
/// also the order they are stored in (a later row of the same user replaces an earlier one).
fn number_entries(rows: &mut [(u64, Entry)]) {
    rows.sort_by_key(|(_, e)| (e.activity_id, e.requested_at));
    let mut last = None;
    let mut n = 0;
    for (_, e) in rows.iter_mut() {
        if last != Some(e.activity_id) {
            last = Some(e.activity_id);
            n = 0;
        }
        n += 1;
        e.order = n;
    }
}

fn purchase(
    ctx: &Context<'_>,
    promo: &mut HashSet<(i64, String)>,
    r: &Row<'_>,
) -> Result<Purchase, String> {
    let id = r.req_int("id")?;
    if id <= 0 {
        return Err(r.err("id must be > 0"));
    }
    let user_id = r.req("user_id")?.to_string();
    let activity_id = r.int("campaign_activity_id")?;
    if let Some(a) = activity_id {
        if !ctx.activities.contains_key(&a) {
            return Err(r.err(format!("activity {a} does not exist")));
        }
        if !promo.insert((a, user_id.clone())) {
            return Err(r.err(format!(
                "user {user_id} already has a promotion purchase for activity {a}"
            )));
        }
    }
    let inferred = if activity_id.is_some() {
        PurchaseType::CampaignActivity
    } else {
        PurchaseType::Shop
    };
    let purchase_type = r.get("purchase_type").map_or(Ok(inferred), |t| {
        PurchaseType::parse(t).map_err(|e| r.err(e.message))
    })?;
    if purchase_type != inferred {
        return Err(
            r.err("purchase_type must be CAMPAIGNACTIVITY with an activity and SHOP without one")
        );
    }
    let quantity = r.int("quantity")?.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(r.err(format!("quantity must be between 1 and {MAX_QUANTITY}")));
    }
    // The purchases API's rule: the product bought must exist.
    let product_id = r.int("product_id")?;
    if let Some(p) = product_id.filter(|p| !ctx.products.contains(p)) {
        return Err(r.err(format!("product {p} does not exist")));
    }
    Ok(Purchase {
        id,
        user_id,
        product_id,
        activity_id,
        purchase_type,
        price: r
            .money("price")?
            .ok_or_else(|| r.err("price is required"))?,
        quantity,
        purchased_at: r
            .time(ctx, "purchased_at", true)?
            .ok_or_else(|| r.err("purchased_at is required"))?,
        order_id: r.get("order_id").map(str::to_string),
    })
}

/// FNV-1a, for a stable eventId derived from a line's content.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn events(ctx: &Context<'_>, dir: &Path, tx: &SyncSender<BulkChunk>) -> Result<(), String> {
    const FILE: &str = "events.ndjson";
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(());
    }
    let file = std::fs::File::open(&path).map_err(|e| format!("{FILE}: {e}"))?;
    let total = file.metadata().map_or(0, |m| m.len());
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut progress = Progress::new(FILE, total);
    let mut buf = String::new();
    let (mut line, mut bytes, mut rows) = (0u64, 0u64, 0u64);
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        buf.clear();
        let n = reader
            .read_line(&mut buf)
            .map_err(|e| at(FILE, line + 1, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        bytes += n as u64;
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| at(FILE, line, format!("not valid JSON: {e}")))?;
        let mut e = parse_event(&v, ctx.now, ctx.tz, &ctx.opts.horizon)
            .map_err(|reasons| at(FILE, line, reasons.join("; ")))?;
        if e.event_id.is_none() {
            e.event_id = Some(format!("imp-{line}-{:016x}", fnv64(text.as_bytes())));
        }
        if let Some(a) = e.activity_id.and_then(|a| ctx.activities.get(&a)) {
            e.enrich_campaign(a.campaign_id);
        }
        chunk.push(EncodedEvent::new(e).map_err(|err| at(FILE, line, err))?);
        rows += 1;
        if chunk.len() == CHUNK {
            send(
                tx,
                BulkChunk::Events(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))),
            )?;
            if ctx.opts.show_progress {
                progress.tick(rows, bytes);
            }
        }
    }
    if !chunk.is_empty() {
        send(tx, BulkChunk::Events(chunk))?;
    }
    if ctx.opts.show_progress {
        progress.finish(rows);
    }
    Ok(())
}
