//! The error side of the document, built from the catalogue ([`crate::codes`]): the `Error`
//! schema (its `error` enum is every catalogued code), the catalogue as a table in the
//! document's description, and the error-response sets the handlers name in `responses(...)`.

use crate::codes::{self, CATALOGUE};
use std::collections::BTreeMap;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

/// `{"error": CODE, "message": …, …details}`: the body of every failure.
pub struct Error;

impl PartialSchema for Error {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "A failure: a catalogued code, a sentence for people, and details that depend \
                 on the code (e.g. `retryAfter`, `field`).",
            ))
            .property(
                "error",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(codes::all_codes())),
            )
            .property("message", ObjectBuilder::new().schema_type(Type::String))
            .required("error")
            .required("message")
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for Error {}

/// Appends the catalogue (code → status → meaning) to the document's description.
pub struct Catalogue;

impl Modify for Catalogue {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut table = String::from(
            "\n\n## Error codes\n\n| code | status | meaning |\n| --- | --- | --- |\n",
        );
        for c in CATALOGUE {
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.code, c.status, c.meaning
            ));
        }
        let d = openapi.info.description.get_or_insert_with(String::new);
        d.push_str(&table);
        let c = openapi.components.get_or_insert_with(Default::default);
        for s in statuses() {
            c.responses
                .insert(format!("Error{s}"), RefOr::T(response(s)));
        }
    }
}

/// Every status a catalogued code answers with, in order.
fn statuses() -> Vec<u16> {
    let mut out: Vec<u16> = CATALOGUE.iter().map(|c| c.status).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The shared response of `status` (`#/components/responses/Error{status}`): the `Error`
/// body, described by the catalogued codes it can carry.
fn response(status: u16) -> Response {
    let codes: Vec<String> = codes::with_status(status)
        .map(|c| format!("`{}` {}", c.code, c.meaning))
        .collect();
    ResponseBuilder::new()
        .description(format!("one of: {}", codes.join("; ")))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

/// References to the shared error responses of `statuses`.
pub fn responses(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|&s| {
            let r = Ref::new(format!("#/components/responses/Error{s}"));
            (s.to_string(), RefOr::Ref(r))
        })
        .collect()
}

/// Declares a named set of error statuses usable in `#[utoipa::path(responses(..., Set))]`.
macro_rules! error_set {
    ($(#[$m:meta])* $name:ident = [$($s:literal),+]) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses(&[$($s),+])
            }
        }
    };
}

error_set!(
    /// A public read (no key): bad parameters, unknown record, rate limits.
    PublicErrors = [400, 404, 429, 500]
);
error_set!(
    /// A public write (the collector): also the body's size and type, the write key.
    CollectErrors = [400, 401, 403, 413, 415, 429, 500]
);
error_set!(
    /// A read with a VIEWER (or ADMIN) key or session.
    ReadErrors = [400, 401, 404, 500]
);
error_set!(
    /// A read that a share link of the same scope may make too (`X-Axon-Share` or `share=`):
    /// also another scope's link (403) and a revoked or expired one (410).
    SharedReadErrors = [400, 401, 403, 404, 410, 500]
);
error_set!(
    /// A live stream a share link of the same scope may open too.
    SharedStreamErrors = [400, 401, 403, 404, 410, 429, 500]
);
error_set!(
    /// A read that needs an ADMIN key.
    AdminReadErrors = [400, 401, 403, 404, 500]
);
error_set!(
    /// A write with an ADMIN key: also conflicts with the stored state, the body's size/type.
    WriteErrors = [400, 401, 403, 404, 409, 410, 413, 415, 500]
);
error_set!(
    /// An end user's call at the gate (JWT): also sold out / expired, and throttling.
    UserErrors = [400, 401, 403, 404, 409, 410, 413, 415, 429, 500]
);
error_set!(
    /// A live stream: also the per-key and per-address stream caps.
    StreamErrors = [400, 401, 404, 429, 500]
);
error_set!(
    /// A page or asset route: errors in our JSON shape too.
    PageErrors = [400, 401, 404, 429, 500]
);
error_set!(
    /// A health endpoint: the store unreachable, or a failure.
    Unavailable = [500, 503]
);
