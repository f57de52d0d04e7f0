//! The "Servers" section of the human report: per address (a server, whatever names point to
//! it), the software that answers (named by the judge, with its confidence) and what TLS each
//! port speaks. Only grouping here: the identification is `judge::software`'s, the words are
//! `words::servers`'.

use std::io::{self, Write};
use std::net::IpAddr;

use colored::Colorize;

use crate::judge::software::{identify, Confidence};
use crate::judge::verdict::{alone_accepted, tls12_refused};
use crate::probe::ProbeResult;
use crate::service::Protocol;
use crate::text::escape_controls as safe;
use crate::words::servers as words;
use crate::Run;

/// One address: the names probed there, the software seen and each port's TLS profile.
struct Server<'a> {
    address: IpAddr,
    hosts: Vec<&'a str>,
    software: Vec<(&'static str, Confidence, Vec<Protocol>)>,
    /// A TLS profile in words and the ports that have it, in probe order.
    tls: Vec<(String, Vec<u16>)>,
}

pub(super) fn servers(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut servers: Vec<Server> = Vec::new();
    for p in run.probes() {
        let i = match servers.iter().position(|s| s.address == p.address) {
            Some(i) => i,
            None => {
                servers.push(Server {
                    address: p.address,
                    hosts: Vec::new(),
                    software: Vec::new(),
                    tls: Vec::new(),
                });
                servers.len() - 1
            }
        };
        let server = &mut servers[i];
        if !server.hosts.contains(&p.host.as_str()) {
            server.hosts.push(&p.host);
        }
        add(server, p);
    }
    servers.retain(|s| !s.software.is_empty() || !s.tls.is_empty());
    if servers.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", "Servers".bold().underline())?;
    for s in servers {
        writeln!(
            out,
            "  {} {}",
            s.address,
            safe(&words::names(&s.hosts)).dimmed()
        )?;
        for (name, confidence, protocols) in &s.software {
            let line = words::software(name, *confidence, protocols);
            writeln!(out, "      {}  {}", "software".dimmed(), safe(&line))?;
        }
        for (profile, ports) in &s.tls {
            writeln!(
                out,
                "      {}    {} {}",
                "speaks".dimmed(),
                profile,
                words::on_ports(ports).dimmed()
            )?;
        }
    }
    Ok(())
}

fn add<'a>(server: &mut Server<'a>, p: &'a ProbeResult) {
    if let Some(found) = identify(p) {
        match server
            .software
            .iter_mut()
            .find(|(n, _, _)| *n == found.name)
        {
            Some((_, confidence, protocols)) => {
                *confidence = (*confidence).max(found.confidence);
                if !protocols.contains(&p.service.protocol) {
                    protocols.push(p.service.protocol);
                }
            }
            None => server
                .software
                .push((found.name, found.confidence, vec![p.service.protocol])),
        }
    }
    let Some(chosen) = p.tls.as_ref().and_then(|t| t.version.as_deref()) else {
        return;
    };
    let profile = words::tls_profile(chosen, &alone_accepted(p), tls12_refused(p));
    super::group_port(&mut server.tls, profile, p.port);
}
