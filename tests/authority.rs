//! DNS from the source, against in-process authoritative servers (hickory-server) on their own
//! loopback addresses: a changed MX still cached by the resolver, a stale secondary, lame and
//! silent servers, a parent delegation that differs from the zone's own NS set.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailprobe::discover::authority::ServerOutcome;
use mailprobe::judge::findings::Code;
use mailprobe::service::{Protocol, Security};
use mailprobe::Run;
use support::dns::TestDns;
use support::scenario::{finding, message, messages, World};

const TIMEOUT: Duration = Duration::from_secs(2);

/// A zone text with its own NS set (names and addresses given), serial and body.
fn zone(origin: &str, serial: u32, ns: &[(&str, String)], body: &str) -> String {
    let mut text = format!(
        "$ORIGIN {origin}.\n$TTL 300\n@ 3600 IN SOA {}. hostmaster.{origin}. {serial} 3600 600 86400 60\n",
        ns[0].0
    );
    for (name, address) in ns {
        text.push_str(&format!("@ IN NS {name}.\n"));
        if name.ends_with(origin) {
            text.push_str(&format!("{name}. IN A {address}\n"));
        }
    }
    text + body + "\n"
}

struct Source {
    /// The "resolver": serves the zone as it was (the cached, older state) and the parent.
    resolver: TestDns,
    /// The zone's own servers.
    _servers: Vec<TestDns>,
    port: u16,
}

/// Starts the zone's own servers on `.1`, `.2`, … of the world's net (one zone text each; an
/// empty text leaves that address silent), all on one port.
async fn servers(w: &World, zones: &[Vec<String>]) -> (Vec<TestDns>, u16) {
    let mut out: Vec<TestDns> = Vec::new();
    let mut port = 0;
    for (i, texts) in zones.iter().enumerate() {
        let ip = w.ip(1 + i as u8);
        if texts.is_empty() {
            continue;
        }
        let s = TestDns::start_at(SocketAddr::new(ip, port), texts).await;
        port = s.addr.port();
        out.push(s);
    }
    if port == 0 {
        let s = TestDns::start_at(SocketAddr::new(w.ip(200), 0), &[]).await;
        port = s.addr.port();
        out.push(s);
    }
    (out, port)
}

async fn run(w: &World, source: &Source, target: &str) -> Run {
    w.run_with(target, &[], |o| {
        o.dns_servers = vec![source.resolver.addr];
        o.authoritative = true;
        o.authority_port = source.port;
        o.timeout = TIMEOUT;
    })
    .await
}

fn ns(w: &World, n: u8) -> (&'static str, String) {
    let name: &'static str = match n {
        1 => "ns1.ok.test",
        2 => "ns2.ok.test",
        _ => "ns3.ok.test",
    };
    (name, w.ip(n).to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_mx_still_cached_by_the_resolver_is_named_with_its_refresh_time() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["new.ok.test", "old.ok.test"]);
    let submission = w
        .serve_tls(&[20], Protocol::Smtp, Security::StartTls, &leaf)
        .await;
    let n = w.net.prefix();
    let set = [ns(&w, 1), ns(&w, 2)];
    let hosts = format!("old IN A {n}.21\nnew IN A {n}.20\n");
    // The zone as the resolver still has it (old MX, TTL 3000), and as its servers serve it now.
    let old = zone(
        "ok.test",
        1,
        &set,
        &format!("@ 3000 IN MX 10 old.ok.test.\n{hosts}"),
    );
    let new = zone(
        "ok.test",
        2,
        &set,
        &format!("@ 600 IN MX 10 new.ok.test.\n{hosts}"),
    );
    let (_servers, port) = servers(&w, &[vec![new.clone()], vec![new]]).await;
    let source = Source {
        resolver: TestDns::start(&[old]).await,
        _servers,
        port,
    };
    let run = run(&w, &source, "a@ok.test").await;
    let f = finding(&run, Code::PropagationPending).expect("propagation_pending");
    let text = message(f);
    assert!(
        text.contains("10 old.ok.test") && text.contains("10 new.ok.test"),
        "{text}"
    );
    assert!(text.contains("refreshes in 50 min"), "{text}");
    assert!(text.contains("up to 10 min"), "{text}");
    assert!(text.contains("new host already answers SMTP"), "{text}");
    // The new host, which the resolver does not know yet as MX, is probed as well.
    assert!(
        run.probes()
            .any(|p| p.host == "new.ok.test" && p.service == submission),
        "{:?}",
        run.probes().map(|p| &p.host).collect::<Vec<_>>()
    );
    assert!(finding(&run, Code::AuthoritativeInconsistent).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_secondary_is_named_with_its_serial_and_mx() {
    let w = World::new();
    let set = [ns(&w, 1), ns(&w, 2)];
    let new = zone("ok.test", 7, &set, "@ IN MX 10 new.ok.test.\n");
    let stale = zone("ok.test", 5, &set, "@ IN MX 10 old.ok.test.\n");
    let (_servers, port) = servers(&w, &[vec![new.clone()], vec![stale.clone()]]).await;
    // A resolver that got its answer from the stale server: that answer is still served, so
    // it is no cache waiting to expire, only the inconsistency.
    let from_stale = Source {
        resolver: TestDns::start(&[stale]).await,
        _servers: Vec::new(),
        port,
    };
    let lagged = run(&w, &from_stale, "ok.test").await;
    assert!(finding(&lagged, Code::AuthoritativeInconsistent).is_some());
    assert!(finding(&lagged, Code::PropagationPending).is_none());
    let source = Source {
        resolver: TestDns::start(&[new]).await,
        _servers,
        port,
    };
    let run = run(&w, &source, "ok.test").await;
    let f = finding(&run, Code::AuthoritativeInconsistent).expect("authoritative_inconsistent");
    let text = message(f);
    assert!(text.contains("serial 7 with MX 10 new.ok.test"), "{text}");
    assert!(
        text.contains(&format!(
            "ns2.ok.test ({}) serves serial 5 with MX 10 old.ok.test",
            w.ip(2)
        )),
        "{text}"
    );
    assert_eq!(f.severity, mailprobe::judge::findings::Severity::Error);
    // The resolver's answer is still served by a server: not a cache waiting to expire.
    assert!(finding(&run, Code::PropagationPending).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_secondarys_cached_no_such_name_is_not_propagation_and_both_hosts_are_probed() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["new.ok.test", "old.ok.test"]);
    let submission = w
        .serve_tls(&[20], Protocol::Smtp, Security::StartTls, &leaf)
        .await;
    let n = w.net.prefix();
    let set = [ns(&w, 1), ns(&w, 2)];
    // ns2 lags: the old MX (whose host no longer answers) and no name new.ok.test at all.
    let new = zone(
        "ok.test",
        7,
        &set,
        &format!("@ IN MX 10 new.ok.test.\nnew IN A {n}.20\nold IN A {n}.21\n"),
    );
    let stale = zone(
        "ok.test",
        5,
        &set,
        &format!("@ IN MX 10 old.ok.test.\nold IN A {n}.21\n"),
    );
    let (_servers, port) = servers(&w, &[vec![new], vec![stale]]).await;
    // The resolver got the MX from ns1 and then "no such name" for new.ok.test from ns2.
    let cached = zone(
        "ok.test",
        7,
        &set,
        &format!("@ IN MX 10 new.ok.test.\nold IN A {n}.21\n"),
    );
    let source = Source {
        resolver: TestDns::start(&[cached]).await,
        _servers,
        port,
    };
    let run = run(&w, &source, "a@ok.test").await;
    let probed = |host: &str| -> Vec<&mailprobe::probe::ProbeResult> {
        run.probes()
            .filter(|p| p.host == host && p.service == submission)
            .collect()
    };
    // The new host is probed at the newest servers' address, and works.
    let new_probes = probed("new.ok.test");
    assert!(
        new_probes.iter().any(|p| p.address == w.ip(20)),
        "{:?}",
        run.probes()
            .map(|p| (&p.host, p.address))
            .collect::<Vec<_>>()
    );
    // The old host, which only the lagging server still names, is probed too.
    assert!(probed("old.ok.test").iter().any(|p| p.address == w.ip(21)));
    // Not propagation ("nothing to fix"): a lagging server, named with what its answer costs.
    assert!(finding(&run, Code::PropagationPending).is_none());
    let text = message(finding(&run, Code::AuthoritativeInconsistent).expect("inconsistent"));
    for part in [
        "serves serial 5 with MX 10 old.ok.test and has no address for new.ok.test",
        "its old MX host does not answer SMTP from here",
        "holds that missing answer for new.ok.test",
        &format!(
            "probed at {} (the newest servers' address), it works from here",
            w.ip(20)
        ),
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    // The working new host is a setting, not "nothing works".
    assert_ne!(run.status, mailprobe::judge::Status::NothingWorks);
}

#[tokio::test(flavor = "multi_thread")]
async fn lame_refusing_and_silent_servers_are_told_apart_in_about_one_timeout() {
    let w = World::new();
    let set = [ns(&w, 1), ns(&w, 2), ns(&w, 3)];
    let good = zone("ok.test", 3, &set, "@ IN MX 10 mx.ok.test.\n");
    // ns2 serves another zone only (REFUSED for ok.test); ns3 is not running at all.
    let other = zone(
        "other.test",
        1,
        &[("ns.other.test", w.ip(2).to_string())],
        "",
    );
    let (_servers, port) = servers(&w, &[vec![good.clone()], vec![other], vec![]]).await;
    let source = Source {
        resolver: TestDns::start(&[good]).await,
        _servers,
        port,
    };
    let started = Instant::now();
    let run = run(&w, &source, "ok.test").await;
    assert!(
        started.elapsed() < TIMEOUT + Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let a = run.authority.as_ref().expect("asked");
    let outcome = |name: &str| &a.servers.iter().find(|s| s.name == name).unwrap().outcome;
    assert!(matches!(outcome("ns1.ok.test"), ServerOutcome::Answered(_)));
    assert_eq!(outcome("ns2.ok.test"), &ServerOutcome::Refused);
    assert_eq!(outcome("ns3.ok.test"), &ServerOutcome::Timeout);
    assert!(message(finding(&run, Code::NameserverLame).unwrap()).contains("refuses"));
    assert!(finding(&run, Code::NameserverUnreachable).is_some());
    assert!(finding(&run, Code::AuthoritativeUnreachable).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_parent_delegation_is_compared_with_the_zones_own_ns_set() {
    let w = World::new();
    let child_set = [ns(&w, 1), ns(&w, 2)];
    // ns3 has an address in the zone, though the zone does not list it as a name server.
    let ns3 = format!("ns3 IN A {}\n@ IN MX 10 mx.ok.test.\n", w.ip(3));
    let good = zone("ok.test", 3, &child_set, &ns3);
    // The parent (the "test" zone, on .9) delegates to ns1 and ns3 with glue.
    let parent = format!(
        "$ORIGIN test.\n$TTL 300\n@ 3600 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60\n\
         @ IN NS ns.test.\nns IN A {}\nok IN NS ns1.ok.test.\nok IN NS ns3.ok.test.\n\
         ns1.ok IN A {}\nns3.ok IN A {}\n",
        w.ip(9),
        w.ip(1),
        w.ip(3)
    );
    let (mut servers, port) = servers(
        &w,
        &[vec![good.clone()], vec![good.clone()], vec![good.clone()]],
    )
    .await;
    servers.push(
        TestDns::start_at(
            SocketAddr::new(w.ip(9), port),
            std::slice::from_ref(&parent),
        )
        .await,
    );
    let source = Source {
        resolver: TestDns::start(&[good, parent]).await,
        _servers: servers,
        port,
    };
    let run = run(&w, &source, "ok.test").await;
    let a = run.authority.as_ref().expect("asked");
    let delegated = a.parent.as_ref().expect("the parent answered");
    assert_eq!(delegated.ns, vec!["ns1.ok.test", "ns3.ok.test"]);
    let text = message(finding(&run, Code::DelegationMismatch).expect("delegation_mismatch"));
    assert!(
        text.contains("ns1.ok.test, ns3.ok.test") && text.contains("ns1.ok.test, ns2.ok.test"),
        "{text}"
    );
    // Every server named by either side is asked.
    assert_eq!(a.servers.len(), 3, "{:#?} {:?}", a.servers, a.child_ns);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_from_any_server_is_blamed_on_this_network_not_the_domain() {
    let w = World::new();
    let set = [ns(&w, 1), ns(&w, 2)];
    let good = zone("ok.test", 3, &set, "@ IN MX 10 mx.ok.test.\n");
    // No server runs on .1 or .2.
    let (_servers, port) = servers(&w, &[vec![], vec![]]).await;
    let source = Source {
        resolver: TestDns::start(&[good]).await,
        _servers,
        port,
    };
    let run = run(&w, &source, "ok.test").await;
    let f = finding(&run, Code::AuthoritativeUnreachable).expect("authoritative_unreachable");
    assert!(
        message(f).contains("blocked on this network"),
        "{}",
        message(f)
    );
    assert!(finding(&run, Code::NameserverUnreachable).is_none());
    // And --no-authoritative asks none.
    let quiet = w
        .run_with("ok.test", &[], |o| {
            o.dns_servers = vec![source.resolver.addr];
            o.authoritative = false;
        })
        .await;
    assert!(quiet.authority.is_err());
    assert!(finding(&quiet, Code::AuthoritativeUnreachable).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_or_added_address_still_cached_by_the_resolver_is_named() {
    let w = World::new();
    let n = w.net.prefix();
    let set = [ns(&w, 1), ns(&w, 2)];
    // Before: mail.ok.test on .21, no imap.ok.test. After: mail on .20, imap added.
    let old = zone(
        "ok.test",
        1,
        &set,
        &format!("@ IN MX 10 mail.ok.test.\nmail 3000 IN A {n}.21\n"),
    );
    let new = zone(
        "ok.test",
        2,
        &set,
        &format!("@ IN MX 10 mail.ok.test.\nmail 600 IN A {n}.20\nimap IN A {n}.20\n"),
    );
    let (_servers, port) = servers(&w, &[vec![new.clone()], vec![new]]).await;
    let source = Source {
        resolver: TestDns::start(&[old]).await,
        _servers,
        port,
    };
    let run = run(&w, &source, "a@ok.test").await;
    let texts = messages(&run, Code::PropagationPending);
    let changed = texts
        .iter()
        .find(|t| t.contains("for mail.ok.test"))
        .unwrap_or_else(|| panic!("{texts:?}"));
    assert!(
        changed.contains(&format!("holds {n}.21 for mail.ok.test"))
            && changed.contains(&format!("now serve {n}.20"))
            && changed.contains("refreshes in 50 min")
            && changed.contains("up to 10 min"),
        "{changed}"
    );
    let added = texts
        .iter()
        .find(|t| t.contains("for imap.ok.test"))
        .unwrap_or_else(|| panic!("{texts:?}"));
    assert!(
        added.contains("holds no address for imap.ok.test"),
        "{added}"
    );
    // The MX set did not change: no MX propagation is claimed.
    assert!(texts.iter().all(|t| !t.contains("holds MX")), "{texts:?}");
}
