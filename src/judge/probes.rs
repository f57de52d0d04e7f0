//! Findings drawn from the probes: blocked ports, dead hosts, certificates, STARTTLS, IPv6.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::verdict::{describe_failure, Judgement, Verdict};
use super::{Evidence, SettingStatus};
use crate::judge::findings::{Code, Finding};
use crate::plan::Source;
use crate::probe::tcp::NETWORK_UNREACHABLE;
use crate::probe::{FailureKind, Heard, Phase, ProbeResult, TcpOutcome};
use crate::service::Security;

pub fn findings(
    ev: &Evidence<'_>,
    judgements: &[Judgement],
    settings: &[SettingStatus],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let local_v6_missing = unroutable_ipv6(ev.probes);
    if !local_v6_missing.is_empty() {
        out.push(
            Finding::info(
                Code::NoLocalIpv6,
                format!(
                    "this machine has no IPv6 route: {} IPv6 address(es) could not be tried, so the results are for IPv4",
                    local_v6_missing.len()
                ),
            )
            .hint("Test from an IPv6-capable network to check the servers' IPv6 side."),
        );
    }
    // Addresses we could not even try say nothing about their hosts.
    let own: Vec<&ProbeResult> = ev
        .probes
        .iter()
        .filter(|p| p.shared_with.is_none() && !local_v6_missing.contains(&p.address))
        .collect();
    let blocked = blocked_ports(ev, &own);
    for (port, count) in &blocked {
        out.push(
            Finding::warning(
                Code::PortBlockedLocally,
                format!("port {port} timed out on all {count} addresses tried, hosts that are up and should answer on it: outbound port {port} is most likely blocked on this network"),
            )
            .hint(if *port == 25 {
                "Many ISPs and clouds block port 25 for customers: mail clients should use 465 or 587 anyway. Test from another network to see the server's side.".to_string()
            } else {
                format!("Check the local firewall, antivirus or network policy for outbound port {port}, or test from another network.")
            }),
        );
    }
    host_findings(ev, &own, &blocked, &mut out);
    unresolvable_candidates(ev, &mut out);
    per_setting_findings(ev, judgements, settings, &mut out);
    address_family_findings(settings, &local_v6_missing, &mut out);
    shared_host_suggestions(ev, settings, &mut out);
    out
}

/// A connection or a refusal: either way the host is up and packets reach it.
fn answered(tcp: &TcpOutcome) -> bool {
    matches!(
        tcp,
        TcpOutcome::Connected | TcpOutcome::Refused | TcpOutcome::Reset
    )
}

/// Ports that timed out at connect on every address (at least two) known to be up (see
/// `known_up`), while connections elsewhere work: the drop is most likely on our side of the
/// network, not at each of those servers.
fn blocked_ports(ev: &Evidence<'_>, own: &[&ProbeResult]) -> BTreeMap<u16, usize> {
    let mut by_port: BTreeMap<u16, Vec<&ProbeResult>> = BTreeMap::new();
    for p in own {
        by_port.entry(p.port).or_default().push(p);
    }
    let mut out = BTreeMap::new();
    for (port, probes) in by_port {
        if !probes.iter().all(|p| p.tcp == TcpOutcome::TimedOut) {
            continue;
        }
        let mut addresses: Vec<IpAddr> = probes.iter().map(|p| p.address).collect();
        addresses.sort();
        addresses.dedup();
        // Evidence that the host is up and serves this port: it answered on another port, or
        // it is an MX host and the port is 25, which every MX host exists to accept.
        let known_up = |a: &IpAddr| {
            own.iter()
                .any(|p| p.address == *a && p.port != port && answered(&p.tcp))
                || (port == 25 && is_mx_address(ev, *a))
        };
        let somewhere_else_works = own.iter().any(|p| p.port != port && p.tcp.connected());
        if addresses.len() >= 2 && somewhere_else_works && addresses.iter().all(known_up) {
            out.insert(port, addresses.len());
        }
    }
    out
}

fn is_mx_address(ev: &Evidence<'_>, address: IpAddr) -> bool {
    ev.candidates
        .iter()
        .any(|c| c.candidate.sources.contains(&Source::Mx) && c.addresses.all().contains(&address))
}

fn names_at(ev: &Evidence<'_>, address: IpAddr) -> Vec<String> {
    ev.candidates
        .iter()
        .filter(|c| c.addresses.all().contains(&address))
        .map(|c| c.candidate.name.clone())
        .collect()
}

/// Per address: silent on every port, unreachable, or refusing every port.
fn host_findings(
    ev: &Evidence<'_>,
    own: &[&ProbeResult],
    blocked: &BTreeMap<u16, usize>,
    out: &mut Vec<Finding>,
) {
    let mut by_address: BTreeMap<IpAddr, Vec<&ProbeResult>> = BTreeMap::new();
    for p in own {
        by_address.entry(p.address).or_default().push(p);
    }
    for (address, probes) in by_address {
        let names = names_at(ev, address).join(", ");
        let label = if names.is_empty() {
            address.to_string()
        } else {
            format!("{names} ({address})")
        };
        let host = probes[0].host.as_str();
        let reachable = probes.iter().any(|p| answered(&p.tcp));
        if probes.iter().all(|p| p.tcp == TcpOutcome::TimedOut) {
            out.push(
                Finding::warning(Code::HostUnreachable, format!("{label} did not answer on any port: filtered by a firewall, or down"))
                    .hint("Check that the host is up and that its firewall (or yours) lets mail ports through.")
                    .at(host, None),
            );
        } else if let Some(TcpOutcome::Unreachable(detail)) = probes
            .iter()
            .all(|p| matches!(p.tcp, TcpOutcome::Unreachable(_)))
            .then(|| probes[0].tcp.clone())
        {
            out.push(
                Finding::warning(
                    Code::HostUnreachable,
                    format!("{label} is unreachable ({detail})"),
                )
                .hint("A router or firewall reports that the host cannot be reached from here.")
                .at(host, None),
            );
        } else if probes.iter().all(|p| p.tcp == TcpOutcome::Refused) {
            out.push(
                Finding::warning(
                    Code::HostNotServingMail,
                    format!("{label} refuses every mail port: no mail service runs there"),
                )
                .at(host, None),
            );
        } else if reachable {
            let refused = ports_where(&probes, |p| p.tcp == TcpOutcome::Refused);
            if !refused.is_empty() {
                out.push(
                    Finding::info(
                        Code::PortRefused,
                        format!(
                            "{label} refuses port {} (no service there)",
                            join_ports(&refused)
                        ),
                    )
                    .at(host, None),
                );
            }
            let filtered = ports_where(&probes, |p| {
                p.tcp == TcpOutcome::TimedOut && !blocked.contains_key(&p.port)
            });
            if !filtered.is_empty() {
                out.push(
                    Finding::warning(
                        Code::PortFiltered,
                        format!("{label}: port {} timed out while other ports answer: dropped by a firewall, at the server or on this network", join_ports(&filtered)),
                    )
                    .at(host, None),
                );
            }
        }
    }
}

fn ports_where(probes: &[&ProbeResult], keep: impl Fn(&ProbeResult) -> bool) -> Vec<u16> {
    let mut ports: Vec<u16> = probes.iter().filter(|p| keep(p)).map(|p| p.port).collect();
    ports.sort();
    ports.dedup();
    ports
}

fn join_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names the domain itself pointed at (SRV, provider, --host) that do not resolve.
fn unresolvable_candidates(ev: &Evidence<'_>, out: &mut Vec<Finding>) {
    for rc in ev.candidates {
        let Some(e) = rc.addresses.failure() else {
            continue;
        };
        let c = &rc.candidate;
        let code = match c.best_source() {
            Source::Srv => Code::SrvTargetUnresolvable,
            Source::User | Source::Provider | Source::CertificateName => Code::HostUnresolvable,
            _ => continue,
        };
        out.push(
            Finding::warning(
                code,
                format!("{} does not resolve: {}", c.name, e.describe()),
            )
            .at(&c.name, None),
        );
    }
}

/// Certificate, STARTTLS and protocol problems, one finding per host and problem with its ports.
fn per_setting_findings(
    ev: &Evidence<'_>,
    judgements: &[Judgement],
    settings: &[SettingStatus],
    out: &mut Vec<Finding>,
) {
    let mut grouped: BTreeMap<(String, Code), (Vec<u16>, String)> = BTreeMap::new();
    for (p, j) in ev.probes.iter().zip(judgements) {
        if p.shared_with.is_some() {
            continue;
        }
        // Only settings where no address works are worth a failure finding per port.
        let setting = settings
            .iter()
            .find(|s| s.host == p.host && s.service == p.service);
        for code in &j.warnings {
            let detail = warning_detail(*code, p);
            push(&mut grouped, &p.host, *code, p.port, detail);
        }
        if j.verdict == Verdict::Fails && setting.is_some_and(|s| s.verdict == Verdict::Fails) {
            if let Some((code, detail)) = failure_finding(p) {
                push(&mut grouped, &p.host, code, p.port, detail);
            }
        }
    }
    // Then one finding per problem, naming every host that has it on the same ports.
    let mut merged: Vec<(Code, Vec<u16>, String, Vec<String>)> = Vec::new();
    for ((host, code), (mut ports, detail)) in grouped {
        ports.sort();
        ports.dedup();
        match merged
            .iter_mut()
            .find(|(c, p, d, _)| *c == code && *p == ports && *d == detail)
        {
            Some(entry) => entry.3.push(host),
            None => merged.push((code, ports, detail, vec![host])),
        }
    }
    for (code, ports, detail, hosts) in merged {
        out.push(setting_finding(&hosts, code, &ports, &detail));
    }
}

fn push(
    grouped: &mut BTreeMap<(String, Code), (Vec<u16>, String)>,
    host: &str,
    code: Code,
    port: u16,
    detail: String,
) {
    let entry = grouped
        .entry((host.to_string(), code))
        .or_insert_with(|| (Vec::new(), detail));
    entry.0.push(port);
}

fn warning_detail(code: Code, p: &ProbeResult) -> String {
    let cert = p.tls.as_ref().and_then(|t| t.certificate.as_ref());
    match code {
        Code::CertificateNameMismatch => cert
            .map(|c| {
                if c.names.is_empty() {
                    "a certificate that names no host".to_string()
                } else {
                    c.names.join(", ")
                }
            })
            .unwrap_or_default(),
        Code::CertificateExpired => cert
            .map(|c| format!("{} ({} days ago)", c.not_after, -c.days_left))
            .unwrap_or_default(),
        Code::CertificateExpiresSoon => cert
            .map(|c| format!("{} ({} days left)", c.not_after, c.days_left))
            .unwrap_or_default(),
        Code::CertificateNotYetValid => cert
            .map(|c| format!("valid from {}", c.not_before))
            .unwrap_or_default(),
        Code::CertificateUntrusted => cert
            .map(|c| {
                if c.self_signed {
                    format!("self-signed: {}", c.subject)
                } else if c.chain_length == 1 {
                    // A common server mistake that some clients paper over and others do not.
                    format!(
                        "issued by {}, and the server sends no intermediate certificate (incomplete chain?)",
                        c.issuer
                    )
                } else {
                    format!("issued by {}", c.issuer)
                }
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn failure_finding(p: &ProbeResult) -> Option<(Code, String)> {
    let f = p.failure.as_ref()?;
    let reason = describe_failure(p, f);
    let code = match (&f.kind, f.phase) {
        (FailureKind::ProtocolMismatch { heard, .. }, Phase::TlsHandshake)
            if *heard != Heard::Unknown =>
        {
            Code::PlaintextOnTlsPort
        }
        (
            FailureKind::ProtocolMismatch {
                heard: Heard::Tls, ..
            },
            Phase::Greeting,
        ) => Code::TlsOnPlainPort,
        (FailureKind::ProtocolMismatch { .. }, _) => Code::WrongProtocol,
        (FailureKind::TlsHandshake { .. }, _) => Code::TlsHandshakeFailed,
        (FailureKind::TimedOut, Phase::TlsHandshake) => Code::TlsHandshakeFailed,
        (FailureKind::TimedOut, Phase::Greeting) if p.service.security != Security::Tls => {
            Code::NoGreeting
        }
        (FailureKind::StartTlsInjection { .. }, _) => Code::StarttlsInjection,
        (_, Phase::StartTls) => Code::StarttlsFailed,
        (FailureKind::Rejected { .. }, Phase::Greeting) => Code::GreetingRejected,
        (FailureKind::LineTooLong | FailureKind::TooMuchData, _) => Code::ServerSentTooMuch,
        _ => return None,
    };
    Some((code, reason))
}

fn setting_finding(hosts: &[String], code: Code, ports: &[u16], detail: &str) -> Finding {
    let host = hosts.join(", ");
    let on = format!("{host} (port {})", join_ports(ports));
    let port = (ports.len() == 1).then(|| ports[0]);
    let f = match code {
        Code::CertificateNameMismatch => Finding::warning(code, format!("the certificate of {on} is not valid for that name; it is valid for: {detail}"))
            .hint("Mail clients will warn or refuse. Use a name the certificate covers (see below), or install a certificate for this name."),
        Code::CertificateExpired => Finding::error(code, format!("the certificate of {on} expired on {detail}"))
            .hint("Renew the certificate; clients refuse expired certificates."),
        Code::CertificateExpiresSoon => Finding::warning(code, format!("the certificate of {on} expires soon: {detail}"))
            .hint("Renew it before clients start refusing the connection."),
        Code::CertificateNotYetValid => Finding::warning(code, format!("the certificate of {on} is not valid yet: {detail}"))
            .hint("Check the server's clock and the certificate's dates."),
        Code::CertificateUntrusted => Finding::warning(code, format!("the certificate of {on} is not trusted: {detail}"))
            .hint("Self-signed or from an unknown CA. For an internal CA pass --ca-file; an unexpected issuer can also mean antivirus or a proxy intercepting TLS."),
        Code::NoStarttls => Finding::warning(code, format!("{on}: STARTTLS is not offered, so passwords would travel in clear"))
            .hint("Use the implicit-TLS port instead, or enable STARTTLS on the server."),
        Code::PlaintextOnly => Finding::warning(code, format!("{on} was probed without TLS (plain): credentials would travel in clear")),
        Code::LoginDisabled => Finding::warning(code, format!("{on} advertises LOGINDISABLED even over TLS: password login is switched off"))
            .hint("The server expects another authentication method (e.g. OAuth)."),
        Code::CapabilitiesTruncated => Finding::info(code, format!("{on} listed more capabilities than mailprobe keeps; the list was cut")),
        _ => Finding::warning(code, format!("{on}: {detail}")).hint(failure_hint(code)),
    };
    f.at(&hosts[0], port)
}

fn failure_hint(code: Code) -> &'static str {
    match code {
        Code::PlaintextOnTlsPort => "Configure this port as STARTTLS (or None) in the client, or use the server's real SSL/TLS port.",
        Code::TlsOnPlainPort => "Set SSL/TLS (not STARTTLS) for this port in the client, or use the server's real STARTTLS port.",
        Code::WrongProtocol => "Another service answers on this port: check the port number and the server's configuration.",
        Code::TlsHandshakeFailed => "The server's TLS setup is broken or outdated (TLS 1.2 or newer is required).",
        Code::NoGreeting => "If this port expects implicit TLS, set SSL/TLS in the client; otherwise the server is overloaded or a proxy holds the connection.",
        Code::StarttlsInjection => "Do not use this connection: something on the path tampers with it.",
        Code::StarttlsFailed => "STARTTLS is advertised but does not work: use the implicit-TLS port.",
        Code::GreetingRejected => "The server refuses connections from this address (blocklist, rate limit or policy).",
        Code::ServerSentTooMuch => "The server sends far more than a mail server should: it is misbehaving or not a mail server.",
        _ => "",
    }
}

/// A name working on one address family but not the other: clients may hang or fail.
/// IPv6 addresses whose every probe failed because this machine has no route to IPv6.
fn unroutable_ipv6(probes: &[ProbeResult]) -> Vec<IpAddr> {
    let mut by_address: BTreeMap<IpAddr, bool> = BTreeMap::new();
    for p in probes.iter().filter(|p| p.address.is_ipv6()) {
        let unroutable = matches!(&p.tcp, TcpOutcome::Unreachable(d) if d == NETWORK_UNREACHABLE);
        *by_address.entry(p.address).or_insert(true) &= unroutable;
    }
    by_address
        .into_iter()
        .filter(|(_, all)| *all)
        .map(|(a, _)| a)
        .collect()
}

fn address_family_findings(settings: &[SettingStatus], untried: &[IpAddr], out: &mut Vec<Finding>) {
    for s in settings.iter().filter(|s| {
        s.verdict != Verdict::Fails && s.failing_addresses.iter().any(|a| !untried.contains(a))
    }) {
        let v4_works = s.working_addresses.iter().any(IpAddr::is_ipv4);
        let failing_v6: Vec<String> = s
            .failing_addresses
            .iter()
            .filter(|a| a.is_ipv6() && !untried.contains(a))
            .map(IpAddr::to_string)
            .collect();
        let failing: Vec<String> = s
            .failing_addresses
            .iter()
            .filter(|a| !untried.contains(a))
            .map(IpAddr::to_string)
            .collect();
        let (code, message, hint) = if v4_works && failing_v6.len() == failing.len() {
            (
                Code::Ipv6Broken,
                format!("{} port {}: IPv6 {} fails while IPv4 works", s.host, s.service.port, failing_v6.join(", ")),
                "Clients that prefer IPv6 may hang or fail: fix the server's IPv6 service or firewall, or remove the AAAA record.",
            )
        } else {
            (
                Code::AddressFailing,
                format!("{} port {}: address {} fails while another address works", s.host, s.service.port, failing.join(", ")),
                "Clients may fail depending on which address they pick: fix or remove the failing address.",
            )
        };
        out.push(
            Finding::warning(code, message)
                .hint(hint)
                .at(&s.host, Some(s.service.port)),
        );
    }
}

/// Names a certificate was valid for that were tried and worked: the shared-host case.
/// One finding per such name, with every port where it worked.
fn shared_host_suggestions(ev: &Evidence<'_>, settings: &[SettingStatus], out: &mut Vec<Finding>) {
    let mut by_host: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for s in settings
        .iter()
        .filter(|s| s.source == Source::CertificateName && s.verdict == Verdict::Works)
    {
        by_host.entry(&s.host).or_default().push(s.service.port);
    }
    for (alt, mut ports) in by_host {
        ports.sort();
        ports.dedup();
        let instead: std::collections::BTreeSet<&str> = ev
            .probes
            .iter()
            .filter(|p| p.host != alt)
            .filter(|p| {
                p.tls
                    .as_ref()
                    .and_then(|t| t.certificate.as_ref())
                    .is_some_and(|c| c.names.iter().any(|n| n == alt))
            })
            .map(|p| p.host.as_str())
            .collect();
        let instead: Vec<&str> = instead.into_iter().collect();
        out.push(
            Finding::info(
                Code::CertificateValidForOtherHost,
                format!(
                    "{alt} works on port {} with a valid certificate{}",
                    join_ports(&ports),
                    if instead.is_empty() {
                        String::new()
                    } else {
                        format!(" (the certificate {} presents)", instead.join(", "))
                    }
                ),
            )
            .hint(format!(
                "Configure {alt} as the server name: the classic shared web host case."
            ))
            .at(alt, (ports.len() == 1).then(|| ports[0])),
        );
    }
}
