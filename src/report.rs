//! The JSON contract: a serde view built from the engine's types. Keys are only ever added.

use std::net::IpAddr;

use serde::Serialize;

use crate::discover::{MxStatus, SrvRecord};
use crate::judge::findings::{Code, Finding};
use crate::judge::{Judgement, ProviderCheck, Recommended, Verdict};
use crate::net::dns::LookupError;
use crate::plan::Source;
use crate::probe::{
    Capabilities, Failure, Heard, ProbeResult, StartTlsState, TcpOutcome, Timings, TlsInfo,
};
use crate::provider::ProviderMatch;
use crate::service::{Protocol, Security};
use crate::Run;

/// Version of the JSON layout; raised when keys are added.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub schema_version: u32,
    pub domain: &'a str,
    pub domain_unicode: &'a str,
    pub input: &'a str,
    pub address: Option<&'a str>,
    pub mx_status: MxStatus,
    pub mx_error: Option<&'a LookupError>,
    pub mx: Vec<MxView<'a>>,
    pub addresses: Vec<IpAddr>,
    pub provider: Option<&'a ProviderMatch>,
    pub srv: &'a [SrvRecord],
    pub hosts: Vec<HostView<'a>>,
    pub probes: Vec<ProbeView<'a>>,
    pub recommended: &'a Recommended,
    pub provider_settings: &'a [ProviderCheck],
    pub findings: &'a [Finding],
    /// Null unless `--login` was given.
    pub login: Option<&'a [crate::LoginCheck]>,
    pub exit_code: u8,
    pub elapsed_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct MxView<'a> {
    pub preference: u16,
    /// "." for a null MX.
    pub exchange: String,
    pub ttl: u32,
    pub addresses: Vec<IpAddr>,
    pub cname_chain: &'a [String],
    pub error: Option<LookupError>,
}

#[derive(Debug, Serialize)]
pub struct HostView<'a> {
    pub name: &'a str,
    pub sources: &'a [Source],
    pub addresses: Vec<IpAddr>,
    pub error: Option<LookupError>,
}

#[derive(Debug, Serialize)]
pub struct ProbeView<'a> {
    pub host: &'a str,
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    pub security: Security,
    pub tcp: &'a TcpOutcome,
    pub tls: Option<&'a TlsInfo>,
    pub banner: Option<&'a str>,
    pub heard: Option<Heard>,
    pub capabilities: &'a Capabilities,
    pub starttls: Option<StartTlsState>,
    pub auth_mechanisms: &'a [String],
    pub login_disabled: bool,
    pub verdict: Verdict,
    pub warnings: &'a [Code],
    /// Why it failed, in words; null when it did not.
    pub error: Option<&'a str>,
    pub failure: Option<&'a Failure>,
    pub timings: &'a Timings,
    pub shared_with: Option<&'a str>,
}

impl<'a> ProbeView<'a> {
    fn new(p: &'a ProbeResult, j: &'a Judgement) -> Self {
        Self {
            host: &p.host,
            address: p.address,
            port: p.port,
            protocol: p.service.protocol,
            security: p.service.security,
            tcp: &p.tcp,
            tls: p.tls.as_ref(),
            banner: p.banner.as_deref(),
            heard: p.heard,
            capabilities: &p.capabilities,
            starttls: p.starttls,
            auth_mechanisms: &p.auth_mechanisms,
            login_disabled: p.login_disabled,
            verdict: j.verdict,
            warnings: &j.warnings,
            error: j.reason.as_deref(),
            failure: p.failure.as_ref(),
            timings: &p.timings,
            shared_with: p.shared_with.as_deref(),
        }
    }
}

impl<'a> Report<'a> {
    pub fn new(run: &'a Run) -> Self {
        let d = &run.discovery;
        Self {
            schema_version: SCHEMA_VERSION,
            domain: &run.target.domain.ascii,
            domain_unicode: &run.target.domain.unicode,
            input: &run.target.input,
            address: run.target.address.as_deref(),
            mx_status: d.mx_status,
            mx_error: d.mx_error.as_ref(),
            mx: d
                .mx
                .iter()
                .map(|m| MxView {
                    preference: m.preference,
                    exchange: if m.exchange.is_empty() {
                        ".".into()
                    } else {
                        m.exchange.clone()
                    },
                    ttl: m.ttl,
                    addresses: m.address_list(),
                    cname_chain: m
                        .addresses
                        .as_ref()
                        .map(|a| a.cname_chain.as_slice())
                        .unwrap_or(&[]),
                    error: m.addresses.as_ref().and_then(|a| a.failure()),
                })
                .collect(),
            addresses: d.domain_addresses.all(),
            provider: run.identification.provider.as_ref(),
            srv: &d.srv,
            hosts: run
                .candidates
                .iter()
                .map(|c| HostView {
                    name: &c.candidate.name,
                    sources: &c.candidate.sources,
                    addresses: c.addresses.all(),
                    error: c.addresses.failure(),
                })
                .collect(),
            probes: run
                .probes
                .iter()
                .zip(&run.diagnosis.judgements)
                .map(|(p, j)| ProbeView::new(p, j))
                .collect(),
            recommended: &run.diagnosis.recommended,
            provider_settings: &run.diagnosis.provider_checks,
            findings: &run.diagnosis.findings,
            login: run.login.as_deref(),
            exit_code: run.exit_code,
            elapsed_ms: run.elapsed_ms,
        }
    }
}
