//! The words for what mail clients are told: the section's lines, the findings, the hints.
//! Part of `words`, kept apart so each file stays readable.

use super::{fetch_error, lookup_error_short, setting_ref};
use crate::judge::findings::PublishedFact;
use crate::judge::findings::{SettingRef, Unconfirmed};
use crate::judge::published::{CheckResult, PublishedCheck};
use crate::published::xml::XmlError;
use crate::published::{
    Invalid, Method, MicrosoftCname, Outcome, Published, Refusal, Setting, Transport,
};

pub fn method(m: Method) -> &'static str {
    match m {
        Method::Autoconfig => "autoconfig",
        Method::AutoconfigWellKnown => "autoconfig (.well-known)",
        Method::Autodiscover => "Autodiscover",
        Method::AutodiscoverRoot => "Autodiscover (domain)",
        Method::AutodiscoverRedirect => "Autodiscover (HTTP redirect)",
        Method::AutodiscoverSrv => "Autodiscover (SRV)",
        Method::Srv => "SRV records (RFC 6186)",
        Method::Ispdb => "Thunderbird's ISPDB",
        Method::AutoconfigMx => "autoconfig of the MX's domain",
        Method::IspdbMx => "Thunderbird's ISPDB for the MX's domain",
    }
}

fn methods(ms: &[Method]) -> String {
    let mut names: Vec<&str> = ms.iter().map(|m| method(*m)).collect();
    names.dedup();
    names.join(", ")
}

/// "autoconfig tells" / "autoconfig, Autodiscover tell": the sources as a subject.
fn tell(ms: &[Method]) -> String {
    let plural = ms.len() > 1 || ms.contains(&Method::Srv);
    format!("{} {}", methods(ms), if plural { "tell" } else { "tells" })
}

/// "IMAP imap.example.com:993 SSL/TLS".
pub fn setting(s: &Setting) -> String {
    crate::words::endpoint(s.protocol, &s.host, s.port, s.security)
}

pub fn xml_error(e: &XmlError) -> String {
    match e {
        XmlError::Encoding(None) => {
            "its bytes are not valid text in the encoding it declares (UTF-8 when none)".into()
        }
        XmlError::Encoding(Some(label)) => format!("it declares the unknown encoding '{label}'"),
        XmlError::Doctype => "it carries a DOCTYPE (refused: entity declarations)".into(),
        XmlError::Entity(n) => format!("it uses the undeclared entity &{n};"),
        XmlError::TooDeep => format!(
            "nested deeper than {} elements",
            crate::published::xml::MAX_DEPTH
        ),
        XmlError::TooManyElements => {
            format!("more than {} elements", crate::published::xml::MAX_ELEMENTS)
        }
        XmlError::TextTooLong => format!(
            "a text longer than {} bytes",
            crate::published::xml::MAX_TEXT
        ),
        XmlError::Syntax(d) => format!("not well-formed XML: {d}"),
        XmlError::Empty => "empty".into(),
    }
}

fn refusal(why: &Refusal) -> String {
    match why {
        Refusal::NotHttps => "not HTTPS".into(),
        Refusal::OutsideDomain(h) => format!(
            "{h} is a public suffix, a parent of the domain or autodiscover.<its suffix>: never asked"
        ),
        Refusal::Stranger(h) => format!(
            "{h} is neither under the domain nor its provider's: a server may not send mailprobe, or a client's password, to a stranger"
        ),
        Refusal::BadTarget => "not a usable URL or host name".into(),
        Refusal::TooManyHops => format!("more than {} redirects", crate::published::MAX_HOPS),
    }
}

pub fn outcome(o: &Outcome) -> String {
    match o {
        Outcome::Settings(s) if s.is_empty() => {
            "a configuration with no IMAP, POP3 or SMTP server".into()
        }
        Outcome::Settings(s) => s.iter().map(setting).collect::<Vec<_>>().join("; "),
        Outcome::Status(401) => "HTTP 401 (asks for a login; none sent)".into(),
        Outcome::Status(s) => format!("HTTP {s}"),
        Outcome::ServerError { code } => match code {
            Some(c) => format!("Autodiscover error {c}"),
            None => "Autodiscover error".into(),
        },
        Outcome::Invalid(Invalid::Xml(e)) => format!("unreadable: {}", xml_error(e)),
        Outcome::Invalid(Invalid::NotAConfig { root }) => {
            format!("not a configuration (a <{root}> document)")
        }
        Outcome::Unavailable(e) => fetch_error(e),
        Outcome::Refused { target, why } => {
            format!("redirect to {target} not followed: {}", refusal(why))
        }
        Outcome::NoRecord => "no record".into(),
        Outcome::LookupFailed(e) => format!("lookup failed ({})", lookup_error_short(e)),
    }
}

fn check(c: &PublishedCheck) -> &'static str {
    match c.result {
        CheckResult::Confirmed => "✔",
        CheckResult::Warnings(_) => "!",
        CheckResult::Failed(_) | CheckResult::Unresolved => "✘",
        CheckResult::NotProbed(_) => "?",
    }
}

/// One source in the "What clients are told" section: where (the URL without its query, which
/// the JSON keeps) and what it said.
pub struct SourceLine {
    pub label: String,
    pub url: Option<String>,
    pub text: String,
}

/// The "What clients are told" lines. Sources with nothing there are summed up in one line so
/// the section stays short.
pub fn lines(p: &Published, checks: &[PublishedCheck]) -> Vec<SourceLine> {
    let mut out = Vec::new();
    let mut nothing: Vec<&str> = Vec::new();
    for s in &p.sources {
        let found = matches!(
            s.outcome,
            Outcome::Settings(_) | Outcome::Invalid(Invalid::Xml(_))
        ) || matches!(
            s.outcome,
            Outcome::Refused { .. } | Outcome::ServerError { .. }
        ) || matches!(s.outcome, Outcome::Status(s) if s != 404 && s != 405 && s != 410);
        if !found {
            if !nothing.contains(&method(s.method)) {
                nothing.push(method(s.method));
            }
            continue;
        }
        let transport = match s.transport {
            Transport::Http => " (plain HTTP)",
            Transport::Https | Transport::Dns => "",
        };
        let label = format!("{}{transport}", method(s.method));
        let url = match s.method {
            Method::Srv => None,
            Method::Autoconfig
            | Method::AutoconfigWellKnown
            | Method::Autodiscover
            | Method::AutodiscoverRoot
            | Method::AutodiscoverRedirect
            | Method::AutodiscoverSrv
            | Method::Ispdb
            | Method::AutoconfigMx
            | Method::IspdbMx => {
                let full = s.final_url.as_deref().unwrap_or(&s.url);
                Some(full.split('?').next().unwrap_or(full).to_string())
            }
        };
        let mut text = String::new();
        match &s.outcome {
            Outcome::Settings(settings) if !settings.is_empty() => {
                let marked: Vec<String> = settings
                    .iter()
                    .map(|x| {
                        let mark = checks.iter().find(|c| &c.setting == x).map_or("?", check);
                        format!("{mark} {}", setting(x))
                    })
                    .collect();
                // One setting per line.
                text.push_str(&marked.join("\n"));
            }
            o => text.push_str(&outcome(o)),
        }
        out.push(SourceLine { label, url, text });
    }
    let line = |label: &str, text: String| SourceLine {
        label: label.into(),
        url: None,
        text,
    };
    if !nothing.is_empty() {
        out.push(line("nothing found at", nothing.join(", ")));
    }
    let cname = match &p.microsoft_cname {
        Some(MicrosoftCname::InOrder) => {
            Some("autodiscover CNAME → autodiscover.outlook.com".to_string())
        }
        Some(MicrosoftCname::Missing) => Some("no autodiscover CNAME".into()),
        Some(MicrosoftCname::Elsewhere(t)) => Some(format!("autodiscover CNAME → {t}")),
        Some(MicrosoftCname::NotAlias) => {
            Some("autodiscover has its own address, not a CNAME".into())
        }
        None => None,
    };
    out.extend(cname.map(|c| line("Microsoft 365", c)));
    out
}

fn why(u: &Unconfirmed) -> String {
    crate::words::unconfirmed(u)
}

fn instead(i: &Option<SettingRef>) -> String {
    i.as_ref()
        .map(|r| format!("; {} works instead", setting_ref(r)))
        .unwrap_or_default()
}

/// The sentence of a finding about what clients are told.
pub fn message(fact: &PublishedFact) -> String {
    match fact {
        PublishedFact::PublishedSettingConfirmed { setting: s, methods: m } => {
            format!("{} clients {}, and it works from here", tell(m), setting(s))
        }
        PublishedFact::PublishedSettingBroken { setting: s, methods: m, why: w, instead: i } => format!(
            "{} clients {}, which fails: {}{}",
            tell(m), setting(s), why(w), instead(i)
        ),
        PublishedFact::PublishedSettingUnconfirmed { setting: s, methods: m, why: w } => format!(
            "{} clients {}, which could not be confirmed: {}",
            tell(m), setting(s), why(w)
        ),
        PublishedFact::PublishedSettingInsecure { setting: s, methods: m, instead: i } => format!(
            "{} clients {}: without encryption, the password crosses the network in clear{}",
            tell(m), setting(s), instead(i)
        ),
        PublishedFact::PublishedHostUnresolved { setting: s, methods: m } => format!(
            "{} clients {}, but {} does not resolve",
            tell(m), setting(s), s.host
        ),
        PublishedFact::PublishedSourcesDisagree { incoming, choices } => format!(
            "the sources clients read disagree on the {} server: {}",
            if *incoming { "incoming" } else { "outgoing" },
            choices
                .iter()
                .map(|(m, s)| format!("{} says {}", methods(m), setting(s)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        PublishedFact::PublishedConfigInsecureTransport { method: m, url } => format!(
            "{} is served only over plain HTTP ({url}): anyone on the path can rewrite the settings clients receive",
            method(*m)
        ),
        PublishedFact::PublishedConfigInvalid { method: m, url, error } => format!(
            "{} at {url} cannot be read: {}",
            method(*m),
            xml_error(error)
        ),
        PublishedFact::PublishedWorkingUnlisted { incoming, setting: s } => format!(
            "the {} setting that works, {}, is not what clients are told",
            if *incoming { "incoming" } else { "outgoing" },
            setting_ref(s)
        ),
        PublishedFact::PublishedNone { thunderbird_finds: false } => "no autoconfig or Autodiscover configuration is published: mail clients must be set up by hand".into(),
        PublishedFact::PublishedNone { thunderbird_finds: true } => "no autoconfig or Autodiscover configuration is published by the domain: Thunderbird still finds settings elsewhere (below), other mail clients must be set up by hand".into(),
        PublishedFact::PublishedUnreadable { failed } => format!(
            "whether autoconfig or Autodiscover is published is unknown: {}",
            failed
                .iter()
                .map(|(m, url, o)| format!("{} at {url}: {}", method(*m), outcome(o)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        PublishedFact::AutodiscoverCname { found } => match found {
            MicrosoftCname::Missing => format!(
                "the domain's mail is at Microsoft 365 but autodiscover.<domain> has no CNAME to {}: Outlook cannot find the account",
                crate::published::autodiscover::MICROSOFT_TARGET
            ),
            MicrosoftCname::Elsewhere(t) => format!(
                "the domain's mail is at Microsoft 365 but autodiscover.<domain> points to {t}, not {}: Outlook may be sent to an old server",
                crate::published::autodiscover::MICROSOFT_TARGET
            ),
            MicrosoftCname::NotAlias | MicrosoftCname::InOrder => format!(
                "the domain's mail is at Microsoft 365 but autodiscover.<domain> is not a CNAME to {}: Outlook may be sent to an old server",
                crate::published::autodiscover::MICROSOFT_TARGET
            ),
        },
        PublishedFact::ThunderbirdSetup { method: m, url, chosen } => thunderbird_setup(*m, url, chosen),
        PublishedFact::ThunderbirdGuesses => "Thunderbird finds no configuration (the domain's autoconfig, its ISPDB, its MX's) and guesses host names: clients are set up by trial".into(),
    }
}

/// "Thunderbird sets up IMAP … (confirmed) and SMTP … (fails: …) from its ISPDB (URL)".
fn thunderbird_setup(m: Method, url: &str, chosen: &[(Setting, CheckResult)]) -> String {
    let each: Vec<String> = chosen
        .iter()
        .map(|(s, r)| format!("{} ({})", setting(s), check_result(r)))
        .collect();
    format!(
        "Thunderbird sets up {} from {} ({url}), the first place in its order that gives settings",
        each.join(" and "),
        method(m)
    )
}

fn check_result(r: &CheckResult) -> String {
    match r {
        CheckResult::Confirmed => "works from here".into(),
        CheckResult::Warnings(_) => "answers, with warnings".into(),
        CheckResult::Failed(why) => format!("fails: {}", crate::words::unconfirmed(why)),
        CheckResult::Unresolved => "the name does not resolve".into(),
        CheckResult::NotProbed(_) => "not probed".into(),
    }
}

pub fn hint(fact: &PublishedFact) -> Option<String> {
    let text = match fact {
        PublishedFact::PublishedSettingBroken { .. } | PublishedFact::PublishedHostUnresolved { .. } => {
            "Every client set up automatically gets this broken setting: correct the published configuration (mailprobe --export autoconfig writes one from what works)."
        }
        PublishedFact::PublishedSettingInsecure { .. } => {
            "Publish the encrypted port instead (SSL/TLS or STARTTLS)."
        }
        PublishedFact::PublishedSettingUnconfirmed { .. } => {
            "Clients set up automatically will meet the same problem: fix the server or publish a setting that works."
        }
        PublishedFact::PublishedSourcesDisagree { .. } => {
            "Thunderbird, Outlook and phones read different sources: publish the same settings in all of them."
        }
        PublishedFact::PublishedConfigInsecureTransport { .. } => {
            "Serve it over HTTPS with a certificate valid for that name."
        }
        PublishedFact::PublishedConfigInvalid { .. } => "Clients ignore it: publish a well-formed file.",
        PublishedFact::PublishedWorkingUnlisted { .. } => {
            "Publish it, so that clients set up automatically get it."
        }
        PublishedFact::PublishedUnreadable { .. } => {
            "Run it again from a network that reaches the domain's web servers, or check them there."
        }
        PublishedFact::PublishedNone { .. } => {
            "mailprobe --export autoconfig writes a file to publish at https://autoconfig.<domain>/mail/config-v1.1.xml."
        }
        PublishedFact::ThunderbirdSetup { .. }
            if fact.code() == crate::judge::findings::Code::ThunderbirdSetupBroken =>
        {
            "Thunderbird users get these settings: publish working ones at https://autoconfig.<domain>/mail/config-v1.1.xml, which it asks first (mailprobe --export autoconfig writes one)."
        }
        PublishedFact::ThunderbirdGuesses => {
            "Publish autoconfig (mailprobe --export autoconfig writes one) so Thunderbird need not guess."
        }
        PublishedFact::AutodiscoverCname { .. } => {
            "Publish autodiscover.<domain> as a CNAME to autodiscover.outlook.com (Microsoft 365 admin center, Domains)."
        }
        PublishedFact::PublishedSettingConfirmed { .. } | PublishedFact::ThunderbirdSetup { .. } => {
            return None
        }
    };
    Some(text.to_string())
}
