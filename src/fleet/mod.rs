//! Many domains in one run: one resolver (and its cache), one set of connection caps and a
//! per-address rate limit for all, probes of shared servers done once, and each domain's report
//! handed over as soon as it is done, so nothing finished is lost and memory does not grow with
//! the list.

pub mod compare;
pub mod input;
pub mod shard;

use futures::StreamExt;

use crate::input::Target;
use crate::judge::findings::{Code, Severity};
use crate::judge::{policy, Recommendation};
use crate::probe::ProbeObserver;
use crate::{run_with, Options, Run, SetupError, Shared};

/// Domains probed at once by default.
pub const DEFAULT_PARALLEL: usize = 32;
/// New connections per second to one address, by default, after a burst of 8: far below what
/// Postfix's anvil or fail2ban count as an attack.
pub const DEFAULT_RATE: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Everything but the target, for every domain.
    pub base: Options,
    pub targets: Vec<Target>,
    /// Domains at once.
    pub parallel: usize,
    /// New connections per second per address (`None`: unlimited).
    pub rate: Option<f64>,
}

/// A run over many domains, and how to present it.
#[derive(Debug)]
pub struct FleetRequest {
    pub fleet: FleetOptions,
    /// Lines that were refused (reported, skipped).
    pub bad: Vec<input::BadLine>,
    pub duplicates: usize,
    /// Domains left out by `--shard`.
    pub other_shards: usize,
    pub jsonl: bool,
    pub details: bool,
    pub html: Option<std::path::PathBuf>,
    pub compare: Option<std::path::PathBuf>,
    pub expiry_warn: i64,
    /// `--prometheus FILE`: the metrics of every domain, in one file.
    pub prometheus: Option<std::path::PathBuf>,
    /// `--warning-days`, `--critical-days` (for the metrics' alert state).
    pub limits: crate::judge::ExpiryLimits,
    /// `--fleet-max-time`: the whole fleet ends by then.
    pub deadline: Option<std::time::Duration>,
    /// `--color`: forced on or off, or `None` for auto.
    pub color: Option<bool>,
}

/// Runs every domain, calling `done` with each report as soon as it is finished (in finishing
/// order). Stops early only when the shared setup fails.
pub async fn run(
    fleet: &FleetOptions,
    observer: &dyn ProbeObserver,
    mut done: impl FnMut(Run),
) -> Result<(), SetupError> {
    let shared = Shared::for_fleet(&fleet.base, fleet.rate)?;
    let shared = &shared;
    let mut runs =
        futures::stream::iter(fleet.targets.iter().cloned())
            .map(|target| async move {
                Box::pin(run_with(&target, &fleet.base, observer, shared)).await
            })
            .buffer_unordered(fleet.parallel.max(1));
    while let Some(result) = runs.next().await {
        done(result?);
    }
    Ok(())
}

/// One line of the fleet's summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub domain: String,
    /// The domain's verdict, and its exit status.
    pub status: crate::judge::Status,
    pub exit_code: u8,
    pub incoming: Option<Recommendation>,
    pub outgoing: Option<Recommendation>,
    /// The identified provider: (id, name).
    pub provider: Option<(String, String)>,
    /// The most important finding: the one the card carries.
    pub most_important: Option<(Severity, Code)>,
}

impl Row {
    pub fn of(run: &Run) -> Self {
        let [incoming, outgoing] = policy::chosen(&run.diagnosis.recommended);
        Self {
            domain: run.target.domain.ascii.clone(),
            status: run.status,
            exit_code: run.exit_code,
            incoming: incoming.cloned(),
            outgoing: outgoing.cloned(),
            provider: run
                .identification
                .provider
                .as_ref()
                .map(|p| (p.id.clone(), p.name.clone())),
            most_important: policy::most_important(&run.diagnosis).map(|f| (f.severity, f.code)),
        }
    }
}
