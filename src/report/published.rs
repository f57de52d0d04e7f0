//! The JSON view of what mail clients are told (`published`): each source, what it announced,
//! and how each announced setting fared against the probes.

use schemars::JsonSchema;
use serde::Serialize;

use super::names;
use crate::judge::published::{CheckResult, PublishedCheck};
use crate::published::{MicrosoftCname, NotChecked, Outcome, Published, Source, Transport};
use crate::words::{self, published as published_words};

#[derive(Debug, Serialize, JsonSchema)]
pub struct PublishedView {
    /// `checked`, `disabled` (`--no-published`), `no_probe` or `no_https`.
    pub status: &'static str,
    /// The address put into the requests.
    pub address: Option<String>,
    pub sources: Vec<SourceView>,
    /// For Microsoft 365 domains: `in_order`, `missing`, `elsewhere` or `not_alias`.
    pub microsoft_cname: Option<&'static str>,
    pub microsoft_cname_target: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SourceView {
    /// `autoconfig`, `autoconfig_well_known`, `autodiscover`, `autodiscover_domain`,
    /// `autodiscover_redirect`, `autodiscover_srv`, `srv`.
    pub method: &'static str,
    pub url: String,
    pub final_url: Option<String>,
    /// `https`, `http` or `dns`.
    pub transport: &'static str,
    /// `settings`, `http_status`, `server_error`, `invalid`, `unavailable`, `refused`,
    /// `no_record`, `lookup_failed`.
    pub outcome: &'static str,
    pub http_status: Option<u16>,
    /// What went wrong, in words.
    pub error: Option<String>,
    pub settings: Vec<SettingView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SettingView {
    pub protocol: &'static str,
    pub host: String,
    pub port: u16,
    pub security: &'static str,
    pub username: Option<String>,
    /// `confirmed`, `warnings`, `failed`, `unresolved` or `not_probed`.
    pub check: &'static str,
    /// Finding codes of the warnings, for `warnings`.
    pub warnings: Vec<&'static str>,
    /// Why it failed, in words, for `failed`.
    pub reason: Option<String>,
}

impl PublishedView {
    pub fn new(p: &Result<Published, NotChecked>, checks: &[PublishedCheck]) -> Self {
        let p = match p {
            Ok(p) => p,
            Err(why) => {
                return Self {
                    status: match why {
                        NotChecked::Disabled => "disabled",
                        NotChecked::NoProbe => "no_probe",
                        NotChecked::NoHttps => "no_https",
                    },
                    address: None,
                    sources: Vec::new(),
                    microsoft_cname: None,
                    microsoft_cname_target: None,
                }
            }
        };
        let (cname, target) = match &p.microsoft_cname {
            None => (None, None),
            Some(MicrosoftCname::InOrder) => (Some("in_order"), None),
            Some(MicrosoftCname::Missing) => (Some("missing"), None),
            Some(MicrosoftCname::Elsewhere(t)) => (Some("elsewhere"), Some(t.clone())),
            Some(MicrosoftCname::NotAlias) => (Some("not_alias"), None),
        };
        Self {
            status: "checked",
            address: Some(p.address.clone()),
            sources: p.sources.iter().map(|s| source(s, checks)).collect(),
            microsoft_cname: cname,
            microsoft_cname_target: target,
        }
    }
}

fn source(s: &Source, checks: &[PublishedCheck]) -> SourceView {
    let (outcome, http_status) = match &s.outcome {
        Outcome::Settings(_) => ("settings", None),
        Outcome::Status(code) => ("http_status", Some(*code)),
        Outcome::ServerError { .. } => ("server_error", None),
        Outcome::Invalid(_) => ("invalid", None),
        Outcome::Unavailable(_) => ("unavailable", None),
        Outcome::Refused { .. } => ("refused", None),
        Outcome::NoRecord => ("no_record", None),
        Outcome::LookupFailed(_) => ("lookup_failed", None),
    };
    let error = match &s.outcome {
        Outcome::Settings(_) | Outcome::Status(_) | Outcome::NoRecord => None,
        o => Some(published_words::outcome(o)),
    };
    SourceView {
        method: names::published_method(s.method),
        url: s.url.clone(),
        final_url: s.final_url.clone(),
        transport: match s.transport {
            Transport::Https => "https",
            Transport::Http => "http",
            Transport::Dns => "dns",
        },
        outcome,
        http_status,
        error,
        settings: s
            .settings()
            .iter()
            .map(|x| {
                let check = checks.iter().find(|c| &c.setting == x);
                let result = check.map(|c| &c.result);
                SettingView {
                    protocol: names::protocol(x.protocol),
                    host: x.host.clone(),
                    port: x.port,
                    security: names::security(x.security),
                    username: x.username.clone(),
                    check: match result {
                        Some(CheckResult::Confirmed) => "confirmed",
                        Some(CheckResult::Warnings(_)) => "warnings",
                        Some(CheckResult::Failed(_)) => "failed",
                        Some(CheckResult::Unresolved) => "unresolved",
                        Some(CheckResult::NotProbed(_)) | None => "not_probed",
                    },
                    warnings: match result {
                        Some(CheckResult::Warnings(w)) => {
                            w.iter().map(|c| names::code(*c)).collect()
                        }
                        _ => Vec::new(),
                    },
                    reason: match result {
                        Some(CheckResult::Failed(why)) => Some(words::unconfirmed(why)),
                        _ => None,
                    },
                }
            })
            .collect(),
    }
}
