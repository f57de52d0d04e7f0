//! `--shard K/N`: a stable split of a domain list, so cron on several hosts, a Kubernetes
//! indexed Job or GNU parallel can each take one part. The hash is SHA-256 of the lower-case
//! domain: the same on every machine and in every version.

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or("--shard takes K/N, e.g. 2/4 for the second of four parts")?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| "--shard: K must be a number")?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| "--shard: N must be a number")?;
        if count == 0 || count > 65_536 || index == 0 || index > count {
            return Err(format!(
                "--shard: K must be between 1 and N (at most 65536), not {index}/{count}"
            ));
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// Whether `domain` falls in this shard.
    pub fn holds(&self, domain: &str) -> bool {
        let digest = ring::digest::digest(
            &ring::digest::SHA256,
            domain.to_ascii_lowercase().as_bytes(),
        );
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest.as_ref()[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_is_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=5).map(|k| format!("{k}/5").parse().unwrap()).collect();
        let mut sizes = [0usize; 5];
        for i in 0..2000 {
            let d = format!("client{i}.example");
            let holders: Vec<usize> = (0..5).filter(|s| shards[*s].holds(&d)).collect();
            assert_eq!(holders.len(), 1, "{d}");
            sizes[holders[0]] += 1;
        }
        assert!(sizes.iter().all(|n| (300..500).contains(n)), "{sizes:?}");
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
