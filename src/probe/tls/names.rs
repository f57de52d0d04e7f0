//! RFC 6125 host name matching against a certificate's names.

/// RFC 6125 name matching: exact, or a wildcard standing for the whole left-most label.
pub fn certificate_covers(names: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.trim_end_matches('.');
        if let Some(rest) = n.strip_prefix("*.") {
            host.split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest)
        } else {
            n == host
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label_only() {
        let names = vec!["*.hoster.net".to_string(), "mail.example.com".to_string()];
        assert!(certificate_covers(&names, "server12.hoster.net"));
        assert!(certificate_covers(&names, "MAIL.example.com."));
        assert!(!certificate_covers(&names, "a.b.hoster.net"));
        assert!(!certificate_covers(&names, "hoster.net"));
        assert!(!certificate_covers(&names, "example.com"));
    }
}
