//! Time expressions (SPEC §7): 오늘, 어제, 그제, 지난/최근 N일·주·개월, 이번 주/지난주, 이번
//! 달/지난달, N월, dates, and their English forms — resolved to a half-open window in the business
//! time zone against the injected "now".

mod dates;
#[cfg(test)]
mod tests;

use crate::text::Text;
use crate::Lang;
use axon_domain::period::Window;
use axon_domain::time::{MS_PER_DAY, MS_PER_HOUR};
use axon_domain::{BusinessTz, Ts};
use dates::*;

/// A resolved period: a stable key for `parameters`, the window, and its name in both languages.
#[derive(Debug, Clone)]
pub struct When {
    pub key: String,
    pub window: Window,
    pub ko: String,
    pub en: String,
    /// False when the question named no period and the default (the last 7 days) was taken.
    pub explicit: bool,
    /// The calendar unit of a calendar period (오늘, 이번 주, 지난달, 10월 …); `None` for rolling
    /// windows ("지난 7일") and date ranges.
    pub calendar: Option<Cal>,
    /// A calendar period still running: its window was cut at now (오늘, 이번 주, 이번 달).
    pub to_date: bool,
}

/// Calendar units (weeks start on Monday in the business zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cal {
    Day,
    Week,
    Month,
    Year,
}

impl When {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }

    /// Marks a calendar period; it runs to date when its window was cut at `now`.
    fn cal(mut self, c: Cal, now: Ts) -> When {
        self.calendar = Some(c);
        self.to_date = self.window.end == Ts(now.0 + 1);
        self
    }

    /// The period this one is measured against: for a calendar period the one before it — and
    /// while it is still running, the same stretch of it (this week so far against Monday … the
    /// same weekday and hour of last week), so a partial week is never set against a whole one;
    /// for a rolling window the window of equal length just before.
    pub fn previous(&self, tz: &BusinessTz) -> When {
        let Some(cal) = self.calendar else {
            return When {
                key: "previousPeriod".into(),
                window: self.window.previous(),
                ko: "직전 같은 길이 기간".into(),
                en: "the previous period of equal length".into(),
                explicit: true,
                calendar: None,
                to_date: false,
            };
        };
        let back = |t: Ts| match cal {
            Cal::Day => tz.add_days(t, -1),
            Cal::Week => tz.add_days(t, -7),
            Cal::Month => tz.add_months(t, -1),
            Cal::Year => tz.add_months(t, -12),
        };
        let start = back(self.window.start);
        let end = if self.to_date {
            back(self.window.end).min(self.window.start)
        } else {
            self.window.start
        };
        let (key, ko, en) = match (cal, self.to_date) {
            (Cal::Day, true) => (
                "yesterdayToDate",
                "어제 같은 시각까지",
                "yesterday up to the same time",
            ),
            (Cal::Day, false) => ("previousDay", "그 전날", "the day before"),
            (Cal::Week, true) => (
                "lastWeekToDate",
                "지난주 같은 기간",
                "the same days of last week",
            ),
            (Cal::Week, false) => ("previousWeek", "그 전 주", "the week before"),
            (Cal::Month, true) => (
                "lastMonthToDate",
                "지난달 같은 기간",
                "the same days of last month",
            ),
            (Cal::Month, false) => ("previousMonth", "그 전 달", "the month before"),
            (Cal::Year, true) => (
                "lastYearToDate",
                "작년 같은 기간",
                "the same days of last year",
            ),
            (Cal::Year, false) => ("previousYear", "그 전 해", "the year before"),
        };
        When {
            calendar: Some(cal),
            ..when(key, start, end, ko, en)
        }
    }
}

const TODAY: &[&str] = &["오늘", "금일", " today ", " so far today "];
const YESTERDAY: &[&str] = &["어제", "전일", " yesterday "];
const THIS_WEEK: &[&str] = &["이번주", "금주", "이번 주", " this week "];
const LAST_WEEK: &[&str] = &[
    "지난주",
    "저번주",
    "전주",
    " last week ",
    " previous week ",
    " past week ",
];
const THIS_MONTH: &[&str] = &["이번달", "이달", "금월", " this month "];
const LAST_MONTH: &[&str] = &[
    "지난달",
    "저번달",
    "전월",
    " last month ",
    " previous month ",
    " past month ",
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn when(
    key: impl Into<String>,
    start: Ts,
    end: Ts,
    ko: impl Into<String>,
    en: impl Into<String>,
) -> When {
    When {
        key: key.into(),
        window: Window::new(start, end),
        ko: ko.into(),
        en: en.into(),
        explicit: true,
        calendar: None,
        to_date: false,
    }
}

/// The `len_ms` up to now (the domain's trailing window).
fn trailing(
    key: impl Into<String>,
    now: Ts,
    len_ms: i64,
    ko: impl Into<String>,
    en: impl Into<String>,
) -> When {
    let w = Window::trailing(now, len_ms);
    when(key, w.start, w.end, ko, en)
}

/// The last `n` hours up to now, as "최근 24시간" names them.
pub fn last_hours(now: Ts, n: u32) -> When {
    let en = if n == 1 {
        "the last hour".to_string()
    } else {
        format!("the last {n} hours")
    };
    trailing(
        format!("{n}h"),
        now,
        i64::from(n) * MS_PER_HOUR,
        format!("최근 {n}시간"),
        en,
    )
}

/// The dashboards' default: the last 7 days up to now.
pub fn default(now: Ts) -> When {
    When {
        explicit: false,
        ..trailing("7d", now, 7 * MS_PER_DAY, "지난 7일", "the last 7 days")
    }
}

fn today(tz: &BusinessTz, now: Ts) -> When {
    when("today", tz.day_start(now), Ts(now.0 + 1), "오늘", "today").cal(Cal::Day, now)
}

fn yesterday(tz: &BusinessTz, now: Ts) -> When {
    let today = tz.day_start(now);
    when(
        "yesterday",
        tz.day_start(Ts(today.0 - 1)),
        today,
        "어제",
        "yesterday",
    )
    .cal(Cal::Day, now)
}

fn this_week(tz: &BusinessTz, now: Ts) -> When {
    when(
        "thisWeek",
        tz.week_start(now),
        Ts(now.0 + 1),
        "이번 주",
        "this week",
    )
    .cal(Cal::Week, now)
}

fn last_week(tz: &BusinessTz, now: Ts) -> When {
    let week = tz.week_start(now);
    when(
        "lastWeek",
        tz.add_days(week, -7),
        week,
        "지난주",
        "last week",
    )
    .cal(Cal::Week, now)
}

fn this_month(tz: &BusinessTz, now: Ts) -> When {
    when(
        "thisMonth",
        tz.month_start(now, 0),
        Ts(now.0 + 1),
        "이번 달",
        "this month",
    )
    .cal(Cal::Month, now)
}

fn last_month(tz: &BusinessTz, now: Ts) -> When {
    when(
        "lastMonth",
        tz.month_start(now, -1),
        tz.month_start(now, 0),
        "지난달",
        "last month",
    )
    .cal(Cal::Month, now)
}

/// Month `m` of this year, or of last year while it is still ahead; cut at now.
fn named_month(tz: &BusinessTz, now: Ts, m: u32) -> Option<When> {
    let (year, month, _) = ymd(tz, now);
    let y = if m <= month { year } else { year - 1 };
    let s = date_ts(tz, y, m, 1)?;
    let e = tz.month_start(s, 1).min(Ts(now.0 + 1));
    Some(
        when(
            format!("month:{y:04}-{m:02}"),
            s,
            e,
            format!("{y}년 {m}월"),
            format!("{} {y}", capital(MONTHS[m as usize - 1])),
        )
        .cal(Cal::Month, now),
    )
}

/// The months a question names ("10월", "october", "nov"), in order, without repeats.
fn months_named(t: &Text) -> Vec<u32> {
    let c = &t.compact;
    let mut out: Vec<u32> = Vec::new();
    let nums = numbers(c);
    for (i, (_, e, m)) in nums.iter().enumerate() {
        // "11월 3일" is a day, not a month.
        let day_follows = nums
            .get(i + 1)
            .is_some_and(|(s2, e2, _)| *s2 == *e + '월'.len_utf8() && c[*e2..].starts_with('일'));
        if c[*e..].starts_with('월') && (1..=12).contains(m) && !day_follows && !out.contains(m) {
            out.push(*m);
        }
    }
    for (name, i) in MONTHS.iter().zip(1u32..) {
        if (t.has(&format!(" {name} ")) || t.has(&format!(" {} ", &name[..3]))) && !out.contains(&i)
        {
            out.push(i);
        }
    }
    out
}

/// Two periods set side by side ("지난주랑 이번주", "this week vs last week", "어제와 오늘",
/// "10월과 11월"): the later one first, then the earlier one. Calendar weeks, months and days.
pub fn pair(t: &Text, now: Ts, tz: &BusinessTz) -> Option<(When, When)> {
    let t = &numberize(t);
    if t.any(THIS_WEEK) && t.any(LAST_WEEK) {
        return Some((this_week(tz, now), last_week(tz, now)));
    }
    if t.any(THIS_MONTH) && t.any(LAST_MONTH) {
        return Some((this_month(tz, now), last_month(tz, now)));
    }
    if t.any(TODAY) && t.any(YESTERDAY) {
        return Some((today(tz, now), yesterday(tz, now)));
    }
    if let [a, b] = months_named(t)[..] {
        let (a, b) = (named_month(tz, now, a)?, named_month(tz, now, b)?);
        return Some(if a.window.start > b.window.start {
            (a, b)
        } else {
            (b, a)
        });
    }
    None
}

/// The period a question names, or `None` when it names none.
pub fn parse(t: &Text, now: Ts, tz: &BusinessTz) -> Option<When> {
    let t = &numberize(t);
    let end = Ts(now.0 + 1);
    let today = tz.day_start(now);
    let (year, month, _) = ymd(tz, now);
    let day = |y: i32, m: u32, d: u32| -> Option<When> {
        let s = date_ts(tz, y, m, d)?;
        let e = tz.next_day_start(s);
        let name = format!("{y:04}-{m:02}-{d:02}");
        Some(when(format!("date:{name}"), s, e.min(end), name.clone(), name).cal(Cal::Day, now))
    };
    let dates = iso_dates(t);
    if dates.len() >= 2 {
        let (a, b) = (dates[0], dates[1]);
        let s = date_ts(tz, a.0, a.1, a.2)?;
        let e = tz.next_day_start(date_ts(tz, b.0, b.1, b.2)?);
        let (na, nb) = (
            format!("{:04}-{:02}-{:02}", a.0, a.1, a.2),
            format!("{:04}-{:02}-{:02}", b.0, b.1, b.2),
        );
        return Some(when(
            "custom",
            s,
            e,
            format!("{na} ~ {nb}"),
            format!("{na} to {nb}"),
        ));
    }
    if let Some((y, m, d)) = dates.first() {
        return day(*y, *m, *d);
    }
    if let Some((m, d)) = english_day(t) {
        let y = if m <= month { year } else { year - 1 };
        if let Some(w) = day(y, m, d) {
            return Some(w);
        }
    }
    let c = &t.compact;
    let nums = numbers(c);
    // "11월 3일": a calendar day of this year (or last year when still ahead).
    for w in nums.windows(2) {
        let ((_, e1, m), (s2, e2, d)) = (w[0], w[1]);
        if c[e1..].starts_with('월') && s2 == e1 + '월'.len_utf8() && c[e2..].starts_with('일') {
            let y = if m <= month { year } else { year - 1 };
            if let Some(w) = day(y, m, d) {
                return Some(w);
            }
        }
    }
    if t.any(&["그제", "그저께", "엊그제", "day before yesterday"]) {
        let s = tz.day_start(Ts(tz.day_start(Ts(today.0 - 1)).0 - 1));
        return Some(
            when(
                "dayBeforeYesterday",
                s,
                tz.day_start(Ts(today.0 - 1)),
                "그제",
                "the day before yesterday",
            )
            .cal(Cal::Day, now),
        );
    }
    if t.any(YESTERDAY) {
        return Some(yesterday(tz, now));
    }
    if t.any(TODAY) {
        return Some(self::today(tz, now));
    }
    // Rolling windows: "최근 14일", "지난 2주", "3개월", "last 24 hours", "최근 30분".
    for (_, e, n) in &nums {
        let n = *n;
        if n == 0 || n > 400 {
            continue;
        }
        let rest = &c[*e..];
        let sp = t.spaced.as_str();
        let en_unit =
            |u: &str| sp.contains(&format!(" {n} {u}")) || sp.contains(&format!(" {n}{u}"));
        let i = i64::from(n);
        let plural = |unit: &str| {
            if n == 1 {
                format!("the last {unit}")
            } else {
                format!("the last {n} {unit}s")
            }
        };
        if (rest.starts_with('분') && !rest.starts_with("분기")) || en_unit("min") {
            return Some(trailing(
                format!("{n}min"),
                now,
                i * 60_000,
                format!("최근 {n}분"),
                plural("minute"),
            ));
        }
        if rest.starts_with("시간") || en_unit("hour") {
            return Some(trailing(
                format!("{n}h"),
                now,
                i * MS_PER_HOUR,
                format!("최근 {n}시간"),
                plural("hour"),
            ));
        }
        if rest.starts_with("개월") || rest.starts_with("달") || en_unit("month") {
            let s = tz.add_months(end, -i32::try_from(n).unwrap_or(1));
            return Some(when(
                format!("{n}m"),
                s,
                end,
                format!("최근 {n}개월"),
                plural("month"),
            ));
        }
        if rest.starts_with("주") || en_unit("week") {
            return Some(trailing(
                format!("{n}w"),
                now,
                7 * i * MS_PER_DAY,
                format!("최근 {n}주"),
                plural("week"),
            ));
        }
        if rest.starts_with("일") || en_unit("day") {
            return Some(trailing(
                format!("{n}d"),
                now,
                i * MS_PER_DAY,
                format!("지난 {n}일"),
                plural("day"),
            ));
        }
    }
    // "past hour", "in the last hour": one hour without a number.
    if t.any(&[
        " last hour ",
        " past hour ",
        " previous hour ",
        " this hour ",
    ]) {
        return Some(trailing(
            "1h",
            now,
            MS_PER_HOUR,
            "최근 1시간",
            "the last hour",
        ));
    }
    if t.any(THIS_WEEK) {
        return Some(this_week(tz, now));
    }
    if t.any(LAST_WEEK) {
        return Some(last_week(tz, now));
    }
    if t.any(THIS_MONTH) {
        return Some(this_month(tz, now));
    }
    if t.any(LAST_MONTH) {
        return Some(last_month(tz, now));
    }
    if let Some(m) = months_named(t).first() {
        return named_month(tz, now, *m);
    }
    if t.any(&["올해", "금년", " this year "]) {
        let s = date_ts(tz, year, 1, 1)?;
        return Some(when("thisYear", s, end, "올해", "this year").cal(Cal::Year, now));
    }
    None
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
