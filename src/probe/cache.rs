//! Probes shared between the domains of a fleet run: a (name, address, service) probed for one
//! domain is not probed again for another. The first asker probes; later askers wait for its
//! result. Only names outside the asking domain are shared (the shared servers of a hosting
//! company), so the cache stays as small as the shared infrastructure, whatever the fleet size.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use tokio::sync::watch;

use super::ProbeResult;
use super::ProbeTask;
use crate::net::address;
use crate::service::Service;

type Key = (String, IpAddr, Service);

#[derive(Default)]
pub struct ProbeCache {
    entries: Mutex<HashMap<Key, watch::Receiver<Option<ProbeResult>>>>,
}

/// How one round splits between probing and waiting.
pub struct Claim {
    /// What this round probes itself (names it claimed first, and names of its own domain).
    pub tasks: Vec<ProbeTask>,
    senders: Vec<(Key, watch::Sender<Option<ProbeResult>>)>,
    waits: Vec<watch::Receiver<Option<ProbeResult>>>,
}

impl ProbeCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Splits `tasks`: names of `domain` (and names nobody claimed yet) are probed here;
    /// names another domain already claimed are waited for.
    pub fn claim(&self, tasks: &[ProbeTask], domain: &str) -> Claim {
        let mut claim = Claim {
            tasks: Vec::new(),
            senders: Vec::new(),
            waits: Vec::new(),
        };
        let Ok(mut map) = self.entries.lock() else {
            claim.tasks = tasks.to_vec();
            return claim;
        };
        for t in tasks {
            let mut mine = Vec::new();
            for name in &t.names {
                if within(name, domain) {
                    mine.push(name.clone());
                    continue;
                }
                let key = (name.clone(), address::canonical(t.address), t.service);
                match map.get(&key) {
                    Some(rx) => claim.waits.push(rx.clone()),
                    None => {
                        let (tx, rx) = watch::channel(None);
                        map.insert(key.clone(), rx);
                        claim.senders.push((key, tx));
                        mine.push(name.clone());
                    }
                }
            }
            if !mine.is_empty() {
                claim.tasks.push(ProbeTask {
                    address: t.address,
                    service: t.service,
                    names: mine,
                });
            }
        }
        claim
    }
}

impl Claim {
    /// Publishes this round's results to the waiting domains, then adds theirs.
    pub async fn finish(self, mut results: Vec<ProbeResult>) -> Vec<ProbeResult> {
        for (key, tx) in self.senders {
            let found = results.iter().find(|r| {
                r.host == key.0 && address::canonical(r.address) == key.1 && r.service == key.2
            });
            // A sender dropped without a value tells its waiters to give up.
            if let Some(r) = found {
                let _ = tx.send(Some(r.clone()));
            }
        }
        for mut rx in self.waits {
            loop {
                if let Some(r) = rx.borrow().clone() {
                    results.push(r);
                    break;
                }
                if rx.changed().await.is_err() {
                    break;
                }
            }
        }
        results
    }
}

/// `name` is the domain or under it.
fn within(name: &str, domain: &str) -> bool {
    name == domain || name.ends_with(&format!(".{domain}"))
}
