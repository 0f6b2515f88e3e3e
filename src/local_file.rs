//! Local files failwatch reads whole (the config file, a bindings file, a zone file `TZ`
//! names), read with a cap on their size: a file that is huge, or endless (`/dev/zero`), costs
//! at most the cap, and is then an error that says so.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// A config file, or a bindings file, is read to at most this many bytes (about a million
/// bound sessions).
pub const MAX_TABLE_BYTES: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum CapError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("larger than {}, the most failwatch reads of such a file", Size(*.0))]
    TooLarge(u64),
}

/// A size as people say it: `64 MiB`, `1 MiB`, `512 KiB`, `100 bytes`.
#[derive(Clone, Copy, Debug)]
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            n if n >= 1 << 20 && n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n >= 1 << 10 && n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// Everything `input` holds, when that is at most `cap` bytes.
pub fn read_capped(input: impl Read, cap: u64) -> Result<Vec<u8>, CapError> {
    let mut bytes = Vec::new();
    input.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    match bytes.len() as u64 > cap {
        true => Err(CapError::TooLarge(cap)),
        false => Ok(bytes),
    }
}

/// The file at `path` as text, when it is at most `cap` bytes.
pub fn read_to_string(path: &Path, cap: u64) -> Result<String, CapError> {
    let bytes = read_capped(std::fs::File::open(path)?, cap)?;
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_up_to_the_cap_is_read_and_one_past_it_is_refused() {
        assert_eq!(read_capped(&b"abcd"[..], 4).unwrap(), b"abcd");
        let e = read_capped(&b"abcde"[..], 4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than 4 bytes, the most failwatch reads of such a file"
        );
        assert!(matches!(e, CapError::TooLarge(4)));
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_costs_the_cap() {
        let e = read_to_string(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(e.to_string().starts_with("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(Size(MAX_TABLE_BYTES).to_string(), "64 MiB");
        assert_eq!(Size(512 << 10).to_string(), "512 KiB");
        assert_eq!(Size(1000).to_string(), "1000 bytes");
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read_to_string(&path, 10).is_err());
    }
}
