//! The JSON view of delivery security (`delivery`): MTA-STS, TLS-RPT, DANE, SPF, DMARC.

use std::net::{IpAddr, SocketAddr};

use schemars::JsonSchema;
use serde::Serialize;

use crate::delivery::dane::{Dane, TlsaLookup};
use crate::delivery::mta_sts::{Mode, MtaSts, PolicyState, TxtState};
use crate::delivery::sender::{Dmarc, DmarcPolicy, SpfCheck, SpfRecord, SpfResult};
use crate::delivery::spf_tree::{PermissiveAll, SpfTree};
use crate::delivery::tls_rpt::TlsRpt;
use crate::delivery::{Delivery, NotChecked};
use crate::net::dnssec::Validated;
use crate::words;

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeliveryView {
    /// `checked`, `disabled`, `no_probe` or `no_mx`.
    pub status: &'static str,
    pub mta_sts: Option<MtaStsView>,
    pub tls_rpt: Option<TlsRptView>,
    pub dane: Option<DaneView>,
    pub spf: Option<SpfView>,
    pub dmarc: Option<DmarcView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MtaStsView {
    /// `present`, `missing`, `several`, `invalid`, `lookup_failed`.
    pub record: &'static str,
    pub id: Option<String>,
    pub policy_url: String,
    /// `fetched`, `bad_response`, `invalid`, `unavailable`.
    pub policy: &'static str,
    pub mode: Option<&'static str>,
    pub mx: Vec<String>,
    pub max_age: Option<u64>,
    pub http_status: Option<u16>,
    pub media_type: Option<String>,
    /// Why the policy is invalid or could not be fetched, in words.
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TlsRptView {
    /// `present`, `missing`, `several`, `invalid`, `lookup_failed`.
    pub status: &'static str,
    pub report_to: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DaneView {
    /// The resolver whose AD bit was relied on (mailprobe does not validate DNSSEC itself).
    pub resolver: SocketAddr,
    pub mx_secure: Option<bool>,
    /// mailprobe's own validation of the MX set: `secure`, `insecure`, `bogus`,
    /// `indeterminate`; null when it did not run.
    pub mx_validated: Option<&'static str>,
    /// Keys from `--trust-anchor` used besides the root's.
    pub trust_anchors: usize,
    pub hosts: Vec<DaneHostView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DaneHostView {
    pub host: String,
    /// `records`, `none`, `servfail`, `failed`.
    pub status: &'static str,
    pub secure: Option<bool>,
    /// mailprobe's own validation of the TLSA answer (as `mx_validated`).
    pub validated: Option<&'static str>,
    pub records: Vec<TlsaView>,
}

fn validated(v: Validated) -> &'static str {
    match v {
        Validated::Secure => "secure",
        Validated::Insecure => "insecure",
        Validated::Bogus => "bogus",
        Validated::Indeterminate => "indeterminate",
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TlsaView {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    /// Hex.
    pub data: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpfView {
    /// `present`, `missing`, `several`, `invalid`, `lookup_failed`.
    pub status: &'static str,
    pub record: Option<String>,
    pub includes: Vec<String>,
    pub checks: Vec<SpfCheckView>,
    /// *New in 2*: the record's includes and redirect followed (when it is present and valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structure: Option<SpfStructureView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpfStructureView {
    /// DNS-querying terms over the whole tree (RFC 7208 allows 10).
    pub lookups: usize,
    /// Names asked that gave nothing (RFC 7208 allows 2).
    pub void_lookups: Vec<String>,
    /// `include`/`redirect` targets without an SPF record.
    pub missing_includes: Vec<String>,
    /// Targets that did not answer: the counts are then lower bounds.
    pub unreadable: Vec<String>,
    /// `pass` (`+all`), `neutral` (`?all`), or null.
    pub permissive_all: Option<&'static str>,
    pub uses_ptr: bool,
    /// The walk stopped at its record cap (a loop, or a tree too large).
    pub truncated: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpfCheckView {
    pub host: String,
    pub address: IpAddr,
    /// `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`.
    pub result: &'static str,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DmarcView {
    /// `present`, `missing`, `invalid`, `lookup_failed`.
    pub status: &'static str,
    pub policy: Option<&'static str>,
    pub subdomain_policy: Option<&'static str>,
    pub reports: Option<bool>,
    pub record: Option<String>,
}

impl From<&Result<Delivery, NotChecked>> for DeliveryView {
    fn from(d: &Result<Delivery, NotChecked>) -> Self {
        let empty = |status| Self {
            status,
            mta_sts: None,
            tls_rpt: None,
            dane: None,
            spf: None,
            dmarc: None,
        };
        match d {
            Err(NotChecked::Disabled) => empty("disabled"),
            Err(NotChecked::NoProbe) => empty("no_probe"),
            Err(NotChecked::NoMx) => empty("no_mx"),
            Ok(d) => Self {
                status: "checked",
                mta_sts: d.mta_sts.as_ref().map(mta_sts),
                tls_rpt: Some(tls_rpt(&d.tls_rpt)),
                dane: d.dane.as_ref().map(dane),
                spf: Some(spf(&d.spf, &d.spf_checks, d.spf_tree.as_ref())),
                dmarc: Some(dmarc(&d.dmarc)),
            },
        }
    }
}

fn mode(m: Mode) -> &'static str {
    match m {
        Mode::Enforce => "enforce",
        Mode::Testing => "testing",
        Mode::None => "none",
    }
}

fn mta_sts(s: &MtaSts) -> MtaStsView {
    let (record, id) = match &s.txt {
        TxtState::Present { id } => ("present", Some(id.clone())),
        TxtState::Missing => ("missing", None),
        TxtState::Several => ("several", None),
        TxtState::Invalid { .. } => ("invalid", None),
        TxtState::LookupFailed(_) => ("lookup_failed", None),
    };
    let mut view = MtaStsView {
        record,
        id,
        policy_url: s.policy_url.clone(),
        policy: "fetched",
        mode: None,
        mx: Vec::new(),
        max_age: None,
        http_status: None,
        media_type: None,
        problems: Vec::new(),
    };
    match &s.policy {
        PolicyState::Fetched(p) => {
            view.mode = Some(mode(p.mode));
            view.mx = p.mx.clone();
            view.max_age = Some(p.max_age);
            view.http_status = Some(200);
            view.media_type = p.wrong_media_type.clone().or(Some("text/plain".into()));
        }
        PolicyState::BadResponse {
            status,
            content_type,
        } => {
            view.policy = "bad_response";
            view.http_status = Some(*status);
            view.media_type = content_type.clone();
        }
        PolicyState::Invalid { problems } => {
            view.policy = "invalid";
            view.http_status = Some(200);
            view.problems = problems.iter().map(words::policy_problem).collect();
        }
        PolicyState::Unavailable(e) => {
            view.policy = "unavailable";
            view.problems = vec![words::fetch_error(e)];
        }
    }
    view
}

fn tls_rpt(t: &TlsRpt) -> TlsRptView {
    let (status, report_to) = match t {
        TlsRpt::Present { report_to } => ("present", report_to.clone()),
        TlsRpt::Missing => ("missing", Vec::new()),
        TlsRpt::Several => ("several", Vec::new()),
        TlsRpt::Invalid { .. } => ("invalid", Vec::new()),
        TlsRpt::LookupFailed(_) => ("lookup_failed", Vec::new()),
    };
    TlsRptView { status, report_to }
}

fn dane(d: &Dane) -> DaneView {
    DaneView {
        resolver: d.resolver,
        mx_secure: d.mx_secure,
        mx_validated: d.mx_own.map(validated),
        trust_anchors: d.own_anchors,
        hosts: d
            .hosts
            .iter()
            .map(|h| {
                let (status, secure, records) = match &h.lookup {
                    TlsaLookup::Records { records, secure } => {
                        ("records", Some(*secure), records.as_slice())
                    }
                    TlsaLookup::None { secure } => ("none", Some(*secure), &[][..]),
                    TlsaLookup::ServFail => ("servfail", None, &[][..]),
                    TlsaLookup::Failed(_) => ("failed", None, &[][..]),
                };
                DaneHostView {
                    host: h.host.clone(),
                    status,
                    secure,
                    validated: h.own.as_ref().map(|(v, _)| validated(*v)),
                    records: records
                        .iter()
                        .map(|r| TlsaView {
                            usage: r.usage,
                            selector: r.selector,
                            matching: r.matching,
                            data: r.data.iter().map(|b| format!("{b:02x}")).collect(),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

fn spf(s: &SpfRecord, checks: &[SpfCheck], tree: Option<&SpfTree>) -> SpfView {
    let (status, record, includes) = match s {
        SpfRecord::Present { record, includes } => {
            ("present", Some(record.clone()), includes.clone())
        }
        SpfRecord::Missing => ("missing", None, Vec::new()),
        SpfRecord::Several => ("several", None, Vec::new()),
        SpfRecord::Invalid { record } => ("invalid", Some(record.clone()), Vec::new()),
        SpfRecord::LookupFailed(_) => ("lookup_failed", None, Vec::new()),
    };
    SpfView {
        status,
        record,
        includes,
        structure: tree.map(|t| SpfStructureView {
            lookups: t.lookups,
            void_lookups: t.void_lookups.clone(),
            missing_includes: t.missing.clone(),
            unreadable: t.unreadable.clone(),
            permissive_all: t.permissive_all.map(|p| match p {
                PermissiveAll::Pass => "pass",
                PermissiveAll::Neutral => "neutral",
            }),
            uses_ptr: t.uses_ptr,
            truncated: t.truncated,
        }),
        checks: checks
            .iter()
            .map(|c| SpfCheckView {
                host: c.host.clone(),
                address: c.address,
                result: match c.result {
                    SpfResult::Pass => "pass",
                    SpfResult::Fail => "fail",
                    SpfResult::SoftFail => "softfail",
                    SpfResult::Neutral => "neutral",
                    SpfResult::None => "none",
                    SpfResult::TempError => "temperror",
                    SpfResult::PermError => "permerror",
                },
            })
            .collect(),
    }
}

fn policy(p: DmarcPolicy) -> &'static str {
    match p {
        DmarcPolicy::None => "none",
        DmarcPolicy::Quarantine => "quarantine",
        DmarcPolicy::Reject => "reject",
    }
}

fn dmarc(d: &Dmarc) -> DmarcView {
    let mut view = DmarcView {
        status: "present",
        policy: None,
        subdomain_policy: None,
        reports: None,
        record: None,
    };
    match d {
        Dmarc::Present {
            policy: p,
            subdomains,
            reports,
        } => {
            view.policy = Some(policy(*p));
            view.subdomain_policy = subdomains.map(policy);
            view.reports = Some(*reports);
        }
        Dmarc::Missing => view.status = "missing",
        Dmarc::Several => view.status = "several",
        Dmarc::Invalid { record } => {
            view.status = "invalid";
            view.record = Some(record.clone());
        }
        Dmarc::LookupFailed(_) => view.status = "lookup_failed",
    }
    view
}
