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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Service;

    fn probe(protocol: Protocol, first: u64, last: u64) -> ProbeResult {
        let service = Service::new(587, protocol, Security::StartTls);
        let mut p = ProbeResult::new("mail.example", "192.0.2.1".parse().unwrap(), service);
        p.timings.greeting_first_ms = Some(first);
        p.timings.greeting_ms = Some(last);
        p
    }

    fn cause(p: &ProbeResult, all: &[ProbeResult]) -> Option<SlowGreeting> {
        match slow_greeting(p, all)? {
            SettingProblem::GreetingSlow { cause, .. } => Some(cause),
            _ => None,
        }
    }

    #[test]
    fn each_pattern_of_timings_names_its_cause() {
        let imap_prompt = probe(Protocol::Imap, 20, 20);
        let cases = [
            (probe(Protocol::Smtp, 30, 1900), None),
            (
                probe(Protocol::Smtp, 30, 6030),
                Some(SlowGreeting::TeaserPause),
            ),
            (
                probe(Protocol::Smtp, 5080, 5090),
                Some(SlowGreeting::LookupTimeout { seconds: 5 }),
            ),
            (
                probe(Protocol::Smtp, 29_700, 29_710),
                Some(SlowGreeting::LookupTimeout { seconds: 30 }),
            ),
            (
                probe(Protocol::Smtp, 3000, 3010),
                Some(SlowGreeting::SmtpOnly),
            ),
            (
                probe(Protocol::Imap, 3000, 3010),
                Some(SlowGreeting::Unexplained),
            ),
        ];
        for (p, want) in &cases {
            assert_eq!(
                cause(p, std::slice::from_ref(&imap_prompt)),
                *want,
                "{:?}",
                p.timings
            );
        }
        // SMTP-only needs the other protocol's prompt greeting on the same address.
        assert_eq!(
            cause(&probe(Protocol::Smtp, 3000, 3010), &[]),
            Some(SlowGreeting::Unexplained)
        );
    }
}
