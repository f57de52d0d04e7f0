//! Will the domain's own mail be accepted elsewhere? SPF evaluated (by mail-auth) for the hosts
//! a mail client would send through, and the DMARC policy that applies when SPF fails.

use std::net::IpAddr;

use crate::net::dns::{Dns, LookupError};

/// Most (host, address) pairs SPF is evaluated for.
pub const MAX_CHECKS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpfRecord {
    Missing,
    Present {
        record: String,
        includes: Vec<String>,
    },
    /// More than one `v=spf1` record: a permanent error for every receiver (RFC 7208 4.5).
    Several,
    Invalid {
        record: String,
    },
    LookupFailed(LookupError),
}

/// SPF's answer for one sending address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfCheck {
    pub host: String,
    pub address: IpAddr,
    pub result: SpfResult,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfResult {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    TempError,
    /// A syntax error or more than 10 DNS lookups (RFC 7208 4.6.4).
    PermError,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dmarc {
    Missing,
    Present {
        policy: DmarcPolicy,
        /// `sp=`, when it differs.
        subdomains: Option<DmarcPolicy>,
        reports: bool,
    },
    Invalid {
        record: String,
    },
    /// More than one `v=DMARC1` record: none applies (RFC 7489 section 6.6.3).
    Several,
    LookupFailed(LookupError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmarcPolicy {
    None,
    Quarantine,
    Reject,
}

/// The TXT records that are SPF (`v=spf1` alone or followed by a space, RFC 7208 4.5).
pub fn spf_records(records: &[Vec<u8>]) -> Vec<&Vec<u8>> {
    records
        .iter()
        .filter(|r| {
            r.len() >= 6 && r[..6].eq_ignore_ascii_case(b"v=spf1") && (r.len() == 6 || r[6] == b' ')
        })
        .collect()
}

pub async fn spf_record(dns: &Dns, domain: &str) -> SpfRecord {
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::spf::{Mechanism, Spf};
    let records = match dns.txt(domain).await {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return SpfRecord::Missing,
        Err(e) => return SpfRecord::LookupFailed(e),
    };
    match spf_records(&records).as_slice() {
        [] => SpfRecord::Missing,
        [one] => {
            let record = crate::text::truncate(&crate::text::from_wire(one), 300);
            match Spf::parse(one) {
                Ok(parsed) => SpfRecord::Present {
                    includes: parsed
                        .directives
                        .iter()
                        .filter_map(|d| match &d.mechanism {
                            // Only literal domains name a provider; macros are left out.
                            Mechanism::Include {
                                macro_string: mail_auth::spf::Macro::Literal(name),
                            } => Some(crate::text::clean_name(&String::from_utf8_lossy(name))),
                            _ => None,
                        })
                        .collect(),
                    record,
                },
                Err(_) => SpfRecord::Invalid { record },
            }
        }
        _ => SpfRecord::Several,
    }
}

/// SPF for each (host, address), as a receiver would evaluate `MAIL FROM:<postmaster@domain>`
/// from that address.
pub async fn evaluate(dns: &Dns, domain: &str, senders: &[(String, IpAddr)]) -> Vec<SpfCheck> {
    let auth = mail_auth::MessageAuthenticator(dns.resolver().clone());
    let sender = format!("postmaster@{domain}");
    let checks = senders.iter().take(MAX_CHECKS).map(|(host, address)| {
        let auth = &auth;
        let sender = &sender;
        async move {
            let params = mail_auth::spf::verify::SpfParameters::verify_mail_from(
                *address,
                host,
                "mailprobe.invalid",
                sender,
            );
            let out = auth.verify_spf(mail_auth::Parameters::new(params)).await;
            SpfCheck {
                host: host.clone(),
                address: *address,
                result: convert(out.result()),
            }
        }
    });
    futures::future::join_all(checks).await
}

fn convert(r: mail_auth::SpfResult) -> SpfResult {
    use mail_auth::SpfResult as M;
    match r {
        M::Pass => SpfResult::Pass,
        M::Fail => SpfResult::Fail,
        M::SoftFail => SpfResult::SoftFail,
        M::Neutral => SpfResult::Neutral,
        M::None => SpfResult::None,
        M::TempError => SpfResult::TempError,
        M::PermError => SpfResult::PermError,
    }
}

pub async fn dmarc(dns: &Dns, domain: &str) -> Dmarc {
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::dmarc::Policy;
    let records = match dns.txt(&format!("_dmarc.{domain}")).await {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return Dmarc::Missing,
        Err(e) => return Dmarc::LookupFailed(e),
    };
    let dmarc: Vec<&Vec<u8>> = records
        .iter()
        .filter(|r| r.len() >= 8 && r[..8].eq_ignore_ascii_case(b"v=DMARC1"))
        .collect();
    let one = match dmarc.as_slice() {
        [] => return Dmarc::Missing,
        [one] => *one,
        _ => return Dmarc::Several,
    };
    let policy = |p: &Policy| match p {
        Policy::Quarantine => Some(DmarcPolicy::Quarantine),
        Policy::Reject => Some(DmarcPolicy::Reject),
        Policy::None => Some(DmarcPolicy::None),
        Policy::Unspecified => None,
    };
    match mail_auth::dmarc::Dmarc::parse(one) {
        Ok(d) => match policy(&d.p) {
            Some(p) => Dmarc::Present {
                policy: p,
                subdomains: policy(&d.sp).filter(|s| *s != p),
                reports: !d.rua.is_empty(),
            },
            None => Dmarc::Invalid {
                record: crate::text::truncate(&crate::text::from_wire(one), 200),
            },
        },
        Err(_) => Dmarc::Invalid {
            record: crate::text::truncate(&crate::text::from_wire(one), 200),
        },
    }
}
