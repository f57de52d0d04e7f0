//! Slow greetings read from the client's side: a teaser then a pause, a delay the length of a
//! lookup timeout, a delay on SMTP alone. The timings are the evidence; the cause named is the
//! one they fit, and the server-side setting that controls it goes with the words.

use super::findings::{SettingProblem, SlowGreeting};
use super::policy::{LOOKUP_TIMEOUTS_S, LOOKUP_TOLERANCE_MS, PROMPT_GREETING_MS, SLOW_GREETING_MS};
use crate::probe::ProbeResult;
use crate::service::{Protocol, Security};

/// The slow-greeting problem of a probe whose greeting came, if it was slow.
pub fn slow_greeting(p: &ProbeResult, all: &[ProbeResult]) -> Option<SettingProblem> {
    let (first, last) = greeting_times(p)?;
    if last < SLOW_GREETING_MS {
        return None;
    }
    Some(SettingProblem::GreetingSlow {
        cause: classify(p, first, last, all),
        first_ms: first,
        last_ms: last,
    })
}

/// From the connection (after the TLS handshake on an implicit-TLS port) to the greeting's
/// first and last line.
fn greeting_times(p: &ProbeResult) -> Option<(u64, u64)> {
    let t = &p.timings;
    let tls = match p.service.security {
        Security::Tls => t.tls_ms.unwrap_or(0),
        _ => 0,
    };
    let first = t.greeting_first_ms?.saturating_sub(tls);
    let last = t.greeting_ms?.saturating_sub(tls);
    Some((first, last))
}

fn classify(p: &ProbeResult, first: u64, last: u64, all: &[ProbeResult]) -> SlowGreeting {
    let smtp = p.service.protocol == Protocol::Smtp;
    if smtp && first < PROMPT_GREETING_MS && last - first >= PROMPT_GREETING_MS {
        return SlowGreeting::TeaserPause;
    }
    if let Some(seconds) = LOOKUP_TIMEOUTS_S
        .iter()
        .copied()
        .find(|s| (s * 1000).abs_diff(first) <= LOOKUP_TOLERANCE_MS)
    {
        return SlowGreeting::LookupTimeout { seconds };
    }
    let others_prompt = all.iter().any(|o| {
        o.address == p.address
            && o.service.protocol != Protocol::Smtp
            && greeting_times(o).is_some_and(|(f, _)| f < PROMPT_GREETING_MS)
    });
    if smtp && others_prompt {
        return SlowGreeting::SmtpOnly;
    }
    SlowGreeting::Unexplained
}
