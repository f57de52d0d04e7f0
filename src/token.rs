//! What a bearer token says about itself, read locally before anything is sent. Microsoft's
//! access tokens are JWTs whose claims can be read; Google's are opaque. The signature is never
//! checked (mailprobe has no key to check it with): the claims are evidence, not proof.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Longest token read; real access tokens are a few kilobytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Longest claim value kept.
const MAX_CLAIM_CHARS: usize = 200;

/// A token's readable claims, or that it has none to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenShape {
    /// A JWT: its claims, values escaped and bounded.
    Jwt(Claims),
    /// Not a JWT (Google's access tokens): nothing can be checked before it is used.
    Opaque,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `exp`, in Unix seconds.
    pub expires: Option<i64>,
    /// `aud`, one or several.
    pub audiences: Vec<String>,
    /// Delegated scopes (`scp`, space-separated) and application roles (`roles`).
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    /// Who the token is for: `upn`, `preferred_username`, `email` or `unique_name`.
    pub user: Option<String>,
    pub issuer: Option<String>,
}

/// Reads a token's claims: three base64url parts of which the middle one is a JSON object.
pub fn read(token: &str) -> TokenShape {
    claims(token).map_or(TokenShape::Opaque, TokenShape::Jwt)
}

fn claims(token: &str) -> Option<Claims> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let object = value.as_object()?;
    let text = |v: &serde_json::Value| -> Option<String> {
        v.as_str()
            .map(|s| crate::text::truncate(&crate::text::from_wire(s.as_bytes()), MAX_CLAIM_CHARS))
    };
    let list = |key: &str| -> Vec<String> {
        match object.get(key) {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(text).take(64).collect()
            }
            Some(v) => text(v).into_iter().collect(),
            None => Vec::new(),
        }
    };
    let scopes = object
        .get("scp")
        .and_then(text)
        .map(|s| s.split_whitespace().take(64).map(str::to_string).collect())
        .unwrap_or_default();
    let user = ["upn", "preferred_username", "email", "unique_name"]
        .iter()
        .find_map(|k| object.get(*k).and_then(text));
    Some(Claims {
        expires: object.get("exp").and_then(serde_json::Value::as_i64),
        audiences: list("aud"),
        scopes,
        roles: list("roles"),
        user,
        issuer: object.get("iss").and_then(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn a_microsoft_token_s_claims_are_read() {
        let t = jwt(
            r#"{"aud":"https://outlook.office.com","iss":"https://sts.windows.net/x/","exp":1700000000,"scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"alice@contoso.com"}"#,
        );
        let TokenShape::Jwt(c) = read(&t) else {
            panic!("not read")
        };
        assert_eq!(c.expires, Some(1_700_000_000));
        assert_eq!(c.audiences, ["https://outlook.office.com"]);
        assert_eq!(c.scopes, ["IMAP.AccessAsUser.All", "SMTP.Send"]);
        assert_eq!(c.user.as_deref(), Some("alice@contoso.com"));
    }

    #[test]
    fn anything_else_is_opaque() {
        assert_eq!(
            read("ya29.a0AfH6SMBopaque-google-token"),
            TokenShape::Opaque
        );
        assert_eq!(read("a.b.c.d"), TokenShape::Opaque);
        assert_eq!(read(&jwt("[1]")), TokenShape::Opaque);
        assert_eq!(read(&"x.".repeat(MAX_TOKEN_BYTES)), TokenShape::Opaque);
    }
}
