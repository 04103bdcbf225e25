//! `xacct whoami`: who the role's credentials act as (GetCallerIdentity), until when, and
//! whether they came from the cache.

use crate::cli::WhoamiArgs;
use crate::error::Error;
use crate::provider::{self, Origin};
use crate::report::{self, Whoami};
use crate::store::StoreKind;
use std::io::Write;

pub fn run(args: &WhoamiArgs, keyring: Option<&str>) -> Result<(), Error> {
    let kind = StoreKind::parse(keyring)?;
    let settings = crate::resolve_settings(&args.role)?;
    let got = provider::obtain(&settings, kind)?;
    let id = crate::aws::identity::caller_identity_blocking(&got.credentials, &settings)?;
    let who = Whoami {
        account: id.account,
        arn: id.arn,
        user_id: id.user_id,
        expiration: got.credentials.expiration,
        from_cache: got.origin == Origin::Cache,
        store: got.store.map(String::from),
    };
    let text = if args.json {
        format!("{}\n", report::whoami_json(&who))
    } else {
        report::whoami_text(&who, chrono::Utc::now())
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Runtime(format!("cannot write to stdout: {e}")))
}
