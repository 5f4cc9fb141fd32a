//! What a dashboard call asks for, checked once at the boundary: the widgets, the window (SPEC
//! §5.1), the ordered funnel's conversion window, the breakdown, the drop-off step and page, the
//! cohort window and granularity. Every refusal carries the API's stable code.

use super::error::{ServiceError, ServiceResult};
use axon_domain::dimension::Dimension;
use axon_domain::model::FunnelStep;
use axon_domain::period::{resolve, Period, Window, MAX_WINDOW_DAYS};
use axon_domain::time::MS_PER_DAY;
use axon_domain::{BusinessTz, Ts};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    Overview,
    Funnel,
    Comparison,
    Realtime,
    Trend,
    Activities,
    Heatmap,
}

pub const ACTIVITY_WIDGETS: [Widget; 5] = [
    Widget::Overview,
    Widget::Funnel,
    Widget::Comparison,
    Widget::Realtime,
    Widget::Trend,
];
pub const CAMPAIGN_WIDGETS: [Widget; 7] = [
    Widget::Overview,
    Widget::Funnel,
    Widget::Comparison,
    Widget::Realtime,
    Widget::Trend,
    Widget::Activities,
    Widget::Heatmap,
];

impl Widget {
    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Overview => "overview",
            Widget::Funnel => "funnel",
            Widget::Comparison => "comparison",
            Widget::Realtime => "realtime",
            Widget::Trend => "trend",
            Widget::Activities => "activities",
            Widget::Heatmap => "heatmap",
        }
    }

    /// Parses `overview,funnel,…` against the widgets a scope offers (empty = all of them).
    pub fn parse_list(s: Option<&str>, allowed: &[Widget]) -> ServiceResult<Vec<Widget>> {
        let Some(s) = s.filter(|s| !s.trim().is_empty()) else {
            return Ok(allowed.to_vec());
        };
        let mut out = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let w = allowed
                .iter()
                .find(|w| w.as_str() == name)
                .copied()
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|w| w.as_str()).collect();
                    ServiceError::invalid(
                        "INVALID_WIDGETS",
                        format!(
                            "unknown widget '{name}' (expected any of {})",
                            names.join(", ")
                        ),
                    )
                })?;
            if !out.contains(&w) {
                out.push(w);
            }
        }
        Ok(out)
    }
}

/// A dashboard call as it arrives: the query string's fields, unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub widgets: Option<String>,
    pub period: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub conversion_window_hours: Option<i64>,
    pub breakdown: Option<String>,
    /// Drop-off lists: the step, the page and its size.
    pub step: Option<String>,
    pub page: Option<usize>,
    pub size: Option<usize>,
    /// Campaign cohorts: `month` or `week`.
    pub granularity: Option<String>,
    /// `csv` (a download) or `json` (the default): drop-off lists, widgets, raw events.
    pub format: Option<String>,
    /// CSV exports: which part of the answer (a widget, `breakdown`; the overview's `totals`,
    /// `topCampaignsByGmv`, `hourlyTraffic`, `efficiency`).
    pub part: Option<String>,
}

/// A checked dashboard call.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub period: Period,
    pub window: Window,
    pub now: Ts,
    pub widgets: Vec<Widget>,
    /// Ordered funnel: every step within this many hours of the first visit.
    pub conversion_window_hours: Option<i64>,
    pub breakdown: Option<Dimension>,
}

impl Query {
    /// The conversion window in milliseconds.
    pub fn within_ms(&self) -> Option<i64> {
        self.conversion_window_hours
            .map(|h| h * axon_domain::time::MS_PER_HOUR)
    }
}

/// Resolves the window of SPEC §5.1 (default `7d`).
pub fn window(r: &Request, now: Ts, tz: &BusinessTz) -> ServiceResult<(Period, Window)> {
    let period = Period::parse(r.period.as_deref().unwrap_or("7d"))?;
    let w = resolve(
        period,
        r.start_date.as_deref(),
        r.end_date.as_deref(),
        now,
        tz,
    )?;
    Ok((period, w))
}

/// Checks a call against the widgets its scope offers.
pub fn query(r: &Request, allowed: &[Widget], now: Ts, tz: &BusinessTz) -> ServiceResult<Query> {
    let (period, window) = window(r, now, tz)?;
    let widgets = Widget::parse_list(r.widgets.as_deref(), allowed)?;
    if let Some(h) = r.conversion_window_hours {
        if !(1..=24 * 400).contains(&h) {
            return Err(ServiceError::invalid(
                "INVALID_QUERY",
                "conversionWindowHours must be between 1 and 9600",
            ));
        }
    }
    let breakdown = breakdown(r)?;
    Ok(Query {
        period,
        window,
        now,
        widgets,
        conversion_window_hours: r.conversion_window_hours,
        breakdown,
    })
}

/// The dimension a call splits its figures by, if any (`breakdown=`; empty = none).
pub fn breakdown(r: &Request) -> ServiceResult<Option<Dimension>> {
    Ok(r.breakdown
        .as_deref()
        .filter(|b| !b.is_empty())
        .map(Dimension::parse)
        .transpose()?)
}

/// What an answer is asked as: JSON (the default), or a download — CSV (RFC 4180, UTF-8 with a
/// byte-order mark) or Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Parquet,
}

/// The media type of a Parquet file.
pub const PARQUET_MEDIA_TYPE: &str = "application/vnd.apache.parquet";

impl ExportFormat {
    /// `format=json|csv|parquet`, or (without `format`) an `Accept` naming `text/csv` or the
    /// Parquet media type — a download link cannot set headers, an HTTP client can.
    pub fn parse(format: Option<&str>, accept: Option<&str>) -> ServiceResult<ExportFormat> {
        match format.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) if f.eq_ignore_ascii_case("json") => Ok(ExportFormat::Json),
            Some(f) if f.eq_ignore_ascii_case("csv") => Ok(ExportFormat::Csv),
            Some(f) if f.eq_ignore_ascii_case("parquet") => Ok(ExportFormat::Parquet),
            Some(other) => Err(ServiceError::invalid(
                "INVALID_FORMAT",
                format!("format must be json, csv or parquet, not '{other}'"),
            )),
            None => {
                let accept = accept.unwrap_or_default().to_ascii_lowercase();
                Ok(if accept.contains(PARQUET_MEDIA_TYPE) {
                    ExportFormat::Parquet
                } else if accept.contains("text/csv") {
                    ExportFormat::Csv
                } else {
                    ExportFormat::Json
                })
            }
        }
    }

    /// The download's file name extension (`None` for JSON, which is an answer, not a file).
    pub fn extension(self) -> Option<&'static str> {
        match self {
            ExportFormat::Json => None,
            ExportFormat::Csv => Some("csv"),
            ExportFormat::Parquet => Some("parquet"),
        }
    }

    /// The `Content-Type` of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Parquet => PARQUET_MEDIA_TYPE,
        }
    }
}

/// The step a drop-off list starts from (default VISIT); nobody drops off after PURCHASE.
pub fn dropoff_step(s: Option<&str>) -> ServiceResult<FunnelStep> {
    let step = FunnelStep::parse(s.unwrap_or("VISIT"))?;
    if step == FunnelStep::Purchase {
        return Err(ServiceError::invalid(
            "INVALID_STEP",
            "PURCHASE is the last step: nobody drops off after it",
        ));
    }
    Ok(step)
}

/// A drop-off page (default 0) and size (default 100, at most 1000).
pub fn dropoff_page(page: Option<usize>, size: Option<usize>) -> ServiceResult<(usize, usize)> {
    let (page, size) = (page.unwrap_or(0), size.unwrap_or(100));
    if !(1..=1000).contains(&size) {
        return Err(ServiceError::invalid(
            "INVALID_QUERY",
            "size must be between 1 and 1000",
        ));
    }
    // `page × size` is computed later to skip rows: checked here so it can never overflow.
    axon_domain::field::page_offset(page as u64, size as u64)?;
    Ok((page, size))
}

/// Whether a campaign cohort is weekly (`week`) or monthly (`month`, the default).
pub fn weekly(granularity: Option<&str>) -> ServiceResult<bool> {
    match granularity.unwrap_or("month") {
        "month" => Ok(false),
        "week" => Ok(true),
        other => Err(ServiceError::invalid(
            "INVALID_QUERY",
            format!("granularity must be month or week, not '{other}'"),
        )),
    }
}

/// A cohort window: `startDate` (default `defaults.0`) … `endDate` (default `defaults.1`; a
/// bare date includes its whole day). Named dates must lie within the `horizon`, and a window
/// named by them at most [`MAX_WINDOW_DAYS`] long (SPEC §5.1). The default window runs from
/// the stored (horizon-bounded) activity dates, so its work is bounded too.
pub fn cohort_window(
    start_date: Option<&str>,
    end_date: Option<&str>,
    defaults: (Ts, Ts),
    now: Ts,
    tz: &BusinessTz,
    horizon: &axon_domain::Horizon,
) -> ServiceResult<Window> {
    let (default_start, default_end) = defaults;
    let parse = |s: &str| {
        let t = tz
            .parse_instant(s)
            .map_err(|e| ServiceError::invalid("INVALID_PERIOD", e.message))?;
        horizon
            .plan("cohort date", t, now)
            .map_err(|e| ServiceError::invalid("INVALID_PERIOD", e.message))
    };
    let named =
        start_date.is_some_and(|s| !s.is_empty()) || end_date.is_some_and(|s| !s.is_empty());
    let start = match start_date.filter(|s| !s.is_empty()) {
        Some(s) => parse(s)?,
        None => default_start,
    };
    let end = match end_date.filter(|s| !s.is_empty()) {
        Some(s) => {
            let t = parse(s)?;
            if BusinessTz::is_date_only(s) {
                tz.next_day_start(t)
            } else {
                t
            }
        }
        None => default_end,
    };
    if end < start {
        return Err(ServiceError::invalid(
            "INVALID_PERIOD",
            "endDate is before startDate",
        ));
    }
    if named && end.0 - start.0 > MAX_WINDOW_DAYS * MS_PER_DAY {
        return Err(ServiceError::invalid(
            "INVALID_PERIOD",
            format!("a cohort window is at most {MAX_WINDOW_DAYS} days long"),
        ));
    }
    Ok(Window::new(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: ServiceResult<T>) -> &'static str {
        match r.unwrap_err() {
            e if e.kind == crate::error::Kind::Invalid => e.code,
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn widgets_are_checked_against_the_scope_and_default_to_all() {
        assert_eq!(
            Widget::parse_list(None, &ACTIVITY_WIDGETS).unwrap(),
            ACTIVITY_WIDGETS.to_vec()
        );
        assert_eq!(
            Widget::parse_list(Some("trend, overview,trend"), &ACTIVITY_WIDGETS).unwrap(),
            vec![Widget::Trend, Widget::Overview]
        );
        assert_eq!(
            code(Widget::parse_list(Some("heatmap"), &ACTIVITY_WIDGETS)),
            "INVALID_WIDGETS"
        );
    }

    #[test]
    fn bad_periods_conversion_windows_and_breakdowns_are_refused_with_their_codes() {
        let tz = BusinessTz::default();
        let now = Ts(1_790_000_000_000);
        let bad = |r: Request| code(query(&r, &ACTIVITY_WIDGETS, now, &tz));
        let r = |f: fn(&mut Request)| {
            let mut r = Request::default();
            f(&mut r);
            r
        };
        assert_eq!(bad(r(|r| r.period = Some("2w".into()))), "INVALID_PERIOD");
        assert_eq!(
            bad(r(|r| r.conversion_window_hours = Some(0))),
            "INVALID_QUERY"
        );
        assert_eq!(
            bad(r(|r| r.breakdown = Some("shoe".into()))),
            "INVALID_BREAKDOWN"
        );
        let q = query(
            &r(|r| r.breakdown = Some(String::new())),
            &ACTIVITY_WIDGETS,
            now,
            &tz,
        );
        assert_eq!(q.unwrap().breakdown, None);
    }

    #[test]
    fn drop_off_steps_pages_granularity_and_cohort_windows_are_checked() {
        assert_eq!(dropoff_step(None).unwrap(), FunnelStep::Visit);
        assert_eq!(code(dropoff_step(Some("PURCHASE"))), "INVALID_STEP");
        assert_eq!(code(dropoff_step(Some("FLY"))), "VALIDATION_ERROR");
        assert_eq!(code(dropoff_page(None, Some(0))), "INVALID_QUERY");
        assert_eq!(dropoff_page(Some(2), None).unwrap(), (2, 100));
        assert_eq!(code(weekly(Some("year"))), "INVALID_QUERY");
        let f = ExportFormat::parse;
        assert_eq!(f(Some("csv"), None).unwrap(), ExportFormat::Csv);
        assert_eq!(
            f(Some("json"), Some("text/csv")).unwrap(),
            ExportFormat::Json
        );
        assert_eq!(f(None, Some("text/csv, */*")).unwrap(), ExportFormat::Csv);
        assert_eq!(
            f(Some(""), Some("application/json")).unwrap(),
            ExportFormat::Json
        );
        assert_eq!(
            f(Some("parquet"), Some("text/csv")).unwrap(),
            ExportFormat::Parquet
        );
        let pq = Some("application/vnd.apache.parquet");
        assert_eq!(f(None, pq).unwrap(), ExportFormat::Parquet);
        assert_eq!(f(None, None).unwrap(), ExportFormat::Json);
        assert_eq!(code(f(Some("xlsx"), None)), "INVALID_FORMAT");
        assert_eq!(ExportFormat::Parquet.extension(), Some("parquet"));
        let tz = BusinessTz::default();
        let h = axon_domain::Horizon::default();
        let now = Ts::parse_utc("2026-11-18T00:00:00Z").unwrap();
        let win = |a: &str, b: &str| {
            let opt = |s: &str| Some(s).filter(|s| !s.is_empty()).map(str::to_string);
            let (a, b) = (opt(a), opt(b));
            cohort_window(a.as_deref(), b.as_deref(), (Ts(0), now), now, &tz, &h)
        };
        let w = win("2026-11-01", "2026-11-01").unwrap();
        assert_eq!(w.len_ms(), axon_domain::time::MS_PER_DAY);
        assert_eq!(code(win("2026-11-02", "2026-10-31")), "INVALID_PERIOD");
        // Year 0001 and windows beyond 400 days are refused; the 400th day is fine.
        assert_eq!(code(win("0001-01-01", "")), "INVALID_PERIOD");
        assert_eq!(code(win("2024-01-01", "2026-01-01")), "INVALID_PERIOD");
        assert_eq!(code(win("2025-01-01", "")), "INVALID_PERIOD");
        assert!(win("2025-10-20", "").is_ok());
        assert_eq!(
            dropoff_page(Some(usize::MAX), Some(1000)).unwrap_err().code,
            "INVALID_QUERY"
        );
    }
}
