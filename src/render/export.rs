//! `--export`: the confirmed settings as a file a mail client imports. What may be exported is
//! policy's (`policy::exportable`); this picks the format and writes it whole or not at all.

use std::io::Write;
use std::path::Path;

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

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file and a failure leaves nothing behind.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let temporary = folder.join(format!(
        ".{}.mailprobe-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
