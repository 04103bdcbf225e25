//! The long help of each command: the reference that `xacct <cmd> --help` prints and the
//! generated man pages carry (README.md only points here). Kept out of `cli.rs` so the
//! definitions stay short.
//!
//! Format, because both clap and clap_mangen read it: a paragraph is one line (the `\`
//! continuations join them), paragraphs are separated by a blank line. clap wraps a
//! paragraph to the terminal and roff fills it, so a hard line break inside a paragraph
//! would survive in `--help` and vanish in the man page; examples therefore get a
//! paragraph each.

pub const XACCT: &str = "\
Assumes a role in account A from a process in account B (a nightly backup cron job on an \
EC2 box, say, reading a DynamoDB table in account A) and hands the temporary credentials \
to any AWS client. Account A holds a role whose trust policy names a role in account B; \
xacct assumes it with account B's credentials.

credential-process prints the credentials for the credential_process line of \
~/.aws/config, so the AWS CLI and every SDK use them; exec runs a command with them; \
bootstrap creates, checks and removes the role pair. export, whoami, cache and \
completions help around them. Each command has its own page (xacct-exec(1), ...) and \
--help.

Credential cache. Credentials are kept in the OS keyring until shortly before they \
expire, and only one process at a time refreshes them: a cache hit costs a few \
milliseconds and no AWS call, and 32 cron jobs starting at once make one AssumeRole. \
Every command that needs credentials gets them the same way (cache, single flight, STS). \
xacct never writes a secret outside the keyring, and never prompts unless a profile asks \
for MFA. When no keyring works, it prints one warning and goes on without a cache: a \
missing keyring costs the cache, never the credentials.

Keyring stores (--keyring, XACCT_KEYRING). auto (the default) uses the Secret Service \
(GNOME Keyring, KWallet) when one runs on the session bus, else the kernel keyring; \
secret-service and keyutils pick one; none turns the cache off. Cron has no login \
session: xacct then joins a session keyring of its own and keeps entries in the kernel's \
persistent keyring, so they are shared by every process of the user and survive the job \
(they are lost at reboot, which is fine for a cache). --version names the stores compiled \
in: secret-service and keyutils on Linux, the platform this project builds and tests. The \
macOS Keychain and Windows Credential Manager stores are in the code but are not built or \
tested here.

Files. The refresh lock files, the cache index (see xacct-cache(1)) and the time of a \
key's last failed refresh (KEY.failed, no secret) live in \
$XDG_RUNTIME_DIR/xacct, else ~/.cache/xacct: a directory of mode 0700, files of mode \
0600. Profiles are read from the AWS config and credentials files (AWS_CONFIG_FILE and \
AWS_SHARED_CREDENTIALS_FILE are honoured).

Output. stdout carries only what a command is asked for (credentials, a config snippet, a \
listing); warnings, progress and errors go to stderr. Default: warnings only; -q: errors \
only; -v: what xacct does (cache hit or STS, which store, the expiry); -vv: also why the \
cache missed (no entry, expiring in N s, corrupt entry, key changed). RUST_LOG (e.g. \
RUST_LOG=xacct=debug,aws_config=debug) replaces the flags and can turn on the AWS SDK's \
own logs. No level prints a secret.

Exit status. 0 on success; 2 for usage and configuration errors, which are found before \
any network call; 1 for AWS and runtime errors. An error is one line on stderr that names \
the fix, with nothing on stdout. xacct exec exits with its command's status.

Environment. XACCT_KEYRING (as --keyring); XACCT_MIN_VALIDITY (as --min-validity); \
AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED (the instance metadata \
service, for an instance-profile source); AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE \
(profile files); AWS_REGION, AWS_DEFAULT_REGION (region, see --region); \
AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL (STS endpoint); RUST_LOG (logging); \
XDG_RUNTIME_DIR (lock directory); XACCT_ROLE_ARN (set by exec, see xacct-exec(1)).";

pub const CREDENTIAL_PROCESS: &str = "\
Prints the role's credentials in the AWS credential_process format, so the AWS CLI and \
every SDK can use xacct from ~/.aws/config. A profile with credential_process = \
/usr/bin/xacct credential-process --profile NAME makes every aws --profile call, boto3 \
Session and SDK client that uses it call xacct, which answers from the keyring or assumes \
the role that profile NAME describes.

Output. stdout carries exactly one JSON document: Version (1), AccessKeyId, \
SecretAccessKey, SessionToken, Expiration (UTC, ending in Z) and AccountId (account A's \
id). Warnings and errors go to stderr.

Role options. The role is described by the profile --profile names and by the flags \
below; flags override the profile. The profile keys are role_arn, source_profile or \
credential_source, external_id, role_session_name, duration_seconds, region, \
mfa_serial, source_identity and session_tags. The STS endpoint follows \
AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or the profile's endpoint_url. exec, export, \
whoami and cache clear take the same options and get credentials the same way.

Role chaining. When the source credentials are themselves a role session (on EC2 the \
instance profile is one), STS caps the new session at one hour: xacct clamps a longer \
duration to 3600 seconds and says so once on stderr.

The instance profile. With credential_source = Ec2InstanceMetadata (or the default chain \
on EC2) and no region configured, xacct calls STS in the instance's region, read from the \
instance metadata service (IMDSv2) on a cache miss only, as every AWS SDK does on EC2: a \
host in eu-west-1 does not depend on us-east-1. A cache hit makes no network call.

STS trouble. Inside the refresh margin xacct tries to refresh. When STS fails (an AWS or \
network error) and the cached credentials still have more than --min-validity (default \
10m) left, it serves them with one warning and exits 0, and for 30 seconds after the \
failure it does not ask STS again, so an outage does not turn every SDK call into a \
retry. Below the minimum validity the error is reported as usual. This is botocore's \
rule: a failed refresh keeps credentials in its 15-minute advisory window and fails in \
its 10-minute mandatory window.

Cache. Cached credentials are served only while more than the refresh margin \
(--refresh-margin, default 15m) is left: botocore re-runs a credential_process helper on \
every call once 15 minutes or less are left. The cache key covers every input that \
changes the credentials (role, external id, session name, duration, source, region, STS \
endpoint, MFA serial, source identity, session tags; not the MFA code). Entries are \
versioned JSON; a corrupt or unknown entry is a miss that gets overwritten. A refresh \
takes a per-key lock file and looks again after taking it, so concurrent cold starts make \
one AssumeRole; the kernel releases the lock of a holder that dies, even by kill -9. When \
no keyring works, xacct prints one warning and goes on without a cache. Stores and files: \
see xacct(1).

MFA sessions (aws-vault's model). With mfa_serial (or --mfa-serial), the code starts an \
MFA session: one GetSessionToken lasting --mfa-session-duration (mfa_session_duration, \
default 12h), cached in the keyring under the source and the serial. Every role session \
is then assumed from it without a code, so one code serves a working day, for every role \
with the same source and device. Such role sessions are chained: STS caps them at 1 hour \
(the duration is clamped, with a warning). A code is needed only when no MFA session is \
cached: --token-code CODE, else xacct asks on the terminal (/dev/tty), never on stdin \
(under credential_process, stdin belongs to the SDK). A run without a terminal (cron, CI) \
fails at once with exit 2 unless it passes --token-code. A code is sent to STS at most \
once, and never with AssumeRole. The code is not part of any cache key; the serial is.

Source identity and session tags. --source-identity (source_identity) sets the session's \
SourceIdentity; --tag (session_tags) passes session tags. Both are checked against the \
STS limits before any call and are part of the cache key. The role's trust policy must \
allow sts:SetSourceIdentity / sts:TagSession; an AccessDenied says so.

Errors. One line on stderr that names the fix, and nothing on stdout. Usage and \
configuration errors exit 2 and are found before any network call; AWS and runtime \
errors exit 1. An AccessDenied names the role, the source and the trust policy / external \
id.

Example: a cron job on EC2 in account B. Profile backup-target has role_arn = \
arn:aws:iam::111111111111:role/backup-reader, credential_source = Ec2InstanceMetadata \
(the instance profile's role in account B), external_id and region; profile backup has \
credential_process = /usr/bin/xacct credential-process --profile backup-target; the \
crontab line is AWS_PROFILE=backup /usr/local/bin/backup.sh.

Example: a laptop with long-term keys for account B in ~/.aws/credentials (profile \
account-b). Profile prod-reader has role_arn, source_profile = account-b and \
duration_seconds = 7200; profile prod has credential_process = xacct credential-process \
--profile prod-reader. On a desktop the cache goes to the Secret Service when one runs on \
the session bus, else to the kernel keyring.";

pub const EXEC: &str = "\
Runs CMD with the role's credentials; the role options are those of \
xacct-credential-process(1). Without CMD, and only when stdin is a terminal, it starts \
$SHELL. Credentials are never passed as arguments and never printed.

Static mode (the default). xacct puts AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and AWS_ACCOUNT_ID (account A) in the \
environment, plus AWS_REGION and AWS_DEFAULT_REGION when a region is configured (flag, \
environment or profile), and then becomes the command (execve): same PID, the command's \
own exit status and signals. The keys stop working at their expiration, which is fine \
for jobs shorter than the session.

Server mode (--server). xacct stays as the command's parent and serves the ECS container \
credential protocol on 127.0.0.1, on a port the OS picks. The command gets \
AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN (a fresh 256-bit \
random token; a request without it gets 401, with a wrong one 403) and no keys; the \
answer carries AccountId. Requests are answered from memory: a request never waits on \
STS while the credentials in hand have more than --min-validity left. xacct renews them \
in the background a little before the refresh margin (with jitter), through the same \
keyring cache and single-flight refresh as credential-process, so during a refresh a \
client gets the current credentials at once, and after it the new ones. When STS fails, \
xacct keeps serving what it holds, says so once on stderr, and retries with backoff (1 s \
doubling to 30 s); only once those credentials have expired does a request get an error \
(503, a JSON body with code and message). With an MFA session, a refresh needs no code \
until the session runs out; then it fails with a clear error instead of asking, because \
the command owns the terminal: run xacct with --token-code from another terminal, and \
the endpoint picks the new session up. At most 64 connections are open at once (the \
oldest idle one is closed to make room, with one warning).

Signals in server mode, as sudo does it: the command runs in its own process group and \
xacct relays SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM to it, so a \
signal reaches it exactly once whether it was sent to xacct alone (kill PID, systemd's \
KillMode=process) or to xacct's process group (kill -- -PGID). In a terminal the command \
gets the terminal's foreground (its Ctrl-C, Ctrl-Z and input); on Linux it gets SIGTERM \
if xacct dies (even by kill -9). xacct exits with the command's exit code (128+N when \
signal N killed it), and the endpoint closes when the command exits.

Clients. The endpoint works with clients that read AWS_CONTAINER_CREDENTIALS_FULL_URI \
with AWS_CONTAINER_AUTHORIZATION_TOKEN (the AWS CLI and current AWS SDKs). Older SDKs \
that know only the ECS AWS_CONTAINER_CREDENTIALS_RELATIVE_URI form (Debian's Ruby \
aws-sdk-core 3.168, for one) find no credentials: use static mode or credential_process \
for them.

Why server mode matters for jobs longer than an hour: on EC2 the source credentials are \
the instance profile's role session, so STS caps the assumed session at one hour (role \
chaining) whatever duration_seconds says. A backup that runs 90 minutes in static mode \
starts failing with ExpiredToken after 60; in server mode its SDK fetches new \
credentials from xacct and carries on. A crontab line for it: 15 2 * * * /usr/bin/xacct \
exec --server --profile backup-target -- /usr/local/bin/backup.sh

Environment. In both modes xacct first removes every variable that could make an SDK \
pick other credentials than the role's: the key variables, AWS_PROFILE and \
AWS_DEFAULT_PROFILE, the AWS_CONTAINER_* and web identity variables, a stale \
AWS_CREDENTIAL_EXPIRATION and an inherited AWS_ACCOUNT_ID. Everything else \
(AWS_CONFIG_FILE, AWS_ENDPOINT_URL, PATH, ...) is inherited. In server mode the SDKs \
still read the [default] profile before the endpoint: a [default] profile with keys, a \
role (role_arn, credential_source, source_profile), a credential_process, web identity \
or SSO (sso_session, sso_start_url, sso_account_id) in the command user's AWS files \
takes precedence; xacct warns, naming each such key.

Nesting. xacct sets XACCT_ROLE_ARN to the role's ARN. An xacct exec run inside another \
one refuses to start (exit 2) unless given --allow-nested, because the inner role would \
usually be assumed with the outer session by mistake. credential-process is not \
affected: profiles with credential_process = xacct ... work inside exec.

Failing early. Checks that need no network (the command exists in PATH, the role \
options, nesting) run before the first AssumeRole, and exec assumes the role before \
starting the command: a misconfigured cron line fails at once with exit 2 (1 for AWS \
errors) instead of running the job without credentials.";

pub const BOOTSTRAP: &str = "\
Creates the role pair the other commands assume, in the order AWS requires: role A's \
trust policy must name role B, which must exist first, and role B may only assume role A, \
which must exist too. --source-profile and --target-profile are profiles with IAM admin \
rights in account B (where the workload runs) and account A (where the data is).

In account B: role B (--source-role), trusting --source-trust; its inline policy \
xacct-assume-target allows sts:AssumeRole on role A's ARN only; with --source-trust ec2, \
an instance profile named like role B, holding it.

In account A: role A (--target-role), trusting role B's ARN only, with an sts:ExternalId \
condition when --external-id is set; the managed policies of --target-policy-arn and the \
inline policies of --target-policy-file (each named after its file); a \
MaxSessionDuration of --max-session-duration. Role A's trust and role B's policy allow \
sts:AssumeRole only, so sessions with --tag or --source-identity are denied on this pair, \
unless --allow-session-tags (sts:TagSession) or --allow-source-identity \
(sts:SetSourceIdentity) adds the action to both; a run without the flag removes it again.

--source-trust (repeatable, default ec2): ec2 (the EC2 service, plus the instance \
profile), lambda, account (account B's root: any principal of account B whose own policy \
allows it) or an IAM principal ARN.

Re-running is safe. Each run reads both roles, diffs them against the arguments and \
changes only what differs; a second run with the same arguments makes no change and says \
so. Changed arguments bring the roles in line: trust, session duration, role A's \
permissions (managed policies and inline policies not asked for are detached or \
deleted). Role B keeps any policy besides xacct-assume-target. --external-id auto keeps \
the id role A's trust already requires, or generates 128 random bits from the OS; either \
way it is in the printed config. Without --external-id the condition role A's trust has \
is kept (a forgotten flag never weakens the trust); --external-id none removes it, with a \
warning. The progress lines and --dry-run say which of these happens. A role that exists \
is named by the ARN IAM returns, so roles at a path (/service/...) work, adopted or not.

Drift. IAM stores a trust policy's principal as the role's unique id: if role B is \
deleted and re-created, role A's trust shows a stale AROA... id and no longer lets role B \
in. bootstrap re-creates role B, notices the id, writes role A's trust again and says so.

Ownership. Roles and the instance profile that bootstrap creates carry the tag \
xacct:managed=true. It never modifies or deletes one without that tag: it refuses, with \
a message naming --adopt, before making any change. With --adopt it takes the role over \
(replacing its trust, tagging it). CloudFormation cannot tag an instance profile, so an \
untagged one that holds only the tagged role B counts as xacct's too.

Propagation. A role created seconds ago may not yet be accepted as a principal \
(MalformedPolicyDocument: Invalid principal); bootstrap retries with backoff for up to 2 \
minutes, then stops with a message to re-run. After the changes it reads everything back \
and fails if IAM does not hold what was asked.

--dry-run prints the plan on stdout (each change in order, with the policy document it \
would write) and makes no change. --delete removes role A's policies and role A, the \
instance profile, then role B's policies and role B: every policy, also those xacct did \
not put there, since IAM deletes no role that still has one (--dry-run lists them); only \
what carries the tag (or with --adopt); missing pieces are fine, so it can be re-run.

As code. --emit cloudformation|terraform --out DIR writes the same pair as code instead \
of changing IAM; it only reads (both account ids, and role A's current external id when \
the choice depends on it) and prints the config snippet as usual. cloudformation writes \
DIR/source.template.json (role B, its policy, the instance profile) and \
DIR/target.template.json (role A) and prints the deploy commands on stderr, account B's \
stack first: role A's trust names role B, which must exist. terraform writes DIR/main.tf \
with an aliased aws provider per profile; one terraform apply creates everything in \
order. Deployed, the code gives a pair that the same command without --emit and --out \
accepts as it is: no --adopt, no change.

Output. On success stdout gets only the config snippet; progress and the summary go to \
stderr. --profile-name NAME (default: the target role's name) names the profiles: NAME \
assumes role A and NAME-cached runs xacct as its credential_process. How NAME gets role \
B's credentials follows --source-trust: ec2 gives credential_source = \
Ec2InstanceMetadata; else lambda gives credential_source = Environment; else (account, \
an ARN) a third profile NAME-source assumes role B with --source-profile's credentials \
and NAME chains from it (for an ARN, point NAME-source's source_profile at that \
principal's credentials). The credential_process line names the xacct binary that ran \
bootstrap. --write-config adds these profiles to the AWS config file, or replaces them in \
place, and leaves every other line as it was; running it again changes nothing. A \
symlinked config file is written through to its target (the link stays), the file keeps \
its mode, and the new text goes to a 0600 temporary file next to it, renamed over it.

Errors. Bad input (a malformed ARN or name, an unreadable or non-JSON policy file, an \
unknown profile) fails with one line and exit 2 before any network call. Both roles \
resolving to the same role in the same account fails with exit 2 after \
GetCallerIdentity, before any change. Reads come first, so a profile that cannot read IAM \
fails before any change. Then IAM's policy simulator is asked whether each profile may \
make the changes planned for its account (e.g. iam:CreateRole, iam:PassRole on role B \
for the instance profile); a denied action fails the run before any change, naming the \
profile and the action. The simulator sees identity policies but not SCPs and cannot \
simulate the root user; when it cannot answer, bootstrap says so and goes on. A write \
denied anyway fails with a message naming the profile, and a re-run continues from where \
it stopped.

Example, the cron case:

xacct bootstrap --source-profile b-admin --target-profile a-admin --source-role \
backup-host --target-role backup-reader --source-trust ec2 --target-policy-arn \
arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess --target-policy-file \
read-bucket.json --external-id auto --max-session-duration 2h --profile-name \
backup-target --write-config

It reports each change on stderr (role B and its instance profile, role A and its \
policies, then role B's policy), verifies them \
by reading both roles back, and prints the profiles backup-target (role_arn, \
credential_source = Ec2InstanceMetadata, the external id, region) and \
backup-target-cached (credential_process). Launch the EC2 instance with the instance \
profile backup-host, copy the printed profiles into its ~/.aws/config, and run the job \
with AWS_PROFILE=backup-target-cached.";

pub const EXPORT: &str = "\
Prints the role's credentials (the role options are those of \
xacct-credential-process(1)) in the format --format names: json (the credential_process \
document, the default), env (KEY=value lines, as docker --env-file reads them), \
export-env (sh export lines, for eval), ini (a credentials-file section) or powershell \
($Env:KEY = '...' lines, for Invoke-Expression).

The variables are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, \
AWS_CREDENTIAL_EXPIRATION and AWS_ACCOUNT_ID (account A, which current SDKs use for \
account-based endpoints), plus AWS_REGION and AWS_DEFAULT_REGION when a region is \
configured (aws-vault's names). export-env quotes every value for sh. The ini section is \
named after --profile, else after the role, carries aws_account_id, and the expiry as a \
comment. When \
stdout is a terminal the credentials are still printed, with a one-line warning on \
stderr.

In sh, bash or zsh: eval \"$(xacct export --profile prod-reader --format export-env)\"

For docker --env-file: xacct export --profile prod-reader --format env > creds.env

A [prod-reader] section: xacct export --profile prod-reader --format ini >> \
~/.aws/credentials

In PowerShell: xacct export --profile prod-reader --format powershell | \
Invoke-Expression";

pub const WHOAMI: &str = "\
Calls STS GetCallerIdentity with the role's credentials (from the cache when it has \
them; the role options are those of xacct-credential-process(1)) and prints the account, \
ARN and user id they act as, their expiration and how long is left, and whether they came \
from the cache, from which store. --json prints one object with Account, Arn, UserId, \
Expiration, FromCache and Store.";

pub const CACHE: &str = "\
Keyrings cannot list their items, so xacct keeps an index beside the lock files \
(index.json in $XDG_RUNTIME_DIR/xacct, else ~/.cache/xacct; mode 0600): cache keys, role \
ARNs, session names, sources, expiries and stores, never a secret. It is replaced \
atomically, and it is only a hint: a missing or corrupt index lists nothing (-v says why) \
and is rebuilt as entries are stored; an entry the keyring no longer has is dropped from \
it by the next cache list.

xacct cache list shows one row per entry; xacct cache clear --profile prod-reader deletes \
that profile's entry; xacct cache clear --all deletes every entry xacct has stored.";

pub const DOCTOR: &str = "\
Runs these checks in order, one line each: ok, warn, fail or skip, the check's name, what \
it found and, when not ok, the fix. config: the profile and its source_profile chain, the \
role, source, region (and where each came from), duration and whether an external id is \
set (never its value). source: where the source credentials come from, and who they act \
as (GetCallerIdentity). clock: the skew between this host and STS. sts: the endpoint, \
whether it answers, and any proxy in effect. assume: one AssumeRole, not cached, with \
the likely causes of a failure. keyring: which store is used and why, a store/read/delete \
round trip of a probe entry, and for the kernel keyring the quota left and about how many \
entries still fit. lockdir: the directory runs use, its owner and mode, judged by the \
ownership rule (doctor creates nothing). cache: this role's cached entries (expiry and \
store, never a secret).

The AssumeRole is made with the same settings as every other command, never cached. With \
credential_source = Ec2InstanceMetadata the IMDSv2 token PUT is tried first, with a 1 s \
timeout; one that gets no answer is the hop limit of a container on EC2. The clock warns \
above 60 s of skew and fails above 300 s. A role with mfa_serial is assumed only with \
--token-code: doctor never prompts. A bad flag is bad input (exit 2, no check runs); a \
problem in the profile files is a failed config check, and the checks that need the \
settings skip. Without --profile or --role-arn only this host's checks run.

Exit 0 when no check fails (warnings allowed), 1 when one fails, 2 for bad input. \
--json prints the same checks as one array of {check, status, detail, fix}.";

pub const COMPLETIONS: &str = "\
Prints a completion script generated from the same definitions as --help. The Debian \
package installs the bash, zsh and fish scripts; otherwise redirect the output to where \
the shell looks.

bash: xacct completions bash > ~/.local/share/bash-completion/completions/xacct

zsh: xacct completions zsh > \"${fpath[1]}/_xacct\"

fish: xacct completions fish > ~/.config/fish/completions/xacct.fish

PowerShell: xacct completions powershell >> $PROFILE";
