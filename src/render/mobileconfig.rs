//! `--export mobileconfig`: an Apple configuration profile (unsigned) with one mail account of
//! the confirmed settings and no password, for iPhone, iPad and Mac. Written with the plist
//! crate as an XML property list.

use plist::{Dictionary, Value};

use crate::judge::{Recommendation, Username};
use crate::service::Protocol;

/// The profile's bytes, given the best confirmed incoming and outgoing settings.
pub fn write(
    domain: &str,
    address: Option<&str>,
    incoming: &Recommendation,
    outgoing: &Recommendation,
) -> Vec<u8> {
    let identifier = reverse(domain);
    let mut account = Dictionary::new();
    let mut put = |k: &str, v: Value| {
        account.insert(k.to_string(), v);
    };
    put("PayloadType", "com.apple.mail.managed".into());
    put("PayloadVersion", 1.into());
    put(
        "PayloadIdentifier",
        format!("{identifier}.mail.account").into(),
    );
    put("PayloadUUID", uuid(domain, "account").into());
    put("PayloadDisplayName", format!("Mail ({domain})").into());
    put("EmailAccountDescription", domain.into());
    let kind = match incoming.protocol {
        Protocol::Pop3 => "EmailTypePOP",
        _ => "EmailTypeIMAP",
    };
    put("EmailAccountType", kind.into());
    if let Some(a) = address {
        put("EmailAddress", a.into());
    }
    for (prefix, s) in [("Incoming", incoming), ("Outgoing", outgoing)] {
        put(
            &format!("{prefix}MailServerHostName"),
            s.host.clone().into(),
        );
        put(
            &format!("{prefix}MailServerPortNumber"),
            u64::from(s.port).into(),
        );
        // Apple's "UseSSL" means TLS, implicit or by STARTTLS on a plain port.
        put(&format!("{prefix}MailServerUseSSL"), true.into());
        put(
            &format!("{prefix}MailServerAuthentication"),
            "EmailAuthPassword".into(),
        );
        if let Some(name) = login_name(&s.username) {
            put(&format!("{prefix}MailServerUsername"), name.into());
        }
    }
    put("OutgoingPasswordSameAsIncomingPassword", true.into());

    let mut profile = Dictionary::new();
    profile.insert(
        "PayloadContent".into(),
        Value::Array(vec![Value::Dictionary(account)]),
    );
    profile.insert(
        "PayloadDisplayName".into(),
        format!("Mail settings for {domain}").into(),
    );
    profile.insert(
        "PayloadDescription".into(),
        "Settings confirmed by mailprobe. The password is asked for on the device.".into(),
    );
    profile.insert(
        "PayloadIdentifier".into(),
        format!("{identifier}.mail").into(),
    );
    profile.insert("PayloadType".into(), "Configuration".into());
    profile.insert("PayloadUUID".into(), uuid(domain, "profile").into());
    profile.insert("PayloadVersion".into(), 1.into());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = Value::Dictionary(profile).to_writer_xml(&mut out);
    out.push(b'\n');
    out
}

/// The login name the profile can state; a bare domain leaves it to the user.
fn login_name(u: &Username) -> Option<String> {
    match u {
        Username::Given(n) | Username::Address(n) | Username::LocalPart(n) => Some(n.clone()),
        Username::FullAddressAt(_) | Username::LocalPartAt(_) | Username::ProviderAccount => None,
    }
}

/// `example.com` → `com.example`, the reverse-DNS form profile identifiers use.
fn reverse(domain: &str) -> String {
    domain.split('.').rev().collect::<Vec<_>>().join(".")
}

/// A stable UUID for this domain and purpose (SHA-256 based, RFC 9562 version 8), so that
/// installing a newer profile replaces the old one instead of adding a second.
fn uuid(domain: &str, purpose: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("mailprobe:{purpose}:{domain}").as_bytes(),
    );
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = uuid("example.com", "profile");
        assert_eq!(a, uuid("example.com", "profile"));
        assert_ne!(a, uuid("example.com", "account"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
    }
}
