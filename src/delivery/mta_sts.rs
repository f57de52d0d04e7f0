//! MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy file fetched over HTTPS, and the
//! policy's MX patterns. mail-auth parses the TXT record; the policy file has no maintained
//! parser, so its few lines are read here.

use crate::net::dns::{Dns, LookupError};
use crate::net::http::{FetchError, Http};

/// The largest `max_age` the RFC allows (one year).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// Everything learnt about a domain's MTA-STS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtaSts {
    pub txt: TxtState,
    /// Not fetched when neither the TXT record nor the policy host exists.
    pub policy: PolicyState,
    pub policy_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtState {
    Missing,
    /// One valid `v=STSv1` record with this id.
    Present {
        id: String,
    },
    /// More than one STSv1 record: senders treat this as no MTA-STS.
    Several,
    /// A record starting `v=STSv1` that does not parse.
    Invalid {
        record: String,
    },
    LookupFailed(LookupError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyState {
    Fetched(Policy),
    /// HTTP answered, but not with a policy.
    BadResponse {
        status: u16,
        content_type: Option<String>,
    },
    Invalid {
        problems: Vec<PolicyProblem>,
    },
    Unavailable(FetchError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    pub mx: Vec<String>,
    pub max_age: u64,
    /// The response's media type was not text/plain (RFC 8461 section 3.2).
    pub wrong_media_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Enforce,
    Testing,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    NoVersion,
    BadVersion(String),
    NoMode,
    BadMode(String),
    NoMaxAge,
    BadMaxAge(String),
    /// `enforce` or `testing` without any `mx` line.
    NoMx,
    BadMxPattern(String),
    NotUtf8,
}

/// Looks up the TXT record and fetches the policy at once.
pub async fn check(dns: &Dns, http: &Http, domain: &str, port: u16) -> MtaSts {
    let authority = match port {
        443 => format!("mta-sts.{domain}"),
        other => format!("mta-sts.{domain}:{other}"),
    };
    let policy_url = format!("https://{authority}/.well-known/mta-sts.txt");
    let txt_name = format!("_mta-sts.{domain}");
    let (txt, fetched) = tokio::join!(dns.txt(&txt_name), http.get(&policy_url));
    let txt = txt_state(txt);
    let policy = match fetched {
        Err(e) => PolicyState::Unavailable(e),
        Ok(f) if f.status != 200 => PolicyState::BadResponse {
            status: f.status,
            content_type: f.content_type,
        },
        Ok(f) => match parse_policy(&f.body) {
            Ok(mut p) => {
                p.wrong_media_type = f.content_type.filter(|t| t != "text/plain");
                PolicyState::Fetched(p)
            }
            Err(problems) => PolicyState::Invalid { problems },
        },
    };
    MtaSts {
        txt,
        policy,
        policy_url,
    }
}

fn txt_state(found: Result<Vec<Vec<u8>>, LookupError>) -> TxtState {
    use mail_auth::common::parse::TxtRecordParser;
    let records = match found {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return TxtState::Missing,
        Err(e) => return TxtState::LookupFailed(e),
    };
    let sts: Vec<&Vec<u8>> = records
        .iter()
        .filter(|r| r.len() >= 7 && r[..7].eq_ignore_ascii_case(b"v=STSv1"))
        .collect();
    match sts.as_slice() {
        [] => TxtState::Missing,
        [one] => match mail_auth::mta_sts::MtaSts::parse(one) {
            // RFC 8461 section 3.1: id = 1*32(ALPHA / DIGIT).
            Ok(parsed) if valid_id(&parsed.id) => TxtState::Present { id: parsed.id },
            Ok(_) => TxtState::Invalid {
                record: crate::text::truncate(&crate::text::from_wire(one), 200),
            },
            Err(_) => TxtState::Invalid {
                record: crate::text::truncate(&crate::text::from_wire(one), 200),
            },
        },
        _ => TxtState::Several,
    }
}

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Parses a policy file: `key: value` lines (CRLF or LF), unknown keys ignored.
pub fn parse_policy(body: &[u8]) -> Result<Policy, Vec<PolicyProblem>> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(vec![PolicyProblem::NotUtf8]);
    };
    let mut problems = Vec::new();
    let (mut version, mut mode, mut max_age) = (None, None, None);
    let mut mx = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "version" => version = Some(value.to_string()),
            "mode" => mode = Some(value.to_string()),
            "max_age" => max_age = Some(value.to_string()),
            // Every `mx` line counts (the body is already capped): a sender reads them all.
            "mx" => {
                if valid_pattern(value) {
                    mx.push(value.trim_end_matches('.').to_ascii_lowercase());
                } else {
                    problems.push(PolicyProblem::BadMxPattern(shown(value)));
                }
            }
            _ => {}
        }
    }
    match version.as_deref() {
        None => problems.push(PolicyProblem::NoVersion),
        Some("STSv1") => {}
        Some(other) => problems.push(PolicyProblem::BadVersion(shown(other))),
    }
    let mode = match mode.as_deref() {
        Some("enforce") => Some(Mode::Enforce),
        Some("testing") => Some(Mode::Testing),
        Some("none") => Some(Mode::None),
        None => {
            problems.push(PolicyProblem::NoMode);
            None
        }
        Some(other) => {
            problems.push(PolicyProblem::BadMode(shown(other)));
            None
        }
    };
    let max_age = match max_age.as_deref().map(|v| (v, v.parse::<u64>())) {
        None => {
            problems.push(PolicyProblem::NoMaxAge);
            None
        }
        Some((_, Ok(n))) if n <= MAX_AGE_LIMIT && n.to_string().len() <= 10 => Some(n),
        Some((v, _)) => {
            problems.push(PolicyProblem::BadMaxAge(shown(v)));
            None
        }
    };
    if mx.is_empty() && matches!(mode, Some(Mode::Enforce | Mode::Testing)) {
        problems.push(PolicyProblem::NoMx);
    }
    match (mode, max_age) {
        (Some(mode), Some(max_age)) if problems.is_empty() => Ok(Policy {
            mode,
            mx,
            max_age,
            wrong_media_type: None,
        }),
        _ => Err(problems),
    }
}

fn shown(value: &str) -> String {
    crate::text::truncate(&crate::text::escape_controls(value), 100)
}

/// A host name, or `*.` followed by one (RFC 8461 section 3.2: the wildcard only leftmost).
fn valid_pattern(p: &str) -> bool {
    let name = p.strip_prefix("*.").unwrap_or(p).trim_end_matches('.');
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `host` is covered by `pattern` (RFC 8461 section 4.1): an exact name, or `*.rest`,
/// where the wildcard stands for exactly one leftmost label.
pub fn covers(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_covers_exactly_one_leftmost_label() {
        assert!(covers("*.example.com", "mail.example.com"));
        assert!(covers("*.example.com", "MAIL.Example.com."));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "mail.example.net"));
        assert!(!covers("*.example.com", ".example.com"));
        assert!(covers("mail.example.com", "mail.example.com."));
        assert!(!covers("mail.example.com", "x.mail.example.com"));
    }

    #[test]
    fn a_policy_parses_with_crlf_lf_and_unknown_keys() {
        let p = parse_policy(
            b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\nmx: *.example.net\r\nmax_age: 86400\r\nextra: x\r\n",
        )
        .unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.mx, vec!["mail.example.com", "*.example.net"]);
        assert_eq!(p.max_age, 86400);
    }

    #[test]
    fn every_problem_is_named() {
        let e = parse_policy(b"mode: strict\nmax_age: 99999999999\nmx: *.*.bad\n").unwrap_err();
        assert!(e.contains(&PolicyProblem::NoVersion));
        assert!(e.contains(&PolicyProblem::BadMode("strict".into())));
        assert!(e.contains(&PolicyProblem::BadMaxAge("99999999999".into())));
        assert!(e.contains(&PolicyProblem::BadMxPattern("*.*.bad".into())));
        assert_eq!(
            parse_policy(b"version: STSv1\nmode: enforce\nmax_age: 60\n").unwrap_err(),
            vec![PolicyProblem::NoMx]
        );
        assert!(parse_policy(b"version: STSv1\nmode: none\nmax_age: 60\n").is_ok());
        assert_eq!(
            parse_policy(&[0xff, 0xfe]).unwrap_err(),
            vec![PolicyProblem::NotUtf8]
        );
    }

    #[test]
    fn txt_records_are_read_as_senders_read_them() {
        let state = |records: &[&str]| {
            txt_state(Ok(records.iter().map(|r| r.as_bytes().to_vec()).collect()))
        };
        assert_eq!(
            state(&["v=STSv1; id=20261124T000000;"]),
            TxtState::Present {
                id: "20261124T000000".into()
            }
        );
        assert_eq!(state(&["v=spf1 -all"]), TxtState::Missing);
        assert_eq!(
            state(&["v=STSv1; id=1;", "v=STSv1; id=2;"]),
            TxtState::Several
        );
        for bad in [
            "v=STSv1; id=2026-01-01;",
            "v=STSv1; id=123456789012345678901234567890123;",
        ] {
            assert!(matches!(state(&[bad]), TxtState::Invalid { .. }), "{bad}");
        }
        assert_eq!(
            state(&["v=STSv1; id=12345678901234567890123456789012;"]),
            TxtState::Present {
                id: "12345678901234567890123456789012".into()
            }
        );
        assert_eq!(
            state(&["v=STSv1; id=1;", "v=STSv1; id=2;"]),
            TxtState::Several
        );
        assert!(matches!(
            state(&["v=STSv1; nothing"]),
            TxtState::Invalid { .. }
        ));
        assert_eq!(txt_state(Err(LookupError::NxDomain)), TxtState::Missing);
    }

    #[test]
    fn every_mx_line_is_read() {
        let mut body = String::from("version: STSv1\nmode: enforce\nmax_age: 86400\n");
        for i in 1..=40 {
            body.push_str(&format!("mx: mx{i}.example.com\n"));
        }
        let p = parse_policy(body.as_bytes()).unwrap();
        assert_eq!(p.mx.len(), 40);
        assert_eq!(p.mx[39], "mx40.example.com");
    }
}
