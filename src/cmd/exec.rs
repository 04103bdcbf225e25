//! `xacct exec`: run a command with the role's credentials.
//!
//! Static mode (default) puts the keys in the environment and replaces xacct with the
//! command (execve), so its exit status and signals are the command's own. Server mode
//! (`--server`) keeps xacct running as the command's parent and serves refreshing
//! credentials on 127.0.0.1 (`server`), for jobs that outlive one session: on EC2 a
//! chained role session lasts at most one hour.
//!
//! Every check that needs no network (nesting, the command, the role options) runs before
//! the first AssumeRole, so a broken cron line fails fast with exit 2.

use crate::cli::{ExecArgs, StoreKind};
use crate::creds::Credentials;
use crate::error::Error;
use crate::exec::env::{self as exec_env, ChildEnv, MARKER, Mode};
use crate::exec::{
    check_nesting, check_program, child, default_profile_shadows_endpoint, pick_command, refresh,
    server,
};
use crate::provider;
use crate::settings::{self, Settings};
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: &ExecArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    if let Some(parent) = args.child_of {
        return child_of(parent, args);
    }
    check_nesting(std::env::var_os(MARKER).as_deref(), args.allow_nested)?;
    let (program, argv) = pick_command(
        &args.command,
        std::io::stdin().is_terminal(),
        std::env::var_os("SHELL"),
    )?;
    check_program(&program, std::env::var_os("PATH").as_deref())?;
    let profiles = crate::aws::profile::load()?;
    let mut settings = settings::resolve(&args.role, &profiles, &crate::sys::env_snapshot())?;
    if args.server
        && let Some(w) = default_profile_shadows_endpoint(&profiles)
    {
        crate::ui::warn(&w);
    }
    // Fail before starting the command when the role cannot be assumed at all.
    let got = provider::obtain(&settings, kind)?;
    // `obtain` has printed the settings' warnings; the endpoint must not repeat them on
    // every refresh. The MFA code has served (a code works once), and from now on the
    // command owns the terminal: a refresh that needs a new code fails instead of asking.
    settings.warnings.clear();
    settings.token_code = None;
    settings.mfa_prompt = false;
    let code = if args.server {
        run_server(settings, got.credentials, kind, &program, &argv)?
    } else {
        let plan = plan_env(&Mode::Static(&got.credentials), &settings);
        run_static(&program, &argv, &plan)?
    };
    // The command's exit status is xacct's: its code, or 128+N when signal N killed it.
    Ok(ExitCode::from(code))
}

/// The trampoline (`exec::trampoline`): the child of `exec --server` becoming the command.
#[cfg(unix)]
fn child_of(parent: u32, args: &ExecArgs) -> Result<ExitCode, Error> {
    crate::exec::trampoline::run(parent, args.take_terminal, &args.command)
}

#[cfg(not(unix))]
fn child_of(_parent: u32, _args: &ExecArgs) -> Result<ExitCode, Error> {
    Err(Error::Usage(
        "--child-of is internal to exec --server on Unix".into(),
    ))
}

/// The environment changes for the command, from this process's environment.
fn plan_env(mode: &Mode<'_>, s: &Settings) -> ChildEnv {
    let keys: Vec<OsString> = std::env::vars_os().map(|(k, _)| k).collect();
    exec_env::plan(
        keys.iter().map(OsString::as_os_str),
        mode,
        s.configured_region.as_deref(),
        s.role.as_str(),
    )
}

/// Applies the plan to a command (std or tokio: both expose the same two methods).
macro_rules! apply_env {
    ($cmd:expr, $plan:expr) => {{
        for k in &$plan.remove {
            $cmd.env_remove(k);
        }
        for (k, v) in &$plan.set {
            // The one place the credentials leave xacct: the command's environment.
            $cmd.env(k, v.expose());
        }
    }};
}

/// Replaces this process with the command; returns only when that fails.
#[cfg(unix)]
fn run_static(program: &OsStr, argv: &[OsString], plan: &ChildEnv) -> Result<u8, Error> {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(program);
    cmd.args(argv);
    apply_env!(cmd, plan);
    let err = cmd.exec();
    Err(Error::Runtime(format!(
        "cannot run {:?}: {err}",
        program.to_string_lossy()
    )))
}

/// Without execve: run the command as a child and pass its exit code on.
#[cfg(not(unix))]
fn run_static(program: &OsStr, argv: &[OsString], plan: &ChildEnv) -> Result<u8, Error> {
    let mut cmd = std::process::Command::new(program);
    cmd.args(argv);
    apply_env!(cmd, plan);
    let status = cmd
        .status()
        .map_err(|e| Error::Runtime(format!("cannot run {:?}: {e}", program.to_string_lossy())))?;
    Ok(child::exit_code(status))
}

/// Serves the endpoint, runs the command as a child with signals forwarded, and returns
/// its exit code once it has exited and the endpoint is closed.
fn run_server(
    settings: Settings,
    seed: Credentials,
    kind: StoreKind,
    program: &OsStr,
    argv: &[OsString],
) -> Result<u8, Error> {
    let code = crate::rt::block_on(async {
        // Handlers first: a signal that arrives once the child runs must be forwarded, not
        // kill xacct and orphan the child.
        let mut signals = child::Signals::install()?;
        let margin = settings.margin;
        let holder = refresh::Holder::new(seed, settings.min_validity);
        let settings = Arc::new(settings);
        let for_refresh = settings.clone();
        let refresh_fn: Arc<refresh::Refresh> = Arc::new(move |stale_margin| {
            provider::obtain_refresh(&for_refresh, kind, stale_margin).map(|got| got.credentials)
        });
        let refresher = tokio::spawn(refresh::run(
            holder.clone(),
            refresh_fn,
            margin,
            crate::ui::warn,
        ));
        let endpoint = server::start(holder).await?;
        let plan = plan_env(
            &Mode::Server {
                url: &endpoint.url,
                token: &endpoint.token,
            },
            &settings,
        );
        let mut cmd = child::command(program, argv)?;
        apply_env!(cmd, plan);
        let code = child::run_child(cmd, &mut signals, program).await;
        // The endpoint lives exactly as long as the command.
        endpoint.close();
        refresher.abort();
        code
    })??;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn command_line_table() {
        use clap::Parser;
        // (arguments after `xacct exec`, the command, or None for a clap error)
        let table: [(&[&str], Option<&[&str]>); 6] = [
            (&["--profile", "p", "--", "env", "-0"], Some(&["env", "-0"])),
            (&["--profile", "p", "env", "-0"], Some(&["env", "-0"])),
            (
                &["--profile", "p", "--", "aws", "--profile", "x"],
                Some(&["aws", "--profile", "x"]),
            ),
            (
                &["--server", "--profile", "p", "--", "--weird"],
                Some(&["--weird"]),
            ),
            (&["--profile", "p"], Some(&[])),
            (&["--bogus", "--", "env"], None),
        ];
        for (args, want) in table {
            let argv = ["xacct", "exec"].iter().chain(args);
            let got = crate::cli::Cli::try_parse_from(argv)
                .ok()
                .map(|cli| match cli.command {
                    crate::cli::Command::Exec(e) => e.command,
                    other => panic!("{other:?}"),
                });
            assert_eq!(got, want.map(os), "{args:?}");
        }
    }
}
