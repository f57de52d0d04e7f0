//! A test world for probing scenarios: addresses, a CA, DNS for some zones, mail servers.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mailprobe::judge::findings::{Code, Finding};
use mailprobe::judge::Verdict;
use mailprobe::probe::ProbeResult;
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::Run;

use super::dns::{zone, TestDns};
use super::mail::{start_on, MailServer, Spec, TlsMode};
use super::net::TestNet;
use super::pki::{Leaf, TestCa};

pub const TIMEOUT: Duration = Duration::from_secs(2);

/// A test world: addresses, a CA, DNS for one zone, and the servers started in it.
pub struct World {
    pub net: TestNet,
    pub ca: TestCa,
    pub servers: Vec<MailServer>,
    pub services: Vec<Service>,
}

impl World {
    pub fn new() -> Self {
        Self {
            net: TestNet::new(),
            ca: TestCa::new(),
            servers: Vec::new(),
            services: Vec::new(),
        }
    }

    pub fn ip(&self, host: u8) -> IpAddr {
        self.net.ip(host)
    }

    /// Starts `spec` on the given hosts at one port and registers the service.
    pub async fn serve(&mut self, hosts: &[u8], security: Security, spec: Spec) -> Service {
        let addrs: Vec<IpAddr> = hosts.iter().map(|h| self.ip(*h)).collect();
        let protocol = spec.protocol;
        let servers = start_on(&addrs, spec).await;
        let service = Service::new(servers[0].addr.port(), protocol, security);
        self.servers.extend(servers);
        self.services.push(service);
        service
    }

    /// A working server for `protocol`: implicit TLS for `Security::Tls`, STARTTLS otherwise.
    pub async fn serve_tls(
        &mut self,
        hosts: &[u8],
        protocol: Protocol,
        security: Security,
        leaf: &Leaf,
    ) -> Service {
        let tls = match security {
            Security::Tls => TlsMode::Implicit(leaf.clone()),
            _ => TlsMode::StartTls(leaf.clone()),
        };
        self.serve(hosts, security, Spec::new(protocol, tls)).await
    }

    /// A service on a port where nothing listens on any address of this world.
    pub fn dead_service(&mut self, protocol: Protocol, security: Security) -> Service {
        let l = std::net::TcpListener::bind(SocketAddr::new(self.ip(250), 0)).unwrap();
        let s = Service::new(l.local_addr().unwrap().port(), protocol, security);
        self.services.push(s);
        s
    }

    /// A world with one IMAP-over-TLS server at host 10, its certificate for `names`.
    pub async fn with_imaps(names: &[&str]) -> Self {
        let mut w = Self::new();
        let leaf = w.ca.leaf(names);
        w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
            .await;
        w
    }

    pub async fn run(&self, target: &str, zones: &[String]) -> Run {
        self.run_with(target, zones, |_| {}).await
    }

    pub async fn run_with(
        &self,
        target: &str,
        zones: &[String],
        tweak: impl FnOnce(&mut mailprobe::Options),
    ) -> Run {
        let dns = TestDns::start(zones).await;
        let ca_file = self.ca.pem_file();
        let mut o = super::options(target, dns.addr, &self.services, TIMEOUT);
        o.ca_file = Some(ca_file.path().to_path_buf());
        tweak(&mut o);
        super::run(&o).await
    }

    /// The binary's arguments for a run of `target` against this world: its DNS, its CA, only
    /// its services, a 2 s timeout.
    pub fn cli_args(
        &self,
        target: &str,
        dns: std::net::SocketAddr,
        ca: &std::path::Path,
    ) -> Vec<String> {
        let mut args: Vec<String> = [
            target,
            "--dns",
            &dns.to_string(),
            "--ca-file",
            &ca.display().to_string(),
            "--ports",
            "none",
            "--timeout",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for s in &self.services {
            args.push("--service".into());
            args.push(s.to_string());
        }
        args
    }

    /// A JSONL fleet over `domains` against this world, `parallel` at a time, with the
    /// defaults of the command line otherwise.
    pub fn fleet_request(
        &self,
        dns: std::net::SocketAddr,
        ca: &std::path::Path,
        domains: &[String],
        timeout: Duration,
        parallel: usize,
    ) -> mailprobe::fleet::FleetRequest {
        let mut base = super::options("x.test", dns, &self.services, timeout);
        base.ca_file = Some(ca.to_path_buf());
        mailprobe::fleet::FleetRequest {
            fleet: mailprobe::fleet::FleetOptions {
                base: base.options,
                targets: domains
                    .iter()
                    .map(|d| mailprobe::input::parse_target(d).unwrap())
                    .collect(),
                parallel,
                rate: None,
            },
            bad: Vec::new(),
            duplicates: 0,
            other_shards: 0,
            jsonl: true,
            details: false,
            html: None,
            compare: None,
            expiry_warn: 21,
            prometheus: None,
            limits: mailprobe::judge::policy::DEFAULT_EXPIRY_LIMITS,
            deadline: None,
            color: Some(false),
        }
    }

    pub fn commands(&self) -> Vec<String> {
        self.servers.iter().flat_map(|s| s.commands()).collect()
    }
}

pub fn probe<'a>(run: &'a Run, host: &str, service: Service) -> &'a ProbeResult {
    run.probes()
        .find(|p| p.host == host && p.service == service)
        .unwrap_or_else(|| {
            panic!(
                "no probe of {host} {service}: {:#?}",
                run.probes()
                    .map(|p| (&p.host, p.service))
                    .collect::<Vec<_>>()
            )
        })
}

pub fn verdict(run: &Run, host: &str, service: Service) -> Verdict {
    run.judged
        .iter()
        .find(|j| j.probe.host == host && j.probe.service == service)
        .expect("probe")
        .judgement
        .verdict
}

pub fn finding(run: &Run, code: Code) -> Option<&Finding> {
    run.diagnosis.findings.iter().find(|f| f.code == code)
}

/// A finding's message, in the words the report uses.
pub fn message(f: &Finding) -> String {
    mailprobe::words::message(f)
}

/// The messages of every finding with this code, in the report's order.
pub fn messages(run: &Run, code: Code) -> Vec<String> {
    run.diagnosis
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(message)
        .collect()
}

pub fn ok_zone(net: &TestNet) -> String {
    let n = net.prefix();
    zone(
        "ok.test",
        &format!(
            "@ IN MX 10 mx.ok.test.\n@ IN A {n}.10\nimap IN A {n}.10\nsmtp IN A {n}.10\nmail IN A {n}.10\nmx IN A {n}.11\n"
        ),
    )
}
