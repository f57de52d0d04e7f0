//! The words of the delivery findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::DeliveryFact;

pub fn message(fact: &DeliveryFact) -> String {
    match fact {
        DeliveryFact::MtaStsMxNotCovered { host, mode, patterns } => format!(
            "the MTA-STS policy ({}) does not list MX {host} (its mx patterns: {}): {}",
            mta_sts_mode(*mode),
            if patterns.is_empty() { "none".to_string() } else { patterns.join(", ") },
            mta_sts_consequence(*mode, host)
        ),
        DeliveryFact::MtaStsCertificateInvalid { host, address, mode, problem } => format!(
            "MX {host} ({address}) presents a certificate on port 25 that MTA-STS senders do not accept ({}): {}",
            match problem {
                CertProblem::NotValidForName => "not valid for the MX name".to_string(),
                CertProblem::Untrusted(v) => cert_verdict(v),
            },
            mta_sts_consequence(*mode, host)
        ),
        DeliveryFact::MtaStsNoStarttls { host, address, mode } => format!(
            "MX {host} ({address}) offers no working STARTTLS on port 25, which MTA-STS requires: {}",
            mta_sts_consequence(*mode, host)
        ),
        DeliveryFact::MtaStsPolicyInvalid { url, problems } => format!(
            "the MTA-STS policy at {url} is invalid ({}): senders ignore it and deliver without MTA-STS",
            problems.iter().map(policy_problem).collect::<Vec<_>>().join("; ")
        ),
        DeliveryFact::MtaStsPolicyUnavailable { url, why } => format!(
            "the _mta-sts record announces a policy, but {url} {}: senders without a cached copy deliver without MTA-STS",
            match why {
                PolicyFetch::Status(s) => format!("answers HTTP {s}"),
                PolicyFetch::Failed(e) => format!("cannot be fetched ({})", fetch_error(e)),
            }
        ),
        DeliveryFact::MtaStsRecordMissing { domain } => format!(
            "an MTA-STS policy is served, but _mta-sts.{domain} has no v=STSv1 record: senders never fetch it"
        ),
        DeliveryFact::MtaStsRecordInvalid { domain, record } => match record {
            Some(r) => format!("_mta-sts.{domain} holds an invalid record ({r}): senders treat the domain as having no MTA-STS"),
            None => format!("_mta-sts.{domain} holds more than one v=STSv1 record: senders treat the domain as having no MTA-STS"),
        },
        DeliveryFact::MtaStsInOrder { mode, hosts } => format!(
            "MTA-STS ({}) is in order: {} covered, each offering STARTTLS with a trusted certificate valid for its name",
            mta_sts_mode(*mode),
            count(*hosts, "MX host", "MX hosts")
        ),
        DeliveryFact::MtaStsNotChecked { mode } => format!(
            "an MTA-STS policy ({}) applies, but no MX answered on port 25 from here, so its certificates could not be checked against it",
            mta_sts_mode(*mode)
        ),
        DeliveryFact::TlsRptMissing { domain } => format!(
            "no TLS-RPT record (_smtp._tls.{domain}): senders have nowhere to report TLS failures"
        ),
        DeliveryFact::TlsRptInvalid { domain, record } => match record {
            Some(r) => format!("_smtp._tls.{domain} holds an invalid TLS-RPT record ({r})"),
            None => format!("_smtp._tls.{domain} holds more than one TLS-RPT record: senders ignore them"),
        },
        DeliveryFact::DaneTlsaMismatch { host, address, records } => format!(
            "no TLSA record of {host} ({}) matches the certificate it presents on port 25 ({address}): DANE-validating senders will defer mail to {host}",
            count(*records, "record", "records")
        ),
        DeliveryFact::DaneNoStarttls { host, address } => format!(
            "{host} publishes DNSSEC-signed TLSA records but offers no working STARTTLS on port 25 ({address}): DANE-validating senders will defer mail to {host}"
        ),
        DeliveryFact::DaneZoneInsecure { host, basis, mx_secure } => format!(
            "{host} has TLSA records, but {} not DNSSEC-secure ({}): senders ignore TLSA records that are not secure",
            if *mx_secure { "they are" } else { "they (or the domain's MX set) are" },
            dnssec_basis(basis)
        ),
        DeliveryFact::DaneLookupFailed { host, basis: basis @ DnssecBasis::Resolver(_) } => format!(
            "the TLSA lookup for {host} failed ({}: SERVFAIL): with DNSSEC this usually means a broken signature, and DANE-validating senders defer mail",
            dnssec_basis(basis)
        ),
        DeliveryFact::DaneLookupFailed { host, basis } => format!(
            "the DNSSEC signatures of the TLSA records (or MX set) of {host} do not validate ({}): DANE-validating senders will defer mail to {host}",
            dnssec_basis(basis)
        ),
        DeliveryFact::DaneInOrder { host, basis } => format!(
            "DANE is in order for {host}: DNSSEC-secure TLSA records ({}) match the certificate it presents on port 25",
            dnssec_basis(basis)
        ),
        DeliveryFact::DaneNotVerified { host } => format!(
            "{host} publishes DNSSEC-validated TLSA records, but port 25 could not be reached from here to compare them with its certificate"
        ),
        DeliveryFact::SpfMissing { domain } => format!("{domain} publishes no SPF record: receivers cannot tell which servers may send its mail"),
        DeliveryFact::SpfTooManyLookups { domain, lookups } => format!(
            "the SPF of {domain} needs {lookups} DNS lookups to evaluate in full (its includes, a, mx, ptr, exists and redirect, followed): RFC 7208 allows {}, so a sender not matched within them gets permerror (and every sender does at receivers that check the whole record)",
            crate::delivery::spf_tree::MAX_LOOKUPS
        ),
        DeliveryFact::SpfTooManyVoidLookups { domain, names } => format!(
            "the SPF of {domain} asks {} names that give nothing ({}): RFC 7208 allows {}, so a sender not matched before them gets permerror",
            names.len(),
            list(names),
            crate::delivery::spf_tree::MAX_VOID_LOOKUPS
        ),
        DeliveryFact::SpfIncludeWithoutSpf { domain, targets } => format!(
            "the SPF of {domain} includes {} without an SPF record of its own: a sender not matched before it gets permerror (RFC 7208 5.2)",
            list(targets)
        ),
        DeliveryFact::SpfAllPass { domain } => format!("the SPF of {domain} ends in +all: every server in the world passes SPF as {domain}"),
        DeliveryFact::SpfAllNeutral { domain } => format!("the SPF of {domain} ends in ?all: it says nothing about servers it does not list, so it protects nothing"),
        DeliveryFact::SpfPtr { domain } => format!("the SPF of {domain} uses ptr, which RFC 7208 says not to use: slow, and some receivers skip it"),
        DeliveryFact::SpfTreeIncomplete { domain, unreadable, truncated } => format!(
            "the SPF of {domain} could not be followed to the end{}{}: the lookup counts are lower bounds",
            if unreadable.is_empty() { String::new() } else { format!(" ({} did not answer)", list(unreadable)) },
            if *truncated { format!(" (more than {} records, or a loop)", crate::delivery::spf_tree::MAX_RECORDS) } else { String::new() }
        ),
        DeliveryFact::SpfInvalid { domain, record } => match record {
            Some(r) => format!("the SPF record of {domain} is invalid ({r}): receivers treat it as a permanent error"),
            None => format!("{domain} publishes more than one SPF record: receivers treat that as a permanent error"),
        },
        DeliveryFact::SpfNotAuthorizingServer { domain, sender, dmarc } => format!(
            "{}{}",
            match sender {
                SpfSender::Server { host, address, result } => format!(
                    "the SPF record of {domain} does not authorise the outgoing server {host} ({address}): SPF {}",
                    spf_result(*result)
                ),
                SpfSender::Provider { name, include } => format!(
                    "the SPF record of {domain} does not include {include}, {name}'s sending servers"
                ),
            },
            match dmarc {
                Some(DmarcPolicy::Reject) => "; under its DMARC policy (reject) receivers reject such mail unless DKIM passes",
                Some(DmarcPolicy::Quarantine) => "; under its DMARC policy (quarantine) receivers put such mail in spam unless DKIM passes",
                Some(DmarcPolicy::None) => "; its DMARC policy (none) asks receivers only to report it",
                None => "; mail sent through it may land in spam",
            }
        ),
        DeliveryFact::SpfAuthorizesServer { domain, sender } => match sender {
            SpfSender::Server { host, address, .. } => format!("the SPF record of {domain} authorises the outgoing server {host} ({address})"),
            SpfSender::Provider { name, include } => format!("the SPF record of {domain} includes {include} ({name}'s sending servers)"),
        },
        DeliveryFact::DmarcMissing { domain } => format!("{domain} publishes no DMARC record (_dmarc.{domain}): receivers apply their own policy to mail that fails SPF and DKIM"),
        DeliveryFact::DmarcInvalid { domain, record } => match record {
            Some(r) => format!("the DMARC record of {domain} is invalid ({r}): receivers ignore it"),
            None => format!("{domain} publishes more than one DMARC record: receivers apply none of them"),
        },
        DeliveryFact::DmarcPolicy { domain, policy, subdomains, reports } => format!(
            "DMARC for {domain}: p={}{}{}: {}",
            dmarc_policy(*policy),
            subdomains.map(|s| format!(", sp={}", dmarc_policy(s))).unwrap_or_default(),
            if *reports { ", with aggregate reports" } else { ", no reports requested" },
            match policy {
                DmarcPolicy::Reject => "mail that fails both SPF and DKIM alignment is rejected",
                DmarcPolicy::Quarantine => "mail that fails both SPF and DKIM alignment goes to spam",
                DmarcPolicy::None => "failing mail is only reported, not acted on",
            }
        ),
    }
}

pub fn hint(fact: &DeliveryFact) -> Option<String> {
    let text = match fact {
        DeliveryFact::MtaStsMxNotCovered { .. } => "Add an mx line for every MX host to the policy, change its id in the _mta-sts record, or switch the policy to testing while you move.",
        DeliveryFact::MtaStsCertificateInvalid { .. } => "Install a certificate on the MX that is valid for its name and issued by a public CA (senders do not use your internal CA).",
        DeliveryFact::MtaStsNoStarttls { .. } => "Enable STARTTLS on port 25 (Postfix: smtpd_tls_security_level = may with a certificate).",
        DeliveryFact::MtaStsPolicyInvalid { .. } => "Fix the policy file: version: STSv1, mode, one mx line per MX host or pattern, max_age in seconds.",
        DeliveryFact::MtaStsPolicyUnavailable { .. } => "Serve the policy over HTTPS at that address with a valid certificate for mta-sts.<domain> and no redirect, or remove the _mta-sts record.",
        DeliveryFact::MtaStsRecordMissing { .. } => "Publish a TXT record \"v=STSv1; id=<a new value>\" at _mta-sts.<domain>.",
        DeliveryFact::MtaStsRecordInvalid { .. } => "Keep exactly one record of the form \"v=STSv1; id=<value>\".",
        DeliveryFact::TlsRptMissing { .. } => "Publish \"v=TLSRPTv1; rua=mailto:<address>\" at _smtp._tls.<domain> to hear about failures before users do.",
        DeliveryFact::TlsRptInvalid { .. } => "Keep one record of the form \"v=TLSRPTv1; rua=mailto:<address>\".",
        DeliveryFact::DaneTlsaMismatch { .. } => "Publish a TLSA record for the certificate (or key) now in use, e.g. 3 1 1 <SHA-256 of its public key>, and keep the old one until caches expire; then remove the stale one.",
        DeliveryFact::DaneNoStarttls { .. } => "Enable STARTTLS on port 25, or remove the TLSA records.",
        DeliveryFact::DaneZoneInsecure { .. } => "Sign the zone with DNSSEC (and publish the DS at the registrar), or remove the TLSA records; test with a validating resolver if this one does not validate.",
        DeliveryFact::DaneLookupFailed { .. } => "Check the zone's DNSSEC signatures and DS record (e.g. with a validating resolver's logs or dnsviz).",
        DeliveryFact::SpfMissing { .. } => "Publish a TXT record starting \"v=spf1\" that lists the servers sending for the domain.",
        DeliveryFact::SpfTooManyLookups { .. } => "Remove includes no longer used, or replace some with the ip4:/ip6: ranges they stand for (keep the providers' own includes, whose ranges change).",
        DeliveryFact::SpfTooManyVoidLookups { .. } | DeliveryFact::SpfIncludeWithoutSpf { .. } => "Remove the terms that name domains without records (often a provider left long ago), or correct their spelling.",
        DeliveryFact::SpfAllPass { .. } => "End the record with -all (or ~all while testing): +all authorises everyone.",
        DeliveryFact::SpfAllNeutral { .. } => "End the record with ~all or -all once it lists every sending server.",
        DeliveryFact::SpfPtr { .. } => "Replace ptr with the a:, ip4: or ip6: terms of the servers it stood for.",
        DeliveryFact::SpfTreeIncomplete { .. } => "Run it again; if a name keeps failing, receivers will get a temperror for it too.",
        DeliveryFact::SpfInvalid { .. } => "Merge into one valid v=spf1 record; keep it within 10 DNS lookups.",
        DeliveryFact::SpfNotAuthorizingServer { sender: SpfSender::Provider { include, .. }, .. } => return Some(format!("Add include:{include} to the domain's SPF record.")),
        DeliveryFact::SpfNotAuthorizingServer { .. } => "Add the outgoing server (its address, a:<host> or the provider's include) to the domain's SPF record.",
        DeliveryFact::DmarcMissing { .. } => "Publish \"v=DMARC1; p=none; rua=mailto:<address>\" at _dmarc.<domain> to start, then tighten the policy.",
        DeliveryFact::DmarcInvalid { .. } => "Keep one valid record: v=DMARC1; p=none|quarantine|reject; …",
        DeliveryFact::MtaStsInOrder { .. } | DeliveryFact::MtaStsNotChecked { .. } | DeliveryFact::DaneInOrder { .. } | DeliveryFact::DaneNotVerified { .. } | DeliveryFact::SpfAuthorizesServer { .. } | DeliveryFact::DmarcPolicy { .. } => return None,
    };
    Some(text.to_string())
}
