//! Axon's services: the use cases the HTTP handlers (and the question box, the CLI) call. A
//! service speaks to backends only through the ports of `axon-ports`, applies the domain's
//! formulas, and returns typed answers that serialise to the API's JSON.

pub mod dashboards;
