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

use crate::cli::ExecArgs;
use crate::error::Error;
use crate::exec_env::{self, ChildEnv, MARKER, Mode};
use crate::settings::{self, Profiles, Settings};
use crate::store::StoreKind;
use crate::{provider, server, supervise};
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

pub fn run(args: &ExecArgs, keyring: Option<&str>) -> Result<(), Error> {
    let kind = StoreKind::parse(keyring)?;
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
    // every request.
    settings.warnings.clear();
    let code = if args.server {
        run_server(settings, kind, &program, &argv)?
    } else {
        let plan = plan_env(&Mode::Static(&got.credentials), &settings);
        run_static(&program, &argv, &plan)?
    };
    // The command's exit status is xacct's; `main` only knows success and xacct's own
    // error codes, so exit here (nothing is left to flush or drop).
    std::process::exit(code)
}

/// Refuses to run inside another `xacct exec` unless asked: nesting is usually a mistake
/// (a job wrapped twice), and an inner exec without a source profile would assume its role
/// with the outer session's credentials.
pub fn check_nesting(marker: Option<&OsStr>, allow_nested: bool) -> Result<(), Error> {
    match marker.filter(|m| !m.is_empty()) {
        Some(outer) if !allow_nested => Err(Error::Usage(format!(
            "already inside `xacct exec` for {} ({MARKER} is set); run the command from the outer shell, or pass --allow-nested to nest on purpose",
            crate::arn::truncate(&outer.to_string_lossy(), 120)
        ))),
        _ => Ok(()),
    }
}

/// The program and its arguments: the given command, else `$SHELL` (or /bin/sh) when
/// stdin is a terminal. Without a terminal nobody could type into that shell: a usage error.
pub fn pick_command(
    command: &[OsString],
    stdin_is_terminal: bool,
    shell: Option<OsString>,
) -> Result<(OsString, Vec<OsString>), Error> {
    match command.split_first() {
        Some((program, args)) if !program.is_empty() => Ok((program.clone(), args.to_vec())),
        Some(_) => Err(Error::Usage(
            "the command is an empty string; pass the command after --".into(),
        )),
        None if stdin_is_terminal => Ok((
            shell
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        )),
        None => Err(Error::Usage(
            "no command to run; pass it after --: xacct exec --profile NAME -- CMD [ARGS...] (a shell starts only when stdin is a terminal)".into(),
        )),
    }
}

/// The SDK chains (botocore, the Rust, Go and Java SDKs) read the `[default]` profile
/// before the container endpoint: keys, a role or a credential_process there would
/// silently win over xacct's refreshing credentials.
pub fn default_profile_shadows_endpoint(profiles: &Profiles) -> Option<String> {
    let default = profiles.profiles.get("default")?;
    let key = ["aws_access_key_id", "role_arn", "credential_process"]
        .into_iter()
        .find(|k| default.contains_key(*k))?;
    Some(format!(
        "the [default] profile has {key}: AWS SDKs use it before the --server endpoint, so the command may not get the role's credentials; remove it from this user's AWS files or run without --server"
    ))
}

/// Checks that the command can be found, as execvp would look it up, so a typo fails with
/// exit 2 before any AssumeRole.
pub fn check_program(program: &OsStr, path: Option<&OsStr>) -> Result<(), Error> {
    let shown = || crate::arn::truncate(&program.to_string_lossy(), 120);
    let lossy = program.to_string_lossy();
    if lossy.contains('/') || lossy.contains(std::path::MAIN_SEPARATOR) {
        return if Path::new(program).is_file() {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "command {:?} does not exist; check the path",
                shown()
            )))
        };
    }
    let found = path
        .map(|p| std::env::split_paths(p).any(|dir| is_executable(&dir.join(program))))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "command {:?} not found in PATH; check the name or give its full path",
            shown()
        )))
    }
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    // Windows also tries PATHEXT suffixes; leave the final word to process spawning.
    p.is_file() || p.with_extension("exe").is_file()
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
fn run_static(program: &OsStr, argv: &[OsString], plan: &ChildEnv) -> Result<i32, Error> {
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
fn run_static(program: &OsStr, argv: &[OsString], plan: &ChildEnv) -> Result<i32, Error> {
    let mut cmd = std::process::Command::new(program);
    cmd.args(argv);
    apply_env!(cmd, plan);
    let status = cmd
        .status()
        .map_err(|e| Error::Runtime(format!("cannot run {:?}: {e}", program.to_string_lossy())))?;
    Ok(supervise::exit_code(status))
}

/// Serves the endpoint, runs the command as a child with signals forwarded, and returns
/// its exit code once it has exited and the endpoint is closed.
fn run_server(
    settings: Settings,
    kind: StoreKind,
    program: &OsStr,
    argv: &[OsString],
) -> Result<i32, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start runtime: {e}")))?;
    let result = rt.block_on(async {
        // Handlers first: a signal that arrives once the child runs must be forwarded, not
        // kill xacct and orphan the child.
        let mut signals = supervise::Signals::install()?;
        let settings = Arc::new(settings);
        let for_fetch = settings.clone();
        let fetch: Arc<server::Fetch> =
            Arc::new(move || provider::obtain(&for_fetch, kind).map(|got| got.credentials));
        let endpoint = server::start(fetch).await?;
        let plan = plan_env(
            &Mode::Server {
                url: &endpoint.url,
                token: &endpoint.token,
            },
            &settings,
        );
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(argv);
        apply_env!(cmd, plan);
        let status = supervise::run_child(cmd, &mut signals, program).await;
        // The endpoint lives exactly as long as the command.
        endpoint.close();
        status
    });
    // In-flight refreshes (blocking threads) must not hold up the exit.
    rt.shutdown_background();
    result.map(supervise::exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn default_profile_table() {
        // (keys of [default], warned about)
        let table: [(&[&str], Option<&str>); 5] = [
            (&[], None),
            (&["region"], None),
            (&["aws_access_key_id"], Some("aws_access_key_id")),
            (&["region", "role_arn"], Some("role_arn")),
            (&["credential_process"], Some("credential_process")),
        ];
        for (keys, want) in table {
            let mut p = Profiles::default();
            p.profiles.insert(
                "default".into(),
                keys.iter().map(|k| (k.to_string(), "x".into())).collect(),
            );
            let got = default_profile_shadows_endpoint(&p);
            assert_eq!(got.is_some(), want.is_some(), "{keys:?}");
            if let (Some(msg), Some(key)) = (got, want) {
                assert!(msg.contains(key), "{msg}");
            }
        }
        assert_eq!(default_profile_shadows_endpoint(&Profiles::default()), None);
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

    #[test]
    fn nesting_table() {
        // (marker, --allow-nested, refused)
        let table = [
            (None, false, false),
            (Some(""), false, false),
            (Some("arn:aws:iam::111111111111:role/a"), false, true),
            (Some("arn:aws:iam::111111111111:role/a"), true, false),
        ];
        for (marker, allow, refused) in table {
            let r = check_nesting(marker.map(OsStr::new), allow);
            assert_eq!(r.is_err(), refused, "{marker:?} {allow}");
            if let Err(e) = r {
                assert_eq!(e.exit_code(), 2);
                let msg = e.to_string();
                assert!(
                    msg.contains("--allow-nested") && msg.contains("role/a"),
                    "{msg}"
                );
            }
        }
    }

    /// (command, stdin is a terminal, $SHELL, Some((program, args)) or None for an error)
    type CommandCase<'a> = (
        &'a [&'a str],
        bool,
        Option<OsString>,
        Option<(&'a str, &'a [&'a str])>,
    );

    #[test]
    fn command_table() {
        let zsh = Some(OsString::from("/bin/zsh"));
        let table: [CommandCase; 7] = [
            (&["env"], false, None, Some(("env", &[]))),
            (
                &["aws", "s3", "ls", "--profile", "x"],
                false,
                None,
                Some(("aws", &["s3", "ls", "--profile", "x"])),
            ),
            (&[], true, zsh.clone(), Some(("/bin/zsh", &[]))),
            (&[], true, None, Some(("/bin/sh", &[]))),
            (&[], true, Some(OsString::new()), Some(("/bin/sh", &[]))),
            (&[], false, zsh, None),
            (&[""], true, None, None),
        ];
        for (command, tty, shell, want) in table {
            let got = pick_command(&os(command), tty, shell.clone());
            match want {
                Some((program, args)) => {
                    let (p, a) = got.unwrap();
                    assert_eq!((p, a), (OsString::from(program), os(args)), "{command:?}");
                }
                None => assert_eq!(got.unwrap_err().exit_code(), 2, "{command:?} {tty}"),
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn program_lookup_table() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("job.sh");
        let plain = dir.path().join("notes.txt");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::write(&plain, "").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["/nonexistent", dir.path().to_str().unwrap()]).unwrap();
        // (program, PATH, found)
        let table = [
            ("job.sh", Some(path.as_os_str()), true),
            ("notes.txt", Some(path.as_os_str()), false),
            ("missing", Some(path.as_os_str()), false),
            ("job.sh", None, false),
            (exe.to_str().unwrap(), None, true),
            ("/nonexistent/job.sh", None, false),
        ];
        for (program, path, found) in table {
            let r = check_program(OsStr::new(program), path);
            assert_eq!(r.is_ok(), found, "{program} {path:?}");
            if let Err(e) = r {
                assert_eq!(e.exit_code(), 2);
            }
        }
    }
}
