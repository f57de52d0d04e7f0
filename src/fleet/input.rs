//! A fleet's list of domains: arguments and `--from FILE` (one per line, `#` comments, blank
//! lines; `-` = stdin). Every line is checked on its own: a bad one is reported with its line
//! number and skipped, never the end of the run.

use std::io::Read;

use crate::input::{parse_target, InputError, Target};

/// The largest list read (about 500,000 domains).
pub const MAX_LIST_BYTES: u64 = 16 * 1024 * 1024;

/// A line that is not an address or domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line of `--from`; `None` for a command-line argument.
    pub line: Option<usize>,
    /// The text, escaped and cut to 80 characters.
    pub text: String,
    pub error: InputError,
}

/// The targets, in input order, each domain once, and the lines that were refused.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub targets: Vec<Target>,
    pub bad: Vec<BadLine>,
    /// Inputs given more than once (kept once).
    pub duplicates: usize,
}

/// Reads `--from`'s bytes: stdin for `-`, else a regular file, bounded in size either way,
/// and in time for stdin (`within`: a pipe that never closes must not hold the run).
pub fn read_list(path: &str, within: std::time::Duration) -> Result<Vec<u8>, String> {
    if path != "-" {
        return crate::input::read_bounded_to(std::path::Path::new(path), MAX_LIST_BYTES);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    // The reading thread is left behind if the pipe stays open: the process ends without it.
    std::thread::spawn(move || {
        let mut data = Vec::new();
        let read = std::io::stdin()
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut data)
            .map(|_| data)
            .map_err(|e| crate::text::escape_controls(&e.to_string()));
        let _ = tx.send(read);
    });
    let data = match rx.recv_timeout(within) {
        Ok(read) => read?,
        Err(_) => {
            return Err(format!(
                "standard input did not end within {} s (--max-time)",
                within.as_secs()
            ))
        }
    };
    if data.len() as u64 > MAX_LIST_BYTES {
        return Err(format!("larger than {} MiB", MAX_LIST_BYTES / 1024 / 1024));
    }
    Ok(data)
}

/// Arguments first, then the list's lines. Each domain is kept once, whatever form it came
/// in (case, trailing dot, Unicode or A-label, an address or the bare domain): the first
/// input of a domain stands for it. Linear: a hash set of canonical domains.
pub fn collect(args: &[String], list: Option<&[u8]>) -> Targets {
    let mut out = Targets::default();
    let mut seen = std::collections::HashSet::new();
    let lines = list
        .into_iter()
        .flat_map(|bytes| bytes.split(|b| *b == b'\n').enumerate())
        .map(|(i, line)| (Some(i + 1), std::str::from_utf8(line).map_err(|_| line)));
    let inputs = args
        .iter()
        .map(|a| (None, Ok::<&str, &[u8]>(a.as_str())))
        .chain(lines);
    for (line, raw) in inputs {
        let raw = match raw {
            Ok(text) => text,
            Err(bytes) => {
                out.bad.push(BadLine {
                    line,
                    text: crate::text::truncate(&crate::text::from_wire(bytes), 80),
                    error: InputError::NotUtf8,
                });
                continue;
            }
        };
        // `#` starts a comment anywhere on a line of the list.
        let text = if line.is_some() {
            raw.split('#').next().unwrap_or_default().trim()
        } else {
            raw
        };
        if text.is_empty() && line.is_some() {
            continue;
        }
        match parse_target(text) {
            Ok(t) => {
                if seen.insert(t.domain.ascii.clone()) {
                    out.targets.push(t);
                } else {
                    out.duplicates += 1;
                }
            }
            Err(error) => out.bad.push(BadLine {
                line,
                text: crate::text::truncate(&crate::text::escape_controls(text), 80),
                error,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_and_bad_lines() {
        let list = "# clients\na.test\n\n  b.test  # the old one\nbad domain\nx@y@z.test\na.test\n";
        let t = collect(&["c.test".into()], Some(list.as_bytes()));
        let names: Vec<&str> = t.targets.iter().map(|x| x.domain.ascii.as_str()).collect();
        assert_eq!(names, ["c.test", "a.test", "b.test"]);
        assert_eq!(t.duplicates, 1);
        let lines: Vec<Option<usize>> = t.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [Some(5), Some(6)]);
    }

    #[test]
    fn one_domain_is_one_target_whatever_its_form() {
        let list = "alice@good.test\nbob@GOOD.test\ngood.test.\nGood.Test\nb\u{fc}cher.test\nxn--bcher-kva.test\n";
        let t = collect(&[], Some(list.as_bytes()));
        let names: Vec<&str> = t.targets.iter().map(|x| x.domain.ascii.as_str()).collect();
        assert_eq!(names, ["good.test", "xn--bcher-kva.test"]);
        assert_eq!(t.duplicates, 4);
    }

    #[test]
    fn a_line_that_is_not_utf8_is_skipped_alone() {
        let list = b"a.test\n\xff\xfe bad\nb.test\n";
        let t = collect(&[], Some(list));
        let names: Vec<&str> = t.targets.iter().map(|x| x.domain.ascii.as_str()).collect();
        assert_eq!(names, ["a.test", "b.test"]);
        assert_eq!(t.bad.len(), 1);
        assert_eq!(t.bad[0].line, Some(2));
        assert_eq!(t.bad[0].error, InputError::NotUtf8);
    }

    #[test]
    fn a_large_list_is_read_in_linear_time() {
        let list: String = (0..300_000)
            .map(|i| format!("user{i}@d{}.test\n", i % 150_000))
            .collect();
        let started = std::time::Instant::now();
        let t = collect(&[], Some(list.as_bytes()));
        assert_eq!(t.targets.len(), 150_000);
        assert_eq!(t.duplicates, 150_000);
        // Quadratic de-duplication took minutes here; linear takes well under a second.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
