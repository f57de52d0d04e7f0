//! What receivers make of the servers that send: reverse DNS present and forward-confirmed,
//! and a greeting name that resolves to the server. A lookup that failed is "cannot tell",
//! never "missing"; the PTR is never required to name the user's domain.

use super::findings::{Fact, Finding};
use crate::sending::{Ptr, Sending};

pub fn findings(sending: &Sending) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &sending.reverse {
        let at = |fact: Fact| Finding::new(fact).at(&r.host, None);
        let host = r.host.clone();
        out.push(at(match &r.ptr {
            Ptr::Missing => Fact::PtrMissing {
                host,
                address: r.address,
            },
            Ptr::LookupFailed(error) => Fact::PtrUnknown {
                host,
                address: r.address,
                error: error.clone(),
            },
            Ptr::Names {
                names,
                confirmed: None,
            } => Fact::PtrNotConfirmed {
                host,
                address: r.address,
                names: names.clone(),
            },
            Ptr::Names {
                confirmed: Some(name),
                ..
            } => Fact::PtrInOrder {
                host,
                address: r.address,
                name: name.clone(),
            },
        }));
        if let (Some(name), Some(false)) = (&r.greeting_name, r.greeting_confirmed) {
            out.push(at(Fact::GreetingNameNotConfirmed {
                host: r.host.clone(),
                address: r.address,
                name: name.clone(),
            }));
        }
    }
    out
}
