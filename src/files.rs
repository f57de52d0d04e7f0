//! The one writer of output files (`--output`, `--html`, and every file a later stage writes).
//!
//! A regular file is replaced whole or not at all: the bytes go to a temporary file with an
//! unpredictable name, created `O_EXCL|O_NOFOLLOW` in the target's folder (so a planted symlink
//! or a guessed name cannot redirect the write), which takes over an existing file's owner and
//! mode, and is then renamed over the target. A device, FIFO, socket or `/dev/stdout` is written
//! to directly and never replaced: renaming over `/dev/null` as root would turn it into a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a path cannot be an output file, found before any work is done (a usage error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// The path names a folder.
    Directory,
    /// The folder it would be written in does not exist.
    NoFolder,
}

/// Checks an output path up front, so a run is not made for nothing.
pub fn check(path: &Path) -> Result<(), Unusable> {
    if fs::metadata(path).is_ok_and(|m| m.is_dir())
        || path.as_os_str().to_string_lossy().ends_with('/')
    {
        return Err(Unusable::Directory);
    }
    if !folder_of(path).is_dir() {
        return Err(Unusable::NoFolder);
    }
    Ok(())
}

/// Writes `bytes` to `path` (see the module's rules).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )),
        Ok(meta) if !meta.is_file() => write_in_place(path, bytes),
        Ok(meta) => replace(&real_target(path)?, bytes, Some(&meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(path, bytes, None),
        Err(e) => Err(e),
    }
}

/// A device or pipe: opened as it is, never created, truncated or renamed over.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// A symlink the user named is followed: the file it points to is the one replaced.
fn real_target(path: &Path) -> io::Result<PathBuf> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::canonicalize(path)
    } else {
        Ok(path.to_path_buf())
    }
}

fn replace(path: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let (temporary, mut file) = create_temporary(&folder_of(path), &name.to_string_lossy())?;
    let result = fill(&mut file, bytes, existing).and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn fill(file: &mut File, bytes: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    if let Some(meta) = existing {
        // Only root may give a file away; anyone else keeps their own ownership.
        let _ = std::os::unix::fs::fchown(&*file, Some(meta.uid()), Some(meta.gid()));
        file.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// A new file in `folder` with a name nobody can guess, never following a symlink.
fn create_temporary(folder: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for _ in 0..8 {
        let candidate = folder.join(format!(".{name}.{}.mailprobe-tmp", random_hex()?));
        let opened = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&candidate);
        match opened {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary name",
    ))
}

fn random_hex() -> io::Result<String> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 12];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| io::Error::other("no randomness"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn a_new_file_is_written_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xml");
        write(&path, b"hello").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_existing_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xml");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, 0o640);
    }

    #[test]
    fn a_device_is_written_to_not_replaced() {
        write(Path::new("/dev/null"), b"x").unwrap();
        let meta = fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn a_planted_symlink_never_redirects_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        // Every name the old writer would have used, and then some, planted as symlinks.
        for i in 0..64 {
            let planted = dir.path().join(format!(".out.xml.mailprobe-{i}.tmp"));
            std::os::unix::fs::symlink(&victim, planted).unwrap();
        }
        write(&dir.path().join("out.xml"), b"new").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(dir.path().join("out.xml")).unwrap(), b"new");
    }

    #[test]
    fn a_fifo_is_written_to_directly() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn folders_are_refused_up_front() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check(dir.path()), Err(Unusable::Directory));
        assert_eq!(
            check(&dir.path().join("missing/out.xml")),
            Err(Unusable::NoFolder)
        );
        assert_eq!(check(&dir.path().join("out.xml")), Ok(()));
    }
}
