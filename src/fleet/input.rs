//! A fleet's list of domains: arguments and `--from FILE` (one per line, `#` comments, blank
//! lines; `-` = stdin). Every line is checked on its own: a bad one is reported with its line
//! number and skipped, never the end of the run.

use std::io::Read;

use crate::input::{parse_target, InputError, Target};

/// The largest list read (about 100,000 domains).
pub const MAX_LIST_BYTES: u64 = 4 * 1024 * 1024;

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

/// Reads `--from`'s text: stdin for `-`, else a regular file, bounded either way.
pub fn read_list(path: &str) -> Result<String, String> {
    let bytes = if path == "-" {
        let mut data = Vec::new();
        std::io::stdin()
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| crate::text::escape_controls(&e.to_string()))?;
        if data.len() as u64 > MAX_LIST_BYTES {
            return Err(format!("larger than {} MiB", MAX_LIST_BYTES / 1024 / 1024));
        }
        data
    } else {
        crate::input::read_bounded_to(std::path::Path::new(path), MAX_LIST_BYTES)?
    };
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// Arguments first, then the list's lines.
pub fn collect(args: &[String], list: Option<&str>) -> Targets {
    let mut out = Targets::default();
    let lines = list
        .into_iter()
        .flat_map(|text| text.lines().enumerate())
        .map(|(i, line)| (Some(i + 1), line));
    let inputs = args.iter().map(|a| (None, a.as_str())).chain(lines);
    for (line, raw) in inputs {
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
                if out.targets.iter().any(|x| x.input == t.input) {
                    out.duplicates += 1;
                } else {
                    out.targets.push(t);
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
        let t = collect(&["c.test".into()], Some(list));
        let names: Vec<&str> = t.targets.iter().map(|x| x.domain.ascii.as_str()).collect();
        assert_eq!(names, ["c.test", "a.test", "b.test"]);
        assert_eq!(t.duplicates, 1);
        let lines: Vec<Option<usize>> = t.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [Some(5), Some(6)]);
    }
}
