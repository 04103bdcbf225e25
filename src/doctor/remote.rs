//! The facts the source, clock, sts and assume checks judge, and the one trait they are
//! gathered through (`Remote`, implemented for the SDK by `aws::probe`).
//!
//! Facts are gathered in the order the chain is used (IMDS, the source credentials, one
//! GetCallerIdentity, one AssumeRole), which is not the order they are printed in: the
//! one STS answer serves the source, clock and sts checks alike. AssumeRole goes through
//! the provider's own `assume` (request, role-chaining retry) with no cache at all.

use crate::aws::failure::{AwsFailure, FailureKind};
use crate::aws::identity::CallerIdentity;
use crate::aws::sts::{AssumeRoleRequest, SessionTokenRequest, Sts};
use crate::creds::Credentials;
use crate::provider::{assume, mfa_session};
use crate::settings::{Settings, Source};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::future::Future;

/// What the IMDSv2 token PUT (and one GET with the token) gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imds {
    /// A token, and the instance profile's role name (`None`: no role attached).
    Answered {
        role: Option<String>,
    },
    /// `AWS_EC2_METADATA_DISABLED=true`: no SDK asks IMDS.
    Disabled,
    /// The connection was made but the token PUT got no answer in time.
    TokenTimedOut,
    /// No connection at all (not on EC2, or IMDS turned off).
    Unreachable(String),
    /// IMDS answered the PUT or the GET with this HTTP status.
    Status(u16),
    Other(String),
}

/// Which kind of provider answered for the source credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Environment,
    ProfileKeys,
    /// A role the profile chain assumed (source_profile with role_arn).
    ProfileRole,
    Process,
    Sso,
    WebIdentity,
    Container,
    InstanceProfile,
    Unknown,
}

/// The source credentials, loaded (never their secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    pub via: Via,
    pub access_key_id: String,
    pub expires: Option<DateTime<Utc>>,
    /// Where STS is called: the instance's region when none is configured.
    pub region: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceFact {
    /// Not loaded: the IMDS probe already failed.
    NotLoaded,
    Failed(AwsFailure),
    Loaded(Loaded),
}

/// A proxy the SDK would use for the STS endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proxy {
    /// The variable and the proxy's host:port (never its user:password).
    pub used: Option<(String, String)>,
    /// The proxy variables that are set, by name.
    pub set: Vec<String>,
    /// A proxy is set for the endpoint's scheme but NO_PROXY exempts the endpoint.
    pub bypassed: bool,
}

/// The one GetCallerIdentity doctor makes: with the source credentials, or with
/// placeholder keys when none could be loaded (only to see that STS answers, and when).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsCall {
    pub with_source: bool,
    /// The endpoint the request went to (no query).
    pub url: Option<String>,
    /// The HTTP status and `Date` header of the answer, and the local time it came.
    pub status: Option<u16>,
    pub date: Option<DateTime<Utc>>,
    pub received: Option<DateTime<Utc>>,
    pub result: Result<CallerIdentity, AwsFailure>,
    pub proxy: Proxy,
}

impl StsCall {
    /// STS answered at all (any HTTP status).
    pub fn answered(&self) -> bool {
        self.status.is_some() || self.result.is_ok()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyFact {
    /// The role's inline policies: (name, document as IAM returns it).
    Read {
        role: String,
        docs: Vec<(String, String)>,
    },
    Failed {
        role: String,
        failure: AwsFailure,
    },
}

#[derive(Clone, Debug)]
pub enum AssumeFact {
    NotTried,
    /// The role needs MFA and no --token-code was given: doctor never prompts.
    NeedsCode(String),
    Done {
        result: Result<Assumed, AwsFailure>,
        /// What the provider warned about (a clamped duration).
        notes: Vec<String>,
        /// The source role's own inline policies, read after an AccessDenied.
        policies: Option<PolicyFact>,
    },
}

/// A successful AssumeRole (no secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumed {
    pub arn: Option<String>,
    pub expiration: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Facts {
    pub imds: Option<Imds>,
    pub source: SourceFact,
    pub call: StsCall,
    pub assume: AssumeFact,
}

/// Everything doctor asks of AWS and IMDS.
pub trait Remote {
    type Sts: Sts;
    /// The IMDSv2 token PUT (short timeout, one attempt).
    fn imds(&self) -> impl Future<Output = Imds>;
    /// Loads the settings' source credentials, once.
    fn load_source(&mut self) -> impl Future<Output = Result<Loaded, AwsFailure>>;
    /// GetCallerIdentity with what `load_source` loaded (or placeholder keys).
    fn caller_identity(&self) -> impl Future<Output = StsCall>;
    /// The provider's STS client: with the source credentials, or an MFA session.
    fn sts(
        &self,
        mfa_session: Option<&Credentials>,
    ) -> impl Future<Output = Result<Self::Sts, AwsFailure>>;
    /// The inline policies of role `name`, read with the source credentials.
    fn role_policies(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<(String, String)>, AwsFailure>>;
}

/// Gathers every fact, in the order the chain uses them.
pub async fn gather(r: &mut impl Remote, s: &Settings) -> Facts {
    tracing::info!(
        "doctor: checking {} from {}",
        s.role.as_str(),
        s.source.describe()
    );
    let mut imds = match s.source {
        Source::Ec2InstanceMetadata => Some(r.imds().await),
        _ => None,
    };
    let source = match &imds {
        Some(Imds::Answered { .. }) | None => match r.load_source().await {
            Ok(l) => SourceFact::Loaded(l),
            Err(f) => SourceFact::Failed(f),
        },
        Some(_) => SourceFact::NotLoaded,
    };
    // The default chain reached IMDS, or found nothing at all (IMDS is its last link).
    let chain_imds = matches!(s.source, Source::DefaultChain { .. })
        && match &source {
            SourceFact::Loaded(l) => l.via == Via::InstanceProfile,
            _ => true,
        };
    if chain_imds {
        imds = Some(r.imds().await);
    }
    let call = r.caller_identity().await;
    tracing::info!(
        "doctor: GetCallerIdentity at {}: {}",
        call.url.as_deref().unwrap_or("-"),
        call.status
            .map_or("no answer".to_string(), |c| format!("HTTP {c}"))
    );
    let assume = match (&source, &call.result) {
        (SourceFact::Loaded(_), Ok(id)) => try_assume(r, s, id).await,
        _ => AssumeFact::NotTried,
    };
    Facts {
        imds,
        source,
        call,
        assume,
    }
}

async fn try_assume(r: &impl Remote, s: &Settings, id: &CallerIdentity) -> AssumeFact {
    let mut notes = vec![];
    let session = match (&s.mfa_serial, &s.token_code) {
        (None, _) => None,
        (Some(serial), None) => return AssumeFact::NeedsCode(serial.clone()),
        (Some(_), Some(code)) => {
            let got = match r.sts(None).await {
                Ok(sts) => mfa_session::get_session(&sts, s, code.clone())
                    .await
                    .map_err(|e| AwsFailure::other("MfaSession", e.to_string())),
                Err(f) => Err(f),
            };
            match got {
                Ok(c) => Some(c),
                Err(f) => return done(Err(f), notes, None),
            }
        }
    };
    let sts = match r.sts(session.as_ref()).await {
        Ok(sts) => sts,
        Err(f) => return done(Err(f), notes, None),
    };
    tracing::info!("doctor: one AssumeRole of {}, not cached", s.role.as_str());
    let rec = Recording {
        inner: &sts,
        last: RefCell::new(None),
    };
    let result = assume::assume(&rec, s, &mut |m| notes.push(m.to_string())).await;
    let result = match result {
        Ok(c) => Ok(Assumed {
            arn: c.assumed_role_arn.clone(),
            expiration: c.expiration,
        }),
        Err(e) => Err(rec
            .last
            .into_inner()
            .unwrap_or_else(|| AwsFailure::other("Error", e.to_string()))),
    };
    let denied =
        matches!(&result, Err(f) if f.kind == FailureKind::Service && f.code == "AccessDenied");
    let policies = match source_role(&id.arn) {
        Some(role) if denied => Some(match r.role_policies(&role).await {
            Ok(docs) => PolicyFact::Read { role, docs },
            Err(failure) => PolicyFact::Failed { role, failure },
        }),
        _ => None,
    };
    done(result, notes, policies)
}

fn done(
    result: Result<Assumed, AwsFailure>,
    notes: Vec<String>,
    policies: Option<PolicyFact>,
) -> AssumeFact {
    AssumeFact::Done {
        result,
        notes,
        policies,
    }
}

/// The role name of an assumed-role caller ARN (`arn:aws:sts::1:assumed-role/B/sess`).
pub fn source_role(caller_arn: &str) -> Option<String> {
    let resource = caller_arn.splitn(6, ':').nth(5)?;
    let name = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// The provider's STS client, remembering the last failure it returned: the provider
/// words its errors for one line, doctor wants the code and message to map causes.
struct Recording<'a, S> {
    inner: &'a S,
    last: RefCell<Option<AwsFailure>>,
}

impl<S: Sts> Recording<'_, S> {
    fn keep<T>(&self, r: Result<T, AwsFailure>) -> Result<T, AwsFailure> {
        if let Err(f) = &r {
            *self.last.borrow_mut() = Some(f.clone());
        }
        r
    }
}

impl<S: Sts> Sts for Recording<'_, S> {
    fn source_is_role_session(&self) -> bool {
        self.inner.source_is_role_session()
    }

    async fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Credentials, AwsFailure> {
        self.keep(self.inner.assume_role(req).await)
    }

    async fn get_session_token(
        &self,
        req: &SessionTokenRequest,
    ) -> Result<Credentials, AwsFailure> {
        self.keep(self.inner.get_session_token(req).await)
    }
}

#[cfg(test)]
pub(crate) mod tests;
