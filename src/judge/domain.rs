//! Findings about the domain's DNS: MX status and hygiene, SRV records, provider mixing.

use crate::judge::findings::{DnsFact, ProviderFact};
use std::net::IpAddr;

use crate::discover::{Discovery, MxHost, MxStatus, MAX_MX_RECORDS};
use crate::input::Target;
use crate::judge::findings::{Fact, Finding};
use crate::net::address;
use crate::provider::table::Note;
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
    let name = domain.to_string();
    match d.mx_status {
        MxStatus::Ok => {}
        MxStatus::NullMx => out.push(Finding::new(Fact::Dns(DnsFact::NullMx { domain: name }))),
        MxStatus::Implicit => out.push(Finding::new(Fact::Dns(DnsFact::ImplicitMx {
            domain: name,
        }))),
        MxStatus::Nxdomain => out.push(Finding::new(Fact::Dns(DnsFact::Nxdomain { domain: name }))),
        MxStatus::NoRecords => out.push(Finding::new(Fact::Dns(DnsFact::NoMailRecords {
            domain: name,
        }))),
        MxStatus::DnsError => {
            let error = d.mx_error.clone().or_else(|| d.domain_addresses.failure());
            out.push(Finding::new(Fact::Dns(DnsFact::DnsFailure {
                domain: name,
                error,
            })));
        }
    }
    if d.mx_status == MxStatus::Ok && d.mx.iter().any(MxHost::is_null) {
        out.push(Finding::new(Fact::Dns(DnsFact::NullMxWithOtherRecords)));
    }
    if d.mx_total > MAX_MX_RECORDS {
        out.push(Finding::new(Fact::Dns(DnsFact::MxTruncated {
            total: d.mx_total,
            kept: MAX_MX_RECORDS,
        })));
    }
    if !d.domain_addresses.all().is_empty() {
        for (record_type, error) in d.domain_addresses.family_failures() {
            out.push(Finding::new(Fact::Dns(DnsFact::DnsPartialFailure {
                name: domain.to_string(),
                record_type,
                error,
                is_mx: false,
            })));
        }
    }
}

fn mx_hygiene(domain: &str, d: &Discovery, out: &mut Vec<Finding>) {
    let public = address::is_public_domain(domain);
    let real: Vec<_> = d.mx.iter().filter(|m| !m.is_null()).collect();
    let unresolved = real.iter().filter(|m| m.address_list().is_empty()).count();
    for mx in &real {
        let name = mx.exchange.clone();
        if name.parse::<IpAddr>().is_ok() {
            out.push(
                Finding::new(Fact::Dns(DnsFact::MxIsIpAddress { name: name.clone() }))
                    .at(&name, None),
            );
        }
        let Some(addrs) = &mx.addresses else { continue };
        if !addrs.cname_chain.is_empty() {
            let chain = addrs.cname_chain.clone();
            out.push(
                Finding::new(Fact::Dns(DnsFact::MxIsCname {
                    name: name.clone(),
                    chain,
                }))
                .at(&name, None),
            );
        }
        if let Some(error) = addrs.failure() {
            let all = unresolved == real.len();
            let fact = Fact::Dns(DnsFact::MxUnresolvable {
                name: name.clone(),
                error,
                all,
            });
            out.push(Finding::new(fact).at(&name, None));
        } else {
            for (record_type, error) in addrs.family_failures() {
                let fact = Fact::Dns(DnsFact::DnsPartialFailure {
                    name: name.clone(),
                    record_type,
                    error,
                    is_mx: true,
                });
                out.push(Finding::new(fact).at(&name, None));
            }
        }
        if public {
            let addresses: Vec<IpAddr> = mx
                .address_list()
                .into_iter()
                .filter(|ip| !address::is_global(*ip))
                .collect();
            if !addresses.is_empty() {
                let fact = Fact::Dns(DnsFact::MxPrivateAddress {
                    name: name.clone(),
                    addresses,
                });
                out.push(Finding::new(fact).at(&name, None));
            }
        }
    }
}

fn provider_findings(id: &Identification, out: &mut Vec<Finding>) {
    let operators = id.operator_names();
    if operators.len() > 1 {
        out.push(Finding::new(Fact::Dns(DnsFact::MxMixedProviders {
            operators,
        })));
    }
    if let Some(p) = &id.provider {
        if p.kind == ProviderKind::Gateway {
            out.push(Finding::new(Fact::Dns(DnsFact::MxGateway {
                provider: p.name.clone(),
            })));
        }
        if p.has_no_client_mailbox() {
            out.push(Finding::new(Fact::Provider(
                ProviderFact::NoClientMailbox {
                    provider: p.name.clone(),
                    forwarding: p.kind == ProviderKind::Forwarding,
                },
            )));
        }
        let notes: Vec<Note> = p
            .notes
            .iter()
            .copied()
            .filter(|n| !matches!(n, Note::MailboxesElsewhere | Note::NoMailbox))
            .collect();
        if p.is_known() && !notes.is_empty() {
            out.push(Finding::new(Fact::Provider(ProviderFact::ProviderNotes {
                notes,
            })));
        }
        if p.is_known() && p.source.is_none() && !p.incoming.is_empty() {
            out.push(Finding::new(Fact::Provider(
                ProviderFact::ProviderSettingsUnverified {
                    provider: p.name.clone(),
                },
            )));
        }
    }
    let others: Vec<String> = id.others.iter().map(|p| p.name.clone()).collect();
    if !others.is_empty() {
        let mut names: Vec<String> = id.provider.iter().map(|p| p.name.clone()).collect();
        names.extend(others);
        out.push(Finding::new(Fact::Dns(DnsFact::MxSharedPreference {
            providers: names,
        })));
    }
}

fn srv_findings(d: &Discovery, out: &mut Vec<Finding>) {
    for srv in d.srv.iter().filter(|s| !s.offered) {
        out.push(Finding::new(Fact::Dns(DnsFact::SrvNotOffered {
            service: srv.service.clone(),
        })));
    }
    for (service, error) in &d.srv_errors {
        out.push(Finding::new(Fact::Dns(DnsFact::SrvDnsError {
            service: service.clone(),
            error: error.clone(),
        })));
    }
    for service in &d.srv_truncated {
        out.push(Finding::new(Fact::Dns(DnsFact::SrvTruncated {
            service: service.clone(),
        })));
    }
}

/// DNS servers that did not answer while others did: each lookup may have waited for them.
/// (When none answers, the DNS failure itself says so.)
pub fn resolver_findings(
    reach: &[(std::net::SocketAddr, crate::net::dns::Reach)],
    waited: std::time::Duration,
) -> Vec<Finding> {
    use crate::net::dns::Reach;
    if !reach.iter().any(|(_, r)| *r == Reach::Answers) {
        return Vec::new();
    }
    reach
        .iter()
        .filter(|(_, r)| *r != Reach::Answers)
        .map(|(server, r)| {
            Finding::new(Fact::Dns(DnsFact::ResolverUnreachable {
                server: *server,
                refused: *r == Reach::Refused,
                waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
            }))
        })
        .collect()
}
