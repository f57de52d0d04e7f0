//! What a server speaks, from its first bytes: the one place that tells IMAP, POP3 and SMTP
//! greetings from TLS, HTTP, SSH and FTP.

use super::{smtp, Heard};
use crate::service::Protocol;

/// Names what the first bytes from a server look like.
pub fn classify_greeting(bytes: &[u8]) -> Heard {
    let upper: Vec<u8> = bytes.iter().take(16).map(u8::to_ascii_uppercase).collect();
    let starts = |p: &[u8]| upper.starts_with(p);
    if bytes.len() >= 2 && (bytes[0] == 0x16 || bytes[0] == 0x15) && bytes[1] == 0x03 {
        Heard::Tls
    } else if starts(b"* OK") || starts(b"* PREAUTH") || starts(b"* BYE") {
        Heard::Imap
    } else if starts(b"+OK") || starts(b"-ERR") {
        Heard::Pop3
    } else if starts(b"HTTP/") || starts(b"<!DOCTYPE") || starts(b"<HTML") {
        Heard::Http
    } else if starts(b"SSH-") {
        Heard::Ssh
    } else if smtp::parse_reply_line(bytes).is_some() {
        // FTP greets with "220 " as well; tell it apart by the words servers use.
        let text = String::from_utf8_lossy(&upper);
        if text.contains("FTP") {
            Heard::Ftp
        } else {
            Heard::Smtp
        }
    } else {
        Heard::Unknown
    }
}

pub fn expected(protocol: Protocol) -> Heard {
    match protocol {
        Protocol::Imap => Heard::Imap,
        Protocol::Pop3 => Heard::Pop3,
        Protocol::Smtp => Heard::Smtp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_what_a_server_speaks() {
        assert_eq!(
            classify_greeting(b"* OK [CAPABILITY IMAP4rev1] hi"),
            Heard::Imap
        );
        assert_eq!(classify_greeting(b"+OK POP3 ready"), Heard::Pop3);
        assert_eq!(classify_greeting(b"220 mx ESMTP Postfix"), Heard::Smtp);
        assert_eq!(classify_greeting(b"220 ProFTPD Server"), Heard::Ftp);
        assert_eq!(classify_greeting(b"HTTP/1.1 400 Bad Request"), Heard::Http);
        assert_eq!(classify_greeting(b"SSH-2.0-OpenSSH_9.2"), Heard::Ssh);
        assert_eq!(classify_greeting(&[0x16, 0x03, 0x03, 0x00]), Heard::Tls);
        assert_eq!(classify_greeting(b""), Heard::Unknown);
        assert_eq!(classify_greeting(b"\x00\xff garbage"), Heard::Unknown);
    }
}
