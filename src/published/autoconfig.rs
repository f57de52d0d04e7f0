//! Mozilla autoconfig (`config-v1.1.xml`), as Thunderbird and K-9 fetch it: from
//! `autoconfig.<domain>` and `<domain>/.well-known/`, over HTTPS and, as Thunderbird also does,
//! over plain HTTP.

use super::xml::{self, Element};
use super::{Invalid, Method, Outcome, Reached, Refusal, Setting, Transport, MAX_HOPS};
use crate::net::http::FetchError;
use crate::service::{Protocol, Security};

/// The URLs a client tries, HTTPS first.
pub fn urls(
    domain: &str,
    address: &str,
    https_port: u16,
    http_port: u16,
) -> Vec<(Method, Transport, String)> {
    let query = format!(
        "/mail/config-v1.1.xml?emailaddress={}",
        address
            .replace('%', "%25")
            .replace('+', "%2B")
            .replace('@', "%40")
    );
    let well_known = "/.well-known/autoconfig/mail/config-v1.1.xml";
    let sub = format!("autoconfig.{domain}");
    vec![
        (
            Method::Autoconfig,
            Transport::Https,
            super::https_url(&sub, https_port, &query),
        ),
        (
            Method::AutoconfigWellKnown,
            Transport::Https,
            super::https_url(domain, https_port, well_known),
        ),
        (
            Method::Autoconfig,
            Transport::Http,
            super::http_url(&sub, http_port, &query),
        ),
        (
            Method::AutoconfigWellKnown,
            Transport::Http,
            super::http_url(domain, http_port, well_known),
        ),
    ]
}

/// GETs `url`, following HTTPS redirects that stay out of public suffixes and parent domains.
pub async fn fetch(ask: &super::Ask<'_>, url: &str) -> Reached {
    let (http, domain) = (ask.http, ask.domain);
    let mut current = url.to_string();
    for _ in 0..=MAX_HOPS {
        match http.get(&current).await {
            Ok(f) if f.status == 200 => {
                // A web site's own page (often a "soft 404") is not a configuration.
                let html = f.content_type.as_deref() == Some("text/html");
                let parsed = if html {
                    Err(Invalid::NotAConfig {
                        root: "html".into(),
                    })
                } else {
                    parse(&f.body, domain)
                };
                let outcome = match parsed {
                    Ok(settings) => Outcome::Settings(settings),
                    Err(invalid) => Outcome::Invalid(invalid),
                };
                return (outcome, (current != url).then_some(current));
            }
            Ok(f) => {
                return (
                    Outcome::Status(f.status),
                    (current != url).then_some(current),
                )
            }
            Err(FetchError::Redirect {
                location: Some(next),
                ..
            }) => {
                let next = super::resolve_location(&current, &next);
                if let Err(why) = super::follow_target(&next, domain, ask.allowed) {
                    return (Outcome::Refused { target: next, why }, Some(current));
                }
                current = next;
            }
            Err(e) => return (Outcome::Unavailable(e), (current != url).then_some(current)),
        }
    }
    (
        Outcome::Refused {
            target: current.clone(),
            why: Refusal::TooManyHops,
        },
        Some(current),
    )
}

/// The IMAP, POP3 and SMTP servers of a `clientConfig` document, `%EMAILDOMAIN%` filled in.
/// Servers of other kinds (Exchange, EWS) and ones without a usable host, port or socket type
/// are left out.
pub fn parse(body: &[u8], domain: &str) -> Result<Vec<Setting>, Invalid> {
    let root = xml::parse(body).map_err(Invalid::Xml)?;
    if !root.name.eq_ignore_ascii_case("clientConfig") {
        return Err(Invalid::NotAConfig {
            root: crate::text::truncate(&crate::text::clean_name(&root.name), 40),
        });
    }
    let mut out = Vec::new();
    for provider in root.children_named("emailProvider") {
        for server in provider
            .children
            .iter()
            .filter(|c| c.name == "incomingServer" || c.name == "outgoingServer")
        {
            if let Some(s) = setting(server, domain) {
                super::keep(&mut out, s);
            }
        }
    }
    Ok(out)
}

fn setting(server: &Element, domain: &str) -> Option<Setting> {
    let protocol = match server.attribute("type")?.to_ascii_lowercase().as_str() {
        "imap" => Protocol::Imap,
        "pop3" => Protocol::Pop3,
        "smtp" => Protocol::Smtp,
        _ => return None,
    };
    let host = super::host(server.text_of("hostname")?, domain)?;
    let port: u16 = server.text_of("port")?.parse().ok().filter(|p| *p != 0)?;
    let security = match server.text_of("socketType")?.to_ascii_uppercase().as_str() {
        "SSL" | "TLS" => Security::Tls,
        "STARTTLS" => Security::StartTls,
        "PLAIN" => Security::Plain,
        _ => return None,
    };
    let username = server
        .text_of("username")
        .map(|u| crate::text::truncate(&crate::text::clean_name(u), 100));
    Some(Setting {
        protocol,
        host,
        port,
        security,
        username,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const THUNDERBIRD_STYLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.com</hostname>
      <port>110</port>
      <socketType>plain</socketType>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <incomingServer type="exchange"><hostname>ews.example.com</hostname></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn reads_the_servers_of_a_client_config() {
        let s = parse(THUNDERBIRD_STYLE.as_bytes(), "example.com").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].host, "imap.example.com");
        assert_eq!((s[0].port, s[0].security), (993, Security::Tls));
        assert_eq!(s[0].username.as_deref(), Some("%EMAILADDRESS%"));
        assert_eq!(
            (s[1].protocol, s[1].security),
            (Protocol::Pop3, Security::Plain)
        );
        assert_eq!((s[2].protocol, s[2].port), (Protocol::Smtp, 587));
        assert_eq!(s[2].security, Security::StartTls);
    }

    #[test]
    fn refuses_other_documents() {
        assert!(matches!(
            parse(b"<html><body>Not here</body></html>", "example.com"),
            Err(Invalid::NotAConfig { .. })
        ));
        assert!(matches!(
            parse(b"not xml at all <", "example.com"),
            Err(Invalid::Xml(_))
        ));
    }

    #[test]
    fn skips_servers_it_cannot_use() {
        let doc = r#"<clientConfig><emailProvider>
            <incomingServer type="imap"><hostname>bad host</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
            <incomingServer type="imap"><hostname>ok.example</hostname><port>0</port><socketType>SSL</socketType></incomingServer>
            <incomingServer type="imap"><hostname>ok.example</hostname><port>993</port><socketType>weird</socketType></incomingServer>
            </emailProvider></clientConfig>"#;
        assert_eq!(parse(doc.as_bytes(), "example.com").unwrap(), Vec::new());
    }

    #[test]
    fn the_address_is_escaped_in_the_query() {
        let u = urls("example.com", "a+b@example.com", 443, 80);
        assert_eq!(
            u[0].2,
            "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a%2Bb%40example.com"
        );
        assert_eq!(
            u[3].2,
            "http://example.com/.well-known/autoconfig/mail/config-v1.1.xml"
        );
    }
}
