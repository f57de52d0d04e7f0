//! `--headers FILE`: the server that really delivered a message, read from its Received chain.
//! The submission host mailprobe can probe is often not the server that sends outward (a relay,
//! a filter, a provider's pool); a message the user received from the domain names the one that
//! did. Untrusted input: a regular file, only its first MiB, parsed by mail-parser (Stalwart's,
//! already under mail-auth), nothing executed or fetched.

use std::net::IpAddr;

use mail_parser::{Host, MessageParser};

/// The most of a saved message that is read: the headers come first.
pub const MAX_READ: u64 = 1024 * 1024;
/// Received headers looked at, from the top.
const MAX_HOPS: usize = 64;

/// The hop where the message entered the receiver's systems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The address the receiver saw the message come from.
    pub address: IpAddr,
    /// The name the sender gave in HELO/EHLO, as the receiver recorded it.
    pub helo: Option<String>,
    /// The receiver's own reverse lookup of the address, when it recorded one.
    pub reverse_seen: Option<String>,
    /// The receiving server.
    pub by: Option<String>,
    /// Which Received header (1 = the top, the last hop).
    pub position: usize,
    pub received_headers: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadersError {
    Unreadable(String),
    NotAMessage,
    NoReceived,
    /// Received headers, none with a sender's address.
    NoAddress(usize),
}

/// Reads and parses a saved message (`.eml`, or headers pasted into a file).
pub fn read(path: &std::path::Path) -> Result<Delivered, HeadersError> {
    let data = crate::input::read_head(path, MAX_READ).map_err(HeadersError::Unreadable)?;
    delivering_hop(&data)
}

/// The first Received header from the top that names a sender's address: a public one when
/// any hop has one (the receiver's internal hops use private addresses), else the first that
/// is not the host itself (127.0.0.1, ::1: a local content filter).
pub fn delivering_hop(message: &[u8]) -> Result<Delivered, HeadersError> {
    let parsed = MessageParser::new()
        .parse_headers(message)
        .ok_or(HeadersError::NotAMessage)?;
    let hops: Vec<_> = parsed.received_all().take(MAX_HOPS).collect();
    if hops.is_empty() {
        return Err(HeadersError::NoReceived);
    }
    let with_address: Vec<(usize, IpAddr)> = hops
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, sender_address(r)?)))
        .collect();
    let local = |a: &IpAddr| {
        *a == IpAddr::from([127, 0, 0, 1]) || *a == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
    };
    let chosen = with_address
        .iter()
        .find(|(_, a)| crate::net::address::is_global(*a))
        .or_else(|| with_address.iter().find(|(_, a)| !local(a)))
        .ok_or(HeadersError::NoAddress(hops.len()))?;
    let (index, address) = *chosen;
    let hop = hops[index];
    Ok(Delivered {
        address,
        // Postfix and most others write the HELO name as the `from` domain (RFC 5321 4.4);
        // Exim keeps its own lookup there and the HELO in `helo=`.
        helo: hop.helo.as_ref().or(hop.from.as_ref()).and_then(host_name),
        reverse_seen: hop.from_iprev.as_deref().map(clean),
        by: hop.by.as_ref().and_then(host_name),
        position: index + 1,
        received_headers: hops.len(),
    })
}

/// `from HELO (rdns [ip])`: the bracketed address, or the HELO when it is an address literal.
fn sender_address(r: &mail_parser::Received<'_>) -> Option<IpAddr> {
    let address = r.from_ip.or(match &r.from {
        Some(Host::IpAddr(a)) => Some(*a),
        _ => None,
    })?;
    Some(crate::net::address::canonical(address))
}

fn host_name(h: &Host<'_>) -> Option<String> {
    match h {
        Host::Name(n) => Some(clean(n)),
        Host::IpAddr(_) => None,
    }
}

/// Names from the header are untrusted text: escaped and cut.
fn clean(text: &str) -> String {
    crate::text::truncate(
        &crate::text::escape_controls(text.trim_end_matches('.')),
        253,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMAIL: &str = "Delivered-To: someone@gmail.com\r\n\
Received: by 2002:a05:6a10:1234:b0:5a1:2b3c:4d5e with SMTP id abc;\r\n        Tue, 1 Dec 2026 10:00:02 -0800 (PST)\r\n\
Received: from mail.example.com (mail.example.com. [203.0.113.25])\r\n        by mx.google.com with ESMTPS id xyz\r\n        for <someone@gmail.com>;\r\n        Tue, 01 Dec 2026 10:00:01 -0800 (PST)\r\n\
Received: from [192.168.1.20] (unknown [10.0.0.7])\r\n        by mail.example.com (Postfix) with ESMTPSA id 1234;\r\n        Tue,  1 Dec 2026 19:00:00 +0100 (CET)\r\n\
From: Accounts <accounts@example.com>\r\nSubject: hi\r\n\r\nbody\r\n";

    #[test]
    fn the_first_public_hop_from_the_top_delivered_it() {
        let d = delivering_hop(GMAIL.as_bytes()).unwrap();
        assert_eq!(d.address, "203.0.113.25".parse::<IpAddr>().unwrap());
        assert_eq!(d.helo.as_deref(), Some("mail.example.com"));
        assert_eq!(d.by.as_deref(), Some("mx.google.com"));
        assert_eq!(d.position, 2);
        assert_eq!(d.received_headers, 3);
    }

    #[test]
    fn a_private_chain_takes_the_first_hop_that_is_not_the_host_itself() {
        let text = "Received: from localhost (localhost [127.0.0.1]) by mx.lab.test (amavis);\r\n Tue, 1 Dec 2026 10:00:00 +0000\r\n\
Received: from out.lab.test (out.lab.test [10.1.2.3]) by mx.lab.test (Postfix) with ESMTP id 1;\r\n Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n";
        let d = delivering_hop(text.as_bytes()).unwrap();
        assert_eq!(d.address, "10.1.2.3".parse::<IpAddr>().unwrap());
        assert_eq!(d.helo.as_deref(), Some("out.lab.test"));
    }

    #[test]
    fn exims_helo_is_read_from_its_own_field() {
        let text = "Received: from host.example.net ([198.51.100.7] helo=mx.example.org)\r\n\tby mail.receiver.example with esmtps (Exim 4.96); Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n";
        let d = delivering_hop(text.as_bytes()).unwrap();
        assert_eq!(d.address, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert_eq!(d.helo.as_deref(), Some("mx.example.org"));
    }

    #[test]
    fn what_is_not_a_usable_chain_says_why() {
        assert_eq!(
            delivering_hop(b"Subject: x\r\n\r\nbody"),
            Err(HeadersError::NoReceived)
        );
        assert_eq!(
            delivering_hop(
                b"Received: by mx.example.com with LMTP; Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n"
            ),
            Err(HeadersError::NoAddress(1))
        );
        // Control characters in a name never come back raw.
        let hostile = "Received: from evil\x1b[31m.example (x [198.51.100.9]) by mx.example.com;\r\n Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n";
        if let Ok(d) = delivering_hop(hostile.as_bytes()) {
            assert!(!d.helo.unwrap_or_default().contains('\x1b'));
        }
    }
}
