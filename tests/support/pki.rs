//! A private CA and leaf certificates made with rcgen: good, wrong-name, expired.

use std::io::Write;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use time::{Duration, OffsetDateTime};

pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
}

/// A leaf certificate with its key, ready for a TLS server.
#[derive(Clone)]
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_der: Vec<u8>,
    /// An OCSP response the server staples (empty: none).
    pub ocsp: Vec<u8>,
    /// The server speaks TLS 1.3 and nothing older.
    pub tls13_only: bool,
}

impl TestCa {
    pub fn new() -> Self {
        Self::named("mailprobe test CA")
    }

    /// A CA with its own name (two CAs with one name would be told apart by signature only).
    pub fn named(common_name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("CA cert");
        Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf valid for `names`, from `days_from_now_start` to `days_from_now_end`.
    pub fn leaf_with_validity(&self, names: &[&str], start_days: i64, end_days: i64) -> Leaf {
        let mut params = leaf_params(names);
        let now = OffsetDateTime::now_utc();
        params.not_before = now + Duration::days(start_days);
        params.not_after = now + Duration::days(end_days);
        self.issue(&params)
    }

    /// A leaf issued by an intermediate CA under this one. With `send_intermediate` false the
    /// server presents the leaf alone: the incomplete chain many servers get wrong.
    pub fn leaf_via_intermediate(&self, names: &[&str], send_intermediate: bool) -> Leaf {
        self.leaf_via_intermediate_valid(names, send_intermediate, (-1, 3650))
    }

    /// The same, with the intermediate valid from and until these days from now (an expired
    /// intermediate: the leaf still valid, the chain not).
    pub fn leaf_via_intermediate_valid(
        &self,
        names: &[&str],
        send_intermediate: bool,
        (start_days, end_days): (i64, i64),
    ) -> Leaf {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let now = OffsetDateTime::now_utc();
        params.not_before = now + Duration::days(start_days);
        params.not_after = now + Duration::days(end_days);
        params
            .distinguished_name
            .push(DnType::CommonName, "mailprobe test intermediate");
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("intermediate");
        let intermediate_der = cert.der().clone();
        let intermediate = Issuer::new(params, key);
        let leaf_key = KeyPair::generate().expect("key");
        let leaf = leaf_params(names)
            .signed_by(&leaf_key, &intermediate)
            .expect("leaf");
        let mut chain = vec![leaf.der().clone()];
        if send_intermediate {
            chain.push(intermediate_der);
        }
        Leaf {
            chain,
            key_der: leaf_key.serialize_der(),
            ocsp: Vec::new(),
            tls13_only: false,
        }
    }

    /// A leaf with a fresh key, issued by this CA as `params` say; the server sends it with
    /// the CA's certificate.
    fn issue(&self, params: &CertificateParams) -> Leaf {
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf");
        Leaf {
            chain: vec![cert.der().clone(), self.cert_der.clone()],
            key_der: key.serialize_der(),
            ocsp: Vec::new(),
            tls13_only: false,
        }
    }

    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with_validity(names, -1, 365)
    }

    /// A leaf with the RFC 7633 TLS Feature extension naming status_request: "must-staple".
    pub fn must_staple_leaf(&self, names: &[&str]) -> Leaf {
        let mut params = leaf_params(names);
        // SEQUENCE { INTEGER 5 }
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 24],
                vec![0x30, 0x03, 0x02, 0x01, 0x05],
            ));
        self.issue(&params)
    }

    /// A legacy leaf naming its host only in the subject CN, with no subjectAltName.
    pub fn cn_only_leaf(&self, name: &str) -> Leaf {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(DnType::CommonName, name);
        self.issue(&params)
    }

    pub fn expired_leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with_validity(names, -400, -10)
    }

    /// Writes the CA certificate to a temporary PEM file for `--ca-file`.
    pub fn pem_file(&self) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(self.cert_pem.as_bytes()).expect("write CA");
        f
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// Parameters of a server certificate for `names`, the first also as common name.
fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("none"));
    params
}

/// A self-signed leaf, not from any CA.
pub fn self_signed_leaf(names: &[&str]) -> Leaf {
    let params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .expect("params");
    let key = KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("cert");
    Leaf {
        chain: vec![cert.der().clone()],
        key_der: key.serialize_der(),
        ocsp: Vec::new(),
        tls13_only: false,
    }
}

impl Leaf {
    /// A server that demands a client certificate issued by the CA in `ca_der`.
    pub fn server_config_requiring_client_cert(&self, ca_der: &[u8]) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(ca_der.to_vec()))
            .expect("CA root");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .expect("client verifier");
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .expect("server config");
        Arc::new(config)
    }

    pub fn server_config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] = if self.tls13_only {
            &[&rustls::version::TLS13]
        } else {
            rustls::DEFAULT_VERSIONS
        };
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert_with_ocsp(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
                self.ocsp.clone(),
            )
            .expect("server config");
        Arc::new(config)
    }

    /// The same leaf, its server stapling `response` (mailprobe records that one came, it
    /// does not judge its content).
    pub fn stapling(mut self, response: &[u8]) -> Self {
        self.ocsp = response.to_vec();
        self
    }

    /// The same leaf, its server refusing every version before TLS 1.3.
    pub fn tls13_only(mut self) -> Self {
        self.tls13_only = true;
        self
    }
}
