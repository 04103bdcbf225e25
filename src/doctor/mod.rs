//! `xacct doctor`: every link of the chain from this host to the role, checked in order,
//! each judged `ok`, `warn`, `fail` or `skip` with the fix.
//!
//! The checks gather their facts through the same adapters the other commands use; the
//! judging and the two output forms are pure and table-tested. Nothing secret ever enters
//! a `Finding`: no key, token or external id value.

mod finding;
pub mod local;

pub use finding::{Finding, Status, exit_code, render_json, render_text};
