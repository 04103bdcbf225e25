//! The only place that names AWS SDK types: the profile-file loader, the `Sts` trait with
//! its SDK adapter, and the assume-role logic written against the trait.

pub mod iam;
pub mod identity;
pub mod profile;
pub mod sts;
