//! `--compare OLD.jsonl`: what changed per domain since a previous run, read from its JSON
//! reports (the stable contract) and the new ones: settings that stopped working, MX or
//! provider changes, certificates about to expire, new errors; and what got better.

use std::collections::HashMap;
use std::io::BufRead;

use serde_json::Value;

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
    /// The MTA-STS record's id and the policy fetched (mode, mx patterns, max_age), when any.
    pub mta_sts: Option<(String, String)>,
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
    CertificateExpiring {
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
    /// Whether this is worse than before.
    pub fn is_regression(&self) -> bool {
        matches!(
            self,
            Self::StoppedWorking { .. }
                | Self::MxChanged { .. }
                | Self::ProviderChanged { .. }
                | Self::CertificateExpiring { .. }
                | Self::NewError { .. }
                | Self::MtaStsPolicyChangedSameId { .. }
        )
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
}

/// The snapshots of an old JSONL run, by domain (the last report of a domain wins).
pub fn read_old(path: &std::path::Path) -> Result<HashMap<String, Snapshot>, OldRunError> {
    let file = std::fs::File::open(path)
        .map_err(|e| OldRunError::Open(crate::text::escape_controls(&e.to_string())))?;
    let mut reader = std::io::BufReader::new(file);
    let mut out = HashMap::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = std::io::Read::take(&mut reader, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| OldRunError::Open(crate::text::escape_controls(&e.to_string())))?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(OldRunError::LineTooLong(number));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value =
            serde_json::from_slice(&line).map_err(|_| OldRunError::NotAReport(number))?;
        let Some(domain) = v["domain"].as_str() else {
            return Err(OldRunError::NotAReport(number));
        };
        out.insert(domain.to_string(), snapshot(&v));
    }
    Ok(out)
}

/// What a report says, in the few fields compared.
pub fn snapshot(v: &Value) -> Snapshot {
    let setting = |key: &str| {
        let r = &v["recommended"][key][0];
        r["host"].as_str().map(|host| Setting {
            host: host.to_string(),
            port: r["port"].as_u64().unwrap_or(0),
            security: r["security"].as_str().unwrap_or_default().to_string(),
            confirmed: r["confirmed"].as_bool().unwrap_or(false),
        })
    };
    let mut mx: Vec<String> = v["mx"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["exchange"].as_str().map(str::to_string))
        .collect();
    mx.sort();
    let mut errors: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    errors.sort();
    errors.dedup();
    let mut certificates: Vec<(String, i64)> = Vec::new();
    for p in v["probes"].as_array().into_iter().flatten() {
        let (Some(host), Some(days)) = (
            p["host"].as_str(),
            p["tls"]["certificate"]["days_left"].as_i64(),
        ) else {
            continue;
        };
        if !certificates.iter().any(|(h, _)| h == host) {
            certificates.push((host.to_string(), days));
        }
    }
    let sts = &v["delivery"]["mta_sts"];
    let mta_sts = match (sts["id"].as_str(), sts["policy"].as_str()) {
        (Some(id), Some("fetched")) => Some((
            id.to_string(),
            format!("{} {} {}", sts["mode"], sts["mx"], sts["max_age"]),
        )),
        _ => None,
    };
    Snapshot {
        mta_sts,
        incoming: setting("incoming"),
        outgoing: setting("outgoing"),
        mx,
        provider: v["provider"]["id"].as_str().map(str::to_string),
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
        if *days_left <= expiry_days {
            out.push(Change::CertificateExpiring {
                host: host.clone(),
                days_left: *days_left,
            });
        }
    }
    if let (Some((old_id, old_policy)), Some((new_id, new_policy))) = (&old.mta_sts, &new.mta_sts) {
        if old_id == new_id && old_policy != new_policy {
            out.push(Change::MtaStsPolicyChangedSameId { id: new_id.clone() });
        } else if old_id != new_id && old_policy == new_policy {
            out.push(Change::MtaStsIdChangedSamePolicy {
                was: old_id.clone(),
                now: new_id.clone(),
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
        let with = |id: &str, policy: &str| Snapshot {
            mta_sts: Some((id.into(), policy.into())),
            ..Snapshot::default()
        };
        let changes = compare(&with("1", "enforce mx.a"), &with("1", "enforce mx.b"), 21);
        assert_eq!(
            changes,
            [Change::MtaStsPolicyChangedSameId { id: "1".into() }]
        );
        assert!(changes[0].is_regression());
        let changes = compare(&with("1", "enforce mx.a"), &with("2", "enforce mx.a"), 21);
        assert!(!changes[0].is_regression());
        assert!(compare(&with("1", "p"), &with("2", "q"), 21).is_empty());
    }
}
