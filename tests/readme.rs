//! The README and `docs/` are the manual: together they must list every finding code and every
//! flag, and their generated tables must be the code's.

mod support;

use support::manual::{manual, pages};

#[test]
fn every_finding_code_is_documented() {
    let readme = manual();
    let codes: Vec<&str> = mailprobe::judge::findings::Code::all()
        .map(|c| c.name())
        .collect();
    assert!(codes.len() > 40);
    for code in codes {
        assert!(
            readme.contains(&format!("`{code}`")),
            "README does not list `{code}`"
        );
    }
}

#[test]
fn every_flag_is_documented() {
    use clap::CommandFactory;
    let readme = manual();
    let command = mailprobe::cli::Cli::command();
    let flags: Vec<String> = command
        .get_arguments()
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect();
    assert!(flags.len() > 10, "{flags:?}");
    // The options table: every flag in a row's first cell, as `--flag` or `--flag VALUE`.
    let rows: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split(" | ").next())
        .collect();
    for flag in flags {
        let named = |r: &&str| {
            r.contains(&format!("`{flag}`"))
                || r.contains(&format!("`{flag} "))
                || r.contains(&format!("`{flag},"))
        };
        assert!(rows.iter().any(named), "README does not document {flag}");
    }
}

/// The README's provider list is the table in the code, variant by variant: written by
/// `MAILPROBE_BLESS=1 cargo test --test readme`, checked by every other run.
#[test]
fn the_provider_list_is_the_code_s() {
    use mailprobe::provider::table::{Kind, PROVIDERS};
    use mailprobe::report::names;
    let mut table = vec![
        "| provider | kind | variant | MX host names | settings (login) | checked against |"
            .to_string(),
        "|---|---|---|---|---|---|".to_string(),
    ];
    for p in PROVIDERS {
        let kind = match p.kind {
            Kind::Mailbox => "mailbox",
            Kind::Gateway => "filtering gateway",
            Kind::Forwarding => "forwarding / inbound API",
            Kind::NoImap => "app or bridge only",
            Kind::Webhost => "web host",
        };
        for v in p.variants {
            let mut variant = v.label.unwrap_or("").to_string();
            if !v.domains.is_empty() {
                variant = format!("{variant} (for {})", v.domains.join(", "));
            }
            let settings: Vec<String> = v
                .incoming
                .iter()
                .chain(v.outgoing)
                .map(|s| {
                    format!(
                        "{} {}:{} {} ({})",
                        s.protocol.name(),
                        s.host,
                        s.port,
                        names::security(s.security),
                        names::username_form(s.username)
                    )
                })
                .collect();
            let mut source = v
                .source
                .citation()
                .unwrap_or_else(|| "not verified".to_string());
            if let Some(why) = v.differs {
                source = format!(
                    "{source}; differs: {}",
                    why.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
            table.push(format!(
                "| {} | {kind} | {} | {} | {} | {source} |",
                p.name,
                variant.trim(),
                v.mx.iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" "),
                settings.join("<br>"),
            ));
        }
    }
    blessed_block("providers", &table.join("\n"));
    let readme = manual();
    assert!(readme.contains(mailprobe::provider::table::CHECKED_ON));
}

/// The manual's text between `<!-- NAME … -->` and `<!-- /NAME -->` (on whichever page holds
/// it) is `wanted`, or becomes it under `MAILPROBE_BLESS=1`.
fn blessed_block(name: &str, wanted: &str) {
    let (page, readme) = pages()
        .into_iter()
        .find(|(_, t)| t.contains(&format!("<!-- /{name} -->")))
        .unwrap_or_else(|| panic!("no page holds <!-- /{name} -->"));
    let start = readme
        .find(&format!("<!-- {name}"))
        .unwrap_or_else(|| panic!("<!-- {name} marker"));
    let start = start + readme[start..].find("-->\n").unwrap() + 4;
    let end = readme
        .find(&format!("<!-- /{name} -->"))
        .unwrap_or_else(|| panic!("<!-- /{name} --> marker"));
    let wanted = format!("{wanted}\n");
    if std::env::var_os("MAILPROBE_BLESS").is_some() {
        let updated = format!("{}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(page, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        wanted,
        "run MAILPROBE_BLESS=1 cargo test --test readme"
    );
}

/// The README's table of decoded refusals is the table in the code, row for row: written by
/// `MAILPROBE_BLESS=1 cargo test --test readme`, checked by every other run.
#[test]
fn the_refusal_table_is_the_code_s() {
    use mailprobe::judge::refusals::RULES;
    use mailprobe::report::names;
    let mut table = vec![
        "| answer to | protocol | provider | reply | `cause` | `fix_by` | source |".to_string(),
        "|---|---|---|---|---|---|---|".to_string(),
    ];
    for r in RULES {
        let reply: Vec<String> = [
            r.code.map(|c| c.to_string()),
            r.enhanced.map(str::to_string),
            r.response_code.map(|c| format!("[{c}]")),
            r.text.map(|t| format!("\"{t}\"")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let stage = match r.stage {
            mailprobe::judge::refusals::Stage::Greeting => "greeting",
            mailprobe::judge::refusals::Stage::StartTls => "STARTTLS",
            mailprobe::judge::refusals::Stage::Login => "login",
        };
        table.push(format!(
            "| {stage} | {} | {} | {} | `{}` | `{}` | {} |",
            r.protocol.map(|p| p.name()).unwrap_or("any"),
            r.provider.unwrap_or(""),
            reply.join(" "),
            names::refusal_cause(r.cause),
            names::refusal_fixer(r.fixer),
            r.source
        ));
    }
    blessed_block("refusals", &table.join("\n"));
}
