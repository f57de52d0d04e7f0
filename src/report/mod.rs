//! The JSON contract: view types of their own, built from the engine's types. The engine derives
//! no `Serialize`: every key and every enum name is spelt out here (names in [`names`]), so the
//! contract changes only when this file does. Keys are only ever added; a golden test guards it.

pub mod delivery;
pub mod monitoring;
pub mod names;
pub mod published;

use std::net::IpAddr;

use schemars::JsonSchema;
use serde::Serialize;

use crate::discover::authority::{self as auth, Authority, NotAsked, ServerAnswers, ServerOutcome};
use crate::discover::{MxHost, SrvRecord};
use crate::judge::findings::Finding;
use crate::judge::{Judgement, ProviderCheck, Recommendation, Recommended};
use crate::net::dns::LookupError;
use crate::plan::ResolvedCandidate;
use crate::probe::login::LoginOutcome;
use crate::probe::{CertInfo, CertVerdict, Failure, FailureKind, ProbeResult, TcpOutcome, TlsInfo};
use crate::provider::{ProviderMatch, PublishedSetting};
use crate::service::Service;
use crate::words;
use crate::{LoginCheck, Run};

/// Version of the JSON layout; raised when keys are added.
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON Schema of `--json` (and of each `--jsonl` line), generated from the view types
/// themselves, so it cannot drift from what is printed (`schema/report.schema.json` holds a
/// copy, kept equal by a test).
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Report).to_value();
    closed(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub mailprobe_version: &'static str,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// The DNS servers asked (`--dns`, or the system's).
    pub resolvers: Vec<String>,
    /// Which certificate authorities were trusted; null without probing.
    pub trust: Option<TrustView>,
    pub domain: String,
    pub domain_unicode: String,
    pub input: String,
    pub address: Option<String>,
    pub mx_status: &'static str,
    pub mx_error: Option<LookupErrorView>,
    pub mx: Vec<MxView>,
    pub addresses: Vec<IpAddr>,
    pub provider: Option<ProviderView>,
    /// Other providers sharing the most preferred MX preference.
    pub other_providers: Vec<ProviderView>,
    pub srv: Vec<SrvView>,
    pub hosts: Vec<HostView>,
    pub probes: Vec<ProbeView>,
    pub recommended: RecommendedView,
    pub provider_settings: Vec<ProviderCheckView>,
    pub findings: Vec<FindingView>,
    /// Null unless `--login` was given.
    pub login: Option<Vec<LoginView>>,
    /// *New in 2*: what the zone's own name servers answered.
    pub authoritative: AuthorityView,
    pub delivery: delivery::DeliveryView,
    /// *New in 2*: what mail clients are told (autoconfig, Autodiscover, SRV).
    pub published: published::PublishedView,
    /// *New in 2*: what receivers see of the SMTP servers that answered (reverse DNS); absent
    /// when delivery checks were off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending: Option<SendingView>,
    /// *New in 2*: the run's one verdict (`works`, `works_with_warnings`, `refused`,
    /// `nothing_works`, `dns_failed`, `not_applicable`, `discovered`); `exit_code` follows it.
    pub status: &'static str,
    /// *New in 2*: for `not_applicable`, why (`no_such_domain`, `null_mx`, `forwarding_only`,
    /// `app_only`); null otherwise.
    pub status_reason: Option<&'static str>,
    pub exit_code: u8,
    pub elapsed_ms: u64,
}

impl Report {
    pub fn new(run: &Run) -> Self {
        let d = &run.discovery;
        Self {
            schema_version: SCHEMA_VERSION,
            mailprobe_version: env!("CARGO_PKG_VERSION"),
            started_at: run.started_at.clone(),
            resolvers: run.resolvers.iter().map(ToString::to_string).collect(),
            trust: run.trust.as_ref().map(TrustView::from),
            domain: run.target.domain.ascii.clone(),
            domain_unicode: run.target.domain.unicode.clone(),
            input: run.target.input.clone(),
            address: run.target.address.clone(),
            mx_status: names::mx_status(d.mx_status),
            mx_error: d.mx_error.as_ref().map(LookupErrorView::from),
            mx: d.mx.iter().map(MxView::from).collect(),
            addresses: d.domain_addresses.all(),
            provider: run.identification.provider.as_ref().map(ProviderView::from),
            other_providers: run
                .identification
                .others
                .iter()
                .map(ProviderView::from)
                .collect(),
            srv: d.srv.iter().map(SrvView::from).collect(),
            hosts: run.candidates.iter().map(HostView::from).collect(),
            probes: run
                .judged
                .iter()
                .map(|j| ProbeView::new(&j.probe, &j.judgement))
                .collect(),
            recommended: RecommendedView::from(&run.diagnosis.recommended),
            provider_settings: run
                .diagnosis
                .provider_checks
                .iter()
                .map(ProviderCheckView::from)
                .collect(),
            findings: run
                .diagnosis
                .findings
                .iter()
                .map(|f| FindingView::new(f, &run.target.domain.ascii))
                .collect(),
            login: run.login.as_ref().map(|l| {
                l.iter()
                    .map(|c| {
                        LoginView::new(c, run.diagnosis.login_refusal(c.protocol, &c.host, c.port))
                    })
                    .collect()
            }),
            status: names::status(run.status),
            status_reason: names::status_reason(run.status),
            exit_code: run.exit_code,
            elapsed_ms: run.elapsed_ms,
            authoritative: AuthorityView::from(&run.authority),
            delivery: delivery::DeliveryView::from(&run.delivery),
            published: published::PublishedView::new(
                &run.published,
                &run.diagnosis.published_checks,
            ),
            sending: run.sending.as_ref().map(SendingView::from),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SendingView {
    pub reverse: Vec<ReverseView>,
    /// DNS blocklists, when asked (`--blocklists`, `--blocklist ZONE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocklists: Option<BlocklistsView>,
    /// The open-relay test, when asked (`--relay-test`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<Vec<RelayView>>,
    /// The hop that delivered the `--headers` message, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<ReceivedView>,
}

/// Where a saved message entered the receiver's systems, from its Received chain.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReceivedView {
    pub address: std::net::IpAddr,
    /// The HELO name the receiver recorded.
    pub helo: Option<String>,
    /// The receiver's own reverse lookup of the address, when recorded.
    pub reverse_seen: Option<String>,
    /// The receiving server.
    pub by: Option<String>,
    /// Which Received header, counted from the top (1 is the last hop).
    pub position: usize,
    pub received_headers: usize,
}

impl From<&crate::sending::headers::Delivered> for ReceivedView {
    fn from(d: &crate::sending::headers::Delivered) -> Self {
        Self {
            address: d.address,
            helo: d.helo.clone(),
            reverse_seen: d.reverse_seen.clone(),
            by: d.by.clone(),
            position: d.position,
            received_headers: d.received_headers,
        }
    }
}

/// The open-relay test of one address's port 25.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RelayView {
    pub host: String,
    pub address: std::net::IpAddr,
    /// `relays` (a recipient at an outside domain was accepted), `refuses`, or `incomplete`.
    pub verdict: &'static str,
    /// Each MAIL FROM / RCPT TO pair, the outside sender first (empty when the session failed).
    pub attempts: Vec<RelayAttemptView>,
    /// Why the session failed, when it did.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RelayAttemptView {
    pub sender: String,
    pub recipient: &'static str,
    pub mail: RelayStepView,
    /// `null` when MAIL FROM was not accepted (RCPT TO is then not sent).
    pub rcpt: Option<RelayStepView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RelayStepView {
    /// `accepted`, `refused` or `no_reply`.
    pub answer: &'static str,
    /// The server's reply (escaped), when there was one.
    pub reply: Option<String>,
}

impl From<&crate::probe::relay::Step> for RelayStepView {
    fn from(s: &crate::probe::relay::Step) -> Self {
        use crate::probe::relay::Step;
        match s {
            Step::Accepted(r) => Self {
                answer: "accepted",
                reply: Some(r.line.clone()),
            },
            Step::Refused(r) => Self {
                answer: "refused",
                reply: Some(r.line.clone()),
            },
            Step::NoReply(_) => Self {
                answer: "no_reply",
                reply: None,
            },
        }
    }
}

impl From<&crate::sending::Relay> for RelayView {
    fn from(r: &crate::sending::Relay) -> Self {
        use crate::judge::sending::RelayVerdict;
        let verdict = match crate::judge::sending::relay_verdict(r) {
            RelayVerdict::Relays { .. } => "relays",
            RelayVerdict::Refuses { .. } => "refuses",
            RelayVerdict::Incomplete { .. } => "incomplete",
        };
        let (attempts, error) = match &r.outcome {
            Ok(o) => (
                o.attempts
                    .iter()
                    .map(|a| RelayAttemptView {
                        sender: a.sender.clone(),
                        recipient: crate::probe::relay::RECIPIENT,
                        mail: RelayStepView::from(&a.mail),
                        rcpt: a.rcpt.as_ref().map(RelayStepView::from),
                    })
                    .collect(),
                None,
            ),
            Err(f) => (
                Vec::new(),
                Some(crate::words::failure(
                    crate::service::Service::new(
                        25,
                        crate::service::Protocol::Smtp,
                        crate::service::Security::Plain,
                    ),
                    f,
                )),
            ),
        };
        Self {
            host: r.host.clone(),
            address: r.address,
            verdict,
            attempts,
            error,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlocklistsView {
    pub lists: Vec<BlocklistView>,
    pub lookups: Vec<BlocklistLookupView>,
}

/// One list as its RFC 5782 test points found it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlocklistView {
    pub zone: String,
    /// The list's name when mailprobe knows it.
    pub name: Option<&'static str>,
    /// Where to ask for removal, when known.
    pub delist: Option<&'static str>,
    /// Its test points for IPv4: `usable`, `not_asked` (no IPv4 sender), or why its answers
    /// cannot be trusted (the `cannot_tell` values below).
    pub ipv4: &'static str,
    /// The same for IPv6.
    pub ipv6: &'static str,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlocklistLookupView {
    pub host: String,
    pub address: std::net::IpAddr,
    pub zone: String,
    /// `listed`, `not_listed` or `cannot_tell`.
    pub answer: &'static str,
    /// The list's answers (127.0.0.x) when listed.
    pub codes: Vec<std::net::Ipv4Addr>,
    /// What each code means (`spam`, `low_reputation`, `exploited`, `hijacked`, `policy_isp`,
    /// `policy_list`, `listed`), in the order of `codes`.
    pub meanings: Vec<&'static str>,
    /// The list's TXT record for the address (escaped, at most 300 characters).
    pub reason: Option<String>,
    /// Why there is no answer: `resolver_refused`, `rate_limited`, `error_code`,
    /// `test_point_not_listed`, `lists_everything`, `odd_answer`, `no_ipv6`, `lookup_failed`.
    pub cannot_tell: Option<&'static str>,
}

impl From<&crate::sending::blocklists::Blocklists> for BlocklistsView {
    fn from(b: &crate::sending::blocklists::Blocklists) -> Self {
        use crate::sending::blocklists::Answer;
        let lists = b
            .lists
            .iter()
            .map(|l| BlocklistView {
                zone: l.zone.clone(),
                name: l.known.map(|k| k.name),
                delist: l.known.map(|k| k.delist),
                ipv4: names::usable(&l.ipv4),
                ipv6: names::usable(&l.ipv6),
            })
            .collect();
        let lookups = b
            .lookups
            .iter()
            .map(|l| {
                let (answer, codes, reason, cannot) = match &l.answer {
                    Answer::Listed { codes, reason } => {
                        ("listed", codes.clone(), reason.clone(), None)
                    }
                    Answer::NotListed => ("not_listed", Vec::new(), None, None),
                    Answer::CannotTell(why) => (
                        "cannot_tell",
                        Vec::new(),
                        None,
                        Some(names::cannot_tell(why)),
                    ),
                };
                BlocklistLookupView {
                    host: l.host.clone(),
                    address: l.address,
                    zone: l.zone.clone(),
                    answer,
                    codes: codes.iter().map(|(c, _)| *c).collect(),
                    meanings: codes
                        .iter()
                        .map(|(_, m)| names::blocklist_meaning(*m))
                        .collect(),
                    reason,
                    cannot_tell: cannot,
                }
            })
            .collect();
        Self { lists, lookups }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReverseView {
    pub host: String,
    pub address: std::net::IpAddr,
    /// *New*: where the address was found: `probe` (an SMTP server that answered), `spf` (the
    /// domain's SPF record lists it) or `received` (it delivered the `--headers` message).
    pub seen: &'static str,
    /// The name in the SMTP greeting, when it gave one (for `received`: its HELO).
    pub greeting_name: Option<String>,
    /// Whether the greeting name resolves to the address.
    pub greeting_confirmed: Option<bool>,
    /// `confirmed` (a PTR name resolves back), `not_confirmed`, `missing` or `lookup_failed`.
    pub ptr: &'static str,
    pub ptr_names: Vec<String>,
    pub confirmed_name: Option<String>,
}

impl From<&crate::sending::Sending> for SendingView {
    fn from(s: &crate::sending::Sending) -> Self {
        use crate::sending::Ptr;
        Self {
            reverse: s
                .reverse
                .iter()
                .map(|r| {
                    let (ptr, names, confirmed) = match &r.ptr {
                        Ptr::Missing => ("missing", Vec::new(), None),
                        Ptr::LookupFailed(_) => ("lookup_failed", Vec::new(), None),
                        Ptr::Names { names, confirmed } => (
                            if confirmed.is_some() {
                                "confirmed"
                            } else {
                                "not_confirmed"
                            },
                            names.clone(),
                            confirmed.clone(),
                        ),
                    };
                    ReverseView {
                        host: r.host.clone(),
                        address: r.address,
                        seen: names::seen(r.seen),
                        greeting_name: r.greeting_name.clone(),
                        greeting_confirmed: r.greeting_confirmed,
                        ptr,
                        ptr_names: names,
                        confirmed_name: confirmed,
                    }
                })
                .collect(),
            blocklists: s.blocklists.as_ref().map(BlocklistsView::from),
            relay: s
                .relay
                .as_ref()
                .map(|r| r.iter().map(RelayView::from).collect()),
            received: s.received.as_ref().map(ReceivedView::from),
        }
    }
}

/// Every object of the schema lists all its keys: a key printed but not declared in a view type
/// fails validation instead of passing unnoticed.
fn closed(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), false.into());
            }
            map.values_mut().for_each(closed);
        }
        serde_json::Value::Array(list) => list.iter_mut().for_each(closed),
        _ => {}
    }
}

/// The zone's own name servers: asked or not, and what each said.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthorityView {
    /// `asked`, `disabled`, `no_zone` or `no_name_servers`.
    pub status: &'static str,
    pub zone: Option<String>,
    /// The NS set as the parent delegates it (null when no parent server answered).
    pub parent_ns: Option<Vec<String>>,
    pub child_ns: Vec<String>,
    pub servers: Vec<ServerView>,
    /// When the servers were asked (RFC 3339).
    pub asked_at: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServerView {
    pub name: String,
    pub address: IpAddr,
    /// `answered`, `refused`, `lame`, `timeout`, `failed`.
    pub outcome: &'static str,
    pub serial: Option<u32>,
    /// `{preference, exchange, ttl}`; null when the server did not say.
    pub mx: Option<Vec<AuthMxView>>,
    pub detail: Option<String>,
    /// The in-zone MX hosts and probed names, with the addresses this server serves.
    pub hosts: Vec<AuthHostView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthHostView {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    pub ttl: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthMxView {
    pub preference: u16,
    pub exchange: String,
    pub ttl: u32,
}

impl From<&Result<Authority, NotAsked>> for AuthorityView {
    fn from(a: &Result<Authority, NotAsked>) -> Self {
        let mut view = Self {
            status: "asked",
            zone: None,
            parent_ns: None,
            child_ns: Vec::new(),
            servers: Vec::new(),
            asked_at: None,
        };
        match a {
            Err(NotAsked::Disabled) => view.status = "disabled",
            Err(NotAsked::NoZone(_)) => view.status = "no_zone",
            Err(NotAsked::NoNameServers(_)) => view.status = "no_name_servers",
            Ok(a) => {
                view.zone = Some(a.zone.clone());
                view.parent_ns = a.parent.as_ref().map(|p| p.ns.clone());
                view.child_ns = a.child_ns.clone();
                view.asked_at = Some(words::utc_time(a.asked_at));
                view.servers = a.servers.iter().map(ServerView::from).collect();
            }
        }
        view
    }
}

impl From<&ServerAnswers> for ServerView {
    fn from(s: &ServerAnswers) -> Self {
        let hosts = match &s.outcome {
            ServerOutcome::Answered(v) => v
                .hosts
                .iter()
                .map(|h| AuthHostView {
                    name: h.name.clone(),
                    addresses: h.addresses.clone(),
                    ttl: h.ttl,
                })
                .collect(),
            _ => Vec::new(),
        };
        let (outcome, serial, mx, detail) = match &s.outcome {
            ServerOutcome::Answered(v) => {
                let mx = match &v.mx {
                    auth::MxView::Records(r) => Some(
                        r.iter()
                            .map(|(p, e, t)| AuthMxView {
                                preference: *p,
                                exchange: e.clone(),
                                ttl: *t,
                            })
                            .collect(),
                    ),
                    auth::MxView::NoRecords | auth::MxView::NxDomain => Some(Vec::new()),
                    auth::MxView::Unknown => None,
                };
                ("answered", v.serial, mx, None)
            }
            ServerOutcome::Refused => ("refused", None, None, None),
            ServerOutcome::Lame => ("lame", None, None, None),
            ServerOutcome::Timeout => ("timeout", None, None, None),
            ServerOutcome::Failed(t) => ("failed", None, None, Some(t.clone())),
            ServerOutcome::NotAsked(class) => (
                "not_asked",
                None,
                None,
                Some(words::address_class(*class).to_string()),
            ),
        };
        Self {
            name: s.name.clone(),
            address: s.address,
            outcome,
            serial,
            mx,
            detail,
            hosts,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TrustView {
    /// `builtin`, `system` or `both`.
    pub source: &'static str,
    pub builtin_certificates: usize,
    pub system_certificates: usize,
    pub ca_file_certificates: usize,
    pub system_errors: Vec<String>,
}

impl From<&crate::probe::tls::TrustSummary> for TrustView {
    fn from(t: &crate::probe::tls::TrustSummary) -> Self {
        use crate::probe::tls::TrustSource;
        Self {
            source: match t.source {
                TrustSource::Builtin => "builtin",
                TrustSource::System => "system",
                TrustSource::Both => "both",
            },
            builtin_certificates: t.builtin,
            system_certificates: t.system,
            ca_file_certificates: t.ca_file,
            system_errors: t.system_errors.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LookupErrorView {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&LookupError> for LookupErrorView {
    fn from(e: &LookupError) -> Self {
        Self {
            kind: names::lookup_error(e),
            detail: match e {
                LookupError::Other(s) => Some(s.clone()),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MxView {
    pub preference: u16,
    /// "." for a null MX.
    pub exchange: String,
    pub ttl: u32,
    pub addresses: Vec<IpAddr>,
    pub cname_chain: Vec<String>,
    pub error: Option<LookupErrorView>,
}

impl From<&MxHost> for MxView {
    fn from(m: &MxHost) -> Self {
        Self {
            preference: m.preference,
            exchange: if m.is_null() {
                ".".into()
            } else {
                m.exchange.clone()
            },
            ttl: m.ttl,
            addresses: m.address_list(),
            cname_chain: m
                .addresses
                .as_ref()
                .map(|a| a.cname_chain.clone())
                .unwrap_or_default(),
            error: m
                .addresses
                .as_ref()
                .and_then(|a| a.failure())
                .as_ref()
                .map(LookupErrorView::from),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SettingView {
    pub protocol: &'static str,
    pub host: String,
    pub port: u16,
    pub security: &'static str,
    /// *New in 2*: the login name's form for this setting: `full_address`, `local_part` or
    /// `account_name`.
    pub username: &'static str,
}

impl From<&PublishedSetting> for SettingView {
    fn from(s: &PublishedSetting) -> Self {
        Self {
            protocol: names::protocol(s.protocol),
            host: s.host.clone(),
            port: s.port,
            security: names::security(s.security),
            username: names::username_form(s.username),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub matched_mx: Option<String>,
    pub incoming: Vec<SettingView>,
    pub outgoing: Vec<SettingView>,
    pub username: &'static str,
    pub webmail: Option<String>,
    pub notes: Vec<String>,
    /// The region or brand, where the provider has several.
    pub variant: Option<String>,
    /// True when the settings were checked against a public source (`settings_source`).
    pub verified: bool,
    pub settings_source: Option<String>,
}

impl From<&ProviderMatch> for ProviderView {
    fn from(p: &ProviderMatch) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: names::provider_kind(p.kind),
            matched_mx: p.matched_mx.clone(),
            incoming: p.incoming.iter().map(SettingView::from).collect(),
            outgoing: p.outgoing.iter().map(SettingView::from).collect(),
            username: names::username_form(p.username),
            webmail: p.webmail.clone(),
            notes: p.notes.iter().map(|n| words::provider_note(*n)).collect(),
            variant: p.variant.clone(),
            verified: p.source.is_some(),
            settings_source: p.source.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SrvView {
    pub service: String,
    pub protocol: &'static str,
    pub security: &'static str,
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
    pub ttl: u32,
    pub offered: bool,
}

impl From<&SrvRecord> for SrvView {
    fn from(s: &SrvRecord) -> Self {
        Self {
            service: s.service.clone(),
            protocol: names::protocol(s.protocol),
            security: names::security(s.security),
            priority: s.priority,
            weight: s.weight,
            port: s.port,
            target: s.target.clone(),
            ttl: s.ttl,
            offered: s.offered,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HostView {
    pub name: String,
    pub sources: Vec<&'static str>,
    pub addresses: Vec<IpAddr>,
    pub error: Option<LookupErrorView>,
    /// Addresses only the zone's own servers give (the resolver holds "no such name"): the
    /// host was probed at these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses_from_source: Vec<IpAddr>,
}

impl From<&ResolvedCandidate> for HostView {
    fn from(c: &ResolvedCandidate) -> Self {
        Self {
            name: c.candidate.name.clone(),
            sources: c
                .candidate
                .sources
                .iter()
                .map(|s| names::source(*s))
                .collect(),
            addresses: c.addresses.all(),
            error: c.addresses.failure().as_ref().map(LookupErrorView::from),
            addresses_from_source: c.from_source.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TcpView {
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&TcpOutcome> for TcpView {
    fn from(t: &TcpOutcome) -> Self {
        let (state, detail) = match t {
            TcpOutcome::Connected => ("connected", None),
            TcpOutcome::Refused => ("refused", None),
            TcpOutcome::TimedOut => ("timed_out", None),
            TcpOutcome::Unreachable(u) => ("unreachable", Some(words::unreachable(*u).into())),
            TcpOutcome::Reset => ("reset", None),
            TcpOutcome::Failed(e) => ("failed", Some(words::local_error(e))),
            TcpOutcome::NotAttempted => ("not_attempted", None),
        };
        Self { state, detail }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CertView {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub names_from_cn: bool,
    pub not_before: String,
    pub not_after: String,
    pub days_left: i64,
    pub self_signed: bool,
    pub chain_length: usize,
    /// *New in 2*: `rsa`, `ecdsa`, `ed25519`, `ed448` or `other`, and its size in bits.
    pub key_type: &'static str,
    pub key_bits: u32,
    /// *New in 2*: e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `Ed25519`.
    pub signature_algorithm: &'static str,
    /// *New in 2*: from `not_before` to `not_after`, in days.
    pub validity_days: i64,
    /// *New in 2*: SHA-256 of the certificate (DER), lower-case hex.
    pub sha256_fingerprint: String,
    /// *New*: the other certificates the server sent, each with its own dates (an expired
    /// intermediate fails the chain while the leaf is valid).
    pub intermediates: Vec<ChainCertView>,
    /// *New*: the certificate demands a stapled OCSP response (RFC 7633 must-staple).
    pub must_staple: bool,
    /// *New*: the server stapled an OCSP response to the handshake.
    pub ocsp_stapled: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ChainCertView {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Negative once expired.
    pub days_left: i64,
}

impl From<&CertInfo> for CertView {
    fn from(c: &CertInfo) -> Self {
        Self {
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            names: c.names.clone(),
            names_from_cn: c.names_from_cn,
            not_before: c.not_before.clone(),
            not_after: c.not_after.clone(),
            days_left: c.days_left,
            self_signed: c.self_signed,
            chain_length: c.chain_length,
            key_type: names::key_kind(c.key),
            key_bits: c.key_bits,
            signature_algorithm: c.signature,
            validity_days: c.validity_days,
            sha256_fingerprint: c.sha256.clone(),
            intermediates: c
                .intermediates
                .iter()
                .map(|i| ChainCertView {
                    subject: i.subject.clone(),
                    issuer: i.issuer.clone(),
                    not_before: i.not_before.clone(),
                    not_after: i.not_after.clone(),
                    days_left: i.days_left,
                })
                .collect(),
            must_staple: c.must_staple,
            ocsp_stapled: c.ocsp_stapled,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CertVerdictView {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&CertVerdict> for CertVerdictView {
    fn from(v: &CertVerdict) -> Self {
        Self {
            status: names::cert_verdict(v),
            detail: match v {
                CertVerdict::Other(text) => Some(text.clone()),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TlsView {
    pub sni: String,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub certificate: Option<CertView>,
    pub verdict: Option<CertVerdictView>,
    pub name_matches: Option<bool>,
    pub client_certificate_requested: bool,
    /// *New in 2*: the answers to hellos offering only TLS 1.0, only TLS 1.1 (empty when not
    /// asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legacy: Vec<LegacyView>,
}

/// One legacy-version hello: `accepted` is null when it never reached the server's TLS.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LegacyView {
    /// `tls1.0` or `tls1.1`; `tls1.2` (asked when the server chose TLS 1.3).
    pub version: &'static str,
    pub accepted: Option<bool>,
    /// `accepted`, `alert`, `other_version`, `closed`, `not_tls`, `timed_out`, or
    /// `not_reached` (see `failure`).
    pub answer: &'static str,
    /// The alert's name (or number), for `alert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// The cipher suite the server chose, for `accepted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureView>,
}

impl From<&crate::probe::LegacyCheck> for LegacyView {
    fn from(c: &crate::probe::LegacyCheck) -> Self {
        use crate::probe::tls::legacy::LegacyAnswer as A;
        let (answer, accepted, alert, cipher, failure) = match &c.answer {
            Err(f) => ("not_reached", None, None, None, Some(FailureView::from(f))),
            Ok(a) => (
                names::legacy_answer(a),
                Some(matches!(a, A::Accepted { .. })),
                match a {
                    A::Alert { description } => Some(
                        crate::probe::tls::alert_name(*description)
                            .map(str::to_string)
                            .unwrap_or_else(|| description.to_string()),
                    ),
                    _ => None,
                },
                match a {
                    A::Accepted { cipher } => Some(words::cipher_suite(*cipher)),
                    _ => None,
                },
                None,
            ),
        };
        Self {
            version: names::legacy_version(c.version),
            accepted,
            answer,
            alert,
            cipher,
            failure,
        }
    }
}

impl TlsView {
    fn new(t: &TlsInfo, legacy: &[crate::probe::LegacyCheck]) -> Self {
        Self {
            legacy: legacy.iter().map(LegacyView::from).collect(),
            ..Self::from(t)
        }
    }
}

impl From<&TlsInfo> for TlsView {
    fn from(t: &TlsInfo) -> Self {
        Self {
            legacy: Vec::new(),
            sni: t.sni.clone(),
            version: t.version.clone(),
            cipher: t.cipher.clone(),
            certificate: t.certificate.as_ref().map(CertView::from),
            verdict: t.verdict.as_ref().map(CertVerdictView::from),
            name_matches: t.name_matches,
            client_certificate_requested: t.client_certificate_requested,
        }
    }
}

/// A failure: `phase` and `kind`, then the kind's own fields.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FailureView {
    pub phase: &'static str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_failure: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heard: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
}

impl From<&Failure> for FailureView {
    fn from(f: &Failure) -> Self {
        let mut v = Self {
            phase: names::phase(f.phase),
            kind: "",
            detail: None,
            tls_failure: None,
            heard: None,
            sample: None,
            reply: None,
            reply_code: None,
            bytes: None,
        };
        v.kind = match &f.kind {
            FailureKind::Refused => "refused",
            FailureKind::TimedOut => "timed_out",
            FailureKind::GreetingUnfinished => "greeting_unfinished",
            FailureKind::Unreachable(u) => {
                v.detail = Some(words::unreachable(*u).into());
                "unreachable"
            }
            FailureKind::Reset => "reset",
            FailureKind::Closed => "closed",
            FailureKind::TlsHandshake(t) => {
                v.detail = Some(words::tls_failure(t));
                v.tls_failure = Some(names::tls_failure(t));
                "tls_handshake"
            }
            FailureKind::ProtocolMismatch { heard, sample } => {
                v.heard = Some(names::heard(*heard));
                v.sample = Some(sample.clone());
                "protocol_mismatch"
            }
            FailureKind::TlsAnswered { version } => {
                v.heard = Some("tls");
                v.sample = Some(format!(
                    "a TLS handshake succeeded ({})",
                    version.as_deref().unwrap_or("TLS")
                ));
                "protocol_mismatch"
            }
            FailureKind::Rejected(r) => {
                v.reply = Some(r.line.clone());
                v.reply_code = r.code;
                "rejected"
            }
            FailureKind::StartTlsInjection { bytes } => {
                v.bytes = Some(*bytes);
                "start_tls_injection"
            }
            FailureKind::LineTooLong => "line_too_long",
            FailureKind::TooManyLines => "too_many_lines",
            FailureKind::PreAuthenticated => "pre_authenticated",
            FailureKind::TooMuchData => "too_much_data",
            FailureKind::Local(e) => {
                v.detail = Some(words::local_error(e));
                "local"
            }
            FailureKind::Skipped(why) => {
                v.detail = Some(words::skip(why));
                "skipped"
            }
            FailureKind::Io(text) => {
                v.detail = Some(text.clone());
                "io"
            }
        };
        v
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CapabilitiesView {
    pub before_tls: Vec<String>,
    pub after_tls: Vec<String>,
    pub truncated: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimingsView {
    pub connect_ms: Option<u64>,
    pub tls_ms: Option<u64>,
    /// *New in 2*: from the connection to the greeting's first line (after the TLS handshake
    /// on an implicit-TLS port, which it includes).
    pub greeting_first_ms: Option<u64>,
    /// *New in 2*: from the connection to the greeting's last line.
    pub greeting_ms: Option<u64>,
    /// *New in 2*: the capability listing (EHLO, CAPABILITY, CAPA) after the greeting.
    pub capabilities_ms: Option<u64>,
    pub total_ms: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProbeView {
    pub host: String,
    pub address: IpAddr,
    pub port: u16,
    pub protocol: &'static str,
    pub security: &'static str,
    pub tcp: TcpView,
    pub tls: Option<TlsView>,
    pub banner: Option<String>,
    pub heard: Option<&'static str>,
    pub capabilities: CapabilitiesView,
    pub starttls: Option<&'static str>,
    pub auth_mechanisms: Vec<String>,
    pub login_disabled: bool,
    pub verdict: &'static str,
    pub warnings: Vec<&'static str>,
    /// Why it failed, in words; null when it did not.
    pub error: Option<String>,
    pub failure: Option<FailureView>,
    pub timings: TimingsView,
    pub shared_with: Option<String>,
    /// *New in 2*: the server software, from its greeting and capabilities; null when nothing
    /// points to one.
    pub software: Option<SoftwareView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SoftwareView {
    pub name: &'static str,
    /// `high` (greeting and capabilities agree), `medium` (capabilities alone), `low` (the
    /// greeting alone, which an administrator can set to anything).
    pub confidence: &'static str,
    /// What pointed to it: `greeting: …`, `capabilities: …`.
    pub evidence: Vec<String>,
}

impl SoftwareView {
    fn new(s: crate::judge::software::Software) -> Self {
        use crate::judge::software::Evidence;
        Self {
            name: s.name,
            confidence: names::confidence(s.confidence),
            evidence: s
                .evidence
                .iter()
                .map(|e| match e {
                    Evidence::Greeting(g) => format!("greeting: {g}"),
                    Evidence::Capabilities(c) => format!("capabilities: {}", c.join(" ")),
                })
                .collect(),
        }
    }
}

impl ProbeView {
    fn new(p: &ProbeResult, j: &Judgement) -> Self {
        Self {
            host: p.host.clone(),
            address: p.address,
            port: p.port,
            protocol: names::protocol(p.service.protocol),
            security: names::security(p.service.security),
            tcp: TcpView::from(&p.tcp),
            tls: p.tls.as_ref().map(|t| TlsView::new(t, &p.legacy_tls)),
            banner: p.banner.clone(),
            heard: p.heard.map(names::heard),
            capabilities: CapabilitiesView {
                before_tls: p.capabilities.before_tls.clone(),
                after_tls: p.capabilities.after_tls.clone(),
                truncated: p.capabilities.truncated,
            },
            starttls: p.starttls.map(names::starttls),
            auth_mechanisms: p.auth_mechanisms.clone(),
            login_disabled: p.login_disabled,
            verdict: names::verdict(j.verdict),
            warnings: j.warnings.iter().map(|c| names::code(*c)).collect(),
            error: j.cause.as_ref().map(|f| words::failure(p.service, f)),
            failure: p.failure.as_ref().map(FailureView::from),
            timings: TimingsView {
                connect_ms: p.timings.connect_ms,
                tls_ms: p.timings.tls_ms,
                greeting_first_ms: p.timings.greeting_first_ms,
                greeting_ms: p.timings.greeting_ms,
                capabilities_ms: p.timings.capabilities_ms,
                total_ms: p.timings.total_ms,
            },
            shared_with: p.shared_with.clone(),
            software: crate::judge::software::identify(p).map(SoftwareView::new),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendationView {
    pub protocol: &'static str,
    pub host: String,
    pub port: u16,
    /// The port's security as probed (`starttls` for a submission port, even one that turned
    /// out not to offer it): see `client_security` for what the client is set to.
    pub security: &'static str,
    /// The words for the client's settings dialog: `SSL/TLS`, `STARTTLS`, `None`.
    pub security_label: &'static str,
    /// What the client is set to: `tls`, `starttls`, or `none` (no encryption: the password
    /// crosses the network in clear).
    pub client_security: &'static str,
    pub username: String,
    pub confirmed: bool,
    pub verdict: &'static str,
    pub warnings: Vec<&'static str>,
    pub source: &'static str,
}

impl From<&Recommendation> for RecommendationView {
    fn from(r: &Recommendation) -> Self {
        Self {
            protocol: names::protocol(r.protocol),
            host: r.host.clone(),
            port: r.port,
            security: names::security(r.security),
            security_label: words::client_security(r.client_security),
            client_security: names::client_security(r.client_security),
            username: words::username(&r.username),
            confirmed: r.confirmed,
            verdict: names::verdict(r.verdict),
            warnings: r.warnings.iter().map(|c| names::code(*c)).collect(),
            source: names::source(r.source),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendedView {
    pub incoming: Vec<RecommendationView>,
    pub outgoing: Vec<RecommendationView>,
    /// Port 25: works, but for server-to-server delivery only.
    pub server_to_server: Vec<RecommendationView>,
}

impl From<&Recommended> for RecommendedView {
    fn from(r: &Recommended) -> Self {
        let list = |l: &[Recommendation]| l.iter().map(RecommendationView::from).collect();
        Self {
            incoming: list(&r.incoming),
            outgoing: list(&r.outgoing),
            server_to_server: list(&r.server_to_server),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderCheckView {
    #[serde(flatten)]
    pub setting: SettingView,
    pub confirmed: bool,
    pub verdict: Option<&'static str>,
    /// Why it is not confirmed, in words.
    pub reason: Option<String>,
}

impl From<&ProviderCheck> for ProviderCheckView {
    fn from(c: &ProviderCheck) -> Self {
        let reason = match &c.why {
            Some(crate::judge::findings::Unconfirmed::Failed { service, failure }) => {
                Some(words::failure(*service, failure))
            }
            _ => None,
        };
        Self {
            setting: SettingView::from(&c.setting),
            confirmed: c.confirmed,
            verdict: c.verdict.map(names::verdict),
            reason,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingView {
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    /// What to do about it, when there is something to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl FindingView {
    fn new(f: &Finding, domain: &str) -> Self {
        Self {
            severity: names::severity(f.severity),
            code: names::code(f.code),
            message: words::message(f),
            hint: words::hint_for(f, domain),
            host: f.host.clone(),
            port: f.port,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LoginView {
    pub protocol: &'static str,
    pub host: String,
    pub address: IpAddr,
    pub port: u16,
    pub security: &'static str,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// *New in 2*: what a known refusal means (`bad_credentials`, `app_password_required`,
    /// `smtp_auth_disabled_for_tenant`, …; see "Login refusals decoded" in the README).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
    /// *New in 2*: who can fix it: `user`, `tenant_admin`, `server_admin` or `time`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_by: Option<&'static str>,
    /// *New in 2*: where the reply and its meaning are documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause_source: Option<&'static str>,
    /// *New in 2*: the error a server gave for a refused bearer token (RFC 7628 §3.2.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<OAuthErrorView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OAuthErrorView {
    pub status: Option<String>,
    pub scope: Option<String>,
    pub schemes: Option<String>,
    #[serde(rename = "openid-configuration")]
    pub openid_configuration: Option<String>,
}

impl LoginView {
    fn new(c: &LoginCheck, decoded: Option<crate::judge::refusals::Decoded>) -> Self {
        let service = Service::new(c.port, c.protocol, c.security);
        let (outcome, mechanism, reply, reason) = match &c.outcome {
            LoginOutcome::Accepted { mechanism } => {
                ("accepted", Some(mechanism.clone()), None, None)
            }
            LoginOutcome::Rejected {
                mechanism, reply, ..
            } => (
                "rejected",
                Some(mechanism.clone()),
                Some(reply.line.clone()),
                None,
            ),
            LoginOutcome::NotUsable {
                mechanism, reply, ..
            } => (
                "not_usable",
                Some(mechanism.clone()),
                reply.as_ref().map(|r| r.line.clone()),
                Some(words::login_outcome(service, &c.outcome)),
            ),
            LoginOutcome::NotAttempted(r) => {
                ("not_attempted", None, None, Some(words::login_refusal(r)))
            }
            LoginOutcome::Failed(f) => ("failed", None, None, Some(words::failure(service, f))),
        };
        Self {
            protocol: names::protocol(c.protocol),
            host: c.host.clone(),
            address: c.address,
            port: c.port,
            security: names::security(c.security),
            outcome,
            mechanism,
            reply,
            reason,
            cause: decoded.map(|d| names::refusal_cause(d.cause)),
            fix_by: decoded.map(|d| names::refusal_fixer(d.fixer)),
            cause_source: decoded.map(|d| d.source),
            oauth_error: match &c.outcome {
                LoginOutcome::Rejected { oauth: Some(e), .. } => Some(OAuthErrorView {
                    status: e.status.clone(),
                    scope: e.scope.clone(),
                    schemes: e.schemes.clone(),
                    openid_configuration: e.openid_configuration.clone(),
                }),
                _ => None,
            },
        }
    }
}
