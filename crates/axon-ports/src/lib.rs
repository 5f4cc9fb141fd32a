//! Axon's ports: the traits between the services and the backends that answer them, with the
//! small value types they exchange. A port speaks in domain values and plain numbers — never
//! JSON, never a concrete backend — so the embedded engine and a scale-out backend can stand
//! behind the same service and give the same answers.

pub mod aggregates;
pub mod catalog;
