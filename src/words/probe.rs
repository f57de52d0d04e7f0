//! The words of the probe findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::ProbeFact;

pub fn message(fact: &ProbeFact) -> String {
    match fact {
        ProbeFact::AdvertisedLimit { host, port, limit } => format!("{host}:{port} {}", advertised_limit(*limit)),
        ProbeFact::Token { problem } => token_problem(problem),
        ProbeFact::FamilyLeftNothing { ipv6, left_out } => format!(
            "nothing was probed: {} left out all {left_out} addresses found, and none is {}",
            if *ipv6 { "-6" } else { "-4" },
            if *ipv6 { "IPv6" } else { "IPv4" }
        ),
        ProbeFact::NoLocalIpv6 { addresses } => format!(
            "this machine has no IPv6 route: {} could not be tried, so the results are for IPv4",
            count(*addresses, "IPv6 address", "IPv6 addresses")
        ),
        ProbeFact::PortBlockedLocally { port, addresses } => format!("port {port} timed out on all {addresses} addresses tried, hosts that are up and should answer on it: outbound port {port} is most likely blocked on this network"),
        ProbeFact::HostSilent { host } => format!("{} did not answer on any port: filtered by a firewall, or down", host_label(host)),
        ProbeFact::HostUnreachable { host, why } => format!("{} is unreachable ({})", host_label(host), unreachable(*why)),
        ProbeFact::HostNotServingMail { host } => format!("{} refuses every mail port: no mail service runs there", host_label(host)),
        ProbeFact::PortRefused { host, ports: p } => format!("{} refuses {} (no service there)", host_label(host), ports(p)),
        ProbeFact::PortFiltered { host, ports: p } => format!("{}: {} timed out while other ports answer: dropped by a firewall, at the server or on this network", host_label(host), ports(p)),
        ProbeFact::PortsNotProbed { ports: p } => format!("{} not probed (--ports): nothing is concluded about them", ports(p)),
        ProbeFact::LocalResourceExhausted { probes } => format!(
            "{} could not be started because this machine ran out of file descriptors: those results say nothing about the servers",
            count(*probes, "connection", "connections")
        ),
        ProbeFact::PublishedSettingsTruncated { total, kept } => format!("clients are told {total} different settings; only the first {kept} were probed"),
        ProbeFact::AddressesTruncated { name, total, kept } => format!("{name} has {total} addresses; only {kept} (the first of each family) were probed"),
        ProbeFact::ProbeBudgetExhausted { planned, kept } => format!("the plan held {planned} probes; only the {kept} most useful were run (the per-run budget)"),
        ProbeFact::RunDeadlineReached { skipped } => format!(
            "the run's time limit was reached: {} not started, so what follows is incomplete",
            count(*skipped, "probe was", "probes were")
        ),
        ProbeFact::CertificateNamesTruncated { subject, total, kept } => format!("the certificate {subject} names {total} hosts; the report keeps the first {kept} (all were checked)"),
        ProbeFact::AddressInconsistent { host, port, addresses, warnings } => format!(
            "{host} port {port}: address {} answers with problems another address does not have ({})",
            list(addresses),
            warnings.iter().map(|c| warning(*c, None)).collect::<Vec<_>>().join("; ")
        ),
        ProbeFact::Setting { hosts, ports: p, problem } => setting_message(&format!("{} ({})", hosts.join(", "), ports(p)), problem),
        ProbeFact::Ipv6Broken { host, port, addresses } => format!("{host} port {port}: IPv6 {} fails while IPv4 works", list(addresses)),
        ProbeFact::AddressFailing { host, port, addresses } => format!("{host} port {port}: address {} fails while another address works", list(addresses)),
        ProbeFact::CertificateValidForOtherHost { name, ports: p, presented_by } => format!(
            "{name} works on {} with a valid certificate{}",
            ports(p),
            if presented_by.is_empty() { String::new() } else { format!(" (the certificate {} presents)", presented_by.join(", ")) }
        ),
    }
}

pub fn hint(fact: &ProbeFact) -> Option<String> {
    let text = match fact {
        ProbeFact::Token { problem } => return Some(token_hint(problem).to_string()),
        ProbeFact::AdvertisedLimit { limit, .. } => return advertised_limit_hint(*limit).map(str::to_string),
        ProbeFact::NoLocalIpv6 { .. } => "Test from an IPv6-capable network to check the servers' IPv6 side.",
        ProbeFact::FamilyLeftNothing { .. } => "Run without -4/-6 to probe the addresses the domain has.",
        ProbeFact::PortBlockedLocally { port: 25, .. } => "Many ISPs and clouds block port 25 for customers: mail clients should use 465 or 587 anyway. Test from another network to see the server's side.",
        ProbeFact::PortBlockedLocally { port, .. } => return Some(format!("Check the local firewall, antivirus or network policy for outbound port {port}, or test from another network.")),
        ProbeFact::HostSilent { .. } => "Check that the host is up and that its firewall (or yours) lets mail ports through.",
        ProbeFact::HostUnreachable { .. } => "A router or firewall reports that the host cannot be reached from here.",
        ProbeFact::PortsNotProbed { .. } => "Run without --ports to probe every standard port.",
        ProbeFact::LocalResourceExhausted { .. } => "Lower --concurrency or raise the limit (ulimit -n), then run again.",
        ProbeFact::Setting { problem, .. } => return setting_hint(problem),
        ProbeFact::Ipv6Broken { .. } => "Clients that prefer IPv6 may hang or fail: fix the server's IPv6 service or firewall, or remove the AAAA record.",
        ProbeFact::AddressFailing { .. } | ProbeFact::AddressInconsistent { .. } => "Clients may fail depending on which address they pick: fix or remove the failing address.",
        ProbeFact::RunDeadlineReached { .. } => "Raise --max-time, or narrow the run with --ports.",
        ProbeFact::CertificateValidForOtherHost { name, .. } => return Some(format!("Configure {name} as the server name: the classic shared web host case.")),
        ProbeFact::HostNotServingMail { .. } | ProbeFact::PortRefused { .. } | ProbeFact::PortFiltered { .. } | ProbeFact::PublishedSettingsTruncated { .. } | ProbeFact::AddressesTruncated { .. } | ProbeFact::ProbeBudgetExhausted { .. } | ProbeFact::CertificateNamesTruncated { .. } => return None,
    };
    Some(text.to_string())
}
