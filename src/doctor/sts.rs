//! The `sts` check: the endpoint the SDK called (regional, global, or an override and
//! where it was set), whether it answered, and the proxy in effect for it.

use super::Finding;
use super::remote::{Proxy, StsCall};
use crate::settings::{EnvSnapshot, Settings};

const CHECK: &str = "sts";

/// Where the endpoint override comes from, in the SDK's order; `None` without one.
pub fn endpoint_origin(env: &EnvSnapshot, s: &Settings) -> Option<String> {
    s.endpoint.as_ref()?;
    Some(if env.endpoint_url_sts.is_some() {
        "AWS_ENDPOINT_URL_STS".into()
    } else if env.endpoint_url.is_some() {
        "AWS_ENDPOINT_URL".into()
    } else {
        "endpoint_url in the profile".into()
    })
}

pub fn judge(s: &Settings, call: &StsCall, origin: Option<&str>, region: &str) -> Finding {
    let url = call
        .url
        .clone()
        .or_else(|| s.endpoint.clone())
        .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com/"));
    let kind = match origin {
        Some(o) => format!("override from {o}"),
        None if url.contains("://sts.amazonaws.com") => "the global endpoint".into(),
        None => format!("the regional endpoint for {region}"),
    };
    let proxy = proxy_text(&call.proxy);
    let at = format!("{url} ({kind}; {proxy})");
    match call.status {
        Some(code) if code >= 500 => Finding::warn(
            CHECK,
            format!("{at} answers HTTP {code}"),
            "STS or something in front of it is failing: retry later, or check the proxy and AWS_ENDPOINT_URL",
        ),
        Some(code) => Finding::ok(CHECK, format!("{at} answers (HTTP {code})")),
        None if call.result.is_ok() => Finding::ok(CHECK, format!("{at} answers")),
        None => {
            let why = match &call.result {
                Err(f) => crate::aws::failure::one_line(&f.message),
                Ok(_) => String::new(),
            };
            let fix = match (&call.proxy.used, origin) {
                (Some((var, host)), _) => format!(
                    "check the proxy {host} ({var}) and that it allows {url}, or exempt it with NO_PROXY"
                ),
                (None, Some(o)) => format!("check {o}: nothing answers at {url}"),
                (None, None) => format!(
                    "check DNS, the firewall and outbound HTTPS to {url}; behind a proxy set HTTPS_PROXY; or pass --region with another region"
                ),
            };
            Finding::fail(CHECK, format!("cannot reach {at}: {why}"), fix)
        }
    }
}

fn proxy_text(p: &Proxy) -> String {
    match (&p.used, p.bypassed) {
        (Some((var, host)), _) => format!("through proxy {host} from {var}"),
        (None, true) => format!("NO_PROXY exempts it from the proxy in {}", p.set.join(", ")),
        (None, false) if p.set.is_empty() => "no proxy variables set".into(),
        (None, false) => format!("no proxy for it ({} set)", p.set.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;
    use crate::aws::failure::{AwsFailure, FailureKind};
    use crate::aws::identity::CallerIdentity;

    fn call(status: Option<u16>, proxy: Proxy, url: Option<&str>) -> StsCall {
        StsCall {
            with_source: true,
            url: url.map(str::to_string),
            status,
            date: None,
            received: None,
            result: match status {
                Some(_) => Ok(CallerIdentity {
                    account: "1".into(),
                    arn: "a".into(),
                    user_id: "u".into(),
                }),
                None => Err(AwsFailure {
                    kind: FailureKind::Unreachable,
                    code: "Dispatch".into(),
                    message: "connection refused".into(),
                }),
            },
            proxy,
        }
    }

    #[test]
    fn the_endpoint_its_origin_and_the_proxy_are_named() {
        let s = crate::testing::settings();
        let proxied = Proxy {
            used: Some(("HTTPS_PROXY".into(), "proxy.corp:3128".into())),
            set: vec!["HTTPS_PROXY".into()],
            bypassed: false,
        };
        let exempt = Proxy {
            used: None,
            set: vec!["HTTPS_PROXY".into(), "NO_PROXY".into()],
            bypassed: true,
        };
        let regional = Some("https://sts.us-east-1.amazonaws.com/");
        let table = [
            (
                call(Some(200), Proxy::default(), regional),
                None,
                Status::Ok,
                "https://sts.us-east-1.amazonaws.com/ (the regional endpoint for us-east-1; no proxy variables set) answers (HTTP 200)",
            ),
            (
                call(Some(200), proxied.clone(), regional),
                None,
                Status::Ok,
                "through proxy proxy.corp:3128 from HTTPS_PROXY",
            ),
            (
                call(Some(200), exempt, regional),
                None,
                Status::Ok,
                "NO_PROXY exempts it from the proxy in HTTPS_PROXY, NO_PROXY",
            ),
            (
                call(Some(503), Proxy::default(), regional),
                None,
                Status::Warn,
                "answers HTTP 503",
            ),
            (
                call(None, Proxy::default(), Some("http://127.0.0.1:9/")),
                Some("AWS_ENDPOINT_URL"),
                Status::Fail,
                "cannot reach http://127.0.0.1:9/ (override from AWS_ENDPOINT_URL; no proxy variables set): connection refused",
            ),
            (
                call(None, proxied, None),
                None,
                Status::Fail,
                "cannot reach https://sts.us-east-1.amazonaws.com/",
            ),
        ];
        for (c, origin, status, want) in table {
            let f = judge(&s, &c, origin, "us-east-1");
            assert_eq!(f.status, status, "{f:?}");
            assert!(f.detail.contains(want), "want {want:?}: {}", f.detail);
        }
        let f = judge(&s, &call(None, Proxy::default(), None), None, "us-east-1");
        assert!(f.fix.unwrap().contains("HTTPS_PROXY"));
    }

    #[test]
    fn the_override_is_named_by_the_variable_that_set_it() {
        let mut s = crate::testing::settings();
        assert_eq!(endpoint_origin(&EnvSnapshot::default(), &s), None);
        s.endpoint = Some("http://x".into());
        let env = EnvSnapshot {
            endpoint_url: Some("http://x".into()),
            endpoint_url_sts: Some("http://x".into()),
            ..Default::default()
        };
        assert_eq!(
            endpoint_origin(&env, &s).as_deref(),
            Some("AWS_ENDPOINT_URL_STS")
        );
        assert_eq!(
            endpoint_origin(&EnvSnapshot::default(), &s).as_deref(),
            Some("endpoint_url in the profile")
        );
    }
}
