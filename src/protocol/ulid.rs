//! `event_id`s: ULIDs (Crockford base32, 26 characters) whose first 10 characters are the
//! publish time in milliseconds. failwatch dedups by them and takes the event's time from them.

use chrono::{DateTime, Utc};

/// A parsed ULID: its 128 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ulid(pub u128);

/// The earliest and latest publish times believed (a ULID outside them is not a time).
const EARLIEST_MS: i64 = 946_684_800_000; // 2000-01-01
const LATEST_MS: i64 = 4_102_444_800_000; // 2100-01-01

fn digit(c: u8) -> Option<u32> {
    let c = c.to_ascii_uppercase();
    let v = match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'H' => c - b'A' + 10,
        b'J' | b'K' => c - b'J' + 18,
        b'M' | b'N' => c - b'M' + 20,
        b'P'..=b'T' => c - b'P' + 22,
        b'V'..=b'Z' => c - b'V' + 27,
        // Crockford's aliases.
        b'O' => 0,
        b'I' | b'L' => 1,
        _ => return None,
    };
    Some(u32::from(v))
}

impl Ulid {
    pub fn parse(s: &str) -> Option<Ulid> {
        let b = s.as_bytes();
        // 26 digits of 5 bits hold 130 bits: the first may only be 0–7.
        if b.len() != 26 || digit(b[0])? > 7 {
            return None;
        }
        let mut v: u128 = 0;
        for &c in b {
            v = (v << 5) | u128::from(digit(c)?);
        }
        Some(Ulid(v))
    }

    /// The publish time, when it is a plausible one.
    pub fn time(self) -> Option<DateTime<Utc>> {
        let ms = i64::try_from(self.0 >> 80).ok()?;
        if !(EARLIEST_MS..LATEST_MS).contains(&ms) {
            return None;
        }
        DateTime::from_timestamp_millis(ms)
    }

    /// A ULID for this time (for the demo server, which stamps frames like the server does).
    pub fn new(at: DateTime<Utc>, random: u128) -> Ulid {
        let ms = u128::try_from(at.timestamp_millis().max(0)).unwrap_or(0) & ((1 << 48) - 1);
        Ulid((ms << 80) | (random & ((1 << 80) - 1)))
    }
}

impl std::fmt::Display for Ulid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let text: String = (0..26)
            .rev()
            .map(|i| ALPHABET[((self.0 >> (i * 5)) & 31) as usize] as char)
            .collect();
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_servers_ids_and_their_times() {
        // From the reference fixture: 2026-08-20T10:15:…Z.
        let u = Ulid::parse("01M0FAPFV4RZYYS68GHQDNPQXB").unwrap();
        let t = u.time().unwrap();
        assert_eq!(t.format("%Y-%m-%d").to_string(), "2026-08-20");
        assert_eq!(u.to_string(), "01M0FAPFV4RZYYS68GHQDNPQXB");
        let at = DateTime::from_timestamp_millis(1_795_600_000_123).unwrap();
        assert_eq!(Ulid::new(at, 42).time(), Some(at));
        assert_eq!(
            Ulid::parse(&Ulid::new(at, 42).to_string()),
            Some(Ulid::new(at, 42))
        );
    }

    #[test]
    fn anything_else_is_not_a_ulid_or_not_a_time() {
        for s in [
            "",
            "E1",
            "01M0FAPFV4RZYYS68GHQDNPQX",
            "81M0FAPFV4RZYYS68GHQDNPQXB",
            "01M0FAPFV4RZYYS68GHQDNPQX!",
        ] {
            assert_eq!(Ulid::parse(s), None, "{s}");
        }
        assert_eq!(
            Ulid::parse("00000000000000000000000000").unwrap().time(),
            None
        );
        assert_eq!(
            Ulid::parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ").unwrap().time(),
            None
        );
    }
}
