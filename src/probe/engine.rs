//! Runs the probe plan concurrently under a cap, sharing TCP outcomes between names that
//! resolve to the same address so no address is hammered and no filtered host costs more
//! than one timeout.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use futures::future::join_all;
use tokio::sync::Semaphore;

use super::session::probe;
use super::{ProbeResult, Trust};
use crate::plan::ProbeTask;

#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub timeout: Duration,
    /// Most connections open at once.
    pub concurrency: usize,
}

/// Told about progress, so the caller can show it; probing itself never prints.
pub trait ProbeObserver: Send + Sync {
    fn planned(&self, _total: usize) {}
    fn finished(&self, _result: &ProbeResult) {}
}

/// Most connections open at once to one address: enough for the seven standard ports to be
/// tried together (so a filtered host costs one timeout), few enough not to look like a flood
/// to rate limits and fail2ban.
pub const PER_ADDRESS_CONNECTIONS: usize = 8;

/// An observer that ignores everything.
pub struct Silent;
impl ProbeObserver for Silent {}

/// Runs every task; results come back in task order, names in each task's order.
pub async fn run_probes(
    tasks: &[ProbeTask],
    trust: &Trust,
    settings: &ProbeSettings,
    observer: &dyn ProbeObserver,
) -> Vec<ProbeResult> {
    let global = Semaphore::new(settings.concurrency.max(1));
    let mut per_address: HashMap<IpAddr, Semaphore> = HashMap::new();
    for t in tasks {
        per_address
            .entry(t.address)
            .or_insert_with(|| Semaphore::new(PER_ADDRESS_CONNECTIONS));
    }
    observer.planned(tasks.iter().map(|t| t.names.len()).sum());
    let runs = tasks.iter().filter_map(|task| {
        let limits = Limits {
            global: &global,
            address: per_address.get(&task.address)?,
        };
        Some(run_task(task, trust, settings, limits, observer))
    });
    join_all(runs).await.into_iter().flatten().collect()
}

/// The caps a probe must fit under: the run's and its address's.
#[derive(Clone, Copy)]
struct Limits<'a> {
    global: &'a Semaphore,
    address: &'a Semaphore,
}

async fn run_task(
    task: &ProbeTask,
    trust: &Trust,
    settings: &ProbeSettings,
    limit: Limits<'_>,
    observer: &dyn ProbeObserver,
) -> Vec<ProbeResult> {
    let Some((first_name, others)) = task.names.split_first() else {
        return Vec::new();
    };
    let first = limited(limit, first_name, task, trust, settings).await;
    observer.finished(&first);
    // When the address did not connect, or stalled, every name would meet the same fate:
    // report it for all without trying again.
    let shared = !first.tcp.connected() || first.failure.as_ref().is_some_and(|f| f.timed_out());
    let rest: Vec<ProbeResult> = if shared {
        others
            .iter()
            .map(|name| {
                let mut copy = first.clone();
                copy.host = name.clone();
                copy.shared_with = Some(first_name.clone());
                if let Some(tls) = copy.tls.as_mut() {
                    // The certificate was judged for another name: do not claim it for this one.
                    tls.sni = name.clone();
                    tls.verdict = None;
                    tls.name_matches = None;
                }
                copy
            })
            .collect()
    } else {
        join_all(
            others
                .iter()
                .map(|name| limited(limit, name, task, trust, settings)),
        )
        .await
    };
    for r in &rest {
        observer.finished(r);
    }
    std::iter::once(first).chain(rest).collect()
}

async fn limited(
    limit: Limits<'_>,
    name: &str,
    task: &ProbeTask,
    trust: &Trust,
    settings: &ProbeSettings,
) -> ProbeResult {
    // The semaphores are never closed, so acquire cannot fail; without a permit we still probe.
    // The address's permit first: waiting for it must not hold one of the run's.
    let _address = limit.address.acquire().await.ok();
    let _global = limit.global.acquire().await.ok();
    probe(
        name,
        task.address,
        task.service,
        trust,
        settings.timeout,
        None,
    )
    .await
}
