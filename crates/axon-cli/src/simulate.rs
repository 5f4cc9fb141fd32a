//! `axon simulate --events N --out DIR [--seed S] [--end DATE]`: a deterministic, realistic
//! dataset in the import format. 100 activities in 20 campaigns with Zipf popularity, 60 days of
//! traffic with hour-of-day and weekday seasonality, a funnel of about 45 % click, 20 % of
//! clickers approved (up to stock), 35 % of the approved buying, a steady stream of normal (SHOP)
//! sales of the same products, and repeat normal purchases by buyers up to a year later (kept
//! when they fall before `--end`). The same arguments always give the same files.

use crate::cli::SimulateArgs;
use crate::CliError;
use axon_domain::time::{MS_PER_DAY, MS_PER_HOUR};
use axon_domain::{BusinessTz, Ts};
use axon_engine::ledger::SplitMix64;
use std::fs::File;
use std::io::{BufWriter, Write};

pub const DAYS: i64 = 60;
const USERS: u64 = 400_000;

/// The simulations' random source: the engine's SplitMix64 (the giveaway draw's generator) with
/// the helpers a generator of traffic needs.
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(SplitMix64::new(seed ^ 0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
}

/// Picks an index by cumulative weights.
pub fn pick(cdf: &[f64], rng: &mut Rng) -> usize {
    let x = rng.f64() * cdf.last().copied().unwrap_or(1.0);
    cdf.partition_point(|c| *c <= x).min(cdf.len() - 1)
}

/// Picks an index in `lo..=hi` by the weights behind the cumulative `cdf`.
fn pick_between(cdf: &[f64], lo: usize, hi: usize, rng: &mut Rng) -> usize {
    let hi = hi.min(cdf.len() - 1);
    let lo = lo.min(hi);
    let below = if lo == 0 { 0.0 } else { cdf[lo - 1] };
    let x = below + rng.f64() * (cdf[hi] - below);
    cdf.partition_point(|c| *c <= x).clamp(lo, hi)
}

fn cdf(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// Relative traffic by hour of day (quiet nights, lunch and evening peaks).
pub const HOUR_WEIGHTS: [f64; 24] = [
    3.0, 2.0, 1.0, 1.0, 1.0, 1.5, 2.5, 4.0, 6.0, 7.0, 8.0, 9.0, 11.0, 10.0, 8.0, 8.0, 8.0, 8.5,
    9.0, 10.0, 12.0, 13.0, 11.0, 7.0,
];
/// Relative traffic by weekday, Monday first (weekends busier).
pub const WEEKDAY_WEIGHTS: [f64; 7] = [0.9, 0.9, 0.95, 1.0, 1.1, 1.35, 1.3];

/// Where a person comes from and what they browse with: drawn once per person (a hash of the
/// id), so every event of theirs carries the same source, referrer and browser, and the
/// breakdowns (utm_source, referrer domain, device, browser) have something to split.
pub struct Traits {
    pub utm_source: Option<&'static str>,
    pub referrer: Option<&'static str>,
    pub user_agent: &'static str,
}

/// (utm_source, referrer, share): search and social traffic, then direct visits.
const SOURCES: [(Option<&str>, Option<&str>, u64); 6] = [
    (
        Some("naver"),
        Some("https://search.naver.com/search.naver?query=특가"),
        30,
    ),
    (Some("google"), Some("https://www.google.com/"), 18),
    (Some("kakao"), Some("https://talk.kakao.com/"), 14),
    (Some("instagram"), Some("https://l.instagram.com/"), 12),
    (Some("newsletter"), None, 6),
    (None, None, 20),
];
/// (user agent, share): phones first, as Korean shopping traffic is.
const AGENTS: [(&str, u64); 5] = [
    ("Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36", 34),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 28),
    ("Mozilla/5.0 (Linux; Android 14; SM-A546N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0 Mobile Safari/537.36", 12),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", 18),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 8),
];
/// (grade, share) and regions of the people with profiles.
pub const GRADES: [(&str, u64); 5] = [
    ("BRONZE", 40),
    ("SILVER", 28),
    ("GOLD", 18),
    ("VIP", 10),
    ("VVIP", 4),
];
pub const REGIONS: [(&str, u64); 6] = [
    ("서울특별시-강남구", 22),
    ("서울특별시-마포구", 18),
    ("경기도-성남시", 20),
    ("부산광역시-해운대구", 14),
    ("인천광역시-연수구", 12),
    ("대구광역시-수성구", 14),
];

/// A stable pick by shares from `person` (and a salt per trait).
pub fn weighted<T: Copy>(person: u64, salt: u64, items: &[(T, u64)]) -> T {
    let total: u64 = items.iter().map(|(_, w)| w).sum();
    let mut x =
        SplitMix64::new(person.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ salt).next_u64() % total;
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[0].0
}

impl Traits {
    pub fn of(person: u64) -> Traits {
        let (utm_source, referrer) = weighted(person, 1, &SOURCES.map(|(u, r, w)| ((u, r), w)));
        Traits {
            utm_source,
            referrer,
            user_agent: weighted(person, 2, &AGENTS),
        }
    }
}

struct Activity {
    id: usize,
    product: usize,
    price: i64,
    limit: u64,
    start: Ts,
    end: Ts,
    approved: u64,
    entered: std::collections::HashSet<u64>,
}

struct Out {
    events: BufWriter<File>,
    entries: BufWriter<File>,
    purchases: BufWriter<File>,
    events_written: u64,
    purchase_id: u64,
}

fn file(dir: &std::path::Path, name: &str) -> Result<BufWriter<File>, CliError> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

impl Out {
    fn event(
        &mut self,
        trigger: &str,
        user: Option<u64>,
        anon: u64,
        activity: usize,
        at: Ts,
        extra: &str,
    ) -> Result<(), CliError> {
        self.events_written += 1;
        let user = user.map_or(String::new(), |u| format!(r#""userId":"u{u}","#));
        // The browser's own events carry where the visitor came from and their browser.
        let (mut context, mut query) = (String::new(), String::new());
        if trigger == "PAGE_VIEW" || trigger == "CLICK" {
            let t = Traits::of(anon);
            context = format!(r#""userAgent":"{}","#, t.user_agent);
            if let Some(r) = t.referrer {
                context.push_str(&format!(r#""referrer":"{r}","#));
            }
            if let Some(u) = t.utm_source {
                query = format!("?utm_source={u}&utm_medium=promo");
            }
        }
        writeln!(
            self.events,
            r#"{{"eventId":"sim-{}","triggerType":"{trigger}",{user}"anonymousId":"a{anon}",{context}"pageUrl":"https://shop.example/campaign-activity/{activity}/view{query}","occurredAt":"{}","properties":{{"activityId":{activity}{extra}}}}}"#,
            self.events_written,
            at.to_iso()
        )?;
        Ok(())
    }

    fn purchase(
        &mut self,
        user: u64,
        activity: Option<usize>,
        product: usize,
        price: i64,
        qty: u64,
        at: Ts,
    ) -> Result<(), CliError> {
        self.purchase_id += 1;
        let (a, t) = activity.map_or((String::new(), "SHOP"), |a| {
            (a.to_string(), "CAMPAIGNACTIVITY")
        });
        writeln!(
            self.purchases,
            "{},u{user},{a},{product},{price},{qty},{t},{}",
            self.purchase_id,
            at.to_iso()
        )?;
        Ok(())
    }
}

/// A random instant on day `day` (0-based from `start`), following the hour weights.
fn instant(rng: &mut Rng, start: Ts, day: i64, hour_cdf: &[f64]) -> Ts {
    let hour = pick(hour_cdf, rng) as i64;
    Ts(start.0
        + day * MS_PER_DAY
        + hour * MS_PER_HOUR
        + i64::try_from(rng.below(3_600_000)).unwrap_or(0))
}

pub fn run(args: &SimulateArgs, tz: &BusinessTz) -> Result<(), CliError> {
    let end_day = tz.day_start(
        tz.parse_instant(&args.end)
            .map_err(|e| CliError::Config(e.message))?,
    );
    let shape = Shape {
        events: args.events,
        activities: args.activities.max(1),
        campaigns: args.campaigns.clamp(1, args.activities.max(1)),
        seed: args.seed,
        live_until_end: 0,
        live_days: 0,
    };
    generate(&shape, &args.out, end_day, tz)
}

/// The size of a simulated dataset.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub events: u64,
    pub activities: usize,
    pub campaigns: usize,
    pub seed: u64,
    /// The first this-many activities run through the last `live_days` days up to the end.
    pub live_until_end: usize,
    pub live_days: i64,
}

/// Writes the dataset's files into `out`. Nothing happens at or after `end`: a business midnight
/// (`axon simulate`) ends the data with the previous day; any other instant (`axon demo`, now)
/// ends it mid-day, so the history runs up to that moment at its usual hourly rate.
pub fn generate(
    shape: &Shape,
    out_dir: &std::path::Path,
    end: Ts,
    tz: &BusinessTz,
) -> Result<(), CliError> {
    let (activities_n, campaigns_n) = (shape.activities, shape.campaigns);
    std::fs::create_dir_all(out_dir)?;
    // Day 0 is a business midnight, so the hour weights fall on local hours.
    let start = Ts(tz.day_start(Ts(end.0 - 1)).0 - (DAYS - 1) * MS_PER_DAY);
    let mut rng = Rng::new(shape.seed);
    let hour_cdf = cdf(&HOUR_WEIGHTS);

    let mut campaigns = file(out_dir, "campaigns.csv")?;
    writeln!(campaigns, "id,name,budget")?;
    for c in 1..=campaigns_n {
        writeln!(
            campaigns,
            "{c},Campaign {c:02},{}",
            10_000_000 + rng.below(40) * 1_000_000
        )?;
    }
    campaigns.flush()?;
    let mut products = file(out_dir, "products.csv")?;
    writeln!(products, "id,name,price,stock,category,brand")?;
    let categories = [
        "TV", "Laptop", "Phone", "Audio", "Kitchen", "Fashion", "Beauty", "Sports",
    ];
    let mut prices = Vec::new();
    for p in 1..=activities_n {
        let price = (50 + rng.below(2_000) as i64) * 1_000;
        prices.push(price);
        writeln!(
            products,
            "{p},Product {p},{price},{},{},Brand {}",
            1_000_000,
            categories[p % categories.len()],
            p % 13
        )?;
    }
    products.flush()?;

    let mut acts = Vec::new();
    let mut activities = file(out_dir, "activities.csv")?;
    writeln!(
        activities,
        "id,campaign_id,name,limit_count,price,budget,start_at,end_at,product_id"
    )?;
    for a in 1..=activities_n {
        let mut starts = i64::try_from(rng.below(40)).unwrap_or(0);
        let mut length = 7 + i64::try_from(rng.below(21)).unwrap_or(0);
        if a <= shape.live_until_end {
            // Running up to the end of the data (the demo keeps them live afterwards).
            length = shape.live_days.clamp(1, DAYS);
            starts = DAYS - length;
        }
        let act = Activity {
            id: a,
            product: a,
            price: prices[a - 1] * (60 + rng.below(30) as i64) / 100,
            limit: 100 + rng.below(4_000),
            start: Ts(start.0 + starts * MS_PER_DAY),
            end: Ts((start.0 + (starts + length).min(DAYS) * MS_PER_DAY).min(end.0) - 1),
            approved: 0,
            entered: std::collections::HashSet::new(),
        };
        writeln!(
            activities,
            "{a},{},Activity {a:03},{},{},{},{},{},{}",
            1 + (a - 1) % campaigns_n,
            act.limit,
            act.price,
            1_000_000 + rng.below(10) * 500_000,
            act.start.to_iso(),
            act.end.to_iso(),
            act.product
        )?;
        acts.push(act);
    }
    activities.flush()?;

    let mut out = Out {
        events: file(out_dir, "events.ndjson")?,
        entries: file(out_dir, "entries.csv")?,
        purchases: file(out_dir, "purchases.csv")?,
        events_written: 0,
        purchase_id: 0,
    };
    writeln!(out.entries, "activity_id,user_id,status,created_at")?;
    writeln!(
        out.purchases,
        "id,user_id,campaign_activity_id,product_id,price,quantity,purchase_type,purchased_at"
    )?;

    // Zipf popularity over activities; weekday seasonality over days.
    let popularity = cdf(&(1..=activities_n)
        .map(|r| 1.0 / (r as f64).powf(1.1))
        .collect::<Vec<_>>());
    let day_weights: Vec<f64> = (0..DAYS)
        .map(|d| WEEKDAY_WEIGHTS[tz.weekday(Ts(start.0 + d * MS_PER_DAY)) as usize])
        .collect();
    let day_cdf = cdf(&day_weights);
    let normal_share = 0.03;
    while out.events_written < shape.events {
        if rng.chance(normal_share) {
            // A normal (SHOP) sale of some product, from 14 days before the window on.
            let product = 1 + pick(&popularity, &mut rng);
            let day = i64::try_from(rng.below((DAYS + 14) as u64)).unwrap_or(0) - 14;
            let at = instant(&mut rng, start, day, &hour_cdf);
            if at >= end {
                continue;
            }
            out.purchase(
                rng.below(USERS),
                None,
                product,
                prices[product - 1],
                1 + rng.below(2),
                at,
            )?;
            continue;
        }
        let a = pick(&popularity, &mut rng);
        let act = &mut acts[a];
        // A day of the activity's run (the last one may be today, partly past), by weekday.
        let first_day = usize::try_from((act.start.0 - start.0) / MS_PER_DAY).unwrap_or(0);
        let last_day = usize::try_from((act.end.0 - start.0) / MS_PER_DAY).unwrap_or(0);
        let day = pick_between(&day_cdf, first_day, last_day.max(first_day), &mut rng) as i64;
        let t0 = instant(&mut rng, start, day.min(DAYS - 1), &hour_cdf);
        if t0 >= end {
            // Later today: drawn again, so the last hours keep their usual share.
            continue;
        }
        let person = rng.below(USERS);
        let views = 1 + u64::from(rng.chance(0.35)) + u64::from(rng.chance(0.1));
        for v in 0..views {
            let at = Ts(t0.0 + i64::try_from(v).unwrap_or(0) * 20_000);
            if at < end {
                out.event("PAGE_VIEW", None, person, act.id, at, "")?;
            }
        }
        if !rng.chance(0.45) {
            continue;
        }
        let t1 = Ts(t0.0 + 30_000 + i64::try_from(rng.below(120_000)).unwrap_or(0));
        if t1 >= end {
            continue;
        }
        out.event("CLICK", Some(person), person, act.id, t1, "")?;
        if !rng.chance(0.20) || act.approved >= act.limit || !act.entered.insert(person) {
            continue;
        }
        act.approved += 1;
        let t2 = Ts(t1.0 + 1_000 + i64::try_from(rng.below(5_000)).unwrap_or(0));
        if t2 >= end {
            continue;
        }
        out.event(
            "APPROVED",
            Some(person),
            person,
            act.id,
            t2,
            r#","source":"backend""#,
        )?;
        let t3 = Ts(t2.0 + 10_000 + i64::try_from(rng.below(200_000)).unwrap_or(0));
        let buys = rng.chance(0.35) && t3 < end;
        writeln!(
            out.entries,
            "{},u{person},{},{}",
            act.id,
            if buys { "PAID" } else { "CANCELLED" },
            t2.to_iso()
        )?;
        if !buys {
            continue;
        }
        let (price, product, id) = (act.price, act.product, act.id);
        out.event(
            "PURCHASE",
            Some(person),
            person,
            id,
            t3,
            &format!(r#","source":"backend","amount":{price}"#),
        )?;
        out.purchase(person, Some(id), product, price, 1, t3)?;
        // Repeat normal purchases, up to a year later, while they fall before the end.
        let repeats = [0, 0, 1, 1, 2, 3][usize::try_from(rng.below(6)).unwrap_or(0)];
        for _ in 0..repeats {
            let later = Ts(t3.0
                + i64::try_from(rng.below(365)).unwrap_or(0) * MS_PER_DAY
                + i64::try_from(rng.below(MS_PER_DAY as u64)).unwrap_or(0));
            if later < end {
                let p = 1 + pick(&popularity, &mut rng);
                out.purchase(person, None, p, prices[p - 1], 1, later)?;
            }
        }
    }
    out.events.flush()?;
    out.entries.flush()?;
    out.purchases.flush()?;
    println!(
        "simulated {} events, {} purchases into {} ({} .. {})",
        out.events_written,
        out.purchase_id,
        out_dir.display(),
        start.to_iso(),
        end.to_iso()
    );
    Ok(())
}
