//! Whether receivers accept what the domain's servers send: reverse DNS, blocklists, relaying.
//! Each fact's code is here; its severity is in `judge::policy::sending` and its words in
//! `words::sending`: a fact without both does not compile.

use super::*;

codes! { Sending => SendingCode {

    PtrMissing = "ptr_missing",

    PtrNotConfirmed = "ptr_not_confirmed",

    PtrUnknown = "ptr_unknown",

    PtrInOrder = "ptr_in_order",

    GreetingNameNotConfirmed = "greeting_name_not_confirmed",

    /// *New*: a sending address is on a DNS blocklist (`--blocklists`).
    Blocklisted = "blocklisted",

    /// *New*: a sending address is on none of the lists that could be asked.
    BlocklistsClear = "blocklists_clear",

    /// *New*: a list gave no usable answer (refused resolver, rate limit, broken list).
    BlocklistCannotTell = "blocklist_cannot_tell",

    /// *New*: port 25 accepted a recipient at an outside domain from here (`--relay-test`).
    OpenRelay = "open_relay",

    /// *New*: port 25 refused to relay from here.
    RelayRefused = "relay_refused",

    /// *New*: the relay test could not be completed.
    RelayTestIncomplete = "relay_test_incomplete",

    /// *New*: no SMTP server answered on port 25, so nothing was relay-tested.
    RelayNotTested = "relay_not_tested",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendingFact {
    /// A sending address without a PTR record.
    PtrMissing {
        host: String,
        address: std::net::IpAddr,
    },
    /// PTR names, none of which resolves back to the address.
    PtrNotConfirmed {
        host: String,
        address: std::net::IpAddr,
        names: Vec<String>,
    },
    /// The PTR lookup failed: nothing can be said.
    PtrUnknown {
        host: String,
        address: std::net::IpAddr,
        error: crate::net::dns::LookupError,
    },
    /// A PTR whose name resolves back to the address.
    PtrInOrder {
        host: String,
        address: std::net::IpAddr,
        name: String,
    },
    /// The name in the server's greeting does not resolve to the server's address.
    GreetingNameNotConfirmed {
        host: String,
        address: std::net::IpAddr,
        name: String,
        /// Where the name was seen: its greeting, or the HELO a receiver recorded.
        seen: crate::sending::Seen,
    },
    /// A sending address a blocklist lists, with the list's codes and its own reason.
    Blocklisted {
        host: String,
        address: std::net::IpAddr,
        zone: String,
        list: Option<&'static crate::sending::blocklists::KnownList>,
        codes: Vec<(std::net::Ipv4Addr, crate::sending::blocklists::Meaning)>,
        reason: Option<String>,
    },
    /// A sending address on none of the lists that gave usable answers.
    BlocklistsClear {
        host: String,
        address: std::net::IpAddr,
        zones: Vec<String>,
    },
    /// A list whose answers cannot be trusted from here, and the addresses left unknown.
    BlocklistCannotTell {
        zone: String,
        why: crate::sending::blocklists::CannotTell,
        addresses: Vec<std::net::IpAddr>,
    },
    /// Port 25 accepted `RCPT TO` an outside domain after `MAIL FROM` `sender` (no DATA sent).
    OpenRelay {
        host: String,
        address: std::net::IpAddr,
        sender: String,
        reply: crate::probe::ServerReply,
    },
    /// Port 25 refused to relay; `reply` is its refusal.
    RelayRefused {
        host: String,
        address: std::net::IpAddr,
        reply: crate::probe::ServerReply,
    },
    /// The relay test ended early: the session failed (`failure`) or a command got no reply.
    RelayTestIncomplete {
        host: String,
        address: std::net::IpAddr,
        failure: Option<crate::probe::Failure>,
    },
    RelayNotTested,
}

impl SendingFact {
    pub fn code(&self) -> Code {
        match self {
            Self::PtrMissing { .. } => Code::PtrMissing,
            Self::PtrNotConfirmed { .. } => Code::PtrNotConfirmed,
            Self::PtrUnknown { .. } => Code::PtrUnknown,
            Self::PtrInOrder { .. } => Code::PtrInOrder,
            Self::GreetingNameNotConfirmed { .. } => Code::GreetingNameNotConfirmed,
            Self::Blocklisted { .. } => Code::Blocklisted,
            Self::BlocklistsClear { .. } => Code::BlocklistsClear,
            Self::BlocklistCannotTell { .. } => Code::BlocklistCannotTell,
            Self::OpenRelay { .. } => Code::OpenRelay,
            Self::RelayRefused { .. } => Code::RelayRefused,
            Self::RelayTestIncomplete { .. } => Code::RelayTestIncomplete,
            Self::RelayNotTested => Code::RelayNotTested,
        }
    }
}

impl From<SendingFact> for Fact {
    fn from(f: SendingFact) -> Self {
        Fact::Sending(f)
    }
}
