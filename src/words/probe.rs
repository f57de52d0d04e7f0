//! The words of the probe findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::{FailedAs, ProbeFact};

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

/// A warning of a setting as a short phrase for the card, with the certificate's data.
pub fn warning(code: Code, cert: Option<&CertInfo>) -> String {
    let with_cert = |f: &dyn Fn(&CertInfo) -> String, plain: &str| {
        cert.map(f).unwrap_or_else(|| plain.to_string())
    };
    match code {
        Code::CertificateExpired => with_cert(
            &|c| {
                format!(
                    "certificate expired on {}: clients refuse it",
                    date(&c.not_after)
                )
            },
            "certificate expired: clients refuse it",
        ),
        Code::CertificateChainExpired => with_cert(
            &|c| match c.intermediates.iter().find(|i| i.days_left < 0) {
                Some(i) => format!(
                    "intermediate certificate expired on {} ({}): clients refuse the chain",
                    date(&i.not_after),
                    i.subject
                ),
                None => "an intermediate certificate expired: clients refuse the chain".into(),
            },
            "an intermediate certificate expired: clients refuse the chain",
        ),
        Code::CertificateExpiresSoon => with_cert(
            &|c| {
                format!(
                    "certificate expires on {} ({} days left)",
                    date(&c.not_after),
                    c.days_left
                )
            },
            "certificate expires soon",
        ),
        Code::CertificateNotYetValid => with_cert(
            &|c| format!("certificate not valid before {}", date(&c.not_before)),
            "certificate not valid yet",
        ),
        Code::CertificateNameMismatch => with_cert(
            &|c| {
                if c.names_from_cn {
                    format!(
                        "certificate names {} only in its subject CN, which clients ignore: valid for no name",
                        list(&c.names)
                    )
                } else {
                    format!(
                        "certificate not valid for this name (it names {})",
                        list(&c.names)
                    )
                }
            },
            "certificate not valid for this name",
        ),
        Code::CertificateUntrusted => with_cert(
            &|c| {
                if c.self_signed {
                    "self-signed certificate: clients warn or refuse".to_string()
                } else {
                    format!("certificate from an untrusted issuer ({})", c.issuer)
                }
            },
            "certificate not trusted",
        ),
        Code::TlsInterceptionSuspected => {
            "a certificate for other names on the provider's own host: interception suspected"
                .into()
        }
        Code::NoStarttls => "no STARTTLS: the password would travel in clear".into(),
        Code::PlaintextOnly => "unencrypted: the password would travel in clear".into(),
        Code::LoginDisabled => "password login is switched off (LOGINDISABLED)".into(),
        Code::CapabilitiesTruncated => "capability list cut short".into(),
        Code::CertificateWeakKey => "certificate key too small: clients refuse it".into(),
        Code::CertificateMustStapleUnmet => {
            "certificate demands a stapled OCSP response (must-staple) and none came: Thunderbird refuses it".into()
        }
        Code::CertificateWeakSignature => {
            "certificate signed with a broken hash (SHA-1 or MD5): clients refuse it".into()
        }
        Code::TlsLegacyAccepted => "still accepts TLS 1.0/1.1 (deprecated)".into(),
        Code::Tls13Only => "TLS 1.3 only".into(),
        Code::NoStarttlsNoLogin => {
            "no STARTTLS, and no login without it: no password login is possible here".into()
        }
        // A setting's other warnings (and, never met on a card, other stages' codes) by name.
        Code::PortBlockedLocally
        | Code::PortFiltered
        | Code::HostUnreachable
        | Code::HostNotServingMail
        | Code::PortRefused
        | Code::PortsNotProbed
        | Code::CertificateValidForOtherHost
        | Code::StarttlsFailed
        | Code::StarttlsInjection
        | Code::TlsHandshakeFailed
        | Code::WrongProtocol
        | Code::PlaintextOnTlsPort
        | Code::TlsOnPlainPort
        | Code::NoGreeting
        | Code::GreetingRejected
        | Code::GreetingUnfinished
        | Code::GreetingSlow
        | Code::TokenExpired
        | Code::TokenAudienceWrong
        | Code::TokenScopeMissing
        | Code::TokenUserMismatch
        | Code::TokenOpaque
        | Code::MessageSizeLimit
        | Code::Smtputf8Missing
        | Code::AuthBeforeTls
        | Code::VrfyEnabled
        | Code::AppendLimit
        | Code::Pop3Expire
        | Code::Pop3LoginDelay
        | Code::ImapPreauth
        | Code::ServerSentTooMuch
        | Code::LocalResourceExhausted
        | Code::AddressesTruncated
        | Code::PublishedSettingsTruncated
        | Code::ProbeBudgetExhausted
        | Code::RunDeadlineReached
        | Code::CertificateNamesTruncated
        | Code::AddressInconsistent
        | Code::Ipv6Broken
        | Code::NoLocalIpv6
        | Code::FamilyLeftNothing
        | Code::AddressFailing
        | Code::Dns(_)
        | Code::Provider(_)
        | Code::Authority(_)
        | Code::Recommend(_)
        | Code::Published(_)
        | Code::Delivery(_)
        | Code::Sending(_) => code.name().replace('_', " "),
    }
}

fn setting_message(on: &str, problem: &SettingProblem) -> String {
    match problem {
        SettingProblem::CertificateNameMismatch { names, cn_only: true } => format!(
            "the certificate of {on} names {} only in its subject CN, without a subjectAltName: mail clients ignore the CN, so it is valid for no host",
            names.join(", ")
        ),
        SettingProblem::CertificateNameMismatch { names, .. } => format!(
            "the certificate of {on} is not valid for that name; it is valid for: {}",
            if names.is_empty() { "no host at all".to_string() } else { names.join(", ") }
        ),
        SettingProblem::CertificateExpired { not_after, days_ago } => format!("the certificate of {on} expired on {not_after} ({days_ago} days ago): clients refuse it"),
        SettingProblem::CertificateChainExpired { subject, not_after, days_ago } => format!("the certificate of {on} is itself valid, but the intermediate certificate the server sends with it ({subject}) expired on {not_after} ({days_ago} days ago): clients refuse the chain"),
        SettingProblem::CertificateExpiresSoon { not_after, days_left } => format!("the certificate of {on} expires soon: {not_after} ({days_left} days left)"),
        SettingProblem::CertificateNotYetValid { not_before } => format!("the certificate of {on} is not valid yet: valid from {not_before}"),
        SettingProblem::CertificateUntrusted { issuer, subject, self_signed, leaf_only, bad_signature } => {
            let detail = if *self_signed {
                format!("self-signed: {subject}")
            } else if *bad_signature {
                format!("issued by {issuer}, but a signature in its chain does not verify (a key or algorithm clients refuse, or a broken chain)")
            } else if *leaf_only {
                format!("issued by {issuer}, and the server sends no intermediate certificate (incomplete chain?)")
            } else {
                format!("issued by {issuer}")
            };
            format!("the certificate of {on} is not trusted: {detail}")
        }
        SettingProblem::TlsInterceptionSuspected { issuer, names } => format!(
            "{on} is the provider's own host, but presented a certificate for {} issued by {issuer}: something on this network intercepts TLS or the name was hijacked",
            if names.is_empty() { "no host at all".to_string() } else { names.join(", ") }
        ),
        SettingProblem::NoStarttls => format!("{on}: STARTTLS is not offered, so passwords would travel in clear"),
        SettingProblem::PlaintextOnly => format!("{on} was probed without TLS (plain): credentials would travel in clear"),
        SettingProblem::LoginDisabled => format!("{on} advertises LOGINDISABLED even over TLS: password login is switched off"),
        SettingProblem::CapabilitiesTruncated => format!("{on} listed more capabilities than mailprobe keeps; the list was cut"),
        SettingProblem::CertificateWeakKey { key, bits } => format!(
            "the certificate of {on} has a {bits}-bit {} key, too small: clients such as Chrome and rustls refuse it",
            key_kind(*key)
        ),
        SettingProblem::CertificateWeakSignature { algorithm } => format!(
            "the certificate of {on} is signed with {algorithm}: a broken hash, which clients refuse"
        ),
        SettingProblem::CertificateMustStapleUnmet => format!(
            "the certificate of {on} demands a stapled OCSP response (must-staple, RFC 7633) and the server sent none: Thunderbird refuses the connection, other clients do not look"
        ),
        SettingProblem::TlsLegacyAccepted { versions } => format!(
            "{on} still accepts {}, deprecated since 2021 (RFC 8996) and flagged by compliance scans; a device limited to {} can still use this setting",
            legacy_versions(versions, "and"),
            legacy_versions(versions, "or")
        ),
        SettingProblem::Tls13Only => format!(
            "{on} accepts TLS 1.3 only: a client or device that stops at TLS 1.2 (older Windows and Outlook versions, many printers, scanners and phones) cannot use this setting"
        ),
        SettingProblem::NoStarttlsNoLogin => format!("{on}: no STARTTLS, and no login is offered without it: no password travels in clear here, and none can be used"),
        SettingProblem::GreetingSlow { cause, first_ms, last_ms } => slow_greeting(on, *cause, *first_ms, *last_ms),
        SettingProblem::Failed { service, failure: f, decoded, .. } => format!(
            "{on}: {}{}",
            failure(*service, f),
            decoded
                .map(|d| format!("; this means {}", refusal_cause(d.cause)))
                .unwrap_or_default()
        ),
    }
}

fn setting_hint(problem: &SettingProblem) -> Option<String> {
    let text = match problem {
        SettingProblem::CertificateNameMismatch { .. } => "Mail clients will warn or refuse. Use a name the certificate covers (they are listed with the certificate), or install a certificate for this name.",
        SettingProblem::CertificateExpired { .. } => "Renew the certificate; clients refuse expired certificates.",
        SettingProblem::CertificateChainExpired { .. } => "Replace the intermediate in the server's chain file with the CA's current one (the server's own certificate can stay); then reload the server.",
        SettingProblem::CertificateExpiresSoon { .. } => "Renew it before clients start refusing the connection.",
        SettingProblem::CertificateNotYetValid { .. } => "Check the server's clock and the certificate's dates.",
        SettingProblem::CertificateUntrusted { bad_signature: true, .. } => "Get a certificate signed with SHA-256 (any current CA issues one) with an RSA key of 2048 bits or more, or an EC key.",
        SettingProblem::CertificateUntrusted { leaf_only: true, .. } => "Configure the server to send the intermediate certificate with its own (Postfix: the full chain in smtpd_tls_chain_files; Dovecot: ssl_cert with the chain appended).",
        SettingProblem::CertificateUntrusted { .. } => "Self-signed or from an unknown CA. For an internal CA pass --ca-file; an unexpected issuer can also mean antivirus or a proxy intercepting TLS.",
        SettingProblem::TlsInterceptionSuspected { .. } => "Do not enter a password on this network: test from another network, and check for antivirus, a proxy or a firewall that inspects TLS, or for DNS that points the provider's name elsewhere.",
        SettingProblem::NoStarttls => "Use the implicit-TLS port instead, or enable STARTTLS on the server.",
        SettingProblem::LoginDisabled => "The server expects another authentication method (e.g. OAuth).",
        SettingProblem::PlaintextOnly | SettingProblem::CapabilitiesTruncated => return None,
        SettingProblem::CertificateWeakKey { .. } => "Issue a new certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key.",
        SettingProblem::CertificateWeakSignature { .. } => "Have the certificate reissued: every public CA signs with SHA-256 or better.",
        SettingProblem::CertificateMustStapleUnmet => "Postfix and Dovecot do not staple OCSP responses: have the certificate reissued without the must-staple (TLS Feature) extension (certbot: without --must-staple), or serve it from software that staples.",
        SettingProblem::TlsLegacyAccepted { .. } => "Once no old device needs them, allow TLS 1.2 and newer only (Postfix: smtpd_tls_protocols and smtpd_tls_mandatory_protocols = >=TLSv1.2; Dovecot: ssl_min_protocol = TLSv1.2; Exchange and Windows: disable TLS 1.0/1.1 in SCHANNEL).",
        SettingProblem::Tls13Only => "If such a device must use this server, allow TLS 1.2 as well (Dovecot: ssl_min_protocol = TLSv1.2; Postfix: smtpd_tls_protocols = >=TLSv1.2); TLS 1.2 with current cipher suites is not deprecated.",
        SettingProblem::NoStarttlsNoLogin => "Use the implicit-TLS port, or enable STARTTLS on the server (logins then go over it).",
        SettingProblem::GreetingSlow { cause, .. } => slow_greeting_hint(*cause),
        SettingProblem::Failed {
            decoded: Some(d), ..
        } => {
            return Some(decoded_hint(d))
        }
        SettingProblem::Failed {
            failure:
                Failure {
                    kind: FailureKind::TlsHandshake(TlsFailure::SignatureRejected { .. }),
                    ..
                },
            ..
        } => "Clients refuse to verify with an RSA key under 2048 bits: issue a certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key. With a large enough key, the server's key does not match its certificate.",
        SettingProblem::Failed {
            failure:
                Failure {
                    kind: FailureKind::TlsHandshake(TlsFailure::ServerFailed { .. }),
                    ..
                },
            ..
        } => "The server fails inside its own handshake: check its TLS key and certificate (a key type or size its TLS library refuses, a key that does not match the certificate) and its log.",
        SettingProblem::Failed { code, .. } => match code {
            FailedAs::PlaintextOnTlsPort => "Configure this port as STARTTLS (or None) in the client, or use the server's real SSL/TLS port.",
            FailedAs::TlsOnPlainPort => "Set SSL/TLS (not STARTTLS) for this port in the client, or use the server's real STARTTLS port.",
            FailedAs::WrongProtocol => "Another service answers on this port: check the port number and the server's configuration.",
            FailedAs::TlsHandshakeFailed => "The server's TLS setup is broken, outdated (TLS 1.2 or newer is required) or asks for client certificates.",
            FailedAs::GreetingUnfinished => "An anti-spam greeting pause (Postfix postscreen_greet_wait, Sendmail greet_pause) longer than mailprobe waits: senders wait longer, so mail still arrives. Keep such pauses off the submission ports (587, 465).",
            FailedAs::NoGreeting => "If this port expects implicit TLS, set SSL/TLS in the client; otherwise the server is overloaded or a proxy holds the connection.",
            FailedAs::StarttlsInjection => "Do not use this connection: something on the path tampers with it.",
            FailedAs::StarttlsFailed => "STARTTLS is advertised but does not work: use the implicit-TLS port.",
            FailedAs::GreetingRejected => "The server refuses connections from this address (blocklist, rate limit or policy).",
            FailedAs::ImapPreauth => "Do not use this port: require authentication (and TLS) on the server, or use the implicit-TLS port.",
            FailedAs::ServerSentTooMuch => "The server sends far more than a mail server should: it is misbehaving or not a mail server.",
        },
    };
    Some(text.to_string())
}
