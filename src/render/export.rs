//! `--export`: the confirmed settings as a file a mail client imports. What may be exported is
//! policy's (`policy::exportable`); this picks the format and writes it whole or not at all.

use crate::judge::policy;
use crate::service::Protocol;
use crate::Run;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Mozilla autoconfig (config-v1.1.xml).
    Autoconfig,
    /// Apple configuration profile.
    Mobileconfig,
}

/// Why nothing was exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportError {
    /// No setting was confirmed.
    NothingConfirmed,
    /// A profile needs a confirmed incoming and a confirmed outgoing setting.
    Incomplete { incoming: bool, outgoing: bool },
}

/// The file's bytes, or why there are none.
pub fn export(run: &Run, kind: ExportKind) -> Result<Vec<u8>, ExportError> {
    let settings = policy::exportable(&run.diagnosis.recommended);
    if settings.is_empty() {
        return Err(ExportError::NothingConfirmed);
    }
    let domain = &run.target.domain.ascii;
    match kind {
        ExportKind::Autoconfig => Ok(super::autoconfig::write(domain, domain, &settings)),
        ExportKind::Mobileconfig => {
            let incoming = settings.iter().find(|s| s.protocol.is_incoming());
            let outgoing = settings.iter().find(|s| s.protocol == Protocol::Smtp);
            match (incoming, outgoing) {
                (Some(i), Some(o)) => Ok(super::mobileconfig::write(
                    domain,
                    run.target.address.as_deref(),
                    i,
                    o,
                )),
                (i, o) => Err(ExportError::Incomplete {
                    incoming: i.is_some(),
                    outgoing: o.is_some(),
                }),
            }
        }
    }
}

/// Why nothing was exported, in words.
pub fn export_error(e: &ExportError) -> String {
    use ExportError as E;
    match e {
        E::NothingConfirmed => "nothing to export: no setting was confirmed (trusted certificate, encrypted) from here".into(),
        E::Incomplete { incoming, outgoing } => format!(
            "nothing exported: a profile needs a confirmed incoming and outgoing setting, and {} was confirmed",
            match (incoming, outgoing) {
                (true, false) => "no outgoing setting",
                (false, true) => "no incoming setting",
                (false, false) | (true, true) => "neither",
            }
        ),
    }
}
