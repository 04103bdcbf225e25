//! `xacct whoami`: who the role's credentials act as (GetCallerIdentity), until when, and
//! whether they came from the cache.

use crate::aws::failure::{AwsFailure, FailureKind};
use crate::aws::identity::{Identity, SdkIdentity};
use crate::cli::{StoreKind, WhoamiArgs};
use crate::error::Error;
use crate::provider::{self, Origin};
use crate::report::{self, Whoami};
use crate::settings::Settings;
use std::process::ExitCode;

pub fn run(args: &WhoamiArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    let settings = super::resolve_settings(&args.role)?;
    let got = provider::obtain(&settings, kind)?;
    let c = &got.credentials;
    let id = crate::rt::block_on(async {
        SdkIdentity::new(c, &settings.region, settings.endpoint.as_deref())
            .await
            .caller_identity()
            .await
    })?
    .map_err(|f| describe(&f, &settings))?;
    let who = Whoami {
        account: id.account,
        arn: id.arn,
        user_id: id.user_id,
        expiration: c.expiration,
        from_cache: got.origin == Origin::Cache,
        store: got.store.map(String::from),
    };
    let text = if args.json {
        format!("{}\n", report::whoami_json(&who))
    } else {
        report::whoami_text(&who, chrono::Utc::now())
    };
    crate::ui::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Turns a failure into one line naming the fix.
fn describe(f: &AwsFailure, s: &Settings) -> Error {
    let role = s.role.as_str();
    match (f.kind, f.code.as_str()) {
        (
            FailureKind::Service,
            "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId",
        ) => Error::Aws(format!(
            "the credentials for {role} were rejected by STS ({}: {}); they may have been revoked: run `xacct cache clear` with the same role options and retry",
            f.code, f.message
        )),
        (FailureKind::Unreachable, _) => Error::Aws(format!(
            "cannot reach STS at {} ({}); check the network, the region or AWS_ENDPOINT_URL",
            s.endpoint
                .clone()
                .unwrap_or_else(|| format!("region {}", s.region)),
            f.message
        )),
        _ => Error::Aws(format!(
            "STS GetCallerIdentity with the credentials for {role} failed: {}: {}",
            f.code, f.message
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_fix() {
        let s = crate::testing::settings();
        let f = |kind, code: &str| AwsFailure {
            kind,
            code: code.into(),
            message: "m".into(),
        };
        let table = [
            (f(FailureKind::Service, "ExpiredToken"), "xacct cache clear"),
            (f(FailureKind::Unreachable, "Dispatch"), "cannot reach STS"),
            (f(FailureKind::Service, "Throttling"), "GetCallerIdentity"),
        ];
        for (failure, want) in table {
            let e = describe(&failure, &s);
            assert_eq!(e.exit_code(), 1);
            assert!(e.to_string().contains(want), "{e}");
        }
    }
}
