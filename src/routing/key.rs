//! Ids as map keys. Every event passes through the correlation and retry memories, so their keys
//! must be cheap to build, hash and compare: an id as long as a UUID or shorter (what the
//! servers send) is kept inline; a longer one as its text.

use std::fmt;
use std::sync::Arc;

/// Ids up to this long are kept inline.
const INLINE: usize = 39;

/// An id as a map key. Two keys are equal exactly when their ids are the same text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum IdKey {
    /// The text's bytes, zero-padded, its length in the last byte.
    Inline([u8; INLINE + 1]),
    Text(Box<str>),
}

impl IdKey {
    #[inline]
    pub fn of(id: &str) -> IdKey {
        let bytes = id.as_bytes();
        if bytes.len() > INLINE {
            return IdKey::Text(id.into());
        }
        let mut inline = [0u8; INLINE + 1];
        inline[..bytes.len()].copy_from_slice(bytes);
        inline[INLINE] = bytes.len() as u8;
        IdKey::Inline(inline)
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        match self {
            IdKey::Inline(bytes) => {
                let len = usize::from(bytes[INLINE]);
                // Made from a `str`: its first `len` bytes are that text.
                std::str::from_utf8(&bytes[..len]).unwrap_or_default()
            }
            IdKey::Text(t) => t,
        }
    }

    /// The id's text, shared.
    pub fn to_arc(&self) -> Arc<str> {
        Arc::from(self.as_str())
    }
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_its_text_and_equal_keys_are_equal_texts() {
        let ids = [
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f60718",
            "0198C8A3-7D3E-7F5A-A061-C3D4E5F60718",
            "0198c8a37d3e7f5aa061c3d4e5f60718",
            "t1",
            "t1\0",
            "",
            "a id of exactly thirty-nine bytes......",
            "a id of exactly forty bytes, kept as text",
            "名前",
        ];
        for (i, a) in ids.iter().enumerate() {
            let key = IdKey::of(a);
            assert_eq!(key.as_str(), *a);
            assert_eq!(&*key.to_arc(), *a);
            assert_eq!(key.to_string(), *a);
            for (j, b) in ids.iter().enumerate() {
                assert_eq!(key == IdKey::of(b), i == j, "{a:?} {b:?}");
            }
        }
        assert!(matches!(IdKey::of(ids[6]), IdKey::Inline(_)));
        assert!(matches!(IdKey::of(ids[7]), IdKey::Text(_)));
    }
}
