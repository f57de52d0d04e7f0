//! `--export autoconfig`: a Mozilla autoconfig file (config-v1.1.xml) of the confirmed
//! settings, ready to publish at `https://autoconfig.<domain>/mail/config-v1.1.xml`. Written
//! with quick-xml, which escapes every text.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::judge::{Recommendation, Username};
use crate::service::{Protocol, Security};

/// The file's bytes. `settings` are what policy says may be exported (never empty here).
pub fn write(domain: &str, display_name: &str, settings: &[&Recommendation]) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w
        .create_element("clientConfig")
        .with_attribute(("version", "1.1"))
        .write_inner_content(|w| {
            w.create_element("emailProvider")
                .with_attribute(("id", domain))
                .write_inner_content(|w| {
                    text(w, "domain", domain)?;
                    text(w, "displayName", display_name)?;
                    text(w, "displayShortName", domain)?;
                    for s in settings {
                        server(w, s)?;
                    }
                    Ok(())
                })?;
            Ok(())
        });
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn server(w: &mut Writer<Vec<u8>>, s: &Recommendation) -> std::io::Result<()> {
    let (element, kind) = match s.protocol {
        Protocol::Imap => ("incomingServer", "imap"),
        Protocol::Pop3 => ("incomingServer", "pop3"),
        Protocol::Smtp => ("outgoingServer", "smtp"),
    };
    let socket = match s.security {
        Security::Tls => "SSL",
        Security::StartTls => "STARTTLS",
        Security::Plain => "plain",
    };
    let username = match &s.username {
        Username::Given(name) => name.clone(),
        Username::Address(_) | Username::FullAddressAt(_) | Username::ProviderAccount => {
            "%EMAILADDRESS%".into()
        }
        Username::LocalPart(_) | Username::LocalPartAt(_) => "%EMAILLOCALPART%".into(),
    };
    w.create_element(element)
        .with_attribute(("type", kind))
        .write_inner_content(|w| {
            text(w, "hostname", &s.host)?;
            text(w, "port", &s.port.to_string())?;
            text(w, "socketType", socket)?;
            text(w, "authentication", "password-cleartext")?;
            text(w, "username", &username)?;
            Ok(())
        })?;
    Ok(())
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}
