//! SPF's structure, whether or not a sending server was found: the includes and the redirect
//! followed as a receiver follows them, the DNS-querying terms counted against RFC 7208's
//! limit of 10 (section 4.6.4) and the void lookups against its limit of 2, include targets
//! without an SPF record (a permerror for every sender), a permissive `all`, and `ptr`.
//! Records are parsed by mail-auth; only literal names are followed (a macro depends on the
//! sender, which is not known here).

use std::time::Duration;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::{Macro, Mechanism, Qualifier, Spf};

use crate::net::dns::{Dns, LookupError};

/// RFC 7208 4.6.4: terms that query DNS, over the whole evaluation.
pub const MAX_LOOKUPS: usize = 10;
/// RFC 7208 4.6.4: lookups that return nothing (no records, NXDOMAIN).
pub const MAX_VOID_LOOKUPS: usize = 2;
/// Most records fetched: a loop or a hostile tree ends here.
pub const MAX_RECORDS: usize = 24;

/// What the top record's `all` lets through, when it lets through more than it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissiveAll {
    /// `+all` (or a bare `all`): every address in the world may send as the domain.
    Pass,
    /// `?all`: says nothing; receivers treat every sender as neutral.
    Neutral,
}

/// The evaluated structure of a domain's SPF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpfTree {
    /// DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) in every record
    /// followed.
    pub lookups: usize,
    /// Names an `include`, `a` or `mx` term asked that gave nothing.
    pub void_lookups: Vec<String>,
    /// `include`/`redirect` targets without an SPF record.
    pub missing: Vec<String>,
    /// Targets whose lookup failed (SERVFAIL, a time-out): the counts are then lower bounds.
    pub unreadable: Vec<String>,
    pub permissive_all: Option<PermissiveAll>,
    /// Some record uses `ptr` (RFC 7208 5.5: SHOULD NOT).
    pub uses_ptr: bool,
    /// The record cap stopped the walk (a loop, or a tree too large to follow).
    pub truncated: bool,
    /// Single addresses the domain's own record lets send (`ip4:`/`ip6:` without a range, and
    /// the addresses of its `a` and `mx` terms), with the term's name: what receivers will see.
    /// Includes are a provider's pools and are left out.
    pub listed: Vec<(String, std::net::IpAddr)>,
}

/// Most single addresses taken from the record.
pub const MAX_LISTED: usize = 16;

impl SpfTree {
    pub fn too_many_lookups(&self) -> bool {
        self.lookups > MAX_LOOKUPS
    }

    pub fn too_many_void_lookups(&self) -> bool {
        self.void_lookups.len() > MAX_VOID_LOOKUPS
    }
}

/// Walks the SPF of `domain`, one level of includes at a time (each level's lookups at once),
/// within `budget`; `None` when it has no single valid record to start from (said by the
/// record's own findings).
pub async fn walk(dns: &Dns, domain: &str, budget: Duration) -> Option<SpfTree> {
    let deadline = tokio::time::Instant::now() + budget;
    let mut tree = SpfTree::default();
    let Fetched::Record(spf) = record(dns, domain).await else {
        return None;
    };
    tree.permissive_all = permissive_all(&spf);
    let listing = listed(dns, &spf, domain);
    let mut level: Vec<String> = Vec::new();
    count(&mut tree, &spf, domain, &mut level);
    let mut voids = void_candidates(&spf, domain);
    let mut fetched = 1;
    while !level.is_empty() {
        if fetched + level.len() > MAX_RECORDS {
            level.truncate(MAX_RECORDS.saturating_sub(fetched));
            tree.truncated = true;
        }
        fetched += level.len();
        let asked = futures::future::join_all(level.iter().map(|n| record(dns, n)));
        let Ok(answers) = tokio::time::timeout_at(deadline, asked).await else {
            tree.unreadable.append(&mut level);
            break;
        };
        let mut next = Vec::new();
        for (target, answer) in level.drain(..).zip(answers) {
            match answer {
                Fetched::Record(spf) => {
                    count(&mut tree, &spf, &target, &mut next);
                    voids.extend(void_candidates(&spf, &target));
                }
                Fetched::Nothing => {
                    tree.void_lookups.push(target.clone());
                    tree.missing.push(target);
                }
                Fetched::NoSpf => tree.missing.push(target),
                Fetched::Failed => tree.unreadable.push(target),
            }
        }
        level = next;
    }
    if let Ok(found) = tokio::time::timeout_at(deadline, listing).await {
        tree.listed = found;
    }
    voids.sort();
    voids.dedup();
    let asked = futures::future::join_all(voids.iter().map(|v| v.is_void(dns)));
    if let Ok(answers) = tokio::time::timeout_at(deadline, asked).await {
        for (v, void) in voids.iter().zip(answers) {
            if void && !tree.void_lookups.contains(&v.name) {
                tree.void_lookups.push(v.name.clone());
            }
        }
    }
    Some(tree)
}

enum Fetched {
    Record(Spf),
    /// NXDOMAIN or no TXT at all: a void lookup, and no SPF.
    Nothing,
    /// TXT records, none of them (one valid) SPF.
    NoSpf,
    Failed,
}

async fn record(dns: &Dns, name: &str) -> Fetched {
    let records = match dns.txt(name).await {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return Fetched::Nothing,
        Err(_) => return Fetched::Failed,
    };
    match super::sender::spf_records(&records).as_slice() {
        [one] => Spf::parse(one).map_or(Fetched::NoSpf, Fetched::Record),
        _ => Fetched::NoSpf,
    }
}

/// Adds a record's DNS-querying terms and queues its literal includes and redirect.
fn count(tree: &mut SpfTree, spf: &Spf, here: &str, queue: &mut Vec<String>) {
    for d in spf.directives.iter() {
        match &d.mechanism {
            Mechanism::Include { macro_string } => {
                tree.lookups += 1;
                if let Some(name) = literal(macro_string) {
                    queue.push(name);
                }
            }
            Mechanism::A { .. } | Mechanism::Mx { .. } | Mechanism::Exists { .. } => {
                tree.lookups += 1
            }
            Mechanism::Ptr { .. } => {
                tree.lookups += 1;
                tree.uses_ptr = true;
            }
            Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => {}
        }
    }
    // A redirect applies only when no `all` ends the record (RFC 7208 6.1).
    let has_all = spf
        .directives
        .iter()
        .any(|d| matches!(d.mechanism, Mechanism::All));
    if let (Some(m), false) = (&spf.redirect, has_all) {
        tree.lookups += 1;
        if let Some(name) = literal(m) {
            if name != here {
                queue.push(name);
            }
        }
    }
}

/// An `a` or `mx` term's name, to ask whether it gives anything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct VoidCandidate {
    name: String,
    mx: bool,
}

impl VoidCandidate {
    async fn is_void(&self, dns: &Dns) -> bool {
        if self.mx {
            matches!(dns.mx(&self.name).await, Err(ref e) if e.is_negative_answer())
        } else {
            dns.addresses(&self.name).await.is_negative()
        }
    }
}

fn void_candidates(spf: &Spf, here: &str) -> Vec<VoidCandidate> {
    spf.directives
        .iter()
        .filter_map(|d| match &d.mechanism {
            Mechanism::A { macro_string, .. } => Some((macro_string, false)),
            Mechanism::Mx { macro_string, .. } => Some((macro_string, true)),
            _ => None,
        })
        .filter_map(|(m, mx)| {
            let name = match m {
                Macro::None => Some(here.to_string()),
                m => literal(m),
            }?;
            Some(VoidCandidate { name, mx })
        })
        .collect()
}

/// The single addresses a record's own `+` terms name (see [`SpfTree::listed`]).
async fn listed(dns: &Dns, spf: &Spf, here: &str) -> Vec<(String, std::net::IpAddr)> {
    use std::net::IpAddr;
    let mut out: Vec<(String, IpAddr)> = Vec::new();
    let mut names: Vec<(String, bool)> = Vec::new();
    for d in spf
        .directives
        .iter()
        .filter(|d| d.qualifier == Qualifier::Pass)
    {
        match &d.mechanism {
            Mechanism::Ip4 { addr, mask } if *mask == u32::MAX => {
                out.push((format!("SPF ip4:{addr}"), IpAddr::V4(*addr)))
            }
            Mechanism::Ip6 { addr, mask } if *mask == u128::MAX => {
                out.push((format!("SPF ip6:{addr}"), IpAddr::V6(*addr)))
            }
            Mechanism::A { macro_string, .. } | Mechanism::Mx { macro_string, .. } => {
                let name = match macro_string {
                    Macro::None => Some(here.to_string()),
                    m => literal(m),
                };
                let mx = matches!(d.mechanism, Mechanism::Mx { .. });
                names.extend(name.map(|n| (n, mx)));
            }
            _ => {}
        }
    }
    let hosts = futures::future::join_all(names.iter().map(|(name, mx)| async move {
        if *mx {
            let exchanges = dns.mx(name).await.unwrap_or_default();
            exchanges
                .into_iter()
                .filter(|m| !m.is_null())
                .map(|m| m.exchange)
                .collect()
        } else {
            vec![name.clone()]
        }
    }))
    .await;
    let mut hosts: Vec<String> = hosts.into_iter().flatten().collect();
    hosts.dedup();
    let addresses = futures::future::join_all(hosts.iter().map(|h| dns.addresses(h))).await;
    for (host, found) in hosts.iter().zip(addresses) {
        out.extend(found.all().into_iter().map(|a| (host.clone(), a)));
    }
    let mut seen = Vec::new();
    out.retain(|(_, a)| {
        let new = !seen.contains(a);
        seen.push(*a);
        new
    });
    out.truncate(MAX_LISTED);
    out
}

fn literal(m: &Macro) -> Option<String> {
    match m {
        // A DNS name, not a host name: `_spf.google.com` has an underscore.
        Macro::Literal(name) => {
            let name = String::from_utf8_lossy(name)
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let label_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            (name.len() <= 253 && name.contains('.') && name.split('.').all(label_ok))
                .then_some(name)
        }
        _ => None,
    }
}

fn permissive_all(spf: &Spf) -> Option<PermissiveAll> {
    spf.directives
        .iter()
        .find(|d| matches!(d.mechanism, Mechanism::All))
        .and_then(|d| match d.qualifier {
            Qualifier::Pass => Some(PermissiveAll::Pass),
            Qualifier::Neutral => Some(PermissiveAll::Neutral),
            Qualifier::Fail | Qualifier::SoftFail => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_targets_are_dns_names_not_host_names() {
        let name = |s: &str| literal(&Macro::Literal(s.as_bytes().into()));
        assert_eq!(name("_spf.google.com"), Some("_spf.google.com".into()));
        assert_eq!(
            name("Spf.Protection.Outlook.com."),
            Some("spf.protection.outlook.com".into())
        );
        assert_eq!(name("localhost"), None);
        assert_eq!(name("a..b"), None);
        assert_eq!(name("bad name.example"), None);
        assert_eq!(name(&format!("{}.example", "a".repeat(64))), None);
    }
}
