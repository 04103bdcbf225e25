//! The one integration test binary: it drives the real `xacct` against moto, the kernel
//! keyring, a gnome-keyring Secret Service and the AWS CLI/boto3 (all set up by
//! `scripts/test`).

mod util;

mod bad_input;
mod bootstrap;
mod bootstrap_config;
mod bootstrap_util;
mod cache;
mod cache_cmds;
mod clients;
mod credential_process;
mod docs;
mod exec;
mod exec_server;
mod export;
mod layout;
mod logging;
mod mfa_tags;
mod recorder;
mod whoami;

// The reliability suite (issue 6).
mod rel_faults;
mod rel_files;
mod rel_fuzz;
mod rel_input;
mod rel_keyring;
mod rel_load;
mod rel_secrets;
mod rel_util;
