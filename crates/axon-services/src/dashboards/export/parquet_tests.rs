//! Round trips: files written here, read back with the `parquet` crate's own reader.

use super::*;
use crate::dashboards::export::events::{event_row, EVENT_COLUMNS};
use crate::dashboards::export::table_of;
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::record::Field;
use axon_domain::event::Event;
use axon_domain::model::TriggerType;
use axon_domain::Ts;
use serde_json::{json, Map};
use std::io::Seek;

/// The file's column names and physical types, and its rows as fields.
type Read = (
    Vec<(String, Physical, Option<LogicalType>)>,
    Vec<Vec<Field>>,
    usize,
);

fn read_back(bytes: &[u8]) -> Read {
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(bytes).unwrap();
    f.rewind().unwrap();
    let reader = SerializedFileReader::new(f).unwrap();
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let columns = schema
        .columns()
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                c.physical_type(),
                c.logical_type_ref().cloned(),
            )
        })
        .collect();
    let groups = meta.num_row_groups();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| {
            r.unwrap()
                .get_column_iter()
                .map(|(_, f)| f.clone())
                .collect()
        })
        .collect();
    (columns, rows, groups)
}

#[test]
fn a_widget_reads_back_with_typed_columns_and_every_value() {
    let funnel = json!({"steps": [
        {"step": "VISIT", "name": "방문", "value": 10, "users": 7, "rate": 100.0},
        {"step": "ENGAGE", "name": "참여, 클릭", "value": 4, "users": 3, "rate": 40.5}]});
    let t = table_of(&funnel);
    let (columns, rows, groups) = read_back(&parquet(&t).unwrap());
    let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["step", "name", "value", "rate", "users"]);
    let types: Vec<Physical> = columns.iter().map(|c| c.1).collect();
    assert_eq!(
        types,
        [
            Physical::BYTE_ARRAY,
            Physical::BYTE_ARRAY,
            Physical::INT64,
            Physical::DOUBLE,
            Physical::INT64
        ]
    );
    assert_eq!(columns[1].2, Some(LogicalType::String));
    assert_eq!(groups, 1);
    assert_eq!(
        rows,
        [
            vec![
                Field::Str("VISIT".into()),
                Field::Str("방문".into()),
                Field::Long(10),
                Field::Double(100.0),
                Field::Long(7)
            ],
            vec![
                Field::Str("ENGAGE".into()),
                Field::Str("참여, 클릭".into()),
                Field::Long(4),
                Field::Double(40.5),
                Field::Long(3)
            ],
        ]
    );
}

#[test]
fn figures_of_mixed_kinds_keep_nulls_and_fall_back_to_the_widest_type() {
    let overview = json!({"totalVisits": 5, "conversionRate": 2.5, "definition": "visits = 방문",
        "previous": {"totalVisits": 4, "conversionRate": 0.0},
        "change": {"totalVisits": 25.0, "conversionRate": null}});
    let bytes = parquet(&table_of(&overview)).unwrap();
    let (columns, rows, _) = read_back(&bytes);
    assert_eq!(rows.len(), 2, "the numbers are rows");
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(&bytes).unwrap();
    let reader = SerializedFileReader::new(f).unwrap();
    let notes = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let definition = notes.iter().find(|k| k.key == "definition").unwrap();
    assert_eq!(
        definition.value.as_deref(),
        Some("visits = 방문"),
        "the text is kept"
    );
    let types: Vec<Physical> = columns.iter().map(|c| c.1).collect();
    assert_eq!(
        types,
        [
            Physical::BYTE_ARRAY,
            Physical::DOUBLE,
            Physical::DOUBLE,
            Physical::DOUBLE
        ],
        "ints and fractions in one column are DOUBLE"
    );
    let rate = rows
        .iter()
        .find(|r| r[0] == Field::Str("conversionRate".into()))
        .unwrap();
    assert_eq!(
        rate[1..],
        [Field::Double(2.5), Field::Double(0.0), Field::Null]
    );
    assert_eq!(column_type(&[Cell::Int(1), "x".into()]), ColumnType::Text);
    assert_eq!(column_type(&[Cell::Null]), ColumnType::Text);
}

#[test]
fn raw_events_read_back_with_timestamps_ids_and_korean_text_over_several_row_groups() {
    let columns: Vec<(String, ColumnType)> = EVENT_COLUMNS
        .iter()
        .map(|(n, t)| ((*n).to_string(), *t))
        .collect();
    let mut w = ParquetWriter::new(&columns).unwrap();
    let at = Ts::parse_utc("2026-11-12T10:30:00.250Z").unwrap();
    let mut props = Map::new();
    props.insert("상품".into(), json!("겨울 코트"));
    let mut e = Event::backend(TriggerType::Purchase, "고객-1", at, props);
    e.activity_id = Some(789);
    e.campaign_id = Some(12);
    let mut bare = Event::backend(TriggerType::PageView, "u2", Ts(at.0 + 1), Map::new());
    bare.user_id = None;
    bare.bot = true;
    let mut bytes = Vec::new();
    w.row_group(vec![event_row(e.clone())]).unwrap();
    bytes.extend(w.take().unwrap());
    assert!(
        bytes.starts_with(b"PAR1"),
        "the first group comes with the magic"
    );
    w.row_group(vec![event_row(bare.clone())]).unwrap();
    w.row_group(Vec::new()).unwrap();
    bytes.extend(w.take().unwrap());
    bytes.extend(w.finish().unwrap());
    let (columns, rows, groups) = read_back(&bytes);
    assert_eq!(groups, 2, "one row group per page, none for an empty page");
    let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, EVENT_COLUMNS.map(|c| c.0));
    assert_eq!(columns[0].1, Physical::INT64);
    assert_eq!(
        columns[0].2,
        Some(LogicalType::timestamp(true, TimeUnit::MILLIS))
    );
    assert_eq!(columns[7].1, Physical::INT64);
    assert_eq!(columns[12].1, Physical::BOOLEAN);
    assert_eq!(rows.len(), 2);
    let first = &rows[0];
    assert_eq!(first[0], Field::TimestampMillis(at.0));
    assert_eq!(first[1], Field::Str("PURCHASE".into()));
    assert_eq!(first[2], Field::Str(e.event_name.clone().unwrap()));
    assert_eq!(first[4], Field::Str("고객-1".into()));
    assert_eq!(first[7], Field::Long(789));
    assert_eq!(first[8], Field::Long(12));
    assert_eq!(first[12], Field::Bool(false));
    let Field::Str(p) = &first[13] else {
        panic!("properties are JSON text: {:?}", first[13])
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(p).unwrap(),
        json!({"source": "backend", "상품": "겨울 코트"})
    );
    let second = &rows[1];
    assert_eq!(second[0], Field::TimestampMillis(at.0 + 1));
    assert_eq!((&second[4], &second[7]), (&Field::Null, &Field::Null));
    assert_eq!(second[12], Field::Bool(true));
    // Every value of every column, against the row the CSV would write.
    for (row, event) in rows.iter().zip([&e, &bare]) {
        for (field, cell) in row.iter().zip(event_row(event.clone())) {
            let back = match field {
                Field::Null => Cell::Null,
                Field::Str(s) => Cell::Text(s.clone()),
                Field::Long(n) => Cell::Int(*n),
                Field::Bool(b) => Cell::Bool(*b),
                Field::TimestampMillis(t) => Cell::Time(Ts(*t)),
                other => panic!("unexpected field {other:?}"),
            };
            assert_eq!(back, cell);
        }
    }
}

#[test]
fn a_cell_its_column_cannot_hold_is_an_error_not_a_null() {
    let mut w = ParquetWriter::new(&[("n".into(), ColumnType::Int64)]).unwrap();
    assert!(w.row_group(vec![vec!["text".into()]]).is_err());
}
