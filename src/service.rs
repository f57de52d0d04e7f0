//! What a probe talks to: a port, the protocol spoken there and how it is secured.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Self::Imap => "IMAP",
            Self::Pop3 => "POP3",
            Self::Smtp => "SMTP",
        }
    }

    pub fn is_incoming(self) -> bool {
        !matches!(self, Self::Smtp)
    }
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Security {
    /// TLS from the first byte (993, 995, 465).
    Tls,
    /// Plaintext greeting, then STARTTLS/STLS when the server offers it (143, 110, 587, 25).
    StartTls,
    /// Plaintext only: the probe does not try to upgrade.
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Service {
    pub port: u16,
    pub protocol: Protocol,
    pub security: Security,
}

impl Service {
    pub const fn new(port: u16, protocol: Protocol, security: Security) -> Self {
        Self {
            port,
            protocol,
            security,
        }
    }

    /// True for port 25, which is for server-to-server relay, not for mail clients.
    pub fn is_relay(&self) -> bool {
        self.protocol == Protocol::Smtp && self.port == 25
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.port,
            self.protocol.name().to_lowercase(),
            match self.security {
                Security::Tls => "tls",
                Security::StartTls => "starttls",
                Security::Plain => "plain",
            }
        )
    }
}

/// The seven standard mail ports, in the order the report shows them.
pub const STANDARD_SERVICES: [Service; 7] = [
    Service::new(993, Protocol::Imap, Security::Tls),
    Service::new(143, Protocol::Imap, Security::StartTls),
    Service::new(995, Protocol::Pop3, Security::Tls),
    Service::new(110, Protocol::Pop3, Security::StartTls),
    Service::new(465, Protocol::Smtp, Security::Tls),
    Service::new(587, Protocol::Smtp, Security::StartTls),
    Service::new(25, Protocol::Smtp, Security::StartTls),
];

pub fn standard_service(port: u16) -> Option<Service> {
    STANDARD_SERVICES.iter().copied().find(|s| s.port == port)
}

/// `PORT/PROTOCOL/SECURITY`, e.g. `2525/smtp/starttls`.
impl FromStr for Service {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split('/').collect();
        let [port, protocol, security] = parts.as_slice() else {
            return Err(format!(
                "'{text}' is not PORT/PROTOCOL/SECURITY (e.g. 2525/smtp/starttls)"
            ));
        };
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("'{port}' is not a port number (1-65535)"))?;
        let protocol = match protocol.to_ascii_lowercase().as_str() {
            "imap" => Protocol::Imap,
            "pop3" | "pop" => Protocol::Pop3,
            "smtp" | "submission" => Protocol::Smtp,
            other => return Err(format!("unknown protocol '{other}' (imap, pop3, smtp)")),
        };
        let security = match security.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" => Security::Tls,
            "starttls" | "stls" => Security::StartTls,
            "plain" | "none" => Security::Plain,
            other => return Err(format!("unknown security '{other}' (tls, starttls, plain)")),
        };
        Ok(Service::new(port, protocol, security))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_service_specs() {
        let s: Service = "2525/smtp/starttls".parse().unwrap();
        assert_eq!(s, Service::new(2525, Protocol::Smtp, Security::StartTls));
        assert_eq!(s.to_string(), "2525/smtp/starttls");
        for bad in [
            "2525",
            "0/smtp/tls",
            "70000/smtp/tls",
            "25/http/tls",
            "25/smtp/maybe",
            "a/b/c/d",
        ] {
            assert!(bad.parse::<Service>().is_err(), "{bad}");
        }
    }
}
