//! A bearer token judged before it is used: expired, meant for another service, lacking the
//! protocol's scope, issued to another user; or opaque, so nothing could be checked. Read from
//! the token's own claims, with no network and without checking its signature.

use super::findings::{Fact, Finding};
use crate::judge::findings::ProbeFact;
use crate::provider::oauth;
use crate::service::Protocol;
use crate::token::TokenShape;

/// What is wrong with a token, or that it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    Expired {
        /// When, in Unix seconds, and how long before the run.
        at: i64,
        seconds_ago: i64,
    },
    /// A token from a provider's issuer for another API than its mail service.
    AudienceWrong {
        audiences: Vec<String>,
        /// What it should be for (the provider table's first audience).
        wanted: &'static str,
    },
    /// A Microsoft token without the scope (or app role) this protocol needs.
    ScopeMissing {
        protocol: Protocol,
        wanted: &'static str,
        has: Vec<String>,
    },
    /// Issued to someone else than the login's username.
    UserMismatch {
        token_user: String,
        username: String,
    },
    /// Not a JWT (Google's tokens): its expiry, audience and scopes cannot be read.
    Opaque,
}

/// The findings about `shape` for a login as `username` over `protocols`, at `now`.
pub fn findings(
    shape: &TokenShape,
    username: &str,
    protocols: &[Protocol],
    now: i64,
) -> Vec<Finding> {
    problems(shape, username, protocols, now)
        .into_iter()
        .map(|problem| Finding::new(Fact::Probe(ProbeFact::Token { problem })))
        .collect()
}

pub fn problems(
    shape: &TokenShape,
    username: &str,
    protocols: &[Protocol],
    now: i64,
) -> Vec<TokenProblem> {
    let TokenShape::Jwt(c) = shape else {
        return vec![TokenProblem::Opaque];
    };
    let mut out = Vec::new();
    if let Some(at) = c.expires.filter(|at| *at <= now) {
        out.push(TokenProblem::Expired {
            at,
            seconds_ago: now - at,
        });
    }
    // The issuer says whose token it is; the provider table says what it must carry.
    if let Some(o) = c.issuer.as_deref().and_then(oauth::for_issuer) {
        let for_mail = c
            .audiences
            .iter()
            .any(|a| o.audiences.contains(&a.trim_end_matches('/')));
        if !for_mail {
            out.push(TokenProblem::AudienceWrong {
                audiences: c.audiences.clone(),
                wanted: o.audiences.first().copied().unwrap_or_default(),
            });
        } else {
            for needs in protocols.iter().filter_map(|p| o.protocol(*p)) {
                let has = |list: &[String], s: &str| list.iter().any(|x| x.eq_ignore_ascii_case(s));
                let role = needs.app_role.is_some_and(|r| has(&c.roles, r));
                if !has(&c.scopes, needs.scope) && !role {
                    out.push(TokenProblem::ScopeMissing {
                        protocol: needs.protocol,
                        wanted: needs.scope,
                        has: c.scopes.iter().chain(&c.roles).cloned().collect(),
                    });
                }
            }
        }
    }
    if let Some(user) = c
        .user
        .as_ref()
        .filter(|u| !u.eq_ignore_ascii_case(username))
    {
        out.push(TokenProblem::UserMismatch {
            token_user: user.clone(),
            username: username.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::Claims;

    fn ms(aud: &str, scp: &str, exp: i64, upn: &str) -> TokenShape {
        TokenShape::Jwt(Claims {
            expires: Some(exp),
            audiences: vec![aud.into()],
            scopes: scp.split_whitespace().map(str::to_string).collect(),
            roles: vec![],
            user: Some(upn.into()),
            issuer: Some("https://sts.windows.net/tenant/".into()),
        })
    }

    #[test]
    fn each_problem_is_found_and_nothing_else() {
        let now = 1_800_000_000;
        let good = ms(
            "https://outlook.office.com",
            "IMAP.AccessAsUser.All SMTP.Send",
            now + 600,
            "a@x.com",
        );
        let all = [Protocol::Imap, Protocol::Smtp];
        assert_eq!(problems(&good, "A@x.com", &all, now), vec![]);
        let expired = ms(
            "https://outlook.office.com",
            "IMAP.AccessAsUser.All SMTP.Send",
            now - 60,
            "a@x.com",
        );
        assert_eq!(
            problems(&expired, "a@x.com", &all, now),
            vec![TokenProblem::Expired {
                at: now - 60,
                seconds_ago: 60
            }]
        );
        let graph = ms(
            "https://graph.microsoft.com",
            "Mail.Read",
            now + 600,
            "a@x.com",
        );
        assert!(matches!(
            problems(&graph, "a@x.com", &all, now)[..],
            [TokenProblem::AudienceWrong { .. }]
        ));
        let no_smtp = ms(
            "https://outlook.office.com",
            "IMAP.AccessAsUser.All",
            now + 600,
            "a@x.com",
        );
        assert!(matches!(
            problems(&no_smtp, "a@x.com", &all, now)[..],
            [TokenProblem::ScopeMissing {
                protocol: Protocol::Smtp,
                wanted: "SMTP.Send",
                ..
            }]
        ));
        let other = ms(
            "https://outlook.office.com",
            "IMAP.AccessAsUser.All SMTP.Send",
            now + 600,
            "b@x.com",
        );
        assert!(matches!(
            problems(&other, "a@x.com", &all, now)[..],
            [TokenProblem::UserMismatch { .. }]
        ));
        assert_eq!(
            problems(&TokenShape::Opaque, "a@x.com", &all, now),
            vec![TokenProblem::Opaque]
        );
    }
}
