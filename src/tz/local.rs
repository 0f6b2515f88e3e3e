//! The local zone as `TZ` gives it. chrono reads a zone file that `TZ` names (`TZ=:/path`,
//! `TZ=/path`, `TZ=Europe/Paris` under the zoneinfo directories) whole, however large or
//! endless it is (`TZ=/dev/zero` read gigabytes). Before the local zone is used, the file `TZ`
//! names is looked at the way chrono finds it: one that is not a regular file, or larger than
//! [`MAX_ZONE_FILE`], is not read, and UTC is used instead, with a warning.

use std::path::{Path, PathBuf};

use crate::local_file::{read_capped, CapError, Size};

/// A zone file is a few kilobytes; none is read past this.
pub const MAX_ZONE_FILE: u64 = 1 << 20;

/// Where chrono looks for a relative zone name, in order (`chrono::offset::local::tz_info`).
const ZONE_INFO_DIRECTORIES: [&str; 4] = [
    "/usr/share/zoneinfo",
    "/share/zoneinfo",
    "/etc/zoneinfo",
    "/usr/share/lib/zoneinfo",
];

/// The file chrono reads for `TZ`'s value, found as chrono finds it (`exists` says whether a
/// path is there); `None` when it reads none (`TZ=` is UTC, a POSIX rule such as `CST-8` is
/// read from the value itself).
pub fn zone_file(tz: &str, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    if tz.is_empty() {
        return None;
    }
    if tz == "localtime" {
        return Some(PathBuf::from("/etc/localtime"));
    }
    // `:name` and `name` are looked for alike (a `name` found nowhere is a POSIX rule).
    let path = Path::new(tz.strip_prefix(':').unwrap_or(tz));
    match path.is_absolute() {
        true => Some(path.to_path_buf()).filter(|p| exists(p)),
        false => ZONE_INFO_DIRECTORIES
            .iter()
            .map(|dir| Path::new(dir).join(path))
            .find(|p| exists(p)),
    }
}

/// Why the file at `path` cannot be a zone file chrono should read, if it cannot.
pub fn unfit(path: &Path) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        // Not there after all: chrono finds nothing to read either.
        Err(_) => return None,
    };
    if !meta.is_file() {
        return Some("it is not a regular file".to_owned());
    }
    // A regular file may still not say its size (`/proc`): what it holds is counted.
    let read = std::fs::File::open(path)
        .map_err(CapError::from)
        .and_then(|f| read_capped(f, MAX_ZONE_FILE));
    match read {
        Ok(_) => None,
        Err(CapError::TooLarge(cap)) => Some(format!("it is larger than {}", Size(cap))),
        Err(CapError::Io(e)) => Some(format!("it cannot be read: {e}")),
    }
}

/// The warning to give when `TZ` (its value, if it has one) names a file the local zone must
/// not be read from; `None` when the local zone can be used.
pub fn refused(tz: Option<&str>) -> Option<String> {
    let tz = tz?;
    let file = zone_file(tz, |p| p.exists())?;
    let why = unfit(&file)?;
    Some(format!(
        "TZ={} names {}: {why}; times are shown in UTC",
        crate::redact::redact_line(tz, 120),
        crate::redact::redact_line(&file.display().to_string(), 120),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_tz_names_is_found_as_chrono_finds_it() {
        let everything = |_: &Path| true;
        let nothing = |_: &Path| false;
        assert_eq!(zone_file("", everything), None, "TZ= is UTC");
        assert_eq!(
            zone_file("localtime", nothing),
            Some("/etc/localtime".into())
        );
        assert_eq!(zone_file("/dev/zero", everything), Some("/dev/zero".into()));
        assert_eq!(
            zone_file(":/dev/zero", everything),
            Some("/dev/zero".into())
        );
        assert_eq!(
            zone_file("Europe/Paris", everything),
            Some("/usr/share/zoneinfo/Europe/Paris".into())
        );
        // A relative name climbs out of the zoneinfo directory like any path.
        assert_eq!(
            zone_file("../../../dev/zero", everything),
            Some("/usr/share/zoneinfo/../../../dev/zero".into())
        );
        let only_etc = |p: &Path| p.starts_with("/etc/zoneinfo");
        assert_eq!(zone_file("UTC", only_etc), Some("/etc/zoneinfo/UTC".into()));
        // A POSIX rule is no file.
        assert_eq!(zone_file("CST-8", nothing), None);
        assert_eq!(zone_file("/nowhere", nothing), None);
    }

    #[cfg(unix)]
    #[test]
    fn endless_and_huge_files_are_not_zone_files() {
        assert_eq!(
            unfit(Path::new("/dev/zero")).as_deref(),
            Some("it is not a regular file")
        );
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; MAX_ZONE_FILE as usize + 1]).unwrap();
        assert_eq!(unfit(&big).as_deref(), Some("it is larger than 1 MiB"));
        let small = dir.path().join("small");
        std::fs::write(&small, b"TZif").unwrap();
        assert_eq!(unfit(&small), None);
        assert_eq!(unfit(&dir.path().join("none")), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_warning_names_the_value_and_the_file() {
        assert_eq!(refused(None), None);
        assert_eq!(refused(Some("")), None);
        let said = refused(Some("/dev/zero")).unwrap();
        assert_eq!(
            said,
            "TZ=/dev/zero names /dev/zero: it is not a regular file; times are shown in UTC"
        );
    }
}
