//! Findings about the domain's DNS: MX status and hygiene, SRV records, provider mixing.

use std::net::IpAddr;

use crate::discover::{Discovery, MxStatus, MAX_MX_RECORDS};
use crate::input::Target;
use crate::judge::findings::{Code, Finding};
use crate::provider::{Identification, ProviderKind};

pub fn findings(target: &Target, discovery: &Discovery, id: &Identification) -> Vec<Finding> {
    let mut out = Vec::new();
    let domain = &target.domain.ascii;
    status_findings(domain, discovery, &mut out);
    mx_hygiene(domain, discovery, &mut out);
    provider_findings(id, &mut out);
    // When DNS itself failed, every SRV failure is the same failure again.
    if discovery.mx_status != MxStatus::DnsError {
        srv_findings(discovery, &mut out);
    }
    out
}

fn status_findings(domain: &str, d: &Discovery, out: &mut Vec<Finding>) {
    match d.mx_status {
        MxStatus::Ok => {}
        MxStatus::NullMx => out.push(
            Finding::error(Code::NullMx, format!("{domain} publishes a null MX (RFC 7505): it accepts no mail"))
                .hint("If this domain should receive mail, replace the \".\" MX record with the mail provider's MX records."),
        ),
        MxStatus::Implicit => out.push(
            Finding::warning(
                Code::ImplicitMx,
                format!("{domain} has no MX record; senders deliver to the domain's own address (implicit MX, RFC 5321 5.1)"),
            )
            .hint("Publish an MX record naming the mail server explicitly."),
        ),
        MxStatus::Nxdomain => out.push(
            Finding::error(Code::Nxdomain, format!("{domain} does not exist in DNS (NXDOMAIN)"))
                .hint("Check the spelling of the address, and that the domain is registered and delegated."),
        ),
        MxStatus::NoRecords => out.push(
            Finding::error(Code::NoMailRecords, format!("{domain} exists but has no MX and no address records: it cannot receive mail"))
                .hint("Add the mail provider's MX records."),
        ),
        MxStatus::DnsError => {
            let why = d
                .mx_error
                .as_ref()
                .or(d.domain_addresses.failure().as_ref())
                .map(|e| e.describe())
                .unwrap_or_else(|| "DNS failed".to_string());
            out.push(
                Finding::error(Code::DnsFailure, format!("the MX lookup for {domain} failed: {why}"))
                    .hint("This says nothing about the domain's mail: the DNS server is broken or unreachable. Try another with --dns."),
            );
        }
    }
    if d.mx_status == MxStatus::Ok && d.mx.iter().any(|m| m.exchange.is_empty()) {
        out.push(
            Finding::error(
                Code::NullMxWithOtherRecords,
                "a null MX (\".\") stands next to other MX records; RFC 7505 allows it only alone",
            )
            .hint("Remove the \".\" MX record."),
        );
    }
    if d.mx_total > MAX_MX_RECORDS {
        out.push(Finding::warning(
            Code::MxTruncated,
            format!(
                "the domain publishes {} MX records; only the first {MAX_MX_RECORDS} were examined",
                d.mx_total
            ),
        ));
    }
    for (family, e) in d.domain_addresses.family_failures() {
        if !d.domain_addresses.all().is_empty() {
            out.push(Finding::warning(
                Code::DnsPartialFailure,
                format!(
                    "the {family} lookup for {domain} failed ({}) while the other family answered",
                    e.describe()
                ),
            ));
        }
    }
}

fn mx_hygiene(domain: &str, d: &Discovery, out: &mut Vec<Finding>) {
    let public = is_public_domain(domain);
    let real: Vec<_> = d.mx.iter().filter(|m| !m.exchange.is_empty()).collect();
    let unresolved = real.iter().filter(|m| m.address_list().is_empty()).count();
    for mx in &real {
        let name = &mx.exchange;
        if name.parse::<IpAddr>().is_ok() {
            out.push(
                Finding::error(
                    Code::MxIsIpAddress,
                    format!("MX {name} is an IP address; an MX must name a host"),
                )
                .hint("Publish an A record for a host name and point the MX at that name.")
                .at(name, None),
            );
        }
        let Some(addrs) = &mx.addresses else { continue };
        if !addrs.cname_chain.is_empty() {
            out.push(
                Finding::warning(
                    Code::MxIsCname,
                    format!("MX {name} is a CNAME (to {}); RFC 2181 10.3 forbids it and some senders refuse it", addrs.cname_chain.join(" → ")),
                )
                .hint("Point the MX record at the canonical name directly.")
                .at(name, None),
            );
        }
        if let Some(e) = addrs.failure() {
            let severity_all = unresolved == real.len();
            let f = if severity_all {
                Finding::error
            } else {
                Finding::warning
            };
            out.push(
                f(
                    Code::MxUnresolvable,
                    format!("MX {name} does not resolve: {}", e.describe()),
                )
                .hint("Fix or remove this MX record; senders cannot deliver to it.")
                .at(name, None),
            );
        } else {
            for (family, e) in addrs.family_failures() {
                out.push(
                    Finding::warning(
                        Code::DnsPartialFailure,
                        format!("the {family} lookup for MX {name} failed: {}", e.describe()),
                    )
                    .at(name, None),
                );
            }
        }
        if public {
            let private: Vec<String> = mx
                .address_list()
                .into_iter()
                .filter(|ip| !is_global(ip))
                .map(|ip| ip.to_string())
                .collect();
            if !private.is_empty() {
                out.push(
                    Finding::error(
                        Code::MxPrivateAddress,
                        format!("MX {name} resolves to private or loopback addresses ({})", private.join(", ")),
                    )
                    .hint("A public domain's MX must resolve to public addresses; this looks like an internal record leaked into public DNS.")
                    .at(name, None),
                );
            }
        }
    }
}

fn provider_findings(id: &Identification, out: &mut Vec<Finding>) {
    let operators = id.operator_names();
    if operators.len() > 1 {
        out.push(
            Finding::warning(
                Code::MxMixedProviders,
                format!("the MX records point at more than one operator: {}", operators.join(", ")),
            )
            .hint("Mail is split between them. Keep only the current provider's MX records and delete the others."),
        );
    }
    if let Some(p) = &id.provider {
        if p.kind == ProviderKind::Gateway {
            out.push(
                Finding::info(
                    Code::MxGateway,
                    format!("{} filters this domain's mail; the mailboxes are elsewhere", p.name),
                )
                .hint("Ask the client which service hosts the mailboxes, or try its hosts with --host."),
            );
        }
        if p.is_known() && !p.notes.is_empty() && p.kind != ProviderKind::Gateway {
            out.push(Finding::info(Code::ProviderNotes, p.notes.join(" ")));
        }
    }
}

fn srv_findings(d: &Discovery, out: &mut Vec<Finding>) {
    for srv in d.srv.iter().filter(|s| !s.offered) {
        out.push(Finding::info(
            Code::SrvNotOffered,
            format!(
                "{} says the service is not offered (target \".\")",
                srv.service
            ),
        ));
    }
    for (service, e) in &d.srv_errors {
        out.push(Finding::warning(
            Code::SrvDnsError,
            format!("the SRV lookup for {service} failed: {}", e.describe()),
        ));
    }
    for service in &d.srv_truncated {
        out.push(Finding::warning(
            Code::SrvTruncated,
            format!("{service} has too many SRV records; only the first few were examined"),
        ));
    }
}

/// Special-use and private names (RFC 6761, 6762, 8375) where internal addresses are normal.
fn is_public_domain(domain: &str) -> bool {
    const PRIVATE_TLDS: [&str; 10] = [
        "test",
        "example",
        "invalid",
        "localhost",
        "local",
        "internal",
        "lan",
        "home",
        "corp",
        "intranet",
    ];
    let tld = domain.rsplit('.').next().unwrap_or("");
    !PRIVATE_TLDS.contains(&tld) && !domain.ends_with(".home.arpa")
}

/// True for addresses routable on the internet.
pub fn is_global(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}
