//! Runs the probe plan concurrently under a cap, sharing TCP outcomes between names that
//! resolve to the same address so no address is hammered and no filtered host costs more
//! than one timeout.

use std::sync::Arc;
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
    let limit = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    observer.planned(tasks.iter().map(|t| t.names.len()).sum());
    let runs = tasks
        .iter()
        .map(|task| run_task(task, trust, settings, &limit, observer));
    join_all(runs).await.into_iter().flatten().collect()
}

async fn run_task(
    task: &ProbeTask,
    trust: &Trust,
    settings: &ProbeSettings,
    limit: &Semaphore,
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
    limit: &Semaphore,
    name: &str,
    task: &ProbeTask,
    trust: &Trust,
    settings: &ProbeSettings,
) -> ProbeResult {
    // The semaphore is never closed, so acquire cannot fail; without a permit we still probe.
    let _permit = limit.acquire().await.ok();
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
