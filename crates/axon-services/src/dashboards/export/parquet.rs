//! Parquet exports: a table written through the `parquet` crate's low-level column writers (no
//! Arrow, which would double the build), one optional column per header field with a real
//! type — INT64 for counts and ids, DOUBLE for rates and money, BOOLEAN, UTF8 strings and
//! TIMESTAMP(MILLIS, UTC) for instants — Snappy-compressed. A file is written a row group at a
//! time into a spool that the caller drains after each group, so a streamed export holds one
//! group in memory, never the file.

use super::{Cell, Table};
use crate::dashboards::ServiceResult;
use crate::ServiceError;
use ::parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use ::parquet::column::writer::ColumnWriter;
use ::parquet::data_type::ByteArray;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::types::Type;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// The type of one Parquet column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int64,
    Double,
    Bool,
    Text,
    /// TIMESTAMP(MILLIS, adjusted to UTC), stored as INT64.
    Time,
}

/// The column type that holds every value of a column: integers stay INT64 unless a fraction
/// appears (then DOUBLE), instants TIMESTAMP, anything mixed with text is text; a column of
/// nulls only is text.
pub fn column_type<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> ColumnType {
    seen_type(cells).unwrap_or(ColumnType::Text)
}

/// The type of a column's values, `None` when it has none.
fn seen_type<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Option<ColumnType> {
    let mut seen: Option<ColumnType> = None;
    for c in cells {
        let t = match c {
            Cell::Null => continue,
            Cell::Int(_) => ColumnType::Int64,
            Cell::Float(_) => ColumnType::Double,
            Cell::Bool(_) => ColumnType::Bool,
            Cell::Text(_) => ColumnType::Text,
            Cell::Time(_) => ColumnType::Time,
        };
        seen = Some(match (seen, t) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (
                Some(ColumnType::Int64 | ColumnType::Double),
                ColumnType::Int64 | ColumnType::Double,
            ) => ColumnType::Double,
            _ => return Some(ColumnType::Text),
        });
    }
    seen
}

/// The answers' decimal figures (rates, money, ratios): whole values are written as JSON
/// integers, so a column of them is DOUBLE by name, whatever one export's values happen to be.
const DECIMAL_FIELDS: [&str; 36] = [
    "averageOrderValue",
    "avgCac",
    "avgOrderValue",
    "avgPurchaseFrequency",
    "baselineDaily",
    "budget",
    "conversionRate",
    "cumulativeLtv",
    "cumulativeProfit",
    "cumulativeRevenue",
    "discountAmount",
    "discountRate",
    "engagementRate",
    "gmv",
    "ltv30d",
    "ltv90d",
    "ltv365d",
    "ltvCacRatio30d",
    "ltvCacRatio90d",
    "ltvCacRatio365d",
    "ltvCacRatioCurrent",
    "ltvCurrent",
    "minOrderAmount",
    "price",
    "purchaseRate",
    "qualificationRate",
    "rate",
    "rateFromFirst",
    "repeatPurchaseRate",
    "revenue",
    "roas",
    "totalAcquisitionCost",
    "upliftCiHigh",
    "upliftCiLow",
    "upliftPercent",
    "changePercent",
];

/// The columns of a table, each typed by its values — except that a numeric column is DOUBLE
/// when it holds decimal figures: a named one, or the figures of a one-figure-per-line table
/// (`metric` first), where counts and rates share a column.
pub fn columns_of(t: &Table) -> Vec<(String, ColumnType)> {
    let figures = t.header.first().is_some_and(|h| h == "metric");
    t.header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let seen = seen_type(t.rows.iter().filter_map(|r| r.get(i)));
            let decimal = DECIMAL_FIELDS.contains(&h.as_str()) || (figures && i > 0);
            let t = match seen {
                Some(ColumnType::Int64) | None if decimal => ColumnType::Double,
                other => other.unwrap_or(ColumnType::Text),
            };
            (h.clone(), t)
        })
        .collect()
}

/// A whole table as one Parquet file (the widgets: small, answered in one piece). In a
/// one-figure-per-line table the figures that are not numbers (a widget's `definition`) go to
/// the file's key-value metadata, so its value columns stay DOUBLE.
pub fn parquet(t: &Table) -> ServiceResult<Vec<u8>> {
    let figures = t.header.first().is_some_and(|h| h == "metric");
    let numeric = |r: &Vec<Cell>| {
        matches!(
            r.get(1),
            None | Some(Cell::Null | Cell::Int(_) | Cell::Float(_))
        )
    };
    let (rows, notes): (Vec<Vec<Cell>>, Vec<Vec<Cell>>) = if figures {
        t.rows.iter().cloned().partition(numeric)
    } else {
        (t.rows.clone(), Vec::new())
    };
    let metadata = notes
        .iter()
        .map(|r| {
            let text = |i: usize| r.get(i).map(Cell::text).unwrap_or_default();
            (text(0), text(1))
        })
        .collect();
    let table = Table {
        header: t.header.clone(),
        rows,
    };
    let mut w = ParquetWriter::with_metadata(&columns_of(&table), metadata)?;
    w.row_group(table.rows)?;
    w.finish()
}

/// Where the file writer writes; shared with the [`ParquetWriter`], which drains it.
#[derive(Clone, Default)]
struct Spool(Arc<Mutex<Vec<u8>>>);

impl Spool {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn failed(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal(format!("writing Parquet: {e}"))
}

fn field(name: &str, t: ColumnType) -> ServiceResult<Arc<Type>> {
    let (physical, logical) = match t {
        ColumnType::Int64 => (Physical::INT64, None),
        ColumnType::Double => (Physical::DOUBLE, None),
        ColumnType::Bool => (Physical::BOOLEAN, None),
        ColumnType::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        ColumnType::Time => (
            Physical::INT64,
            Some(LogicalType::timestamp(true, TimeUnit::MILLIS)),
        ),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical)
        .build()
        .map(Arc::new)
        .map_err(failed)
}

/// A Parquet file in the making: row groups in, bytes out.
pub struct ParquetWriter {
    file: SerializedFileWriter<Spool>,
    spool: Spool,
    types: Vec<ColumnType>,
}

impl ParquetWriter {
    pub fn new(columns: &[(String, ColumnType)]) -> ServiceResult<ParquetWriter> {
        ParquetWriter::with_metadata(columns, Vec::new())
    }

    /// A file whose footer also carries `metadata` as key-value pairs.
    pub fn with_metadata(
        columns: &[(String, ColumnType)],
        metadata: Vec<(String, String)>,
    ) -> ServiceResult<ParquetWriter> {
        let fields = columns
            .iter()
            .map(|(n, t)| field(n, *t))
            .collect::<ServiceResult<Vec<_>>>()?;
        let schema = Type::group_type_builder("axon_export")
            .with_fields(fields)
            .build()
            .map_err(failed)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("axon".into())
            .set_key_value_metadata(Some(
                metadata
                    .into_iter()
                    .map(|(k, v)| KeyValue::new(k, v))
                    .collect(),
            ))
            .build();
        let spool = Spool::default();
        let file = SerializedFileWriter::new(spool.clone(), Arc::new(schema), Arc::new(props))
            .map_err(failed)?;
        Ok(ParquetWriter {
            file,
            spool,
            types: columns.iter().map(|(_, t)| *t).collect(),
        })
    }

    /// Writes `rows` as one row group (none when `rows` is empty). The rows are consumed
    /// column by column (text moves into the column writer, not copied), so a group's memory
    /// is its rows and their encoding, not more. A cell that its column's type cannot hold is
    /// an internal error, never a silent null.
    pub fn row_group(&mut self, rows: Vec<Vec<Cell>>) -> ServiceResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut columns: Vec<Vec<Cell>> = self
            .types
            .iter()
            .map(|_| Vec::with_capacity(rows.len()))
            .collect();
        for row in rows {
            let mut cells = row.into_iter();
            for column in &mut columns {
                column.push(cells.next().unwrap_or(Cell::Null));
            }
        }
        let mut group = self.file.next_row_group().map_err(failed)?;
        let mut columns = columns.into_iter();
        let mut i = 0;
        while let Some(mut col) = group.next_column().map_err(failed)? {
            let t = self.types[i];
            let cells = columns.next().unwrap_or_default();
            let defs: Vec<i16> = cells.iter().map(|c| i16::from(*c != Cell::Null)).collect();
            let present = cells.into_iter().filter(|c| *c != Cell::Null);
            let wrong = || failed(format!("column {i} ({t:?}) cannot hold a value"));
            let written = match (col.untyped(), t) {
                (ColumnWriter::Int64ColumnWriter(w), ColumnType::Int64 | ColumnType::Time) => {
                    let v = present
                        .map(|c| match (c, t) {
                            (Cell::Int(n), ColumnType::Int64) => Ok(n),
                            (Cell::Time(ts), ColumnType::Time) => Ok(ts.0),
                            _ => Err(wrong()),
                        })
                        .collect::<ServiceResult<Vec<i64>>>()?;
                    w.write_batch(&v, Some(&defs), None)
                }
                (ColumnWriter::DoubleColumnWriter(w), ColumnType::Double) => {
                    let v = present
                        .map(|c| match c {
                            Cell::Float(x) => Ok(x),
                            #[allow(clippy::cast_precision_loss)]
                            Cell::Int(n) => Ok(n as f64),
                            _ => Err(wrong()),
                        })
                        .collect::<ServiceResult<Vec<f64>>>()?;
                    w.write_batch(&v, Some(&defs), None)
                }
                (ColumnWriter::BoolColumnWriter(w), ColumnType::Bool) => {
                    let v = present
                        .map(|c| match c {
                            Cell::Bool(b) => Ok(b),
                            _ => Err(wrong()),
                        })
                        .collect::<ServiceResult<Vec<bool>>>()?;
                    w.write_batch(&v, Some(&defs), None)
                }
                (ColumnWriter::ByteArrayColumnWriter(w), ColumnType::Text) => {
                    let v: Vec<ByteArray> = present
                        .map(|c| match c {
                            Cell::Text(s) => ByteArray::from(s.into_bytes()),
                            other => ByteArray::from(other.text().into_bytes()),
                        })
                        .collect();
                    w.write_batch(&v, Some(&defs), None)
                }
                _ => return Err(wrong()),
            };
            written.map_err(failed)?;
            col.close().map_err(failed)?;
            i += 1;
        }
        group.close().map_err(failed)?;
        Ok(())
    }

    /// The bytes written since the last call (the magic, then each finished row group).
    pub fn take(&mut self) -> ServiceResult<Vec<u8>> {
        self.file.flush().map_err(failed)?;
        Ok(self.spool.take())
    }

    /// Writes the footer and returns the bytes not taken yet.
    pub fn finish(self) -> ServiceResult<Vec<u8>> {
        let spool = self.spool.clone();
        self.file.close().map_err(failed)?;
        Ok(spool.take())
    }
}

#[cfg(test)]
#[path = "parquet_tests.rs"]
mod tests;
