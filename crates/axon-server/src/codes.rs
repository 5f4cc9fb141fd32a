//! The error-code catalogue: every `error` code an answer can carry, with its HTTP status and
//! what it means. It is the one list: [`crate::error::ApiError`] checks each answer against it
//! (debug builds panic on a code or status missing here, so the API tests and the schema fuzz
//! catch a new code nobody catalogued), and the OpenAPI document's `Error` schema and error
//! responses are built from it.

/// One catalogued (code, status) pair. A code normally has one status; the few that two
/// layers raise with different statuses are listed once per status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub status: u16,
    pub meaning: &'static str,
}

const fn c(code: &'static str, status: u16, meaning: &'static str) -> Code {
    Code {
        code,
        status,
        meaning,
    }
}

pub const CATALOGUE: &[Code] = &[
    // 400: the request itself is wrong.
    c(
        "VALIDATION_ERROR",
        400,
        "a field is missing, of the wrong type or outside its range",
    ),
    c("MALFORMED_JSON", 400, "the body is not valid JSON"),
    c("BAD_REQUEST", 400, "the request could not be read"),
    c("INVALID_QUERY", 400, "a query parameter does not parse"),
    c(
        "INVALID_PATH",
        400,
        "a path segment does not parse (e.g. a non-numeric id)",
    ),
    c(
        "INVALID_PERIOD",
        400,
        "the period (from/to, period name, window) is not valid",
    ),
    c("INVALID_FILTER", 400, "an activity filter is malformed"),
    c("INVALID_TIMEZONE", 400, "not an IANA time zone"),
    c("INVALID_QUESTION", 400, "the question is empty or too long"),
    c("INVALID_WIDGETS", 400, "an unknown widget name"),
    c("INVALID_STEP", 400, "an unknown funnel step"),
    c("INVALID_EVENTS", 400, "the events batch is malformed"),
    c("INVALID_BREAKDOWN", 400, "an unknown breakdown dimension"),
    c(
        "DATE_OUT_OF_RANGE",
        400,
        "a date lies outside the accepted horizon",
    ),
    c(
        "CSV_NEEDS_ONE_PART",
        400,
        "a CSV export names more than one part",
    ),
    c(
        "INVALID_FORMAT",
        400,
        "format= names no export format (json, csv or parquet)",
    ),
    c(
        "UNKNOWN_PART",
        400,
        "the export names an unknown part of the answer",
    ),
    c(
        "UNKNOWN_PRODUCT",
        400,
        "the activity names a product that does not exist",
    ),
    c(
        "COUPON_NOT_FOUND",
        400,
        "the activity names a coupon that does not exist",
    ),
    c(
        "TOO_MANY_EVENTS",
        400,
        "the batch holds more events than allowed",
    ),
    c("EMPTY_BATCH", 400, "the batch holds no event"),
    c("PRODUCT_MISMATCH", 400, "the product is not the activity's"),
    c(
        "NOT_ELIGIBLE",
        400,
        "the user does not meet the activity's filters",
    ),
    c("NOT_A_GIVEAWAY", 400, "the activity is not a giveaway"),
    c(
        "COUPON_NOT_CONFIGURED",
        400,
        "the coupon activity has no coupon",
    ),
    c(
        "ACTIVITY_CLOSED",
        400,
        "the activity is not open for entries now",
    ),
    // 401 / 403: who is calling.
    c("UNAUTHORIZED", 401, "no valid API key or session"),
    c(
        "INVALID_TOKEN",
        401,
        "the user JWT is missing, malformed, expired or wrongly signed",
    ),
    c(
        "INVALID_WRITE_KEY",
        401,
        "the collection write key is wrong",
    ),
    c(
        "FORBIDDEN",
        403,
        "the key's role may not do this (a VIEWER writing)",
    ),
    c(
        "TOKEN_NOT_YOURS",
        403,
        "the reservation or approval token belongs to another user",
    ),
    c(
        "RESERVATION_EXPIRED",
        403,
        "the reservation token is unknown or expired",
    ),
    c(
        "INVALID_APPROVAL_TOKEN",
        403,
        "the approval token is unknown",
    ),
    c(
        "BACKEND_EVENT_FORBIDDEN",
        403,
        "approvals and purchases may only be reported with an ADMIN key",
    ),
    c(
        "SHARE_SCOPE_FORBIDDEN",
        403,
        "a share link grants only GET of its own dashboard, cohort, live stream and annotations",
    ),
    // 404 / 405.
    c("NOT_FOUND", 404, "no such endpoint or record"),
    c("SHARE_NOT_FOUND", 404, "no share link has this token or id"),
    c("ANNOTATION_NOT_FOUND", 404, "no annotation has this id"),
    c("ALERT_NOT_FOUND", 404, "no alert rule has this id"),
    c(
        "SCOPE_NOT_FOUND",
        404,
        "the activity or campaign an alert rule, share link or annotation names does not exist",
    ),
    c("CAMPAIGN_NOT_FOUND", 404, "no campaign with that id"),
    c(
        "ACTIVITY_NOT_FOUND",
        404,
        "no activity with that id (or not public)",
    ),
    c("PRODUCT_NOT_FOUND", 404, "no product with that id"),
    c("USER_NOT_FOUND", 404, "no profile for that user"),
    c("COUPON_NOT_FOUND", 404, "no coupon with that id"),
    c("USER_COUPON_NOT_FOUND", 404, "no user coupon with that id"),
    c(
        "DEFINITION_NOT_FOUND",
        404,
        "no event definition with that id",
    ),
    c("NOT_DRAWN", 404, "the giveaway has not been drawn yet"),
    c(
        "METHOD_NOT_ALLOWED",
        405,
        "the endpoint does not accept that method",
    ),
    // 409 / 410: the state of the data forbids it.
    c(
        "DUPLICATED",
        409,
        "the user already holds an entry of this activity",
    ),
    c(
        "RESERVATION_LOST",
        409,
        "the seat was released before the entry was written (its writer outlived its lease); enter again",
    ),
    c(
        "INVALID_STATUS_TRANSITION",
        409,
        "the activity's status cannot change that way",
    ),
    c("OUT_OF_STOCK", 409, "the product has no stock left"),
    c("CAMPAIGN_NAME_TAKEN", 409, "another campaign has that name"),
    c(
        "CAMPAIGN_HAS_ACTIVITIES",
        409,
        "the campaign still has activities",
    ),
    c("ALREADY_DRAWN", 409, "the giveaway was drawn already"),
    c("DRAW_TOO_EARLY", 409, "the giveaway has not ended yet"),
    c(
        "UNKNOWN_COUPON",
        409,
        "the coupon disappeared while it was being issued",
    ),
    c(
        "COUPON_IN_USE",
        409,
        "the coupon is issued or used by an activity and cannot be removed",
    ),
    c(
        "COUPON_ALREADY_USED",
        409,
        "the user coupon was used already",
    ),
    c(
        "COUPON_NOT_APPLICABLE",
        409,
        "the coupon does not apply to that order",
    ),
    c(
        "PAYMENT_IN_PROGRESS",
        409,
        "a payment for the reservation is being confirmed",
    ),
    c(
        "ENTRY_NOT_PAYABLE",
        409,
        "the entry cannot be paid (cancelled or not approved)",
    ),
    c(
        "COMMAND_REFUSED",
        409,
        "the store refused an FCFS command for another rule (Kafka mode)",
    ),
    c("ALREADY_PAID", 409, "the entry is paid already"),
    c(
        "DUPLICATE_PURCHASE",
        409,
        "a purchase with that orderId exists",
    ),
    c("SHARE_REVOKED", 410, "the share link was revoked"),
    c("SHARE_EXPIRED", 410, "the share link has expired"),
    c("KEY_EXISTS", 409, "an API key with that name exists"),
    c("IMPORT_ABORTED", 409, "the import was refused as a whole"),
    c("SOLD_OUT", 410, "the activity is sold out"),
    c("APPROVAL_EXPIRED", 410, "the approval token expired"),
    // 413 / 415 / 429.
    c(
        "PAYLOAD_TOO_LARGE",
        413,
        "the request body is larger than allowed",
    ),
    c(
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        "the body's Content-Type is not the expected one",
    ),
    c(
        "RATE_LIMITED",
        429,
        "too many events from this client; retry later",
    ),
    c(
        "TOO_MANY_ATTEMPTS",
        429,
        "too many sign-in attempts from this address",
    ),
    c(
        "TOO_MANY_STREAMS",
        429,
        "too many live streams open for this key or address",
    ),
    // 5xx.
    c("INTERNAL_ERROR", 500, "an internal error; it was logged"),
    c("NOT_READY", 503, "the store is not reachable"),
    c(
        "TOO_MANY_CONNECTIONS",
        503,
        "the server or this address holds too many open connections; retry",
    ),
    c(
        "GATE_UNAVAILABLE",
        503,
        "the stock gate cannot decide now (e.g. Redis is being rebuilt); nothing changed, retry",
    ),
    c(
        "BROKER_UNAVAILABLE",
        503,
        "the event broker (Kafka) did not acknowledge every event of the batch; retry it (events with an eventId are stored once)",
    ),
    c(
        "ANALYTICS_UNAVAILABLE",
        503,
        "the analytics store (ClickHouse, AXON_ANALYTICS=clickhouse) did not answer a read of this answer; retry",
    ),
];

/// The catalogued entry of `code` answered with `status`, if any.
pub fn lookup(code: &str, status: u16) -> Option<&'static Code> {
    CATALOGUE
        .iter()
        .find(|c| c.code == code && c.status == status)
}

/// The entries answered with `status`, in catalogue order.
pub fn with_status(status: u16) -> impl Iterator<Item = &'static Code> {
    CATALOGUE.iter().filter(move |c| c.status == status)
}

/// Every distinct code, in catalogue order.
pub fn all_codes() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in CATALOGUE {
        if !out.contains(&c.code) {
            out.push(c.code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_screaming_snake_case_and_pairs_unique() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            assert!(
                a.code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{}",
                a.code
            );
            assert!((400..600).contains(&a.status), "{}", a.code);
            for b in &CATALOGUE[i + 1..] {
                assert!(
                    !(a.code == b.code && a.status == b.status),
                    "{} twice",
                    a.code
                );
            }
        }
    }
}
