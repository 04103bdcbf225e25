//! `bootstrap --emit FORMAT --out DIR`: the pair as code, with no change to IAM. The only
//! AWS calls are reads: both callers (for the account ids, done by the caller of `run`)
//! and role A, when the external id choice depends on what its trust requires now.

use super::{print_config, report_external_id};
use crate::aws::iam::SdkIam;
use crate::bootstrap::apply::describe;
use crate::bootstrap::emit::{self, Context};
use crate::bootstrap::external_id;
use crate::bootstrap::iam::{Caller, Iam};
use crate::bootstrap::plan::Side;
use crate::bootstrap::{self, Request, policy};
use crate::cli::EmitFormat;
use crate::error::Error;
use crate::ui::progress;
use std::path::Path;

/// Emitted code is no secret (an external id is not one either: AWS calls it a shared
/// identifier); it is meant to be reviewed and committed.
const CODE_MODE: u32 = 0o644;

pub async fn run(
    req: &Request,
    tgt: &SdkIam,
    (b, a): (&Caller, &Caller),
    format: EmitFormat,
    dir: &Path,
    (region_b, region_a): (&str, &str),
) -> Result<(), Error> {
    let current = if req.external_id.needs_current() {
        tgt.read_role(&req.target_role)
            .await
            .map_err(|f| {
                describe(
                    Side::Target,
                    &req.target_profile,
                    &format!("reading role A {} for its external id", req.target_role),
                    &f,
                )
            })?
            .and_then(|r| policy::external_id(&r.trust))
    } else {
        None
    };
    let choice = external_id::choose(&req.external_id, current, bootstrap::random_external_id)?;
    report_external_id(&choice);
    // The code creates both roles at path `/`, so their ARNs are known before they exist.
    let arns = bootstrap::role_arns(req, b.partition(), &b.account, &a.account);
    let desired = bootstrap::desired(
        req,
        b.partition(),
        &b.account,
        (&arns.0, &arns.1),
        choice.id(),
    );
    let shown_dir = dir.display().to_string();
    let ctx = Context {
        source_profile: &req.source_profile,
        target_profile: &req.target_profile,
        source_region: region_b,
        target_region: region_a,
        out_dir: &shown_dir,
    };
    let emitted = emit::emit(format, &desired, &ctx);
    for file in &emitted.files {
        let path = dir.join(file.name);
        crate::files::replace(&path, file.text.as_bytes(), CODE_MODE).map_err(|e| {
            Error::Runtime(format!("cannot write {}: {e}; check --out", path.display()))
        })?;
        progress(&format!("wrote {}", path.display()));
    }
    progress("nothing was changed in AWS");
    for step in &emitted.steps {
        progress(step);
    }
    print_config(req, &desired, choice.id(), region_a)
}
