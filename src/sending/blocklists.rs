//! DNS blocklists (opt-in): is a sending address listed where receivers look? Each list is
//! first asked its RFC 5782 test points through the run's resolver (127.0.0.2 must be listed,
//! 127.0.0.1 must not; `::ffff:127.0.0.2` for IPv6) and only a list that passes is asked about
//! the addresses. Anything else is "cannot tell" with its reason, never "not listed": lists
//! refuse public resolvers (Spamhaus answers 127.255.255.254), rate-limit, or close and list
//! everything. One query per address and list per run; the resolver's cache shares the answers
//! across a fleet.

use std::net::{IpAddr, Ipv4Addr};

use crate::net::dns::{Dns, LookupError};

/// What a list's return code says (RFC 5782 leaves meanings to each list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A source of spam (Spamhaus SBL; most lists' 127.0.0.2).
    Spam,
    /// Low reputation or snowshoe spam (Spamhaus CSS).
    LowReputation,
    /// An infected or exploited machine (Spamhaus XBL).
    Exploited,
    /// A hijacked or criminal network (Spamhaus DROP).
    Hijacked,
    /// An end-user range its ISP says should not send directly (Spamhaus PBL, ISP-maintained).
    PolicyIsp,
    /// An end-user range Spamhaus says should not send directly (PBL, Spamhaus-maintained).
    PolicyList,
    /// Listed, with a code this list's table does not name.
    Listed,
}

/// A list mailprobe knows: its codes' meanings, where to delist, and its terms of use.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownList {
    pub zone: &'static str,
    pub name: &'static str,
    /// Answers for IPv6 addresses.
    pub ipv6: bool,
    /// Last octet of a 127.0.0.x answer → meaning.
    pub codes: &'static [(u8, Meaning)],
    pub delist: &'static str,
    /// Its terms of use, in one line (the README repeats them).
    pub terms: &'static str,
    pub source: &'static str,
}

/// The lists `--blocklists` asks: free for low-volume use, documented return codes, a
/// self-service delisting page. Barracuda (registration) and SORBS (closed in 2024) are not.
pub const DEFAULT_LISTS: &[KnownList] = &[
    KnownList {
        zone: "zen.spamhaus.org",
        name: "Spamhaus ZEN",
        ipv6: true,
        codes: &[
            (2, Meaning::Spam),
            (3, Meaning::LowReputation),
            (4, Meaning::Exploited),
            (5, Meaning::Exploited),
            (6, Meaning::Exploited),
            (7, Meaning::Exploited),
            (9, Meaning::Hijacked),
            (10, Meaning::PolicyIsp),
            (11, Meaning::PolicyList),
        ],
        delist: "https://check.spamhaus.org/",
        terms: "free for low-volume, non-commercial use through your own resolver; public resolvers are refused (127.255.255.254)",
        source: "https://www.spamhaus.org/faqs/dnsbl-usage/",
    },
    KnownList {
        zone: "bl.spamcop.net",
        name: "SpamCop",
        ipv6: false,
        codes: &[(2, Meaning::Spam)],
        delist: "https://www.spamcop.net/bl.shtml",
        terms: "free; listings expire on their own 24 hours after the last report",
        source: "https://www.spamcop.net/fom-serve/cache/291.html",
    },
    KnownList {
        zone: "psbl.surriel.com",
        name: "PSBL",
        ipv6: false,
        codes: &[(2, Meaning::Spam)],
        delist: "https://psbl.org/",
        terms: "free; self-service removal",
        source: "https://psbl.org/",
    },
];

/// Most lists asked (the defaults and the user's own).
pub const MAX_LISTS: usize = 8;
/// Longest TXT reason kept.
const MAX_REASON: usize = 300;

/// Why a list gives no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CannotTell {
    /// The list refuses this resolver (127.255.255.254: a public or shared resolver).
    ResolverRefused(Ipv4Addr),
    /// Too many queries from this resolver (127.255.255.255).
    RateLimited(Ipv4Addr),
    /// The list answered an error code of its own (127.255.255.x).
    ErrorCode(Ipv4Addr),
    /// Its test address 127.0.0.2 is not listed: the list is gone, or refuses silently.
    TestPointNotListed,
    /// Its never-listed test address 127.0.0.1 is listed: it lists everything.
    ListsEverything,
    /// An answer outside 127.0.0.0/8 (a resolver that rewrites NXDOMAIN, a hijacked zone).
    OddAnswer(IpAddr),
    /// The list gives no answers for IPv6 addresses.
    NoIpv6,
    /// The query failed (a time-out, SERVFAIL).
    LookupFailed(LookupError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Listed {
        /// Each 127.0.0.x answer with what the list means by it.
        codes: Vec<(Ipv4Addr, Meaning)>,
        /// The list's TXT record for the address, escaped later, cut to 300 characters.
        reason: Option<String>,
    },
    NotListed,
    CannotTell(CannotTell),
}

/// One list, as its test points found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub zone: String,
    pub known: Option<&'static KnownList>,
    pub ipv4: Usable,
    pub ipv6: Usable,
}

/// Whether a list's answers for one address family can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usable {
    Yes,
    /// No address of this family was to be checked.
    NotAsked,
    No(CannotTell),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub host: String,
    pub address: IpAddr,
    pub zone: String,
    pub answer: Answer,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocklists {
    pub lists: Vec<List>,
    pub lookups: Vec<Lookup>,
}

/// The zones of the default lists.
pub fn default_zones() -> Vec<String> {
    DEFAULT_LISTS.iter().map(|l| l.zone.to_string()).collect()
}

pub fn known(zone: &str) -> Option<&'static KnownList> {
    DEFAULT_LISTS
        .iter()
        .find(|l| l.zone.eq_ignore_ascii_case(zone))
}

impl KnownList {
    pub fn meaning(&self, code: Ipv4Addr) -> Meaning {
        let [a, b, c, d] = code.octets();
        match (a, b, c) {
            (127, 0, 0) => self
                .codes
                .iter()
                .find(|(o, _)| *o == d)
                .map_or(Meaning::Listed, |(_, m)| *m),
            _ => Meaning::Listed,
        }
    }
}

/// `2.0.0.127.zen.spamhaus.org` for 127.0.0.2; the 32 nibbles reversed for IPv6 (RFC 5782 2.4).
pub fn query_name(address: IpAddr, zone: &str) -> String {
    let reverse = crate::net::dns::reverse_name(address);
    let labels = reverse
        .trim_end_matches(".in-addr.arpa")
        .trim_end_matches(".ip6.arpa");
    format!("{labels}.{zone}")
}

/// What one A answer means, before any meaning of the list's own.
fn read(answer: Result<Vec<Ipv4Addr>, LookupError>) -> Answer {
    match answer {
        Ok(codes) if codes.is_empty() => Answer::NotListed,
        Ok(codes) => {
            if let Some(odd) = codes.iter().find(|c| c.octets()[0] != 127) {
                return Answer::CannotTell(CannotTell::OddAnswer(IpAddr::V4(*odd)));
            }
            if let Some(error) = codes.iter().find(|c| c.octets()[..3] == [127, 255, 255]) {
                return Answer::CannotTell(match error.octets()[3] {
                    254 => CannotTell::ResolverRefused(*error),
                    255 => CannotTell::RateLimited(*error),
                    _ => CannotTell::ErrorCode(*error),
                });
            }
            Answer::Listed {
                codes: codes.into_iter().map(|c| (c, Meaning::Listed)).collect(),
                reason: None,
            }
        }
        Err(e) if e.is_negative_answer() => Answer::NotListed,
        Err(e) => Answer::CannotTell(CannotTell::LookupFailed(e)),
    }
}

/// Asks a list its two test points for one family.
async fn test_points(dns: &Dns, zone: &str, v6: bool) -> Usable {
    let point = |last: u8| -> IpAddr {
        let v4 = Ipv4Addr::new(127, 0, 0, last);
        if v6 {
            IpAddr::V6(v4.to_ipv6_mapped())
        } else {
            IpAddr::V4(v4)
        }
    };
    let (listed, clean) = (query_name(point(2), zone), query_name(point(1), zone));
    let (listed, clean) = tokio::join!(dns.ipv4(&listed), dns.ipv4(&clean));
    Usable::No(match (read(listed), read(clean)) {
        (Answer::CannotTell(why), _) | (_, Answer::CannotTell(why)) => why,
        (Answer::NotListed, _) if v6 => CannotTell::NoIpv6,
        (Answer::NotListed, _) => CannotTell::TestPointNotListed,
        (Answer::Listed { .. }, Answer::Listed { .. }) => CannotTell::ListsEverything,
        (Answer::Listed { .. }, Answer::NotListed) => return Usable::Yes,
    })
}

async fn check_list(dns: &Dns, zone: &str, any_v4: bool, any_v6: bool) -> List {
    let ipv4 = async {
        match any_v4 {
            true => test_points(dns, zone, false).await,
            false => Usable::NotAsked,
        }
    };
    let ipv6 = async {
        match known(zone) {
            _ if !any_v6 => Usable::NotAsked,
            Some(k) if !k.ipv6 => Usable::No(CannotTell::NoIpv6),
            _ => test_points(dns, zone, true).await,
        }
    };
    let (ipv4, ipv6) = tokio::join!(ipv4, ipv6);
    List {
        zone: zone.to_string(),
        known: known(zone),
        ipv4,
        ipv6,
    }
}

async fn look_up(dns: &Dns, list: &List, host: &str, address: IpAddr) -> Lookup {
    let usable = match address {
        IpAddr::V4(_) => &list.ipv4,
        IpAddr::V6(_) => &list.ipv6,
    };
    let answer = match usable {
        Usable::No(why) => Answer::CannotTell(why.clone()),
        // Never reached: a family with an address to check is always asked.
        Usable::NotAsked => Answer::CannotTell(CannotTell::NoIpv6),
        Usable::Yes => {
            let name = query_name(address, &list.zone);
            match read(dns.ipv4(&name).await) {
                Answer::Listed { codes, .. } => Answer::Listed {
                    codes: codes
                        .into_iter()
                        .map(|(c, _)| (c, list.known.map_or(Meaning::Listed, |k| k.meaning(c))))
                        .collect(),
                    reason: reason(dns, &name).await,
                },
                other => other,
            }
        }
    };
    Lookup {
        host: host.to_string(),
        address,
        zone: list.zone.clone(),
        answer,
    }
}

/// The list's TXT record for a listed address: its own words, usually with a link.
async fn reason(dns: &Dns, name: &str) -> Option<String> {
    let txt = dns.txt(name).await.ok()?;
    let first = txt.first()?;
    Some(crate::text::truncate(
        &crate::text::from_wire(first),
        MAX_REASON,
    ))
}

/// Every list's test points, then every address on every usable list, all at once (the
/// resolver's in-flight cap bounds the fan-out).
pub async fn check(dns: &Dns, zones: &[String], addresses: &[(String, IpAddr)]) -> Blocklists {
    if addresses.is_empty() {
        return Blocklists::default();
    }
    let any_v4 = addresses.iter().any(|(_, a)| a.is_ipv4());
    let any_v6 = addresses.iter().any(|(_, a)| a.is_ipv6());
    let lists = zones.iter().map(|z| check_list(dns, z, any_v4, any_v6));
    let lists: Vec<List> = futures::future::join_all(lists).await;
    let each = lists.iter().flat_map(|list| {
        addresses
            .iter()
            .map(move |(host, address)| look_up(dns, list, host, *address))
    });
    let lookups = futures::future::join_all(each).await;
    Blocklists { lists, lookups }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_follow_rfc_5782() {
        assert_eq!(
            query_name("192.0.2.99".parse().unwrap(), "bl.example"),
            "99.2.0.192.bl.example"
        );
        let v6 = query_name("2001:db8:1:2:3:4:567:89ab".parse().unwrap(), "bl.example");
        assert_eq!(
            v6,
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example"
        );
    }

    #[test]
    fn answers_are_read_before_any_list_meaning() {
        let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert_eq!(
            read(Ok(vec![a("127.255.255.254")])),
            Answer::CannotTell(CannotTell::ResolverRefused(a("127.255.255.254")))
        );
        assert_eq!(
            read(Ok(vec![a("127.255.255.255")])),
            Answer::CannotTell(CannotTell::RateLimited(a("127.255.255.255")))
        );
        assert_eq!(
            read(Ok(vec![a("127.255.255.252")])),
            Answer::CannotTell(CannotTell::ErrorCode(a("127.255.255.252")))
        );
        assert_eq!(
            read(Ok(vec![a("198.51.100.7")])),
            Answer::CannotTell(CannotTell::OddAnswer("198.51.100.7".parse().unwrap()))
        );
        assert_eq!(read(Err(LookupError::NxDomain)), Answer::NotListed);
        assert_eq!(
            read(Err(LookupError::ServFail)),
            Answer::CannotTell(CannotTell::LookupFailed(LookupError::ServFail))
        );
        assert!(matches!(
            read(Ok(vec![a("127.0.0.10")])),
            Answer::Listed { .. }
        ));
    }

    #[test]
    fn spamhaus_codes_have_their_meanings() {
        let zen = known("ZEN.spamhaus.org").unwrap();
        assert_eq!(zen.meaning(Ipv4Addr::new(127, 0, 0, 4)), Meaning::Exploited);
        assert_eq!(
            zen.meaning(Ipv4Addr::new(127, 0, 0, 10)),
            Meaning::PolicyIsp
        );
        assert_eq!(zen.meaning(Ipv4Addr::new(127, 0, 0, 99)), Meaning::Listed);
    }
}
