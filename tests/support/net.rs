//! Loopback addresses for one test: every test gets its own 127.X.Y.0/24, so servers of
//! parallel tests never share an address, whatever port they pick.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

#[derive(Debug, Clone, Copy)]
pub struct TestNet {
    second: u8,
    third: u8,
}

impl TestNet {
    pub fn new() -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // The process id spreads concurrently running test binaries apart.
        let base = 20 + (std::process::id() % 200) as u32;
        Self {
            second: ((base + n / 250) % 250 + 2) as u8,
            third: (n % 250 + 1) as u8,
        }
    }

    /// The address `127.X.Y.host`.
    pub fn ip(&self, host: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, self.second, self.third, host))
    }

    /// `127.X.Y` for zone templates.
    pub fn prefix(&self) -> String {
        format!("127.{}.{}", self.second, self.third)
    }
}

impl Default for TestNet {
    fn default() -> Self {
        Self::new()
    }
}
