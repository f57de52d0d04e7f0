//! Turns what the user typed (an address or a bare domain) into a validated mail domain.
//!
//! Everything here is pure: no DNS, no I/O. Errors name what is wrong so the one-line message
//! printed by the binary tells the user what to fix.

use std::fmt;

/// Longest DNS name in presentation form without the trailing dot (RFC 1035 2.3.4).
const MAX_NAME_OCTETS: usize = 253;
/// Longest DNS label (RFC 1035 2.3.4).
const MAX_LABEL_OCTETS: usize = 63;
/// Longest local part of an address (RFC 5321 4.5.3.1.1).
const MAX_LOCAL_PART_OCTETS: usize = 64;

/// A mail domain in both forms: ASCII (what DNS and TLS see) and Unicode (what people read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailDomain {
    /// ASCII (A-label) form, lowercase, no trailing dot.
    pub ascii: String,
    /// Unicode (U-label) form; equal to `ascii` for names that are not internationalised.
    pub unicode: String,
}

impl MailDomain {
    /// True when the name has internationalised labels, so both forms are worth showing.
    pub fn is_idn(&self) -> bool {
        self.ascii != self.unicode
    }

    /// `sub.` + this domain, e.g. `imap.example.com`.
    pub fn with_prefix(&self, label: &str) -> String {
        format!("{label}.{}", self.ascii)
    }
}

/// What the user asked about: the original text, the mailbox (if an address was given) and its domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub input: String,
    /// The full address in the form a mail client wants as username, when one was given.
    pub address: Option<String>,
    pub domain: MailDomain,
}

/// Why an input was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    Empty,
    ContainsWhitespace,
    ContainsControl,
    EmptyLocalPart,
    LocalPartTooLong(usize),
    UnquotedAt,
    NoDomain,
    IpLiteral(String),
    EmptyLabel,
    LabelTooLong {
        label: String,
        octets: usize,
    },
    NameTooLong(usize),
    SingleLabel(String),
    InvalidCharacter {
        character: char,
    },
    LeadingOrTrailingHyphen(String),
    NumericTopLevel(String),
    Idna(String),
    /// A line of a list that is not UTF-8 text.
    NotUtf8,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the address is empty"),
            Self::ContainsWhitespace => write!(f, "the address contains white space"),
            Self::ContainsControl => write!(f, "the address contains a control character"),
            Self::EmptyLocalPart => write!(f, "nothing stands before the '@'"),
            Self::LocalPartTooLong(n) => {
                write!(
                    f,
                    "the part before '@' is {n} octets long (at most {MAX_LOCAL_PART_OCTETS})"
                )
            }
            Self::NoDomain => write!(f, "no domain after the '@'"),
            Self::UnquotedAt => write!(
                f,
                "more than one '@': an '@' before the domain must be inside a quoted local part"
            ),
            Self::IpLiteral(s) => write!(
                f,
                "'{s}' is an IP address, not a domain: mailprobe needs a domain name"
            ),
            Self::EmptyLabel => write!(
                f,
                "the domain has an empty label (two dots in a row, or a leading dot)"
            ),
            Self::LabelTooLong { label, octets } => write!(
                f,
                "label '{label}' is {octets} octets long (at most {MAX_LABEL_OCTETS})"
            ),
            Self::NameTooLong(n) => {
                write!(
                    f,
                    "the domain is {n} octets long (at most {MAX_NAME_OCTETS})"
                )
            }
            Self::SingleLabel(s) => write!(
                f,
                "'{s}' has a single label: give a full domain such as example.com"
            ),
            Self::InvalidCharacter { character } => write!(
                f,
                "the domain contains {:?}, which a host name cannot contain",
                character
            ),
            Self::LeadingOrTrailingHyphen(l) => {
                write!(f, "label '{l}' starts or ends with a hyphen")
            }
            Self::NumericTopLevel(t) => {
                write!(
                    f,
                    "top-level label '{t}' is all digits, so this is no domain name"
                )
            }
            Self::Idna(s) => write!(f, "the domain is not a valid internationalised name: {s}"),
            Self::NotUtf8 => write!(f, "the line is not UTF-8 text"),
        }
    }
}

impl std::error::Error for InputError {}

/// Parses `user@example.com` or `example.com` (Unicode or ASCII) into a [`Target`].
pub fn parse_target(input: &str) -> Result<Target, InputError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if text.chars().any(char::is_control) {
        return Err(InputError::ContainsControl);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(InputError::ContainsWhitespace);
    }
    // The domain follows the last '@': a quoted local part may itself contain '@'.
    let (local, domain_text) = match text.rsplit_once('@') {
        Some((local, domain)) => (Some(local), domain),
        None => (None, text),
    };
    if let Some(local) = local {
        if local.is_empty() {
            return Err(InputError::EmptyLocalPart);
        }
        if local.len() > MAX_LOCAL_PART_OCTETS {
            return Err(InputError::LocalPartTooLong(local.len()));
        }
        // RFC 5322: an '@' before the domain is only allowed inside a quoted local part.
        let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
        if local.contains('@') && !quoted {
            return Err(InputError::UnquotedAt);
        }
    }
    if domain_text.is_empty() {
        return Err(InputError::NoDomain);
    }
    let domain = parse_domain(domain_text)?;
    let address = local.map(|l| format!("{l}@{}", domain.ascii));
    Ok(Target {
        input: text.to_string(),
        address,
        domain,
    })
}

/// Validates and normalises a domain name, converting internationalised labels to ASCII.
pub fn parse_domain(text: &str) -> Result<MailDomain, InputError> {
    if is_ip_literal(text) {
        return Err(InputError::IpLiteral(text.to_string()));
    }
    let without_dot = text.strip_suffix('.').unwrap_or(text);
    if without_dot.is_empty() {
        return Err(InputError::NoDomain);
    }
    if without_dot.split('.').any(str::is_empty) {
        return Err(InputError::EmptyLabel);
    }
    // Reject obvious garbage before IDNA, which would map some of it (e.g. full-width forms).
    if let Some(bad) = without_dot
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(InputError::InvalidCharacter { character: bad });
    }
    let ascii = idna::domain_to_ascii(without_dot)
        .map_err(|_| InputError::Idna("a label is not valid under IDNA (UTS #46)".into()))?
        .to_ascii_lowercase();
    check_ascii_name(&ascii)?;
    let (unicode, _) = idna::domain_to_unicode(&ascii);
    Ok(MailDomain { ascii, unicode })
}

fn check_ascii_name(ascii: &str) -> Result<(), InputError> {
    if ascii.len() > MAX_NAME_OCTETS {
        return Err(InputError::NameTooLong(ascii.len()));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err(InputError::EmptyLabel);
        }
        if label.len() > MAX_LABEL_OCTETS {
            return Err(InputError::LabelTooLong {
                label: label.to_string(),
                octets: label.len(),
            });
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(InputError::InvalidCharacter { character: bad });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(InputError::LeadingOrTrailingHyphen(label.to_string()));
        }
    }
    if labels.len() < 2 {
        return Err(InputError::SingleLabel(ascii.to_string()));
    }
    let top = labels[labels.len() - 1];
    if top.chars().all(|c| c.is_ascii_digit()) {
        return Err(InputError::NumericTopLevel(top.to_string()));
    }
    Ok(())
}

fn is_ip_literal(text: &str) -> bool {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let inner = inner.strip_prefix("IPv6:").unwrap_or(inner);
    inner.parse::<std::net::IpAddr>().is_ok() || text.starts_with('[')
}

/// Largest file read from the user (CA bundle, trust anchors): a bundle of every public root
/// is about 250 KiB.
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_CA_FILE_BYTES`]: a device, a pipe that never ends or
/// a huge file is refused with a reason, never read without bound.
pub fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, String> {
    read_bounded_to(path, MAX_CA_FILE_BYTES)
}

/// A bearer token from `--oauth-token-file`: a regular file, bounded, one token.
pub fn bearer_token_file(path: &std::path::Path) -> Result<String, String> {
    let data = read_bounded_to(path, crate::token::MAX_TOKEN_BYTES as u64)
        .map_err(|e| format!("--oauth-token-file: {e}"))?;
    let text = String::from_utf8(data)
        .map_err(|_| "--oauth-token-file: the token is not text".to_string())?;
    bearer_token(&text)
}

/// A bearer token as given: surrounding white space removed; nothing inside that could end or
/// split a protocol line, and only the characters RFC 6750's b64token allows.
pub fn bearer_token(text: &str) -> Result<String, String> {
    let token = text.trim();
    if token.is_empty() {
        return Err("--login: the OAuth token is empty".into());
    }
    if token.len() > crate::token::MAX_TOKEN_BYTES {
        return Err("--login: the OAuth token is longer than 16 KiB".into());
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    if !token.chars().all(allowed) {
        return Err("--login: the OAuth token holds characters a bearer token cannot have (RFC 6750 2.1): nothing is sent".into());
    }
    Ok(token.to_string())
}

/// Reads a regular file of at most `max` bytes.
pub fn read_bounded_to(path: &std::path::Path, max: u64) -> Result<Vec<u8>, String> {
    let length = regular_file_length(path)?;
    if length > max {
        return Err(format!("larger than {} MiB", max / 1024 / 1024));
    }
    let data = read_prefix(path, max + 1)?;
    if data.len() as u64 > max {
        return Err("grew while being read".into());
    }
    Ok(data)
}

/// The first `max` bytes of a regular file, however long it is (a saved message's headers).
pub fn read_head(path: &std::path::Path, max: u64) -> Result<Vec<u8>, String> {
    regular_file_length(path)?;
    read_prefix(path, max)
}

/// At most `max` bytes from the start of a file already known to be a regular one.
fn read_prefix(path: &std::path::Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut data = Vec::new();
    std::fs::File::open(path)
        .map_err(escaped_io)?
        .take(max)
        .read_to_end(&mut data)
        .map_err(escaped_io)?;
    Ok(data)
}

/// A device, a pipe that never ends or a folder is refused with a reason before any read.
fn regular_file_length(path: &std::path::Path) -> Result<u64, String> {
    let meta = std::fs::metadata(path).map_err(escaped_io)?;
    if !meta.is_file() {
        return Err("not a regular file (a device, pipe or folder)".into());
    }
    Ok(meta.len())
}

fn escaped_io(e: std::io::Error) -> String {
    crate::text::escape_controls(&e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_address_and_bare_domain() {
        let t = parse_target("accounts@Example.COM").unwrap();
        assert_eq!(t.domain.ascii, "example.com");
        assert_eq!(t.address.as_deref(), Some("accounts@example.com"));
        let t = parse_target("example.com.").unwrap();
        assert_eq!(t.domain.ascii, "example.com");
        assert_eq!(t.address, None);
    }

    #[test]
    fn converts_internationalised_domains() {
        let t = parse_target("info@bücher.example").unwrap();
        assert_eq!(t.domain.ascii, "xn--bcher-kva.example");
        assert_eq!(t.domain.unicode, "bücher.example");
        assert!(t.domain.is_idn());
        let t = parse_target("xn--bcher-kva.example").unwrap();
        assert_eq!(t.domain.unicode, "bücher.example");
    }

    #[test]
    fn rejects_malformed_inputs_with_a_reason() {
        let long_label = "a".repeat(64);
        let long_name = format!("{}.com", ["abcdefghij"; 23].join("."));
        let long_local = format!("{}@example.com", "x".repeat(65));
        type Check = fn(&InputError) -> bool;
        let cases: Vec<(&str, Check)> = vec![
            ("", |e| matches!(e, InputError::Empty)),
            ("   ", |e| matches!(e, InputError::Empty)),
            ("user@", |e| matches!(e, InputError::NoDomain)),
            ("@example.com", |e| matches!(e, InputError::EmptyLocalPart)),
            ("us er@example.com", |e| {
                matches!(e, InputError::ContainsWhitespace)
            }),
            ("user@exa\tmple.com", |e| {
                matches!(e, InputError::ContainsControl)
            }),
            ("user@[192.0.2.1]", |e| {
                matches!(e, InputError::IpLiteral(_))
            }),
            ("192.0.2.1", |e| matches!(e, InputError::IpLiteral(_))),
            ("user@[IPv6:2001:db8::1]", |e| {
                matches!(e, InputError::IpLiteral(_))
            }),
            ("example..com", |e| matches!(e, InputError::EmptyLabel)),
            (".example.com", |e| matches!(e, InputError::EmptyLabel)),
            ("example.com>", |e| {
                matches!(e, InputError::InvalidCharacter { .. })
            }),
            ("example.com,", |e| {
                matches!(e, InputError::InvalidCharacter { .. })
            }),
            ("user@example.com;drop", |e| {
                matches!(e, InputError::InvalidCharacter { .. })
            }),
            ("exa_mple.com", |e| {
                matches!(e, InputError::InvalidCharacter { .. })
            }),
            ("localhost", |e| matches!(e, InputError::SingleLabel(_))),
            ("-bad.example", |e| {
                matches!(e, InputError::LeadingOrTrailingHyphen(_))
            }),
            ("host.123", |e| matches!(e, InputError::NumericTopLevel(_))),
        ];
        for (input, expected) in cases {
            let err = parse_target(input).expect_err(input);
            assert!(expected(&err), "{input:?} gave {err:?}");
            assert!(!err.to_string().is_empty());
        }
        let err = parse_target(&format!("{long_label}.com")).unwrap_err();
        assert!(
            matches!(err, InputError::LabelTooLong { octets: 64, .. }),
            "{err:?}"
        );
        let err = parse_target(&long_name).unwrap_err();
        assert!(matches!(err, InputError::NameTooLong(_)), "{err:?}");
        let err = parse_target(&long_local).unwrap_err();
        assert!(matches!(err, InputError::LocalPartTooLong(65)), "{err:?}");
    }

    #[test]
    fn label_of_exactly_63_octets_is_fine() {
        let label = "a".repeat(63);
        assert!(parse_target(&format!("{label}.com")).is_ok());
    }
}
