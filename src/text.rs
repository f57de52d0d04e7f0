//! Text that came from the network or from DNS, made safe to store, print and serialise.
//!
//! Every byte a server sends passes through [`from_wire`] before it is kept: invalid UTF-8 is
//! replaced, and control characters (every character of Unicode's Cc, Cf, Zl and Zp categories:
//! C0, DEL, C1, bidi and format controls, line and paragraph separators) are written as visible
//! escapes, so neither the human report, the JSON nor an error message can carry an escape
//! sequence or a line break to a terminal.

/// Converts raw bytes into a safe, single-line string.
pub fn from_wire(bytes: &[u8]) -> String {
    escape_controls(&String::from_utf8_lossy(bytes))
}

/// Escapes control characters in a string that is already valid UTF-8.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\x1b' => out.push_str("\\e"),
            c if is_dangerous(c) => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{{{code:04x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// DNS names from a resolver are ASCII, but a hostile zone can hold any octet in a label.
pub fn clean_name(name: &str) -> String {
    escape_controls(name)
}

/// Shortens a string to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Characters that can move the cursor, end a line, or reorder or hide text: Unicode's
/// control (Cc), format (Cf: bidi marks and overrides, zero-width characters, U+061C …), line
/// separator (Zl) and paragraph separator (Zp) categories.
pub fn is_dangerous(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_visibly() {
        let raw = b"* OK \x1b[31mred\x1b]0;title\x07 back\x08space\r\n\x9b";
        let clean = from_wire(raw);
        assert!(!clean.chars().any(|c| c.is_control()), "{clean:?}");
        assert!(clean.contains("\\e[31mred"));
        assert!(clean.contains("\\x07"));
        assert!(clean.contains("\\x08"));
        assert!(clean.contains("\\r\\n"));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let clean = from_wire(b"220 caf\xe9 ready");
        assert_eq!(clean, "220 caf\u{fffd} ready");
    }

    #[test]
    fn c1_and_bidi_controls_are_escaped() {
        let clean = escape_controls("a\u{9b}b\u{202e}c");
        assert_eq!(clean, "a\\x9bb\\u{202e}c");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
