//! Downloads (SPEC §12): a table as a named CSV or Parquet file, and the raw events of a window
//! streamed into the body a page at a time — each page read and encoded on the reader pool,
//! the next one only when the client has taken the last, so a large window costs one page of
//! memory, not the file.

use crate::error::ApiResult;
use crate::state::AppState;
use axon_services::dashboards::export::events::{EventExport, CSV_PAGE, PARQUET_ROW_GROUP};
use axon_services::dashboards::export::{self, parquet, Table};
use axon_services::dashboards::{EventPages, ExportFormat};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

/// The format an export is asked in: `format=`, else the `Accept` header.
pub(super) fn format_of(format: Option<&str>, headers: &HeaderMap) -> ApiResult<ExportFormat> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    Ok(ExportFormat::parse(format, accept)?)
}

/// The headers of a download saved as `stem.<csv|parquet>`.
fn download_headers(format: ExportFormat, stem: &str) -> [(header::HeaderName, String); 2] {
    let ext = format.extension().unwrap_or("json");
    [
        (header::CONTENT_TYPE, format.media_type().to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}.{ext}\""),
        ),
    ]
}

/// A table as a CSV (RFC 4180, UTF-8 with a byte-order mark) or Parquet file named `stem`.
pub(super) fn table_download(
    format: ExportFormat,
    stem: &str,
    table: &Table,
) -> ApiResult<Response> {
    let body = match format {
        ExportFormat::Parquet => parquet::parquet(table)?,
        ExportFormat::Csv | ExportFormat::Json => export::csv(table)?.into_bytes(),
    };
    Ok((download_headers(format, stem), body).into_response())
}

/// The raw events of `pages` as a streamed CSV or Parquet file named `stem`.
pub(super) fn events_download(
    state: &AppState,
    scope_pages: impl FnOnce(usize) -> ApiResult<EventPages>,
    format: ExportFormat,
    stem: &str,
) -> ApiResult<Response> {
    let page = match format {
        ExportFormat::Parquet => PARQUET_ROW_GROUP,
        ExportFormat::Csv | ExportFormat::Json => CSV_PAGE,
    };
    let export = EventExport::new(scope_pages(page)?, format)?;
    let readers = state.readers.clone();
    // One page per pull: the unfold holds the export between pages and gives it to a reader
    // thread for the next one. An error after the first bytes can only cut the body short (the
    // status is sent); it is logged, and the client sees an incomplete file.
    let chunks = futures_util::stream::unfold(Some(export), move |export| {
        let readers = readers.clone();
        async move {
            let mut export = export?;
            let read = readers
                .run(move || {
                    let chunk = export.next_chunk();
                    (export, chunk)
                })
                .await;
            match read {
                Ok((export, Ok(Some(bytes)))) => Some((Ok(Bytes::from(bytes)), Some(export))),
                Ok((_, Ok(None))) => None,
                Ok((_, Err(e))) => Some((Err(failed(&e.to_string())), None)),
                Err(stopped) => Some((Err(failed(&stopped.to_string())), None)),
            }
        }
    });
    Ok((download_headers(format, stem), Body::from_stream(chunks)).into_response())
}

fn failed(cause: &str) -> std::io::Error {
    tracing::error!(cause, "raw event export cut short");
    std::io::Error::other("the export failed")
}
