//! OAuth 2.0 bearer tokens over SASL: OAUTHBEARER (RFC 7628) and XOAUTH2 (Google's and
//! Microsoft's older form). The token is a secret exactly like a password: built into the
//! initial response in memory that is wiped, sent only where a password could be, and scrubbed
//! from everything the server says back.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use zeroize::Zeroizing;

/// Longest error challenge read (RFC 7628 §3.2.2's JSON is a few hundred bytes).
const MAX_CHALLENGE: usize = 4096;
/// Longest value kept from the server's error JSON.
const MAX_VALUE_CHARS: usize = 200;

/// The SASL mechanism a bearer token goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthMechanism {
    /// RFC 7628: GS2 header, `host=`, `port=`, `auth=Bearer …`.
    OAuthBearer,
    /// The older form Google and Microsoft document: `user=`, `auth=Bearer …`.
    XOAuth2,
}

impl OAuthMechanism {
    pub fn name(self) -> &'static str {
        match self {
            Self::OAuthBearer => "OAUTHBEARER",
            Self::XOAuth2 => "XOAUTH2",
        }
    }

    /// What the client answers to the server's error challenge so that the server ends the
    /// exchange with its final "no" instead of waiting: OAUTHBEARER a single %x01 (RFC 7628
    /// §3.2.3), XOAUTH2 an empty response.
    pub fn abort_response(self) -> &'static str {
        match self {
            Self::OAuthBearer => "AQ==",
            Self::XOAuth2 => "",
        }
    }
}

/// The mechanism to use among those offered: the standard one first.
pub fn choose(offered: &[String]) -> Option<OAuthMechanism> {
    let has = |m: &str| offered.iter().any(|o| o.eq_ignore_ascii_case(m));
    if has("OAUTHBEARER") {
        Some(OAuthMechanism::OAuthBearer)
    } else if has("XOAUTH2") {
        Some(OAuthMechanism::XOAuth2)
    } else {
        None
    }
}

/// Where the token is presented (OAUTHBEARER names the host and port it was meant for).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub host: &'a str,
    pub port: u16,
}

/// The base64 initial response carrying the token.
pub fn initial_response(
    mechanism: OAuthMechanism,
    username: &str,
    token: &str,
    target: Target<'_>,
) -> Zeroizing<String> {
    let raw = Zeroizing::new(match mechanism {
        OAuthMechanism::OAuthBearer => format!(
            "n,a={},\x01host={}\x01port={}\x01auth=Bearer {token}\x01\x01",
            gs2_name(username),
            target.host,
            target.port
        ),
        OAuthMechanism::XOAuth2 => format!("user={username}\x01auth=Bearer {token}\x01\x01"),
    });
    Zeroizing::new(BASE64.encode(raw.as_bytes()))
}

/// A GS2 authzid (RFC 5801 §4): `,` and `=` escaped.
fn gs2_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

/// The server's error (RFC 7628 §3.2.2), values escaped and bounded: it is the server's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OAuthError {
    /// The HTTP-style status: `invalid_token`, `insufficient_scope`, `400`, `401`, …
    pub status: Option<String>,
    /// The scope the server wants.
    pub scope: Option<String>,
    pub schemes: Option<String>,
    /// Where the server's OpenID configuration says tokens come from.
    pub openid_configuration: Option<String>,
}

/// Reads the error JSON from a challenge's base64 text; `None` when it is not one.
pub fn parse_error(challenge: &[u8]) -> Option<OAuthError> {
    let text = challenge.trim_ascii();
    if text.is_empty() || text.len() > MAX_CHALLENGE {
        return None;
    }
    let json = BASE64.decode(text).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let object = value.as_object()?;
    let field = |key: &str| {
        object.get(key).map(|v| {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            crate::text::truncate(&crate::text::from_wire(s.as_bytes()), MAX_VALUE_CHARS)
        })
    };
    Some(OAuthError {
        status: field("status"),
        scope: field("scope"),
        schemes: field("schemes"),
        openid_configuration: field("openid-configuration"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(s: &str) -> String {
        String::from_utf8(BASE64.decode(s).unwrap()).unwrap()
    }

    #[test]
    fn initial_responses_follow_their_specifications() {
        let target = Target {
            host: "imap.example.com",
            port: 993,
        };
        let bearer = initial_response(OAuthMechanism::OAuthBearer, "a,b=c@x", "tok", target);
        assert_eq!(
            decoded(&bearer),
            "n,a=a=2Cb=3Dc@x,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"
        );
        let x = initial_response(OAuthMechanism::XOAuth2, "u@x", "tok", target);
        assert_eq!(decoded(&x), "user=u@x\x01auth=Bearer tok\x01\x01");
    }

    #[test]
    fn the_standard_mechanism_is_preferred() {
        let offered = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            choose(&offered(&["PLAIN", "XOAUTH2", "OAUTHBEARER"])),
            Some(OAuthMechanism::OAuthBearer)
        );
        assert_eq!(
            choose(&offered(&["xoauth2"])),
            Some(OAuthMechanism::XOAuth2)
        );
        assert_eq!(choose(&offered(&["PLAIN", "LOGIN"])), None);
    }

    #[test]
    fn error_challenges_are_read_and_bounded() {
        let json = r#"{"status":"invalid_token","scope":"https://mail.google.com/","schemes":"Bearer","openid-configuration":"https://accounts.google.com/.well-known/openid-configuration"}"#;
        let e = parse_error(BASE64.encode(json).as_bytes()).unwrap();
        assert_eq!(e.status.as_deref(), Some("invalid_token"));
        assert_eq!(e.scope.as_deref(), Some("https://mail.google.com/"));
        assert!(e
            .openid_configuration
            .unwrap()
            .starts_with("https://accounts.google.com/"));
        // Microsoft's numeric status, control characters escaped, garbage refused.
        let e = parse_error(
            BASE64
                .encode(r#"{"status":401,"schemes":"bearer\u001b[31m"}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(e.status.as_deref(), Some("401"));
        assert!(!e.schemes.unwrap().contains('\u{1b}'));
        assert_eq!(parse_error(b"not base64!"), None);
        assert_eq!(parse_error(BASE64.encode("[1,2]").as_bytes()), None);
        assert_eq!(parse_error(&vec![b'A'; MAX_CHALLENGE + 4]), None);
    }
}
