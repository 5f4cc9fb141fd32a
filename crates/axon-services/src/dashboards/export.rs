//! Exports (`format=csv`): a part of a dashboard answer as a table, written as RFC 4180 CSV in
//! UTF-8 with a byte-order mark so that Excel opens Korean text correctly. The table is read off
//! the answer's JSON — the same numbers the page shows: a list of rows becomes its rows, an
//! object its list-valued part (funnel steps, daily sales, hourly inflow, split rows) or its
//! figures one per line (with the previous period and the change when the answer has them), the
//! weekday × hour heat map one row per weekday.

use crate::dashboards::ServiceResult;
use crate::ServiceError;
use serde_json::{Map, Value};

/// A header and its rows, every cell already text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
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
                .map(|k| item.get(k).map(cell).unwrap_or_default())
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
            let mut row = vec![k.clone(), cell(v)];
            if let Some(p) = prev {
                row.push(p.get(k).map(cell).unwrap_or_default());
            }
            if let Some(c) = change {
                row.push(c.get(k).map(cell).unwrap_or_default());
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

/// The raw events of a window as a table: one row per stored event, oldest first, its fields as
/// columns and its properties as one JSON cell.
pub fn events_table(mut events: Vec<axon_domain::event::Event>) -> Table {
    events.sort_by_key(|e| e.occurred_at);
    let header = [
        "occurredAt",
        "triggerType",
        "eventName",
        "eventId",
        "userId",
        "anonymousId",
        "sessionId",
        "activityId",
        "campaignId",
        "pageUrl",
        "referrer",
        "userAgent",
        "bot",
        "properties",
    ]
    .map(String::from)
    .to_vec();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let id = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let rows = events
        .iter()
        .map(|e| {
            vec![
                e.occurred_at.to_iso(),
                e.trigger_type.as_str().to_string(),
                text(&e.event_name),
                text(&e.event_id),
                text(&e.user_id),
                text(&e.anonymous_id),
                text(&e.session_id),
                id(e.activity_id),
                id(e.campaign_id),
                text(&e.page_url),
                text(&e.referrer),
                text(&e.user_agent),
                e.bot.to_string(),
                Value::Object(e.properties.clone()).to_string(),
            ]
        })
        .collect();
    Table { header, rows }
}

/// The part `name` of an answer's `data` (a widget, or `breakdown`): `None` when absent.
pub fn part<'a>(answer: &'a Value, name: &str) -> Option<&'a Value> {
    answer.get("data").and_then(|d| d.get(name))
}

/// Which part a CSV export is of: `part=`, else the one widget asked for.
pub fn export_part(part: Option<&str>, widgets: Option<&str>) -> ServiceResult<String> {
    if let Some(p) = part.filter(|p| !p.is_empty()) {
        return Ok(p.to_string());
    }
    match widgets.map(|w| w.split(',').filter(|x| !x.is_empty()).collect::<Vec<_>>()) {
        Some(w) if w.len() == 1 => Ok(w[0].to_string()),
        _ => Err(ServiceError::invalid(
            "CSV_NEEDS_ONE_PART",
            "a CSV export is of one widget: ask for one in widgets= or name it in part=",
        )),
    }
}

/// RFC 4180 CSV (CRLF line ends, quoted where needed) with the UTF-8 byte-order mark.
pub fn csv(t: &Table) -> ServiceResult<String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(&t.header).map_err(ServiceError::internal)?;
    for r in &t.rows {
        w.write_record(r).map_err(ServiceError::internal)?;
    }
    let bytes = w.into_inner().map_err(ServiceError::internal)?;
    Ok(format!(
        "{BOM}{}",
        String::from_utf8(bytes).map_err(ServiceError::internal)?
    ))
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
            "5".into(),
            "4".into(),
            "25".into()
        ]));
        assert!(t.rows.contains(&vec![
            "gmv".into(),
            "1000".into(),
            "0".into(),
            String::new()
        ]));
    }

    #[test]
    fn the_heat_map_is_one_row_per_weekday_and_24_hours() {
        let h = json!({"weekdays": ["MON"], "byWeekdayHour": [(0..24).collect::<Vec<_>>()]});
        let t = table_of(&h);
        assert_eq!(t.header.len(), 25);
        assert_eq!(t.rows[0][0], "MON");
        assert_eq!(t.rows[0][24], "23");
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
