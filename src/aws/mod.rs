//! The only place that names AWS SDK types: the SDK-config builder, the adapters behind
//! the traits their users own (`Sts` here; `bootstrap::iam::Iam`), profile-file loading,
//! and `AwsFailure`, the one error type the adapters return.

pub mod config;
pub mod failure;
pub mod iam;
pub mod identity;
pub mod probe;
pub mod profile;
pub mod sts;
