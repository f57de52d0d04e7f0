//! TLS-RPT (RFC 8460): the `_smtp._tls` TXT record that tells senders where to report TLS
//! failures (parsed by mail-auth).

use crate::net::dns::{Dns, LookupError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsRpt {
    Missing,
    /// Where reports go (`mailto:` / `https:` addresses, escaped).
    Present {
        report_to: Vec<String>,
    },
    Several,
    Invalid {
        record: String,
    },
    LookupFailed(LookupError),
}

pub async fn check(dns: &Dns, domain: &str) -> TlsRpt {
    read(dns.txt(&format!("_smtp._tls.{domain}")).await)
}

fn read(found: Result<Vec<Vec<u8>>, LookupError>) -> TlsRpt {
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::mta_sts::ReportUri;
    let records = match found {
        Ok(r) => r,
        Err(LookupError::NxDomain | LookupError::NoRecords) => return TlsRpt::Missing,
        Err(e) => return TlsRpt::LookupFailed(e),
    };
    let ours: Vec<&Vec<u8>> = records
        .iter()
        .filter(|r| r.len() >= 10 && r[..10].eq_ignore_ascii_case(b"v=TLSRPTv1"))
        .collect();
    match ours.as_slice() {
        [] => TlsRpt::Missing,
        [one] => match mail_auth::mta_sts::TlsRpt::parse(one) {
            Ok(parsed) if !parsed.rua.is_empty() => TlsRpt::Present {
                report_to: parsed
                    .rua
                    .iter()
                    .map(|u| match u {
                        ReportUri::Mail(m) => format!("mailto:{}", crate::text::clean_name(m)),
                        ReportUri::Http(h) => crate::text::clean_name(h),
                    })
                    .collect(),
            },
            _ => TlsRpt::Invalid {
                record: crate::text::truncate(&crate::text::from_wire(one), 200),
            },
        },
        _ => TlsRpt::Several,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read() {
        let r = |s: &str| read(Ok(vec![s.as_bytes().to_vec()]));
        assert_eq!(
            r("v=TLSRPTv1; rua=mailto:tls@example.com"),
            TlsRpt::Present {
                report_to: vec!["mailto:tls@example.com".into()]
            }
        );
        assert!(matches!(r("v=TLSRPTv1; nothing=1"), TlsRpt::Invalid { .. }));
        assert_eq!(r("v=spf1 -all"), TlsRpt::Missing);
        assert_eq!(read(Err(LookupError::NxDomain)), TlsRpt::Missing);
    }
}
