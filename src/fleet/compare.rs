//! `--compare OLD.jsonl`: what changed per domain since a previous run, read from its JSON
//! reports (the stable contract) and the new ones: settings that stopped working, MX or
//! provider changes, certificates about to expire, new errors; and what got better.

use std::collections::HashMap;
use std::io::BufRead;

/// What is kept of one report: a few hundred bytes, whatever the report's size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub incoming: Option<Setting>,
    pub outgoing: Option<Setting>,
    pub mx: Vec<String>,
    pub provider: Option<String>,
    pub errors: Vec<String>,
    /// (host, days left) of every certificate presented.
    pub certificates: Vec<(String, i64)>,
    /// The MTA-STS record's id and the policy fetched, when any.
    pub mta_sts: Option<MtaSts>,
}

/// What senders cache of an MTA-STS policy, keyed by the record's id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MtaSts {
    pub id: String,
    pub policy: MtaStsPolicy,
}

/// The policy's fields that change what senders do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MtaStsPolicy {
    pub mode: String,
    pub mx: Vec<String>,
    pub max_age: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub host: String,
    pub port: u64,
    pub security: String,
    pub confirmed: bool,
}

/// One change between two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The recommended setting worked cleanly and now does not (or there is none).
    StoppedWorking {
        incoming: bool,
        was: Setting,
    },
    /// Another setting is recommended now, both working.
    SettingMoved {
        incoming: bool,
        was: Setting,
        now: Setting,
    },
    MxChanged {
        was: Vec<String>,
        now: Vec<String>,
    },
    ProviderChanged {
        was: Option<String>,
        now: Option<String>,
    },
    /// A certificate came within the expiry threshold (or expired) since the compared run.
    CertificateExpiring {
        host: String,
        days_left: i64,
    },
    /// It was already within the threshold then: a problem that persists, not a regression.
    CertificateStillExpiring {
        host: String,
        days_left: i64,
    },
    NewError {
        code: String,
    },
    /// The MTA-STS policy changed but its id did not: senders keep the policy they cached
    /// (up to its max_age) and never fetch the new one.
    MtaStsPolicyChangedSameId {
        id: String,
    },
    /// The id changed, the policy did not: harmless, senders fetch the same policy again.
    MtaStsIdChangedSamePolicy {
        was: String,
        now: String,
    },
    /// Improvements.
    NowWorking {
        incoming: bool,
        now: Setting,
    },
    ErrorGone {
        code: String,
    },
}

impl Change {
    /// Whether this is worse than before (decided in [`crate::judge::policy::is_regression`]).
    pub fn is_regression(&self) -> bool {
        crate::judge::policy::is_regression(self)
    }
}

/// Longest line read from the old file (a report of a domain with a thousand probes).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Why the old run cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OldRunError {
    Open(String),
    /// A line that is not a report (its number).
    NotAReport(usize),
    LineTooLong(usize),
    /// A FIFO, device or folder: only a finished run's file is compared.
    NotARegularFile,
}

/// The snapshots of an old JSONL run, by canonical domain (the last report of a domain wins).
/// Streamed line by line into the few fields compared: memory stays a few hundred bytes per
/// domain, plus one line, whatever the file's size.
pub fn read_old(path: &std::path::Path) -> Result<HashMap<String, Snapshot>, OldRunError> {
    let open_error =
        |e: std::io::Error| OldRunError::Open(crate::text::escape_controls(&e.to_string()));
    // Opening a FIFO would wait for a writer forever: only regular files are read.
    if !std::fs::metadata(path).map_err(open_error)?.is_file() {
        return Err(OldRunError::NotARegularFile);
    }
    let file = std::fs::File::open(path).map_err(open_error)?;
    let mut reader = std::io::BufReader::new(file);
    let mut out = HashMap::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = std::io::Read::take(&mut reader, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(open_error)?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(OldRunError::LineTooLong(number));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (domain, snapshot) = parse_line(&line).ok_or(OldRunError::NotAReport(number))?;
        out.insert(domain, snapshot);
    }
    Ok(out)
}

/// One line of an old run: its canonical domain and what is compared, if it is a report.
pub fn parse_line(line: &[u8]) -> Option<(String, Snapshot)> {
    let report: view::Report = serde_json::from_slice(line).ok()?;
    let domain = report
        .domain
        .as_deref()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    Some((domain, snapshot(report)))
}

/// The few fields of a JSON report that are compared: a `Deserialize` subset of the report's
/// view (unknown keys ignored, so newer reports read as well as older ones).
pub mod view {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Report {
        pub domain: Option<String>,
        pub recommended: Option<Recommended>,
        pub mx: Option<Vec<Mx>>,
        pub provider: Option<Provider>,
        pub findings: Option<Vec<Finding>>,
        pub probes: Option<Vec<Probe>>,
        pub delivery: Option<Delivery>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Recommended {
        pub incoming: Option<Vec<Setting>>,
        pub outgoing: Option<Vec<Setting>>,
    }

    #[derive(Deserialize, Default, Clone)]
    #[serde(default)]
    pub struct Setting {
        pub host: Option<String>,
        pub port: Option<u64>,
        pub security: Option<String>,
        pub confirmed: Option<bool>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Mx {
        pub exchange: Option<String>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Provider {
        pub id: Option<String>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Finding {
        pub severity: Option<String>,
        pub code: Option<String>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Probe {
        pub host: Option<String>,
        pub tls: Option<Tls>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Tls {
        pub certificate: Option<Certificate>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Certificate {
        pub days_left: Option<i64>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Delivery {
        pub mta_sts: Option<MtaSts>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct MtaSts {
        pub id: Option<String>,
        pub policy: Option<String>,
        pub mode: Option<String>,
        pub mx: Option<Vec<String>>,
        pub max_age: Option<u64>,
    }
}

/// What a report says, in the few fields compared.
pub fn snapshot(v: view::Report) -> Snapshot {
    let setting = |list: &Option<Vec<view::Setting>>| {
        list.iter().flatten().next().and_then(|r| {
            r.host.as_ref().map(|host| Setting {
                host: host.clone(),
                port: r.port.unwrap_or_default(),
                security: r.security.clone().unwrap_or_default(),
                confirmed: r.confirmed.unwrap_or_default(),
            })
        })
    };
    let mut mx: Vec<String> =
        v.mx.iter()
            .flatten()
            .filter_map(|m| m.exchange.clone())
            .collect();
    mx.sort();
    let mut errors: Vec<String> = v
        .findings
        .iter()
        .flatten()
        .filter(|f| f.severity.as_deref() == Some("error"))
        .filter_map(|f| f.code.clone())
        .collect();
    errors.sort();
    errors.dedup();
    let mut certificates: Vec<(String, i64)> = Vec::new();
    for p in v.probes.iter().flatten() {
        let Some(host) = &p.host else { continue };
        let days = p
            .tls
            .as_ref()
            .and_then(|t| t.certificate.as_ref())
            .and_then(|c| c.days_left);
        if let Some(days) = days {
            if !certificates.iter().any(|(h, _)| h == host) {
                certificates.push((host.clone(), days));
            }
        }
    }
    let mta_sts =
        v.delivery
            .and_then(|d| d.mta_sts)
            .and_then(|s| match (s.id, s.policy.as_deref()) {
                (Some(id), Some("fetched")) => Some(MtaSts {
                    id,
                    policy: MtaStsPolicy {
                        mode: s.mode.unwrap_or_default(),
                        mx: s.mx.unwrap_or_default(),
                        max_age: s.max_age.unwrap_or_default(),
                    },
                }),
                _ => None,
            });
    Snapshot {
        mta_sts,
        incoming: setting(&v.recommended.as_ref().and_then(|r| r.incoming.clone())),
        outgoing: setting(&v.recommended.as_ref().and_then(|r| r.outgoing.clone())),
        mx,
        provider: v.provider.and_then(|p| p.id),
        errors,
        certificates,
    }
}

/// The changes from `old` to `new`; certificates expiring within `expiry_days` count.
pub fn compare(old: &Snapshot, new: &Snapshot, expiry_days: i64) -> Vec<Change> {
    let mut out = Vec::new();
    for (incoming, was, now) in [
        (true, &old.incoming, &new.incoming),
        (false, &old.outgoing, &new.outgoing),
    ] {
        let worked = |s: &Option<Setting>| s.as_ref().filter(|s| s.confirmed).cloned();
        match (worked(was), worked(now)) {
            (Some(w), None) => out.push(Change::StoppedWorking { incoming, was: w }),
            (None, Some(n)) => out.push(Change::NowWorking { incoming, now: n }),
            (Some(w), Some(n)) if (&w.host, w.port) != (&n.host, n.port) => {
                out.push(Change::SettingMoved {
                    incoming,
                    was: w,
                    now: n,
                })
            }
            _ => {}
        }
    }
    if old.mx != new.mx {
        out.push(Change::MxChanged {
            was: old.mx.clone(),
            now: new.mx.clone(),
        });
    }
    if old.provider != new.provider {
        out.push(Change::ProviderChanged {
            was: old.provider.clone(),
            now: new.provider.clone(),
        });
    }
    for (host, days_left) in &new.certificates {
        if *days_left > expiry_days {
            continue;
        }
        let before = old
            .certificates
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, d)| *d);
        // Already expiring (or expired) last time: still a problem, no longer news.
        let persisting = before.is_some_and(|d| d <= expiry_days);
        out.push(if persisting {
            Change::CertificateStillExpiring {
                host: host.clone(),
                days_left: *days_left,
            }
        } else {
            Change::CertificateExpiring {
                host: host.clone(),
                days_left: *days_left,
            }
        });
    }
    if let (Some(was), Some(now)) = (&old.mta_sts, &new.mta_sts) {
        if was.id == now.id && was.policy != now.policy {
            out.push(Change::MtaStsPolicyChangedSameId { id: now.id.clone() });
        } else if was.id != now.id && was.policy == now.policy {
            out.push(Change::MtaStsIdChangedSamePolicy {
                was: was.id.clone(),
                now: now.id.clone(),
            });
        }
    }
    for code in new.errors.iter().filter(|c| !old.errors.contains(c)) {
        out.push(Change::NewError { code: code.clone() });
    }
    for code in old.errors.iter().filter(|c| !new.errors.contains(c)) {
        out.push(Change::ErrorGone { code: code.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(host: &str, confirmed: bool) -> Option<Setting> {
        Some(Setting {
            host: host.into(),
            port: 993,
            security: "tls".into(),
            confirmed,
        })
    }

    #[test]
    fn regressions_and_improvements() {
        let old = Snapshot {
            incoming: s("imap.a.test", true),
            outgoing: s("smtp.a.test", false),
            mx: vec!["mx.a.test".into()],
            provider: Some("self_hosted".into()),
            errors: vec!["no_working_outgoing".into()],
            certificates: vec![],
            mta_sts: None,
        };
        let new = Snapshot {
            incoming: s("imap.a.test", false),
            outgoing: s("smtp.a.test", true),
            mx: vec!["mx.b.test".into()],
            provider: Some("self_hosted".into()),
            errors: vec!["certificate_expired".into()],
            certificates: vec![("imap.a.test".into(), 5), ("smtp.a.test".into(), 90)],
            mta_sts: None,
        };
        let changes = compare(&old, &new, 21);
        let regressions: Vec<&Change> = changes.iter().filter(|c| c.is_regression()).collect();
        assert_eq!(regressions.len(), 4, "{changes:#?}");
        assert!(changes.contains(&Change::CertificateExpiring {
            host: "imap.a.test".into(),
            days_left: 5
        }));
        assert!(changes.contains(&Change::ErrorGone {
            code: "no_working_outgoing".into()
        }));
        assert!(changes.iter().any(|c| matches!(
            c,
            Change::NowWorking {
                incoming: false,
                ..
            }
        )));
        assert!(compare(&new, &new, 1).is_empty());
    }

    #[test]
    fn an_mta_sts_policy_changed_under_the_same_id_is_a_regression() {
        let with = |id: &str, mx: &str| Snapshot {
            mta_sts: Some(MtaSts {
                id: id.into(),
                policy: MtaStsPolicy {
                    mode: "enforce".into(),
                    mx: vec![mx.into()],
                    max_age: 86400,
                },
            }),
            ..Snapshot::default()
        };
        let changes = compare(&with("1", "mx.a"), &with("1", "mx.b"), 21);
        assert_eq!(
            changes,
            [Change::MtaStsPolicyChangedSameId { id: "1".into() }]
        );
        assert!(changes[0].is_regression());
        let changes = compare(&with("1", "mx.a"), &with("2", "mx.a"), 21);
        assert!(!changes[0].is_regression());
        assert!(compare(&with("1", "mx.p"), &with("2", "mx.q"), 21).is_empty());
    }
}
