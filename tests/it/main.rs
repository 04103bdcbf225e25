//! The one integration test binary: it drives the real `xacct` against moto, the kernel
//! keyring, a gnome-keyring Secret Service and the AWS CLI/boto3 (all set up by
//! `scripts/test`).

mod util;

mod bad_input;
mod cache;
mod clients;
mod credential_process;
mod exec;
mod exec_server;
