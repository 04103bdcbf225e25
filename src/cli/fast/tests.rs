//! The fast path against clap: whatever it accepts, clap must parse to the same value.

use super::*;
use clap::Parser;
use proptest::prelude::*;

fn os(argv: &[&str]) -> Vec<OsString> {
    std::iter::once("xacct")
        .chain(argv.iter().copied())
        .map(OsString::from)
        .collect()
}

/// The fast path's answer for `argv` (program name added), after checking it against
/// clap's: when the fast path parses, clap parses too, to the same value.
fn agree(argv: &[&str]) -> Option<Cli> {
    let fast = parse(os(argv), &env)?;
    let clap = Cli::try_parse_from(os(argv))
        .unwrap_or_else(|e| panic!("fast path accepted {argv:?}, clap refused it: {e}"));
    assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{argv:?}");
    let code = |c: &Cli| match &c.command {
        Command::CredentialProcess(a) => a.role.token_code.as_ref().map(|s| s.expose().to_string()),
        _ => panic!("not credential-process"),
    };
    assert_eq!(code(&fast), code(&clap), "{argv:?}: token code");
    Some(fast)
}

const ARN: &str = "arn:aws:iam::111111111111:role/x";

#[test]
fn plain_command_lines_parse_as_clap_parses_them() {
    let accepted: &[&[&str]] = &[
        &["credential-process"],
        &["credential-process", "--profile", "p"],
        &["credential-process", "--profile=p"],
        &["credential-process", "--profile=a=b"],
        &[
            "--keyring",
            "keyutils",
            "credential-process",
            "--profile",
            "p",
        ],
        &["credential-process", "--profile", "p", "--keyring=none"],
        &["credential-process", "--profile", "p", "-v", "--verbose"],
        &["-v", "--verbose", "credential-process", "--profile", "p"],
        &["credential-process", "-q", "--profile", "p"],
        &[
            "--quiet",
            "credential-process",
            "--no-cache",
            "--role-arn",
            ARN,
        ],
        &[
            "credential-process",
            "--role-arn",
            ARN,
            "--source-profile",
            "src",
            "--external-id",
            "ext-1",
            "--session-name",
            "s@h",
            "--duration",
            "1h",
            "--region",
            "eu-west-1",
            "--refresh-margin",
            "20m",
            "--min-validity",
            "5m",
            "--mfa-serial",
            "arn:aws:iam::123456789012:mfa/me",
            "--mfa-session-duration",
            "12h",
            "--token-code",
            "123456",
            "--source-identity",
            "me",
            "--tag",
            "a=1",
            "--tag=b=2",
            "--keyring",
            "secret-service",
        ],
    ];
    for argv in accepted {
        assert!(agree(argv).is_some(), "the fast path should take {argv:?}");
    }
}

#[test]
fn anything_else_is_left_to_clap() {
    let declined: &[&[&str]] = &[
        &[],
        &["--help"],
        &["-h"],
        &["--version"],
        &["-V"],
        &["help", "credential-process"],
        &["credential-process", "--help"],
        &["credential-process", "-h"],
        &["credential-process", "--version"],
        &["exec", "--profile", "p"],
        &["export", "--profile", "p"],
        &["credential-process", "extra"],
        &["credential-process", "credential-process"],
        &["credential-process", "--profile"],
        &["credential-process", "--profile", ""],
        &["credential-process", "--profile="],
        &["credential-process", "--profile", "-p"],
        &["credential-process", "--profile", "a", "--profile", "b"],
        &["credential-process", "--no-cache", "--no-cache"],
        &["credential-process", "-q", "--quiet"],
        &["credential-process", "--no-cache=true"],
        &["credential-process", "-v", "-q"],
        &["credential-process", "-vv"],
        &["-v", "credential-process", "-v"],
        &["-q", "credential-process", "-q"],
        &["credential-process", "-qv"],
        &["credential-process", "--", "--profile", "p"],
        &["credential-process", "--prof", "p"],
        &["credential-process", "--PROFILE", "p"],
        &["credential-process", "--keyring", "KEYUTILS"],
        &["credential-process", "--keyring", "bogus"],
        &["credential-process", "--keyring", "keychain"],
        &["credential-process", "--keyring", "a", "--keyring", "none"],
        &["--profile", "p", "credential-process"],
        &["--no-cache", "credential-process"],
        &["credential-process", "--server"],
        &["completions", "bash"],
    ];
    for argv in declined {
        assert!(
            agree(argv).is_none(),
            "the fast path took {argv:?}, which clap should handle"
        );
    }
}

/// Tokens for the mixed command lines.
const POOL: &[&str] = &[
    "credential-process",
    "credential-process",
    "credential-process",
    "exec",
    "--profile",
    "p",
    "--profile=q",
    "--role-arn",
    ARN,
    "--region",
    "us-east-1",
    "--keyring",
    "keyutils",
    "--keyring=none",
    "auto",
    "-v",
    "-q",
    "--verbose",
    "--quiet",
    "--no-cache",
    "--tag",
    "k=v",
    "--tag=a=b",
    "--token-code",
    "123456",
    "--min-validity",
    "5m",
    "--duration",
    "1h",
    "--",
    "-",
    "",
    "--help",
    "-vv",
    "help",
    "--version",
    "--session-name",
    "s",
    "--external-id",
    "--bogus",
    "--no-cache=1",
    "=",
    "-x",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// Command lines made of the tokens above in any order: the fast path may decline
    /// any, but what it takes, clap takes the same way.
    #[test]
    fn any_mix_of_tokens_agrees_with_clap(idx in proptest::collection::vec(0..POOL.len(), 0..9)) {
        let argv: Vec<&str> = idx.iter().map(|i| POOL[*i]).collect();
        agree(&argv);
    }
}

/// The variables clap reads (XACCT_KEYRING, XACCT_MIN_VALIDITY) cannot be set in this
/// process (the tests run in threads), so each case runs this test again in a child
/// process with its environment.
#[test]
fn the_environment_is_read_as_clap_reads_it() {
    const CASE: &str = "XACCT_TEST_FAST_PARSE_ENV";
    let argv: &[&str] = &["credential-process", "--profile", "p"];
    if let Some(case) = std::env::var_os(CASE) {
        let got = agree(argv);
        let flag = agree(&["credential-process", "--min-validity", "1m"]);
        let keyring_flag = agree(&["credential-process", "--keyring", "none"]);
        let (keyring, min_validity) = match got.map(|c| c.command) {
            Some(Command::CredentialProcess(a)) => (
                parse(os(argv), &env).map(|c| c.keyring),
                a.role.min_validity,
            ),
            _ => (None, None),
        };
        let want: (Option<StoreKind>, Option<&str>) = match case.to_str().unwrap() {
            "keyutils" => (Some(StoreKind::Keyutils), None),
            "secret-service" => (Some(StoreKind::SecretService), None),
            "min-validity" => (Some(StoreKind::Auto), Some("7m")),
            // Left to clap: an empty or unknown store, an empty minimum.
            _ => (None, None),
        };
        assert_eq!((keyring, min_validity.as_deref()), want, "{case:?}");
        // A flag wins over its variable (when that is one the fast path takes).
        let flag_wins = flag.map(|c| match c.command {
            Command::CredentialProcess(a) => a.role.min_validity,
            _ => None,
        });
        let takes = !matches!(case.to_str().unwrap(), "empty-keyring" | "bad-keyring");
        assert_eq!(flag_wins, takes.then(|| Some("1m".to_string())), "{case:?}");
        // `--keyring` with XACCT_KEYRING set is left to clap (see `finish`), as is every
        // line under an empty XACCT_MIN_VALIDITY.
        let keyring_set = std::env::var_os("XACCT_KEYRING").is_some();
        let empty_minimum = case.to_str() == Some("empty-min-validity");
        assert_eq!(
            keyring_flag.is_some(),
            !keyring_set && !empty_minimum,
            "{case:?}"
        );
        return;
    }
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("keyutils", &[("XACCT_KEYRING", "keyutils")]),
        ("secret-service", &[("XACCT_KEYRING", "secret-service")]),
        ("empty-keyring", &[("XACCT_KEYRING", "")]),
        ("bad-keyring", &[("XACCT_KEYRING", "Keyutils")]),
        ("min-validity", &[("XACCT_MIN_VALIDITY", "7m")]),
        ("empty-min-validity", &[("XACCT_MIN_VALIDITY", "")]),
    ];
    for (case, vars) in cases {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "cli::fast::tests::the_environment_is_read_as_clap_reads_it",
                "--nocapture",
            ])
            .env_remove("XACCT_KEYRING")
            .env_remove("XACCT_MIN_VALIDITY")
            .envs(vars.iter().copied())
            .env(CASE, case)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "{case}: {text}"
        );
    }
}
