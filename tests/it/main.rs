//! The one integration test binary: it drives the real `xacct` against moto, the kernel
//! keyring, a gnome-keyring Secret Service and the AWS CLI/boto3 (all set up by
//! `scripts/test`). One module per topic; the harness is in `util`.

mod util;

mod bad_config;
mod bad_input;
mod bootstrap;
mod bootstrap_config;
mod bootstrap_emit;
mod bootstrap_teams;
mod bootstrap_util;
mod cache;
mod cache_cmds;
mod clients;
mod credential_process;
mod docs;
mod doctor;
mod doctor_faults;
mod doctor_local;
mod exec;
mod exec_account;
mod exec_refresh;
mod exec_server;
mod exec_signals;
mod export;
mod file_modes;
mod fuzz;
mod headless_hit;
mod host;
mod http;
mod instance_profile;
mod keyring;
mod layout;
mod logging;
mod mfa_session;
mod mfa_tags;
mod recorder;
mod secrets;
mod single_flight;
mod slow_sts;
mod sts_faults;
mod sts_outage;
mod whoami;
