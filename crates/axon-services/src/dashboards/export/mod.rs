//! Exports (`format=csv|parquet`): a part of a dashboard answer as a table, written as RFC 4180
//! CSV in UTF-8 with a byte-order mark so that Excel opens Korean text correctly, or as a Parquet
//! file with typed columns (`parquet`). The table is read off
//! the answer's JSON — the same numbers the page shows: a list of rows becomes its rows, an
//! object its list-valued part (funnel steps, daily sales, hourly inflow, split rows) or its
//! figures one per line (with the previous period and the change when the answer has them), the
//! weekday × hour heat map one row per weekday.

pub mod events;
pub mod parquet;

use crate::dashboards::ServiceResult;
use crate::ServiceError;
use axon_domain::Ts;
use serde_json::{Map, Value};

/// One value of a table: typed, so that a Parquet column keeps numbers as numbers and instants
/// as timestamps, and CSV writes each exactly as the JSON answer shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Time(Ts),
}

impl Cell {
    /// The cell as CSV text: empty for null, numbers as the JSON answer writes them, instants
    /// in ISO-8601 UTC.
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(x) => {
                serde_json::Number::from_f64(*x).map_or_else(String::new, |n| n.to_string())
            }
            Cell::Bool(b) => b.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Time(t) => t.to_iso(),
        }
    }

    /// Text, or null when absent.
    pub fn opt(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, |s| Cell::Text(s.to_string()))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

/// A header and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

/// A JSON value as a cell: a string that is an instant written the way the answers write
/// instants becomes a timestamp; arrays and objects stay JSON text.
fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::String(s) => match Ts::parse_utc(s) {
            Ok(t) if t.to_iso() == *s => Cell::Time(t),
            _ => Cell::Text(s.clone()),
        },
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(Cell::Int)
            .or_else(|| n.as_f64().map(Cell::Float))
            .unwrap_or_else(|| Cell::Text(n.to_string())),
        other => Cell::Text(other.to_string()),
    }
}

fn scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Columns that say what a row is come first; the figures follow by name.
const KEYS_FIRST: [&str; 12] = [
    "step",
    "name",
    "date",
    "timestamp",
    "hour",
    "value",
    "cohort",
    "activityId",
    "activityName",
    "campaignId",
    "campaignName",
    "size",
];

/// Rows of objects: one column per scalar field.
fn rows_of(items: &[Value]) -> Table {
    let mut header: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(m) = item {
            for (k, v) in m {
                if scalar(v) && !header.contains(k) {
                    header.push(k.clone());
                }
            }
        }
    }
    let rank = |k: &String| {
        KEYS_FIRST
            .iter()
            .position(|f| f == k)
            .unwrap_or(KEYS_FIRST.len())
    };
    header.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    let rows = items
        .iter()
        .map(|item| {
            header
                .iter()
                .map(|k| item.get(k).map_or(Cell::Null, cell))
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// An object's figures, one per line, with `previous` and `change` columns when it has them.
fn figures(m: &Map<String, Value>) -> Table {
    let prev = m.get("previous").and_then(Value::as_object);
    let change = m.get("change").and_then(Value::as_object);
    let mut header = vec!["metric".to_string(), "value".to_string()];
    if prev.is_some() {
        header.push("previous".into());
    }
    if change.is_some() {
        header.push("changePercent".into());
    }
    let rows = m
        .iter()
        .filter(|(_, v)| scalar(v))
        .map(|(k, v)| {
            let mut row = vec![Cell::Text(k.clone()), cell(v)];
            if let Some(p) = prev {
                row.push(p.get(k).map_or(Cell::Null, cell));
            }
            if let Some(c) = change {
                row.push(c.get(k).map_or(Cell::Null, cell));
            }
            row
        })
        .collect();
    Table { header, rows }
}

/// The table of one part of an answer.
pub fn table_of(part: &Value) -> Table {
    match part {
        Value::Array(items) if items.iter().all(Value::is_object) => rows_of(items),
        Value::Array(items) => Table {
            header: vec!["value".into()],
            rows: items.iter().map(|v| vec![cell(v)]).collect(),
        },
        Value::Object(m) => {
            if let (Some(Value::Array(matrix)), Some(Value::Array(days))) =
                (m.get("byWeekdayHour"), m.get("weekdays"))
            {
                let mut header = vec!["weekday".to_string()];
                header.extend((0..24).map(|h| format!("{h:02}")));
                let rows = days
                    .iter()
                    .zip(matrix)
                    .map(|(d, hours)| {
                        let mut row = vec![cell(d)];
                        row.extend(hours.as_array().into_iter().flatten().map(cell));
                        row
                    })
                    .collect();
                return Table { header, rows };
            }
            // The list-valued part that carries the widget's rows, when there is one.
            for key in [
                "steps",
                "rows",
                "daily",
                "hourlyInflow",
                "series",
                "cohorts",
                "points",
            ] {
                if let Some(Value::Array(items)) = m.get(key) {
                    if !items.is_empty() && items.iter().all(Value::is_object) {
                        return rows_of(items);
                    }
                }
            }
            figures(m)
        }
        other => Table {
            header: vec!["value".into()],
            rows: vec![vec![cell(other)]],
        },
    }
}

/// The part `name` of an answer's `data` (a widget, or `breakdown`): `None` when absent.
pub fn part<'a>(answer: &'a Value, name: &str) -> Option<&'a Value> {
    answer.get("data").and_then(|d| d.get(name))
}

/// Which part an export is of: `part=`, else the one widget asked for.
pub fn export_part(part: Option<&str>, widgets: Option<&str>) -> ServiceResult<String> {
    if let Some(p) = part.filter(|p| !p.is_empty()) {
        return Ok(p.to_string());
    }
    match widgets.map(|w| w.split(',').filter(|x| !x.is_empty()).collect::<Vec<_>>()) {
        Some(w) if w.len() == 1 => Ok(w[0].to_string()),
        _ => Err(ServiceError::invalid(
            "CSV_NEEDS_ONE_PART",
            "an export is of one widget: ask for one in widgets= or name it in part=",
        )),
    }
}

/// RFC 4180 CSV lines (CRLF line ends, quoted where needed), without the byte-order mark: the
/// streamed raw events write their rows a page at a time.
pub fn csv_rows<'a>(
    rows: impl IntoIterator<Item = &'a Vec<Cell>>,
    out: Vec<u8>,
) -> ServiceResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    for r in rows {
        w.write_record(r.iter().map(Cell::text))
            .map_err(ServiceError::internal)?;
    }
    w.into_inner().map_err(ServiceError::internal)
}

/// The byte-order mark and the header line of a CSV file.
pub fn csv_head(header: &[String]) -> ServiceResult<Vec<u8>> {
    let head: Vec<Cell> = header.iter().map(|h| Cell::Text(h.clone())).collect();
    csv_rows([&head], BOM.as_bytes().to_vec())
}

/// RFC 4180 CSV (CRLF line ends, quoted where needed) with the UTF-8 byte-order mark.
pub fn csv(t: &Table) -> ServiceResult<String> {
    let bytes = csv_rows(&t.rows, csv_head(&t.header)?)?;
    String::from_utf8(bytes).map_err(ServiceError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn funnel_steps_become_rows_and_korean_text_is_quoted_where_needed() {
        let f = json!({"steps": [{"step": "VISIT", "name": "방문, 전체", "value": 10, "users": 7}],
            "definition": "x"});
        let out = csv(&table_of(&f)).unwrap();
        assert!(out.starts_with(BOM));
        assert_eq!(
            out.trim_start_matches(BOM),
            "step,name,value,users\r\nVISIT,\"방문, 전체\",10,7\r\n"
        );
    }

    #[test]
    fn an_overview_is_one_figure_per_line_with_its_previous_period_and_change() {
        let o = json!({"totalVisits": 5, "gmv": 1000, "previous": {"totalVisits": 4, "gmv": 0},
            "change": {"totalVisits": 25, "gmv": null}});
        let t = table_of(&o);
        assert_eq!(t.header, ["metric", "value", "previous", "changePercent"]);
        assert!(t.rows.contains(&vec![
            "totalVisits".into(),
            Cell::Int(5),
            Cell::Int(4),
            Cell::Int(25)
        ]));
        assert!(t.rows.contains(&vec![
            "gmv".into(),
            Cell::Int(1000),
            Cell::Int(0),
            Cell::Null
        ]));
    }

    #[test]
    fn the_heat_map_is_one_row_per_weekday_and_24_hours() {
        let h = json!({"weekdays": ["MON"], "byWeekdayHour": [(0..24).collect::<Vec<_>>()]});
        let t = table_of(&h);
        assert_eq!(t.header.len(), 25);
        assert_eq!(t.rows[0][0], "MON".into());
        assert_eq!(t.rows[0][24], Cell::Int(23));
    }

    #[test]
    fn numbers_and_instants_keep_their_type_and_their_json_text() {
        let t = table_of(
            &json!([{"timestamp": "2026-11-12T10:00:00Z", "count": 3, "rate": 45.5,
            "whole": 100.0, "date": "2026-11-12"}]),
        );
        let row = &t.rows[0];
        let at = |k: &str| &row[t.header.iter().position(|h| h == k).unwrap()];
        assert_eq!(
            at("timestamp"),
            &Cell::Time(Ts::parse_utc("2026-11-12T10:00:00Z").unwrap())
        );
        assert_eq!(at("count"), &Cell::Int(3));
        assert_eq!(at("rate"), &Cell::Float(45.5));
        assert_eq!(at("date"), &"2026-11-12".into(), "a day is not an instant");
        let line = csv(&t).unwrap();
        assert!(
            line.ends_with("2026-11-12,2026-11-12T10:00:00Z,3,45.5,100.0\r\n"),
            "CSV writes what the JSON shows: {line:?}"
        );
    }

    #[test]
    fn an_export_is_of_one_part() {
        assert_eq!(export_part(None, Some("funnel")).unwrap(), "funnel");
        assert_eq!(
            export_part(Some("breakdown"), Some("funnel,overview")).unwrap(),
            "breakdown"
        );
        assert_eq!(
            export_part(None, Some("funnel,overview")).unwrap_err().code,
            "CSV_NEEDS_ONE_PART"
        );
        assert!(export_part(None, None).is_err());
    }
}
