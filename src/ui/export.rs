//! Writing the filtered view to a file. Never through a symlink and never over an existing file
//! unasked: a new file is created exclusively (`O_EXCL` does not follow a link), and a replace the
//! user asked for writes a new file beside the target and renames it over (a FIFO or a link at
//! the target is replaced, never written through). The writing runs on a thread of its own, so a
//! slow disk never freezes the dashboard.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// An export to run: these lines to this path, replacing what is there only when asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub path: PathBuf,
    pub lines: Vec<String>,
    pub replace: bool,
    /// An incident report (Markdown), not the failures as JSON Lines.
    pub report: bool,
    /// The directory was asked for (typed with a trailing `/`): made if missing.
    pub make_dir: bool,
}

/// How an export ended.
#[derive(Debug)]
pub enum Done {
    Written {
        path: PathBuf,
        lines: usize,
        report: bool,
    },
    /// Something is there already: the user is asked before it is replaced.
    Exists(PathBuf),
    Failed {
        path: PathBuf,
        error: io::Error,
    },
}

/// A path typed with a trailing `/`: a directory, whether or not it exists yet.
pub fn names_a_directory(typed: &Path) -> bool {
    typed
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::MAIN_SEPARATOR)
}

/// `~/x` as the shell would read it (a prompt is no shell), given the home directory.
pub fn expand_home(typed: &str, home: Option<&Path>) -> PathBuf {
    match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if typed == "~" => home.map_or_else(|| PathBuf::from(typed), Path::to_path_buf),
        _ => PathBuf::from(typed),
    }
}

/// Where an export typed as `typed` goes: into a directory (one that exists, or any path
/// ending in `/`, made when written) under a name unique to the millisecond, else the path
/// itself.
pub fn target(typed: &Path, now: DateTime<Utc>) -> PathBuf {
    if typed.is_dir() || names_a_directory(typed) {
        typed.join(format!(
            "failwatch-export-{}.jsonl",
            now.format("%Y%m%dT%H%M%S%.3fZ")
        ))
    } else {
        typed.to_path_buf()
    }
}

/// Where an incident report goes: a new file in `dir` named by the time (to the millisecond).
pub fn report_target(dir: &Path, now: DateTime<Utc>) -> PathBuf {
    let dir = if dir.is_dir() {
        dir
    } else {
        dir.parent().unwrap_or(Path::new("."))
    };
    dir.join(format!(
        "failwatch-report-{}.md",
        now.format("%Y%m%dT%H%M%S%.3fZ")
    ))
}

/// Run the job here (call it on a thread of its own).
pub fn run(job: Job) -> Done {
    // A directory asked for with a trailing `/` is made; a typo elsewhere still fails plainly.
    if let Some(dir) = job.path.parent().filter(|d| job.make_dir && !d.exists()) {
        if let Err(error) = std::fs::create_dir_all(dir) {
            return Done::Failed {
                path: job.path,
                error,
            };
        }
    }
    let written = if job.replace {
        replace(&job.path, &job.lines)
    } else {
        create_new(&job.path, &job.lines)
    };
    match written {
        Ok(lines) => Done::Written {
            path: job.path,
            lines,
            report: job.report,
        },
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Done::Exists(job.path),
        Err(error) => Done::Failed {
            path: job.path,
            error,
        },
    }
}

/// Run the job on a thread of its own and hand its end to `done`.
pub fn spawn(job: Job, done: impl FnOnce(Done) + Send + 'static) {
    std::thread::spawn(move || done(run(job)));
}

fn create_new(path: &Path, lines: &[String]) -> io::Result<usize> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    write_lines(file, lines)
}

/// A new file beside the target, renamed over it: the target's directory entry is replaced,
/// whatever it was (a link's target is never touched).
fn replace(path: &Path, lines: &[String]) -> io::Result<usize> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let temp = dir.join(format!(
        ".{}.{}-{nanos}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = create_new(&temp, lines).and_then(|n| {
        std::fs::rename(&temp, path)?;
        Ok(n)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn write_lines(file: std::fs::File, lines: &[String]) -> io::Result<usize> {
    let mut out = io::BufWriter::new(file);
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    out.get_ref().sync_all()?;
    Ok(lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(path: &Path, replace: bool) -> Job {
        Job {
            path: path.to_path_buf(),
            lines: vec!["{\"a\":1}".into(), "{\"a\":2}".into()],
            replace,
            report: false,
            make_dir: false,
        }
    }

    #[test]
    fn a_path_ending_in_a_slash_is_a_directory_made_when_written() {
        let dir = tempfile::tempdir().unwrap();
        let typed = format!("{}/new/", dir.path().display());
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let path = target(Path::new(&typed), now);
        assert_eq!(path.parent(), Some(dir.path().join("new").as_path()));
        let made = Job {
            make_dir: names_a_directory(Path::new(&typed)),
            ..job(&path, false)
        };
        assert!(matches!(run(made), Done::Written { lines: 2, .. }));
        // Without the slash, a missing directory is a plain failure, not made.
        let typo = dir.path().join("tpyo").join("x.jsonl");
        assert!(matches!(run(job(&typo, false)), Done::Failed { .. }));
        assert!(!dir.path().join("tpyo").exists());
    }

    #[test]
    fn a_tilde_is_the_home_directory() {
        let home = Path::new("/home/oncall");
        assert_eq!(expand_home("~/x.jsonl", Some(home)), home.join("x.jsonl"));
        assert_eq!(expand_home("~", Some(home)), home);
        assert_eq!(expand_home("a/~/b", Some(home)), Path::new("a/~/b"));
        assert_eq!(expand_home("~/x", None), Path::new("~/x"));
    }

    #[test]
    fn a_new_file_gets_one_line_per_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        assert!(matches!(
            run(job(&path, false)),
            Done::Written { lines: 2, .. }
        ));
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }

    #[test]
    fn an_existing_file_is_kept_until_the_user_says_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "mine\n").unwrap();
        assert!(matches!(run(job(&path, false)), Done::Exists(_)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
        assert!(matches!(run(job(&path, true)), Done::Written { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious\n").unwrap();
        let link = dir.path().join("export.jsonl");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(matches!(run(job(&link, false)), Done::Exists(_)));
        assert!(matches!(run(job(&link, true)), Done::Written { .. }));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_reader_never_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        // Exclusive creation refuses it at once; a replace renames a file over it.
        assert!(matches!(run(job(&fifo, false)), Done::Exists(_)));
        assert!(matches!(run(job(&fifo, true)), Done::Written { .. }));
        assert!(std::fs::metadata(&fifo).unwrap().is_file());
    }

    #[test]
    fn names_in_a_directory_are_unique_to_the_millisecond() {
        let dir = tempfile::tempdir().unwrap();
        let t = DateTime::from_timestamp_millis(1_765_000_000_123).unwrap();
        let a = target(dir.path(), t);
        let b = target(dir.path(), t + chrono::Duration::milliseconds(1));
        assert_ne!(a, b);
        assert!(a.to_string_lossy().ends_with("T054640.123Z.jsonl"), "{a:?}");
        let file = dir.path().join("f.jsonl");
        assert_eq!(target(&file, t), file);
    }
}
