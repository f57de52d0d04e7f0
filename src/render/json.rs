//! `--json`: the report as one pretty-printed JSON document.

use std::io::{self, Write};

use crate::report::Report;
use crate::Run;

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Report::new(run))?;
    writeln!(out)
}
