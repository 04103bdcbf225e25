//! `xacct bootstrap`'s flags (clap derive types only; `bootstrap::validate` checks them).

use clap::Args;

#[derive(Args, Debug)]
pub struct BootstrapArgs {
    /// Profile with admin credentials for account B (where the source role lives).
    #[arg(long, value_name = "NAME")]
    pub source_profile: String,

    /// Profile with admin credentials for account A (where the target role lives).
    #[arg(long, value_name = "NAME")]
    pub target_profile: String,

    /// Name of the source role (role B) in account B.
    #[arg(long, value_name = "NAME", default_value = "xacct-source")]
    pub source_role: String,

    /// Name of the target role (role A) in account A.
    #[arg(long, value_name = "NAME", default_value = "xacct-target")]
    pub target_role: String,

    /// Who may assume the source role: ec2 (also creates an instance profile), lambda,
    /// account (account B's root) or an IAM principal ARN; repeatable (default ec2).
    #[arg(long, value_name = "WHO")]
    pub source_trust: Vec<String>,

    /// Managed policy to attach to the target role; repeatable.
    #[arg(long, value_name = "ARN")]
    pub target_policy_arn: Vec<String>,

    /// Inline permission policy (JSON) for the target role, named after the file; repeatable.
    #[arg(long, value_name = "FILE")]
    pub target_policy_file: Vec<std::path::PathBuf>,

    /// External id role A's trust requires: an ID, auto or none.
    ///
    /// auto keeps the id role A's trust requires now or generates one; none removes the
    /// condition, with a warning. Without this flag the condition role A's trust has now
    /// is kept.
    #[arg(long, value_name = "ID|auto|none")]
    pub external_id: Option<String>,

    /// Let role B pass session tags to role A (`--tag`, profile key session_tags).
    ///
    /// Adds sts:TagSession to role A's trust and to role B's permission. A run without
    /// it removes that action again: the pair stays least-privilege unless asked.
    #[arg(long)]
    pub allow_session_tags: bool,

    /// Let role B set a source identity on role A's sessions (`--source-identity`).
    ///
    /// Adds sts:SetSourceIdentity to role A's trust and to role B's permission. A run
    /// without it removes that action again.
    #[arg(long)]
    pub allow_source_identity: bool,

    /// The target role's MaxSessionDuration (1h..12h; default 1h).
    #[arg(long, value_name = "D")]
    pub max_session_duration: Option<String>,

    /// Profile name used in the printed config (default: the target role name).
    #[arg(long, value_name = "NAME")]
    pub profile_name: Option<String>,

    /// Also add or update those profiles in the AWS config file.
    ///
    /// A symlinked config file is written through to its target and the link stays; the
    /// file keeps its mode (a new one gets 0600); the text goes to a 0600 temporary file
    /// next to it first, renamed over it.
    #[arg(long)]
    pub write_config: bool,

    /// Print the plan and the policy documents; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Remove the pair (policies, instance profile, both roles); only what xacct manages.
    ///
    /// Every policy on both roles goes, also those xacct did not attach: IAM deletes no
    /// role that still has one. --dry-run lists them.
    #[arg(long)]
    pub delete: bool,

    /// Take over existing roles that lack the xacct:managed tag (and tag them).
    #[arg(long)]
    pub adopt: bool,

    /// Write the role pair as code into --out instead of changing IAM.
    ///
    /// cloudformation: source.template.json (account B) and target.template.json
    /// (account A); the deploy commands, source first, go to stderr. terraform: main.tf
    /// with one aliased aws provider per profile. Only reads AWS: both account ids, and
    /// role A's external id when the choice depends on it. Deployed, the code gives a
    /// pair that bootstrap with the same arguments accepts without --adopt and with no
    /// change. Not with --dry-run, --adopt or --delete.
    #[arg(long, value_name = "FORMAT", requires = "out")]
    pub emit: Option<EmitFormat>,

    /// Directory for --emit's files (created if missing; files in it are replaced).
    #[arg(long, value_name = "DIR", requires = "emit")]
    pub out: Option<std::path::PathBuf>,
}

/// `--emit`: the infrastructure-as-code format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitFormat {
    /// Two templates, one stack per account; deploy source.template.json first.
    Cloudformation,
    /// main.tf with both accounts' providers; one `terraform apply`.
    Terraform,
}
