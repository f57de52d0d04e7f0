//! The one gate every outbound connection of a run passes, whatever the stage (probes,
//! logins, web fetches, questions to a zone's name servers): the special-purpose address rule
//! ([`crate::net::address::not_probeable`]), then the run's [`Limiter`] (a global cap, a cap per
//! canonical address and, in a fleet, a rate per address). Nothing opens a socket to a server
//! without a [`Permits`] from here; `tests/layers.rs` keeps socket-opening code to the files
//! that take one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::net::address::{self, AddressClass};

/// Most connections open at once to one address: enough for the seven standard ports to be
/// tried together (so a filtered host costs one timeout), few enough not to look like a flood
/// to rate limits and fail2ban.
pub const PER_ADDRESS_CONNECTIONS: usize = 8;

/// Why the gate did not let a connection through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The address is special-purpose (or this machine, for a public domain): never contacted.
    Address(AddressClass),
    /// No slot freed before the deadline.
    NoSlot,
}

/// The gate of one run (one domain): the shared limiter and the domain's address rule.
#[derive(Clone)]
pub struct Gate {
    limiter: Arc<Limiter>,
    public_domain: bool,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

impl Gate {
    pub fn new(limiter: Arc<Limiter>, public_domain: bool) -> Self {
        Self {
            limiter,
            public_domain,
        }
    }

    /// The caps alone, for connections whose address already passed [`Gate::admits`].
    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    /// The address rule alone.
    pub fn admits(&self, ip: IpAddr) -> Result<(), AddressClass> {
        match address::not_probeable(ip, self.public_domain) {
            Some(class) => Err(class),
            None => Ok(()),
        }
    }

    /// Waits, until `deadline` at most, for the right to open one connection to `ip`; the
    /// connection may stay open while the permits are held.
    pub async fn enter(&self, ip: IpAddr, deadline: Instant) -> Result<Permits, Closed> {
        self.admits(ip).map_err(Closed::Address)?;
        tokio::time::timeout_at(deadline, self.limiter.acquire(ip))
            .await
            .ok()
            .flatten()
            .ok_or(Closed::NoSlot)
    }
}

/// The connection caps of a run: every connection takes a permit of its address, then one of
/// the run's. Addresses are taken in their canonical form (IPv4-mapped IPv6 unmapped).
pub struct Limiter {
    global: Arc<Semaphore>,
    per_address: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
    /// New connections per second per address, when limited (fleet runs).
    rate: Option<f64>,
    /// When each address may take its next connection.
    next_slot: Mutex<HashMap<IpAddr, tokio::time::Instant>>,
}

/// The permits one connection holds while it is open.
pub struct Permits {
    _address: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limiter {
    pub fn new(concurrency: usize) -> Self {
        Self::with_rate(concurrency, None)
    }

    /// Also spaces new connections to one address `1/rate` seconds apart after a burst of
    /// [`PER_ADDRESS_CONNECTIONS`]: what a shared server's connection-rate limit (Postfix
    /// anvil, fail2ban) tolerates from one client.
    pub fn with_rate(concurrency: usize, rate: Option<f64>) -> Self {
        Self {
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            per_address: Mutex::new(HashMap::new()),
            rate: rate.filter(|r| r.is_finite() && *r > 0.0),
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for this address's next connection slot under the rate limit.
    async fn pace(&self, address: IpAddr) {
        let Some(rate) = self.rate else { return };
        let interval = std::time::Duration::from_secs_f64(1.0 / rate);
        let burst = interval * PER_ADDRESS_CONNECTIONS as u32;
        let wait_until = {
            let Ok(mut slots) = self.next_slot.lock() else {
                return;
            };
            let now = tokio::time::Instant::now();
            // Generic cell rate: a slot is free when the theoretical arrival time is within
            // one burst of now.
            let tat = slots.get(&address).copied().unwrap_or(now).max(now);
            let start = tat.checked_sub(burst).unwrap_or(now).max(now);
            slots.insert(address, tat + interval);
            start
        };
        tokio::time::sleep_until(wait_until).await;
    }

    /// Waits for a slot at `address` and in the run. The address's permit first: waiting for
    /// it must not hold one of the run's.
    pub async fn acquire(&self, address: IpAddr) -> Option<Permits> {
        let semaphore = {
            let mut map = self.per_address.lock().ok()?;
            map.entry(address::canonical(address))
                .or_insert_with(|| Arc::new(Semaphore::new(PER_ADDRESS_CONNECTIONS)))
                .clone()
        };
        let canonical = address::canonical(address);
        let address = semaphore.acquire_owned().await.ok()?;
        self.pace(canonical).await;
        let global = self.global.clone().acquire_owned().await.ok()?;
        Some(Permits {
            _address: address,
            _global: global,
        })
    }
}
