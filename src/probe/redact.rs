//! Keeps a secret out of everything a server says back. Once credentials have gone out on a
//! connection, every line read from it until it closes passes through a [`Redactor`] on its
//! raw bytes, before it is escaped, recorded or kept in a reply: a server that quotes the
//! password back (in any encoding a client could have sent it in) cannot get it into `-v`,
//! `--json` or a finding.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use zeroize::Zeroizing;

/// What replaces a secret.
pub const REDACTED: &[u8] = b"<redacted>";

/// Shortest base64 fragment taken as a secret: shorter ones occur by chance in any text.
const MIN_BASE64_CORE: usize = 3;

/// The byte strings a secret can appear as, longest first.
pub struct Redactor {
    forms: Vec<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(<redacted>)")
    }
}

impl Redactor {
    /// Every form of `secret`: raw, IMAP-quoted, percent-encoded, escaped as mailprobe escapes
    /// text, and the base64 of any text holding it (whatever precedes it: a SASL PLAIN NUL
    /// username NUL, `user:`, one stray byte), in the standard and URL-safe alphabets.
    pub fn new(secret: &str) -> Self {
        let mut forms: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        if secret.is_empty() {
            return Self { forms };
        }
        let raw = secret.as_bytes();
        forms.push(Zeroizing::new(raw.to_vec()));
        forms.push(Zeroizing::new(imap_quote(secret).as_bytes().to_vec()));
        forms.push(Zeroizing::new(percent_encoded(raw).into_bytes()));
        forms.push(Zeroizing::new(
            crate::text::escape_controls(secret).into_bytes(),
        ));
        for offset in 0..3 {
            for core in [
                base64_core(raw, offset, &STANDARD_NO_PAD),
                base64_core(raw, offset, &URL_SAFE_NO_PAD),
            ]
            .into_iter()
            .flatten()
            {
                forms.push(core);
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup_by(|a, b| a.as_slice() == b.as_slice());
        Self { forms }
    }

    /// `line` with every form of the secret replaced by [`REDACTED`].
    pub fn redact(&self, line: &[u8]) -> Vec<u8> {
        let mut out = line.to_vec();
        for form in &self.forms {
            out = replace_all(&out, form);
        }
        out
    }

    /// The same for text already escaped and kept (a second line of defence); a text cut
    /// short ("…") may also end in the first part of a secret.
    pub fn redact_text(&self, text: &str) -> String {
        let out = String::from_utf8_lossy(&self.redact(text.as_bytes())).into_owned();
        let Some(kept) = out.strip_suffix('…') else {
            return out;
        };
        for form in &self.forms {
            let cut = (4..form.len())
                .rev()
                .find(|n| kept.as_bytes().ends_with(&form[..*n]));
            if let Some(n) = cut {
                let head = String::from_utf8_lossy(&kept.as_bytes()[..kept.len() - n]);
                return format!("{head}<redacted>…");
            }
        }
        out
    }
}

fn replace_all(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(REDACTED);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// The base64 characters that depend only on `secret`'s bytes when it starts `offset` bytes
/// into a 3-byte group: they appear in the base64 of any text that holds it at that offset.
fn base64_core(secret: &[u8], offset: usize, engine: &impl Engine) -> Option<Zeroizing<Vec<u8>>> {
    let mut padded = Zeroizing::new(vec![0u8; offset]);
    padded.extend_from_slice(secret);
    let encoded = Zeroizing::new(engine.encode(padded.as_slice()));
    let first = (8 * offset).div_ceil(6);
    let end = (8 * (offset + secret.len())) / 6;
    (end >= first + MIN_BASE64_CORE)
        .then(|| Zeroizing::new(encoded.as_bytes()[first..end].to_vec()))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encoded(raw: &[u8]) -> String {
    raw.iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (*b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An IMAP quoted string (RFC 9051 4.3): backslash and double quote escaped.
pub(crate) fn imap_quote(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len() + 2));
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn clean(r: &Redactor, text: &[u8]) -> String {
        String::from_utf8_lossy(&r.redact(text)).into_owned()
    }

    #[test]
    fn every_encoding_is_caught() {
        let pw = "s3cret\tpass\u{200d}word";
        let r = Redactor::new(pw);
        for text in [
            pw.to_string(),
            STANDARD.encode(format!("\0alice\0{pw}")),
            STANDARD.encode(format!("alice:{pw}")),
            STANDARD.encode(format!("x{pw}")),
            STANDARD.encode(format!("xy{pw}")),
            percent_encoded(pw.as_bytes()),
            crate::text::escape_controls(pw),
        ] {
            let out = clean(&r, format!("535 you sent {text} bye").as_bytes());
            assert!(out.contains("<redacted>"), "{text} -> {out}");
            assert!(!out.contains("s3cret"), "{out}");
            let core = base64_core(pw.as_bytes(), 0, &STANDARD_NO_PAD).unwrap();
            assert!(!out
                .as_bytes()
                .windows(core.len())
                .any(|w| w == core.as_slice()));
        }
    }

    #[test]
    fn other_text_is_kept() {
        let r = Redactor::new("hunter2hunter2");
        assert_eq!(clean(&r, b"221 2.0.0 Bye"), "221 2.0.0 Bye");
    }
}
