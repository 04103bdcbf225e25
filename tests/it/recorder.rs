//! moto's request recorder: the only way to see the AssumeRole parameters moto's
//! data.json does not keep (SerialNumber, TokenCode, SourceIdentity, Tags).
//!
//! The recorder is global to the moto server and only ever appended to, so tests start it
//! (idempotent), never stop or reset it, and filter the log by their own unique role ARN.

use crate::util::moto_url;
use base64::Engine;
use std::collections::BTreeMap;

pub fn start() {
    ureq::post(&format!("{}/moto-api/recorder/start-recording", moto_url()))
        .call()
        .expect("start moto's recorder");
}

/// The form parameters of every recorded STS request whose RoleArn is `role_arn`.
pub fn sts_requests(role_arn: &str) -> Vec<BTreeMap<String, String>> {
    all_requests()
        .into_iter()
        .filter(|p| p.get("RoleArn").map(String::as_str) == Some(role_arn))
        .collect()
}

/// The form parameters of every request moto has recorded.
pub fn all_requests() -> Vec<BTreeMap<String, String>> {
    let log = ureq::get(&format!(
        "{}/moto-api/recorder/download-recording",
        moto_url()
    ))
    .call()
    .expect("download moto's recording")
    .into_string()
    .unwrap();
    let mut out = vec![];
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let body = entry["body"].as_str().unwrap_or_default();
        let bytes = if entry["body_encoded"] == true {
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap_or_default()
        } else {
            body.as_bytes().to_vec()
        };
        let params: BTreeMap<String, String> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        out.push(params);
    }
    out
}
