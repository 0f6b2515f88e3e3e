//! Ids as map keys. Every event passes through the correlation and retry memories, so their keys
//! must be cheap to build, hash and compare: an id in the canonical UUID form (what the servers
//! send) is kept as the 128 bits it spells, inline; any other id as its text.

use std::fmt;
use std::sync::Arc;

/// An id as a map key. Two keys are equal exactly when their ids are the same text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum IdKey {
    /// Lowercase hex digits and dashes in the 8-4-4-4-12 form.
    Uuid(u128),
    Text(Box<str>),
}

impl IdKey {
    pub fn of(id: &str) -> IdKey {
        match uuid(id.as_bytes()) {
            Some(bits) => IdKey::Uuid(bits),
            None => IdKey::Text(id.into()),
        }
    }

    /// The id's text, shared.
    pub fn to_arc(&self) -> Arc<str> {
        match self {
            IdKey::Uuid(bits) => Arc::from(written(*bits).as_str()),
            IdKey::Text(t) => Arc::from(&**t),
        }
    }
}

/// A UUID's bits in the canonical form.
struct Written([u8; 36]);

impl Written {
    fn as_str(&self) -> &str {
        // Only ASCII hex digits and dashes are written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn written(bits: u128) -> Written {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut digit = 0;
    for (i, b) in out.iter_mut().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        *b = DIGITS[((bits >> (124 - 4 * digit)) & 0xF) as usize];
        digit += 1;
    }
    Written(out)
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKey::Uuid(bits) => f.write_str(written(*bits).as_str()),
            IdKey::Text(t) => f.write_str(t),
        }
    }
}

impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// The 128 bits of a UUID written in the canonical form, lowercase; `None` for anything else
/// (uppercase digits included: they are another text). Eight digits are read at a time.
fn uuid(s: &[u8]) -> Option<u128> {
    let s: &[u8; 36] = s.try_into().ok()?;
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    let (a, b, c, d) = (
        hex8(le64(&s[0..8]))?,
        hex8(le32(&s[9..13]) | le32(&s[14..18]) << 32)?,
        hex8(le32(&s[19..23]) | le32(&s[24..28]) << 32)?,
        hex8(le64(&s[28..36]))?,
    );
    Some(u128::from(a) << 96 | u128::from(b) << 64 | u128::from(c) << 32 | u128::from(d))
}

#[inline(always)]
fn le64(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(b);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn le32(b: &[u8]) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(b);
    u64::from(u32::from_le_bytes(w))
}

/// Eight lowercase hex digits (the first in the lowest byte) as the number they write.
#[inline(always)]
fn hex8(x: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let lo = x & (0x0F * ONES);
    let hi = x & (0xF0 * ONES);
    // A byte's high bit set exactly when the byte is not zero (no borrow crosses bytes).
    let nonzero = |t: u64| (((t & (0x7F * ONES)) + 0x7F * ONES) | t) & HIGH;
    let is_hi = |n: u64| !nonzero(hi ^ (n * ONES)) & HIGH;
    // The low nibble against a bound, per byte (a nibble plus the bias stays below 0x100).
    let lo_at_least = |n: u64| (lo + (0x80 - n) * ONES) & HIGH;
    let digit = is_hi(0x30) & !lo_at_least(10);
    let letter = is_hi(0x60) & lo_at_least(1) & !lo_at_least(7);
    if (digit | letter) != HIGH {
        return None;
    }
    let v = lo + (letter >> 7) * 9;
    // Gather the nibbles, the first digit the most significant.
    let v = ((v & 0x0F00_0F00_0F00_0F00) >> 8) | ((v & 0x000F_000F_000F_000F) << 4);
    let v = ((v & 0x00FF_0000_00FF_0000) >> 16) | ((v & 0x0000_00FF_0000_00FF) << 8);
    let v = ((v & 0x0000_FFFF_0000_0000) >> 32) | ((v & 0x0000_0000_0000_FFFF) << 16);
    Some(v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canonical_uuid_is_its_bits_and_anything_else_its_text() {
        let id = "0198c8a3-7d3e-7f5a-a061-c3d4e5f60718";
        let key = IdKey::of(id);
        assert_eq!(key, IdKey::Uuid(0x0198c8a37d3e7f5aa061c3d4e5f60718));
        assert_eq!(key.to_string(), id);
        assert_eq!(&*key.to_arc(), id);
        for other in [
            "0198C8A3-7D3E-7F5A-A061-C3D4E5F60718",
            "0198c8a37d3e7f5aa061c3d4e5f60718",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f6071",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f607188",
            "0198c8a3-7d3e-7f5a-a061+c3d4e5f60718",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f6071g",
            "-198c8a3-7d3e-7f5a-a061-c3d4e5f60718",
            "t1",
            "",
        ] {
            let key = IdKey::of(other);
            assert_eq!(key, IdKey::Text(other.into()), "{other}");
            assert_eq!(key.to_string(), other);
            assert_ne!(key, IdKey::of(id));
        }
        assert_ne!(
            IdKey::of("00000000-0000-0000-0000-000000000000"),
            IdKey::of("00000000-0000-0000-0000-000000000001")
        );
    }

    /// Every byte value in every digit place: a key is the UUID's bits exactly when the text is
    /// a canonical lowercase UUID, as the standard parser reads it.
    #[test]
    fn each_digit_place_takes_exactly_the_lowercase_hex_digits() {
        let base = *b"0123abcd-ef45-6789-aa0f-9876543210fe";
        for place in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for byte in 0..=255u8 {
                let mut text = base;
                text[place] = byte;
                let want = matches!(byte, b'0'..=b'9' | b'a'..=b'f').then(|| {
                    let hex: String = text
                        .iter()
                        .filter(|&&b| b != b'-')
                        .map(|&b| b as char)
                        .collect();
                    u128::from_str_radix(&hex, 16).unwrap()
                });
                assert_eq!(uuid(&text), want, "byte {byte:#04x} at {place}");
            }
        }
    }
}
