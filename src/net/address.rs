//! What kind of address DNS gave us: the one place that knows the IANA special-purpose ranges
//! (RFC 6890 and its registries). IPv4-mapped IPv6 addresses are unmapped first, so
//! `::ffff:127.0.0.1` is the loopback address it is, and one host is one address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AddressClass {
    /// Routable on the internet.
    Global,
    /// RFC 1918, RFC 4193 unique local, RFC 6598 shared (carrier-grade NAT).
    Private,
    /// 127/8, ::1: this machine.
    Loopback,
    /// 169.254/16, fe80::/10: valid on one link only, needs an interface to reach.
    LinkLocal,
    /// 0.0.0.0, ::, and 0/8: "this host", never a server elsewhere.
    Unspecified,
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32: examples in documents.
    Documentation,
    /// 240/4, 198.18/15 (benchmarking) and other ranges no server is reachable on.
    Reserved,
}

/// The address with IPv4-mapped IPv6 (`::ffff:a.b.c.d`) turned into the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

pub fn classify(ip: IpAddr) -> AddressClass {
    match canonical(ip) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let o = ip.octets();
    if ip.is_unspecified() || o[0] == 0 {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_broadcast() {
        AddressClass::Broadcast
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_documentation() {
        AddressClass::Documentation
    } else if ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
        AddressClass::Private
    } else if o[0] >= 240 || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) {
        AddressClass::Reserved
    } else {
        AddressClass::Global
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let s = ip.segments();
    if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if (s[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if (s[0] & 0xfe00) == 0xfc00 {
        AddressClass::Private
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        AddressClass::Documentation
    } else if s[0] == 0x0100 && s[1..4] == [0, 0, 0] {
        // 100::/64, the discard-only prefix.
        AddressClass::Reserved
    } else {
        AddressClass::Global
    }
}

/// True for addresses routable on the internet.
pub fn is_global(ip: IpAddr) -> bool {
    classify(ip) == AddressClass::Global
}

/// Why an address is not probed, if it is not: it cannot be a mail server elsewhere, or (under
/// a public domain) it is this machine, which would be probed "as the server" by mistake.
pub fn not_probeable(ip: IpAddr, public_domain: bool) -> Option<AddressClass> {
    let class = classify(ip);
    match class {
        AddressClass::Global | AddressClass::Private => None,
        // Test and internal zones use them on purpose; a public domain's would mislead.
        AddressClass::Loopback | AddressClass::Documentation if !public_domain => None,
        _ => Some(class),
    }
}

/// Special-use and private names (RFC 6761, 6762, 8375) where internal addresses are normal.
pub fn is_public_domain(domain: &str) -> bool {
    const PRIVATE_TLDS: [&str; 10] = [
        "test",
        "example",
        "invalid",
        "localhost",
        "local",
        "internal",
        "lan",
        "home",
        "corp",
        "intranet",
    ];
    let tld = domain.rsplit('.').next().unwrap_or("");
    !PRIVATE_TLDS.contains(&tld) && !domain.ends_with(".home.arpa")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> AddressClass {
        classify(s.parse().unwrap())
    }

    #[test]
    fn special_purpose_ranges_are_named() {
        assert_eq!(c("8.8.8.8"), AddressClass::Global);
        assert_eq!(c("2a00:1450::1"), AddressClass::Global);
        assert_eq!(c("10.1.2.3"), AddressClass::Private);
        assert_eq!(c("100.64.0.1"), AddressClass::Private);
        assert_eq!(c("fd00::1"), AddressClass::Private);
        assert_eq!(c("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(c("::1"), AddressClass::Loopback);
        assert_eq!(c("::ffff:127.0.0.1"), AddressClass::Loopback);
        assert_eq!(c("::ffff:8.8.8.8"), AddressClass::Global);
        assert_eq!(c("0.0.0.0"), AddressClass::Unspecified);
        assert_eq!(c("0.1.2.3"), AddressClass::Unspecified);
        assert_eq!(c("::"), AddressClass::Unspecified);
        assert_eq!(c("224.0.0.1"), AddressClass::Multicast);
        assert_eq!(c("ff02::1"), AddressClass::Multicast);
        assert_eq!(c("255.255.255.255"), AddressClass::Broadcast);
        assert_eq!(c("169.254.1.1"), AddressClass::LinkLocal);
        assert_eq!(c("fe80::1"), AddressClass::LinkLocal);
        assert_eq!(c("192.0.2.1"), AddressClass::Documentation);
        assert_eq!(c("2001:db8::25"), AddressClass::Documentation);
        assert_eq!(c("240.0.0.1"), AddressClass::Reserved);
        assert_eq!(c("198.18.0.1"), AddressClass::Reserved);
    }

    #[test]
    fn this_machine_is_probed_only_for_private_names() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(not_probeable(lo, false), None);
        assert_eq!(not_probeable(lo, true), Some(AddressClass::Loopback));
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(not_probeable(mapped, true), Some(AddressClass::Loopback));
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        assert_eq!(not_probeable(any, false), Some(AddressClass::Unspecified));
        let ll: IpAddr = "fe80::1".parse().unwrap();
        assert_eq!(not_probeable(ll, false), Some(AddressClass::LinkLocal));
    }
}
