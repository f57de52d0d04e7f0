//! What the zone's own name servers say (propagation, delegation).
//! Each fact's code is here; its severity is in `judge::policy::authority` and its words in
//! `words::authority`: a fact without both does not compile.

use super::*;

codes! { Authority => AuthorityCode {

    PropagationPending = "propagation_pending",

    AuthoritativeInconsistent = "authoritative_inconsistent",

    AuthoritativeUnreachable = "authoritative_unreachable",

    NameserverLame = "nameserver_lame",

    NameserverUnreachable = "nameserver_unreachable",

    SpecialAddressNotContacted = "special_address_not_contacted",

    DelegationMismatch = "delegation_mismatch",

    NameserversOneNetwork = "nameservers_one_network",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorityFact {
    /// The resolver still holds addresses (or a "no such name") for a host that the zone's
    /// servers no longer serve.
    AddressPropagationPending {
        name: String,
        /// Empty: the resolver says the name has no address.
        resolver: Vec<IpAddr>,
        source: Vec<IpAddr>,
        /// Seconds until the resolver's copy expires, when known (a negative answer's is not).
        refresh_in: Option<u32>,
        refresh_at: Option<i64>,
        source_ttl: Option<u32>,
    },
    /// The resolver still holds an MX set the zone's servers no longer serve.
    PropagationPending {
        resolver_mx: Vec<(u16, String)>,
        source_mx: Vec<(u16, String)>,
        /// Seconds until the resolver's copy expires.
        refresh_in: u32,
        /// When that is (Unix seconds).
        refresh_at: i64,
        /// The TTL the zone gives the MX set: how long other resolvers may keep the old one.
        source_ttl: Option<u32>,
        /// Whether a host only the new MX set names already answers SMTP from here
        /// (None: not probed for SMTP).
        new_mx_works: Option<bool>,
    },
    /// Name servers of one zone serve different serials or MX sets.
    AuthoritativeInconsistent {
        zone: String,
        newest_serial: Option<u32>,
        newest_mx: Vec<(u16, String)>,
        /// The servers that differ from the newest.
        lagging: Vec<Lagging>,
        /// Hosts this resolver holds a lagging server's negative answer for.
        resolver_missing: Vec<ProbedFromSource>,
    },
    /// None of the zone's name servers answered from here.
    AuthoritativeUnreachable {
        zone: String,
        servers: usize,
    },
    NameserverLame {
        name: String,
        address: IpAddr,
        zone: String,
        /// It refused, rather than answering without authority.
        refused: bool,
    },
    NameserverUnreachable {
        name: String,
        address: IpAddr,
    },
    /// A name server of a public domain has a special-purpose address: never asked.
    NameserverSpecialAddress {
        name: String,
        address: IpAddr,
        class: crate::net::address::AddressClass,
    },
    /// A listed name server has no address at all (no glue, no A/AAAA).
    NameserverNoAddress {
        name: String,
        zone: String,
    },
    DelegationMismatch {
        zone: String,
        parent: Vec<String>,
        child: Vec<String>,
    },
    NameserversOneNetwork {
        zone: String,
        /// The /24 they all share (its first address).
        network: std::net::Ipv4Addr,
    },
}

impl AuthorityFact {
    pub fn code(&self) -> Code {
        match self {
            Self::PropagationPending { .. } | Self::AddressPropagationPending { .. } => {
                Code::PropagationPending
            }
            Self::AuthoritativeInconsistent { .. } => Code::AuthoritativeInconsistent,
            Self::AuthoritativeUnreachable { .. } => Code::AuthoritativeUnreachable,
            Self::NameserverLame { .. } => Code::NameserverLame,
            Self::NameserverUnreachable { .. } | Self::NameserverNoAddress { .. } => {
                Code::NameserverUnreachable
            }
            Self::NameserverSpecialAddress { .. } => Code::SpecialAddressNotContacted,
            Self::DelegationMismatch { .. } => Code::DelegationMismatch,
            Self::NameserversOneNetwork { .. } => Code::NameserversOneNetwork,
        }
    }
}

impl From<AuthorityFact> for Fact {
    fn from(f: AuthorityFact) -> Self {
        Fact::Authority(f)
    }
}
