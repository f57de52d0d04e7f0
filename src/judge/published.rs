//! What mail clients are told, held against what answered: each published setting confirmed,
//! broken (and why), insecure, or pointing at a host that does not resolve; sources that
//! disagree; configuration served over plain HTTP; working settings nobody publishes.

use super::findings::{Code, Fact, Finding, SettingRef, Unconfirmed};
use super::recommend::{ClientSecurity, Recommended};
use super::{policy, SettingStatus, Verdict};
use crate::judge::findings::PublishedFact;
use crate::plan::ResolvedCandidate;
use crate::published::{Invalid, Method, MicrosoftCname, Outcome, Published, Setting, Transport};
use crate::service::Security;

/// One published setting (announced by one or more sources) and what the probes said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCheck {
    pub setting: Setting,
    /// Every source that announces it.
    pub methods: Vec<Method>,
    pub result: CheckResult,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckResult {
    /// Works cleanly: trusted certificate for the name, encrypted.
    Confirmed,
    /// It answers, with these warnings.
    Warnings(Vec<Code>),
    /// Every address failed; the first failure.
    Failed(Unconfirmed),
    /// The host has no address.
    Unresolved,
    /// Not probed (its address family or the probe cap left it out), with the run's limit
    /// that left it out when one did.
    NotProbed(Option<crate::probe::Skip>),
}

/// Checks every distinct published setting against the settings the probes judged.
pub fn checks(
    published: &Published,
    settings: &[SettingStatus],
    candidates: &[ResolvedCandidate],
) -> Vec<PublishedCheck> {
    let mut out: Vec<PublishedCheck> = Vec::new();
    for (source, s) in published.settings() {
        if let Some(c) = out.iter_mut().find(|c| same(&c.setting, s)) {
            if !c.methods.contains(&source.method) {
                c.methods.push(source.method);
            }
            continue;
        }
        out.push(PublishedCheck {
            setting: s.clone(),
            methods: vec![source.method],
            result: result(s, settings, candidates),
        });
    }
    out
}

fn same(a: &Setting, b: &Setting) -> bool {
    a.protocol == b.protocol && a.host == b.host && a.port == b.port && a.security == b.security
}

fn status<'a>(s: &Setting, settings: &'a [SettingStatus]) -> Option<&'a SettingStatus> {
    settings
        .iter()
        .find(|x| x.host == s.host && x.service.port == s.port && x.service.protocol == s.protocol)
}

fn result(
    s: &Setting,
    settings: &[SettingStatus],
    candidates: &[ResolvedCandidate],
) -> CheckResult {
    match status(s, settings) {
        Some(x) if policy::confirmed(x.verdict) && s.security != Security::Plain => {
            CheckResult::Confirmed
        }
        // Probes that were never made are not a failure of the setting.
        Some(x) if !x.was_probed() => CheckResult::NotProbed(x.skip()),
        Some(x) if x.verdict == Verdict::Fails => CheckResult::Failed(match &x.cause {
            Some(failure) => Unconfirmed::Failed {
                service: x.service,
                failure: failure.clone(),
            },
            None => Unconfirmed::NotProbed,
        }),
        Some(x) => CheckResult::Warnings(x.warnings.clone()),
        None => {
            let unresolved = candidates
                .iter()
                .filter(|c| c.candidate.name == s.host)
                .any(|c| c.addresses.all().is_empty());
            if unresolved {
                CheckResult::Unresolved
            } else {
                CheckResult::NotProbed(None)
            }
        }
    }
}

/// The findings about what clients are told.
/// `known_provider`: the MX is a recognised mailbox provider's, whose settings clients carry
/// in their own databases (Thunderbird's ISPDB, Outlook's): nothing published is then normal.
pub fn findings(
    published: &Published,
    checks: &[PublishedCheck],
    settings: &[SettingStatus],
    recommended: &Recommended,
    known_provider: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checks {
        out.extend(setting_finding(c, settings));
    }
    out.extend(disagreements(published));
    out.extend(source_findings(published));
    out.extend(unlisted(published, recommended));
    if let Some(found) = &published.microsoft_cname {
        if *found != MicrosoftCname::InOrder {
            out.push(Finding::new(Fact::Published(
                PublishedFact::AutodiscoverCname {
                    found: found.clone(),
                },
            )));
        }
    }
    // What the domain itself publishes: Thunderbird's databases say nothing about it.
    let own =
        |s: &&crate::published::Source| s.method != Method::Srv && !s.method.is_client_database();
    let thunderbird_choice = crate::published::thunderbird::choice(&published.sources);
    let announced = published
        .sources
        .iter()
        .filter(own)
        .any(|s| !s.settings().is_empty());
    if !announced && !known_provider {
        let failed: Vec<(Method, String, Outcome)> = published
            .sources
            .iter()
            .filter(own)
            .filter(|s| !policy::shows_absence(&s.outcome))
            .map(|s| (s.method, s.url.clone(), s.outcome.clone()))
            .collect();
        out.push(Finding::new(if failed.is_empty() {
            Fact::Published(PublishedFact::PublishedNone {
                thunderbird_finds: thunderbird_choice
                    .is_some_and(|s| s.method.is_client_database()),
            })
        } else {
            Fact::Published(PublishedFact::PublishedUnreadable { failed })
        }));
    }
    // "Nothing published" already says Thunderbird guesses; a recognised provider's domain
    // has it said when the ISPDB has nothing either.
    let said_none = out.iter().any(|f| f.code == Code::PublishedNone);
    out.extend(
        thunderbird(published, thunderbird_choice, checks)
            .filter(|f| !said_none || f.code != Code::ThunderbirdGuesses),
    );
    out
}

/// Where Thunderbird's wizard gets its settings, and whether the first incoming and outgoing
/// ones it sets up work.
fn thunderbird(
    published: &Published,
    choice: Option<&crate::published::Source>,
    checks: &[PublishedCheck],
) -> Option<Finding> {
    let Some(source) = choice else {
        // It guesses only when every place it looks answered "nothing here", the ISPDB too.
        let asked_ispdb = published.sources.iter().any(|s| s.method == Method::Ispdb);
        let all_absent = published
            .sources
            .iter()
            .filter(|s| !matches!(s.method, Method::Srv | Method::AutodiscoverSrv))
            .all(|s| policy::shows_absence(&s.outcome));
        return (asked_ispdb && all_absent)
            .then(|| Finding::new(Fact::Published(PublishedFact::ThunderbirdGuesses)));
    };
    let chosen = [source.first(true), source.first(false)]
        .into_iter()
        .flatten()
        .map(|s| {
            let result = checks
                .iter()
                .find(|c| same(&c.setting, s))
                .map_or(CheckResult::NotProbed(None), |c| c.result.clone());
            (s.clone(), result)
        })
        .collect();
    Some(Finding::new(Fact::Published(
        PublishedFact::ThunderbirdSetup {
            method: source.method,
            url: source
                .final_url
                .clone()
                .unwrap_or_else(|| source.url.clone()),
            chosen,
        },
    )))
}

fn setting_finding(c: &PublishedCheck, settings: &[SettingStatus]) -> Option<Finding> {
    let s = &c.setting;
    let at = |f: Fact| Some(Finding::new(f).at(&s.host, Some(s.port)));
    // An SRV target that does not resolve is said once, by the SRV finding.
    let srv_only = c.methods.iter().all(|m| *m == Method::Srv);
    match &c.result {
        CheckResult::Unresolved if srv_only => None,
        CheckResult::Unresolved => at(Fact::Published(PublishedFact::PublishedHostUnresolved {
            setting: s.clone(),
            methods: c.methods.clone(),
        })),
        CheckResult::Failed(why) => at(Fact::Published(PublishedFact::PublishedSettingBroken {
            setting: s.clone(),
            methods: c.methods.clone(),
            why: why.clone(),
            instead: working_instead(s, settings),
        })),
        _ if s.security == Security::Plain => {
            at(Fact::Published(PublishedFact::PublishedSettingInsecure {
                setting: s.clone(),
                methods: c.methods.clone(),
                instead: working_instead(s, settings),
            }))
        }
        CheckResult::Warnings(w) => at(Fact::Published(
            PublishedFact::PublishedSettingUnconfirmed {
                setting: s.clone(),
                methods: c.methods.clone(),
                why: Unconfirmed::Warnings(w.clone()),
            },
        )),
        CheckResult::NotProbed(skip) => at(Fact::Published(
            PublishedFact::PublishedSettingUnconfirmed {
                setting: s.clone(),
                methods: c.methods.clone(),
                why: skip.map_or(Unconfirmed::NotProbed, Unconfirmed::Skipped),
            },
        )),
        CheckResult::Confirmed => at(Fact::Published(PublishedFact::PublishedSettingConfirmed {
            setting: s.clone(),
            methods: c.methods.clone(),
        })),
    }
}

/// The best confirmed, encrypted setting of the same protocol: on the same host first.
fn working_instead(s: &Setting, settings: &[SettingStatus]) -> Option<SettingRef> {
    let mut candidates: Vec<&SettingStatus> = settings
        .iter()
        .filter(|x| {
            x.service.protocol == s.protocol
                && policy::client_may_use(&x.service)
                && policy::confirmed(x.verdict)
                && x.service.security != Security::Plain
        })
        .collect();
    candidates.sort_by_key(|x| (x.host != s.host, policy::rank(x)));
    candidates.first().map(|x| SettingRef {
        host: x.host.clone(),
        port: x.service.port,
        security: match x.service.security {
            Security::Tls => ClientSecurity::SslTls,
            Security::StartTls => ClientSecurity::StartTls,
            Security::Plain => ClientSecurity::None,
        },
    })
}

/// Sources whose first incoming (or outgoing) setting differs: clients of one kind get other
/// settings than clients of another.
fn disagreements(published: &Published) -> Vec<Finding> {
    let mut out = Vec::new();
    for incoming in [true, false] {
        let mut choices: Vec<(Vec<Method>, Setting)> = Vec::new();
        for source in &published.sources {
            let Some(first) = source.first(incoming) else {
                continue;
            };
            match choices.iter_mut().find(|(_, s)| same(s, first)) {
                Some((methods, _)) if !methods.contains(&source.method) => {
                    methods.push(source.method)
                }
                Some(_) => {}
                None => choices.push((vec![source.method], first.clone())),
            }
        }
        if choices.len() > 1 {
            out.push(Finding::new(Fact::Published(
                PublishedFact::PublishedSourcesDisagree { incoming, choices },
            )));
        }
    }
    out
}

/// Per source: configuration only over plain HTTP, and configuration that cannot be read.
fn source_findings(published: &Published) -> Vec<Finding> {
    let mut out = Vec::new();
    let over_https = |m: Method| {
        published
            .sources
            .iter()
            .any(|s| s.method == m && s.transport == Transport::Https && !s.settings().is_empty())
    };
    for s in &published.sources {
        if s.transport == Transport::Http && !s.settings().is_empty() && !over_https(s.method) {
            out.push(Finding::new(Fact::Published(
                PublishedFact::PublishedConfigInsecureTransport {
                    method: s.method,
                    url: s.url.clone(),
                },
            )));
        }
        if let Outcome::Invalid(Invalid::Xml(e)) = &s.outcome {
            out.push(Finding::new(Fact::Published(
                PublishedFact::PublishedConfigInvalid {
                    method: s.method,
                    url: s.final_url.clone().unwrap_or_else(|| s.url.clone()),
                    error: e.clone(),
                },
            )));
        }
    }
    out
}

/// The recommended settings, when something is published but not them.
fn unlisted(published: &Published, rec: &Recommended) -> Vec<Finding> {
    let any = published.sources.iter().any(|s| !s.settings().is_empty());
    if !any {
        return Vec::new();
    }
    policy::chosen(rec)
        .into_iter()
        .flatten()
        .filter(|r| r.confirmed)
        .filter(|r| {
            !published
                .settings()
                .any(|(_, s)| s.host == r.host && s.port == r.port && s.protocol == r.protocol)
        })
        .map(|r| {
            Finding::new(Fact::Published(PublishedFact::PublishedWorkingUnlisted {
                incoming: r.protocol.is_incoming(),
                setting: r.as_ref(),
            }))
        })
        .collect()
}
