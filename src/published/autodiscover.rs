//! Microsoft Autodiscover, the "POX" (plain old XML) form Outlook uses for IMAP/POP/SMTP
//! accounts: a POST to `autodiscover.<domain>` or `<domain>`, the HTTP-redirect method, the
//! `_autodiscover._tcp` SRV record, and the `redirectAddr`/`redirectUrl` answers, each bounded.

use super::xml::{self, Element};
use super::{
    Ask, Invalid, Method, MicrosoftCname, Outcome, Reached, Refusal, Setting, Transport, MAX_HOPS,
};
use crate::net::dns::{Dns, LookupError};
use crate::net::http::FetchError;
use crate::service::{Protocol, Security};

const PATH: &str = "/autodiscover/autodiscover.xml";
const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// Where Outlook starts, in its order.
pub fn starts(domain: &str, https_port: u16, http_port: u16) -> Vec<(Method, Transport, String)> {
    let sub = format!("autodiscover.{domain}");
    vec![
        (
            Method::AutodiscoverRoot,
            Transport::Https,
            super::https_url(domain, https_port, PATH),
        ),
        (
            Method::Autodiscover,
            Transport::Https,
            super::https_url(&sub, https_port, PATH),
        ),
        (
            Method::AutodiscoverRedirect,
            Transport::Http,
            super::http_url(&sub, http_port, PATH),
        ),
    ]
}

/// The request body for `address`.
pub fn request(address: &str) -> Vec<u8> {
    let mut escaped = String::new();
    for c in address.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\n  <Request>\n    <EMailAddress>{escaped}</EMailAddress>\n    <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema>\n  </Request>\n</Autodiscover>\n"
    )
    .into_bytes()
}

/// What one Autodiscover answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Settings(Vec<Setting>),
    RedirectAddr(String),
    RedirectUrl(String),
    Error { code: Option<String> },
}

/// Follows one starting point to its end.
pub async fn follow(ask: &Ask<'_>, method: Method, url: &str) -> Reached {
    if method == Method::AutodiscoverRedirect {
        return match ask.http.get(url).await {
            Err(FetchError::Redirect {
                location: Some(next),
                ..
            }) => match super::follow_target(
                &super::resolve_location(url, &next),
                ask.domain,
                ask.allowed,
            ) {
                Ok(_) => post_chain(ask, &super::resolve_location(url, &next)).await,
                Err(why) => (Outcome::Refused { target: next, why }, None),
            },
            Ok(f) => (Outcome::Status(f.status), None),
            Err(e) => (Outcome::Unavailable(e), None),
        };
    }
    post_chain(ask, url).await
}

/// The SRV method: `_autodiscover._tcp.<domain>` names the host and port to POST to.
pub async fn by_srv(ask: &Ask<'_>) -> Reached {
    let name = format!("_autodiscover._tcp.{}", ask.domain);
    let records = match ask.dns.srv(&name).await {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return (Outcome::NoRecord, None),
        Err(e) => return (Outcome::LookupFailed(e), None),
    };
    let Some(best) = records
        .iter()
        .filter(|r| !r.target.is_empty() && r.port != 0)
        .min_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)))
    else {
        return (Outcome::NoRecord, None);
    };
    match super::allowed_host(&best.target, ask.domain) {
        Ok(host) => post_chain(ask, &super::https_url(&host, best.port, PATH)).await,
        Err(why) => (
            Outcome::Refused {
                target: best.target.clone(),
                why,
            },
            None,
        ),
    }
}

async fn post_chain(ask: &Ask<'_>, start: &str) -> Reached {
    let mut url = start.to_string();
    let mut address = ask.address.to_string();
    for _ in 0..=MAX_HOPS {
        let reached = Some(url.clone());
        let next = match ask.http.post(&url, "text/xml", request(&address)).await {
            Ok(f) if f.status == 200 => match parse(&f.body, ask.domain) {
                Ok(Response::Settings(s)) => return (Outcome::Settings(s), reached),
                Ok(Response::Error { code }) => return (Outcome::ServerError { code }, reached),
                Ok(Response::RedirectUrl(next)) => next,
                Ok(Response::RedirectAddr(next)) => match redirect_addr(&next, ask) {
                    Ok(target) => {
                        address = next;
                        target
                    }
                    Err(why) => return (Outcome::Refused { target: next, why }, reached),
                },
                Err(invalid) => return (Outcome::Invalid(invalid), reached),
            },
            Ok(f) => return (Outcome::Status(f.status), reached),
            Err(FetchError::Redirect {
                location: Some(next),
                ..
            }) => super::resolve_location(&url, &next),
            Err(e) => return (Outcome::Unavailable(e), reached),
        };
        if let Err(why) = super::follow_target(&next, ask.domain, ask.allowed) {
            return (Outcome::Refused { target: next, why }, reached);
        }
        url = next;
    }
    (
        Outcome::Refused {
            target: url.clone(),
            why: Refusal::TooManyHops,
        },
        Some(url),
    )
}

/// A `redirectAddr` starts over for another address, at `autodiscover.<its domain>`.
fn redirect_addr(address: &str, ask: &Ask<'_>) -> Result<String, Refusal> {
    let (_, domain) = address.rsplit_once('@').ok_or(Refusal::BadTarget)?;
    let domain = super::allowed_host(domain, ask.domain)?;
    let url = super::https_url(
        &format!("autodiscover.{domain}"),
        ask.settings.https_port,
        PATH,
    );
    super::follow_target(&url, ask.domain, ask.allowed)?;
    Ok(url)
}

/// Reads an Autodiscover POX response.
pub fn parse(body: &[u8], domain: &str) -> Result<Response, Invalid> {
    let root = xml::parse(body).map_err(Invalid::Xml)?;
    let not_a_config = || Invalid::NotAConfig {
        root: crate::text::truncate(&crate::text::clean_name(&root.name), 40),
    };
    if !root.name.eq_ignore_ascii_case("Autodiscover") {
        return Err(not_a_config());
    }
    let response = root.child("Response").ok_or_else(not_a_config)?;
    if let Some(error) = response.child("Error") {
        return Ok(Response::Error {
            code: error
                .text_of("ErrorCode")
                .map(|c| crate::text::truncate(&crate::text::clean_name(c), 20)),
        });
    }
    let account = response.child("Account").ok_or_else(not_a_config)?;
    let action = account.text_of("Action").unwrap_or("settings");
    let text = |name: &str| {
        account
            .text_of(name)
            .map(|t| crate::text::truncate(&crate::text::clean_name(t), 300))
    };
    match action.to_ascii_lowercase().as_str() {
        "redirectaddr" => text("RedirectAddr")
            .map(Response::RedirectAddr)
            .ok_or_else(not_a_config),
        "redirecturl" => text("RedirectUrl")
            .map(Response::RedirectUrl)
            .ok_or_else(not_a_config),
        _ => {
            let mut out: Vec<Setting> = Vec::new();
            for p in account.children_named("Protocol") {
                if let Some(s) = setting(p, domain) {
                    super::keep(&mut out, s);
                }
            }
            Ok(Response::Settings(out))
        }
    }
}

fn setting(p: &Element, domain: &str) -> Option<Setting> {
    let protocol = match p.text_of("Type")?.to_ascii_uppercase().as_str() {
        "IMAP" => Protocol::Imap,
        "POP3" => Protocol::Pop3,
        "SMTP" => Protocol::Smtp,
        _ => return None,
    };
    let host = super::host(p.text_of("Server")?, domain)?;
    let port: u16 = p.text_of("Port")?.parse().ok().filter(|n| *n != 0)?;
    // SSL defaults to on; Encryption, when present, says which kind.
    let ssl = !p
        .text_of("SSL")
        .is_some_and(|s| s.eq_ignore_ascii_case("off"));
    let implicit = matches!(port, 993 | 995 | 465);
    let security = match p
        .text_of("Encryption")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("ssl") => Security::Tls,
        Some("tls") => Security::StartTls,
        Some("none") => Security::Plain,
        _ if !ssl => Security::Plain,
        _ if implicit => Security::Tls,
        _ => Security::StartTls,
    };
    Some(Setting {
        protocol,
        host,
        port,
        security,
        username: p
            .text_of("LoginName")
            .map(|u| crate::text::truncate(&crate::text::clean_name(u), 100)),
    })
}

/// Microsoft's documented Autodiscover record for Microsoft 365 domains.
pub const MICROSOFT_TARGET: &str = "autodiscover.outlook.com";

/// Whether `autodiscover.<domain>` is the CNAME Microsoft 365 asks for.
pub async fn microsoft_cname(dns: &Dns, domain: &str) -> MicrosoftCname {
    match dns.cname(&format!("autodiscover.{domain}")).await {
        Ok(target) if target.eq_ignore_ascii_case(MICROSOFT_TARGET) => MicrosoftCname::InOrder,
        Ok(target) => MicrosoftCname::Elsewhere(target),
        Err(_) => {
            let addresses = dns.addresses(&format!("autodiscover.{domain}")).await.all();
            if addresses.is_empty() {
                MicrosoftCname::Missing
            } else {
                MicrosoftCname::NotAlias
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>imap.example.com</Server><Port>993</Port><SSL>on</SSL><LoginName>a@example.com</LoginName></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.example.com</Server><Port>587</Port><Encryption>TLS</Encryption></Protocol>
      <Protocol><Type>POP3</Type><Server>pop.example.com</Server><Port>110</Port><SSL>off</SSL></Protocol>
      <Protocol><Type>EXCH</Type><Server>ex.example.com</Server></Protocol>
    </Account>
  </Response>
</Autodiscover>"#;

    #[test]
    fn reads_settings() {
        let Ok(Response::Settings(s)) = parse(POX.as_bytes(), "example.com") else {
            panic!("settings expected");
        };
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].port, s[0].security), (993, Security::Tls));
        assert_eq!(s[0].username.as_deref(), Some("a@example.com"));
        assert_eq!(
            (s[1].protocol, s[1].security),
            (Protocol::Smtp, Security::StartTls)
        );
        assert_eq!(s[2].security, Security::Plain);
    }

    #[test]
    fn reads_redirects_and_errors() {
        let addr = r#"<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>u@other.example</RedirectAddr></Account></Response></Autodiscover>"#;
        assert_eq!(
            parse(addr.as_bytes(), "example.com"),
            Ok(Response::RedirectAddr("u@other.example".into()))
        );
        let err = r#"<Autodiscover><Response><Error Time="1" Id="2"><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error></Response></Autodiscover>"#;
        assert_eq!(
            parse(err.as_bytes(), "example.com"),
            Ok(Response::Error {
                code: Some("600".into())
            })
        );
    }

    #[test]
    fn the_request_escapes_the_address() {
        let body = String::from_utf8(request("a<b>&c@example.com")).unwrap();
        assert!(body.contains("<EMailAddress>a&lt;b&gt;&amp;c@example.com</EMailAddress>"));
    }
}
