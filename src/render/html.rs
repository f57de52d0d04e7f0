//! `--html FILE`: one self-contained page (no external assets: it opens offline and as an
//! e-mail attachment) with the summary table, sortable and filterable by status, and each
//! domain's report. Every text that came from a server, DNS or the user is escaped; a Content
//! Security Policy allows only this page's own script and style (by hash), so even markup that
//! slipped through could not run.

use base64::Engine;

use super::fleet::{change, most_important, provider, setting, status};
use crate::fleet::compare::Change;
use crate::fleet::Row;
use crate::judge::Status;
use crate::words;

/// One domain on the page.
pub struct Domain {
    pub row: Row,
    /// The human report, without colour.
    pub report: String,
    /// Changes since the compared run, when there was one.
    pub changes: Option<Vec<Change>>,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}\
th{background:#eee;cursor:pointer}tr.ok td:first-child{color:#070}\
tr.problems td:first-child{color:#a60}tr.nothing td:first-child{color:#b00}\
pre{background:#f6f6f6;padding:.75em;overflow-x:auto}li.worse{color:#b00}li.better{color:#070}";

const SCRIPT: &str = "(function(){document.body.setAttribute('data-sortable','yes');\
var t=document.getElementById('summary');\
var b=t.tBodies[0];var f=document.getElementById('filter');\
f.addEventListener('change',function(){for(var r of b.rows){r.hidden=f.value!==''&&r.dataset.status!==f.value;}});\
var hs=t.tHead.rows[0].cells;for(let i=0;i<hs.length;i++){hs[i].addEventListener('click',function(){\
var rows=Array.from(b.rows);var up=hs[i].dataset.dir!=='up';hs[i].dataset.dir=up?'up':'down';\
rows.sort(function(x,y){var a=x.cells[i].textContent,c=y.cells[i].textContent;return up?a.localeCompare(c):c.localeCompare(a);});\
rows.forEach(function(r){b.appendChild(r);});});}})();";

/// Escapes text for HTML element content and attribute values; control characters become
/// visible escapes first.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::escape_controls(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a block of lines (a `<pre>`): each line as [`escape`] does, the line breaks kept.
pub fn escape_lines(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("\n")
}

/// The report's text without terminal colour sequences.
pub fn strip_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn hash(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

fn class(s: Status) -> &'static str {
    match s {
        Status::Works => "ok",
        Status::WorksWithWarnings | Status::Refused | Status::Discovered => "problems",
        _ => "nothing",
    }
}

/// The page.
pub fn page(domains: &[Domain], started_at: &str) -> String {
    let mut h = String::new();
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'",
        hash(STYLE),
        hash(SCRIPT)
    );
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
    ));
    let title = match domains {
        [one] => format!("mailprobe: {}", one.row.domain),
        many => format!("mailprobe: {} domains", many.len()),
    };
    h.push_str(&format!("<title>{}</title>\n", escape(&title)));
    h.push_str(&format!("<style>{STYLE}</style></head><body>\n"));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p>Run started {} by mailprobe {}.</p>\n",
        escape(&title),
        escape(started_at),
        env!("CARGO_PKG_VERSION")
    ));
    h.push_str("<p><label>Show <select id=\"filter\"><option value=\"\">all</option>");
    let mut shown: Vec<&str> = Vec::new();
    for s in domains.iter().map(|d| words::status(d.row.status)) {
        if !shown.contains(&s) {
            shown.push(s);
            h.push_str(&format!("<option value=\"{s}\">{s}</option>"));
        }
    }
    h.push_str("</select></label> · click a column to sort</p>\n<table id=\"summary\"><thead><tr>");
    for c in [
        "Status", "Domain", "Incoming", "Outgoing", "Provider", "Finding", "Changes",
    ] {
        h.push_str(&format!("<th>{c}</th>"));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (i, d) in domains.iter().enumerate() {
        let r = &d.row;
        let regressions = d
            .changes
            .as_ref()
            .map(|c| c.iter().filter(|c| c.is_regression()).count());
        h.push_str(&format!(
            "<tr class=\"{}\" data-status=\"{}\"><td>{}</td><td><a href=\"#d{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            class(r.status),
            words::status(r.status),
            escape(&status(r)),
            escape(&r.domain),
            escape(&setting(r.incoming.as_ref())),
            escape(&setting(r.outgoing.as_ref())),
            escape(&provider(r)),
            escape(&most_important(r)),
            match regressions {
                Some(0) => "none worse".to_string(),
                Some(n) => format!("{n} worse"),
                None => String::new(),
            }
        ));
    }
    h.push_str("</tbody></table>\n");
    let open = if domains.len() == 1 { " open" } else { "" };
    for (i, d) in domains.iter().enumerate() {
        h.push_str(&format!(
            "<details id=\"d{i}\"{open}><summary>{} — {}</summary>\n",
            escape(&d.row.domain),
            escape(&status(&d.row))
        ));
        if let Some(changes) = &d.changes {
            h.push_str("<h3>Since the compared run</h3><ul>");
            if changes.is_empty() {
                h.push_str("<li>no changes</li>");
            }
            for c in changes {
                let kind = if c.is_regression() { "worse" } else { "better" };
                h.push_str(&format!("<li class=\"{kind}\">{}</li>", escape(&change(c))));
            }
            h.push_str("</ul>\n");
        }
        h.push_str(&format!(
            "<pre>{}</pre></details>\n",
            escape_lines(&d.report)
        ));
    }
    h.push_str(&format!("<script>{SCRIPT}</script>\n</body></html>\n"));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_servers_is_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(strip_colour("\u{1b}[1;4mDNS\u{1b}[0m ok"), "DNS ok");
    }
}
