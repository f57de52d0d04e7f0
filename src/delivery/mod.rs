//! Delivery security: what sending servers check before they hand mail to this domain
//! (MTA-STS, TLS-RPT, DANE) and what receivers check of mail the domain sends (SPF, DMARC).
//! Evidence only, gathered while the probes run; the comparison with the live port-25 and
//! submission probes is the judgement's.

pub mod dane;
pub mod mta_sts;
pub mod sender;
pub mod spf_tree;
pub mod tls_rpt;

use std::net::IpAddr;
use std::time::Duration;

use crate::net::dns::Dns;
use crate::net::http::Http;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub mta_sts: Option<mta_sts::MtaSts>,
    pub tls_rpt: tls_rpt::TlsRpt,
    pub dane: Option<dane::Dane>,
    pub spf: sender::SpfRecord,
    pub spf_checks: Vec<sender::SpfCheck>,
    /// The SPF record's includes and redirect followed, its lookups counted.
    pub spf_tree: Option<spf_tree::SpfTree>,
    pub dmarc: sender::Dmarc,
}

/// Why delivery security was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChecked {
    /// `--no-delivery`.
    Disabled,
    /// `--no-probe`: nothing to compare with.
    NoProbe,
    /// The domain has no MX to deliver to (or DNS failed).
    NoMx,
}

#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub timeout: Duration,
    /// mailprobe's own DNSSEC validation, when it could be set up.
    pub validator: Option<&'a crate::net::dnssec::Validator>,
    /// 443; tests serve policies elsewhere.
    pub https_port: u16,
}

/// Everything that does not depend on the probes, all at once: MTA-STS (when HTTPS can be
/// fetched), TLS-RPT, TLSA of each MX, the SPF record and DMARC.
pub async fn gather(
    dns: &Dns,
    http: Option<&Http>,
    domain: &str,
    mx_hosts: &[String],
    settings: Settings<'_>,
) -> Delivery {
    let mta_sts = async {
        match http {
            Some(h) => Some(mta_sts::check(dns, h, domain, settings.https_port).await),
            None => None,
        }
    };
    let dane = async {
        match dns.servers().first() {
            Some(r) => {
                Some(dane::check(*r, settings.validator, domain, mx_hosts, settings.timeout).await)
            }
            None => None,
        }
    };
    let (mta_sts, tls_rpt, dane, spf, spf_tree, dmarc) = tokio::join!(
        mta_sts,
        tls_rpt::check(dns, domain),
        dane,
        sender::spf_record(dns, domain),
        spf_tree::walk(dns, domain, settings.timeout * 3 / 2),
        sender::dmarc(dns, domain)
    );
    Delivery {
        mta_sts,
        tls_rpt,
        dane,
        spf,
        spf_checks: Vec::new(),
        spf_tree,
        dmarc,
    }
}

/// The addresses that answered on a submission port (465, 587, or any implicit-TLS SMTP port):
/// where a mail client's outgoing mail would leave from, and so what SPF must authorise.
pub fn submission_addresses(probes: &[crate::probe::ProbeResult]) -> Vec<(String, IpAddr)> {
    let mut out: Vec<(String, IpAddr)> = Vec::new();
    for p in probes {
        let submission = p.service.protocol == crate::service::Protocol::Smtp
            && (matches!(p.service.port, 465 | 587)
                || p.service.security == crate::service::Security::Tls);
        let pair = (p.host.clone(), p.address);
        if submission && p.tcp.connected() && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out.truncate(sender::MAX_CHECKS);
    out
}

/// SPF for the hosts a client would send through (evaluated after the probes found them).
pub async fn check_senders(
    dns: &Dns,
    domain: &str,
    delivery: &mut Delivery,
    senders: &[(String, IpAddr)],
) {
    if matches!(delivery.spf, sender::SpfRecord::Present { .. }) {
        delivery.spf_checks = sender::evaluate(dns, domain, senders).await;
    }
}
