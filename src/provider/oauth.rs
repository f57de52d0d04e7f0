//! Which providers need OAuth 2.0 for which protocol, and what a token for them must carry.
//! Pure data with sources, like the provider table; the token's claims are judged against it.

use crate::service::Protocol;

/// Whether a password still works for a protocol at a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLogin {
    /// Only OAuth works.
    Gone,
    /// Off by default, an administrator can turn it back on (Microsoft 365 SMTP AUTH).
    OffByDefault,
    /// Only with an app password (2-step verification on).
    AppPasswordOnly,
}

/// One protocol's requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolOAuth {
    pub protocol: Protocol,
    pub password: PasswordLogin,
    /// The delegated scope a user's token needs.
    pub scope: &'static str,
    /// The application permission (app-only tokens), where there is one.
    pub app_role: Option<&'static str>,
}

/// A provider's OAuth requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderOAuth {
    /// The provider table's id.
    pub provider: &'static str,
    /// The audiences a token for its mail service carries (JWT `aud`); empty when its tokens
    /// are opaque.
    pub audiences: &'static [&'static str],
    /// Issuer prefixes of its JWTs.
    pub issuers: &'static [&'static str],
    pub protocols: &'static [ProtocolOAuth],
    pub source: &'static str,
}

const fn p(
    protocol: Protocol,
    password: PasswordLogin,
    scope: &'static str,
    app_role: Option<&'static str>,
) -> ProtocolOAuth {
    ProtocolOAuth {
        protocol,
        password,
        scope,
        app_role,
    }
}

const MICROSOFT_AUDIENCES: &[&str] = &[
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "00000002-0000-0ff1-ce00-000000000000",
];
const MICROSOFT_ISSUERS: &[&str] = &[
    "https://sts.windows.net/",
    "https://login.microsoftonline.com/",
];
const MICROSOFT_SOURCE: &str = "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth";

pub static OAUTH: &[ProviderOAuth] = &[
    ProviderOAuth {
        provider: "microsoft365",
        audiences: MICROSOFT_AUDIENCES,
        issuers: MICROSOFT_ISSUERS,
        protocols: &[
            p(Protocol::Imap, PasswordLogin::Gone, "IMAP.AccessAsUser.All", Some("IMAP.AccessAsApp")),
            p(Protocol::Pop3, PasswordLogin::Gone, "POP.AccessAsUser.All", Some("POP.AccessAsApp")),
            p(Protocol::Smtp, PasswordLogin::OffByDefault, "SMTP.Send", Some("SMTP.SendAsApp")),
        ],
        source: MICROSOFT_SOURCE,
    },
    ProviderOAuth {
        provider: "outlook_com",
        audiences: MICROSOFT_AUDIENCES,
        issuers: MICROSOFT_ISSUERS,
        protocols: &[
            p(Protocol::Imap, PasswordLogin::Gone, "IMAP.AccessAsUser.All", None),
            p(Protocol::Pop3, PasswordLogin::Gone, "POP.AccessAsUser.All", None),
            p(Protocol::Smtp, PasswordLogin::Gone, "SMTP.Send", None),
        ],
        source: "https://support.microsoft.com/office/modern-authentication-methods-now-needed-to-continue-syncing-outlook-email-in-non-microsoft-email-apps-c5d65390-9676-4763-b41f-d7986499a90d",
    },
    ProviderOAuth {
        provider: "google",
        audiences: &[],
        issuers: &[],
        protocols: &[
            p(Protocol::Imap, PasswordLogin::AppPasswordOnly, "https://mail.google.com/", None),
            p(Protocol::Pop3, PasswordLogin::AppPasswordOnly, "https://mail.google.com/", None),
            p(Protocol::Smtp, PasswordLogin::AppPasswordOnly, "https://mail.google.com/", None),
        ],
        source: "https://developers.google.com/gmail/imap/xoauth2-protocol",
    },
];

/// The requirements of the provider with this table id, if it has any.
pub fn for_provider(id: &str) -> Option<&'static ProviderOAuth> {
    OAUTH.iter().find(|o| o.provider == id)
}

/// The requirements whose JWTs come from this issuer.
pub fn for_issuer(issuer: &str) -> Option<&'static ProviderOAuth> {
    OAUTH
        .iter()
        .find(|o| o.issuers.iter().any(|i| issuer.starts_with(i)))
}

impl ProviderOAuth {
    pub fn protocol(&self, protocol: Protocol) -> Option<&ProtocolOAuth> {
        self.protocols.iter().find(|p| p.protocol == protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_a_provider_of_the_table_and_a_source() {
        for o in OAUTH {
            assert!(
                super::super::table::PROVIDERS
                    .iter()
                    .any(|p| p.id == o.provider),
                "{} is not in the provider table",
                o.provider
            );
            assert!(o.source.starts_with("https://"), "{}", o.provider);
            assert_eq!(o.protocols.len(), 3, "{}", o.provider);
            assert_eq!(
                o.audiences.is_empty(),
                o.issuers.is_empty(),
                "{}",
                o.provider
            );
        }
    }
}
