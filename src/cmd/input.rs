//! A capture to read: a file, or a stream (standard input, a named pipe, `/dev/stdin`, a
//! process substitution's `/dev/fd/N`, a device). The path is opened once, and what it is
//! decides how it is read: a regular file is mapped (and read ahead, read again, as often as
//! needed); anything else is read in one pass, exactly as standard input is. Reading a stream
//! twice (for `since:`, measured from the capture's own end) spools it to a private temporary
//! file first, when and only when that is needed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::CmdError;
use crate::ingest::read::Capture;
use crate::routing::Family;

/// How big a stream's read buffer is.
const STREAM_BUFFER: usize = 1 << 20;

/// What an opened capture is, by its file type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file: mapped, read again as often as needed.
    File,
    /// A pipe, a device, a socket: read once, as it comes.
    Stream,
    /// Nothing to read a capture from.
    Directory,
}

impl Kind {
    pub fn of(file_type: std::fs::FileType) -> Kind {
        match file_type {
            t if t.is_file() => Kind::File,
            t if t.is_dir() => Kind::Directory,
            _ => Kind::Stream,
        }
    }
}

/// Where the capture's bytes are.
enum Source {
    /// A file opened once (the capture itself, or a stream spooled), read from its start each
    /// time it is read.
    File(File),
    /// A stream read once, by the one whole read (`None` once taken).
    Stream(Option<Box<dyn BufRead>>),
}

pub struct CaptureInput {
    source: Source,
    /// How to name it in messages and the header.
    pub name: String,
}

impl CaptureInput {
    /// `-` is standard input. Anything else is opened once; a stream is read as standard input
    /// is. `rereadable` spools a stream to a file (read once, to its end).
    pub fn open(path: &Path, rereadable: bool) -> Result<CaptureInput, CmdError> {
        let (name, stream): (String, Box<dyn BufRead>) = if path.as_os_str() == "-" {
            ("standard input".to_owned(), Box::new(io::stdin().lock()))
        } else {
            let name = path.display().to_string();
            let cannot =
                |e: io::Error| CmdError::input(crate::said!("cannot read {}: {}", name, e));
            let file = File::open(path).map_err(cannot)?;
            match Kind::of(file.metadata().map_err(cannot)?.file_type()) {
                Kind::File => {
                    return Ok(CaptureInput {
                        source: Source::File(file),
                        name,
                    })
                }
                Kind::Directory => {
                    return Err(CmdError::input(crate::said!(
                        "cannot read {}: it is a directory",
                        name
                    ))
                    .hint("give a capture file (JSON Lines), or - for standard input"))
                }
                Kind::Stream => {
                    let stream = Box::new(BufReader::with_capacity(STREAM_BUFFER, file));
                    (name, stream as Box<dyn BufRead>)
                }
            }
        };
        let source = match rereadable {
            false => Source::Stream(Some(stream)),
            true => Source::File(
                spool(stream)
                    .map_err(|e| CmdError::input(crate::said!("cannot spool {}: {}", name, e)))?,
            ),
        };
        Ok(CaptureInput { source, name })
    }

    /// A reader from the capture's start: the file read again, or the stream (once).
    pub fn reader(&mut self) -> Result<Box<dyn BufRead>, CmdError> {
        let failed =
            |e: io::Error| CmdError::input(crate::said!("cannot read {}: {}", self.name, e));
        match &mut self.source {
            Source::File(file) => {
                let mut again = file.try_clone().map_err(failed)?;
                again.rewind().map_err(failed)?;
                Ok(Box::new(BufReader::with_capacity(STREAM_BUFFER, again)))
            }
            Source::Stream(stream) => stream.take().ok_or_else(|| {
                CmdError::input(crate::said!(
                    "{} was already read: it is read once",
                    self.name
                ))
            }),
        }
    }

    /// The file mapped in memory, to be read on every core (`None` for a stream read once, or
    /// a file that cannot be mapped: it is read as a stream).
    pub fn map(&self) -> Option<memmap2::Mmap> {
        let Source::File(file) = &self.source else {
            return None;
        };
        // SAFETY: the map is only read. A capture still being written may grow meanwhile (the
        // map keeps the length it had); one truncated meanwhile would fault, as with any tool
        // that maps its input (ripgrep does the same); recorders only append.
        // Mapping a file is unsafe by memmap2's API; the note above says why it holds here.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Some(map)
    }

    /// A whole-file read: mapped when it can be, else a stream.
    pub fn capture<'a>(&mut self, map: Option<&'a memmap2::Mmap>) -> Result<Capture<'a>, CmdError> {
        Ok(match map {
            Some(m) => Capture::Mapped(m),
            None => Capture::Stream(self.reader()?),
        })
    }

    /// Whether the capture can be read more than once (a file, or a stream spooled).
    pub fn rereadable(&self) -> bool {
        matches!(self.source, Source::File(_))
    }

    /// The family the capture's frames tell within the look-ahead (an extra read; `None` for a
    /// stream read once, which holds its frames instead).
    pub fn sniff(&mut self) -> Option<Family> {
        if !self.rereadable() {
            return None;
        }
        crate::ingest::family::look_ahead(self.reader().ok()?)
            .ok()
            .flatten()
    }

    /// The clock `filter`'s `since:` is measured from: the capture's newest frame time, read
    /// (an extra pass) only when the filter has `since:`; the wall clock otherwise.
    pub fn clock(&mut self, filter: &crate::filter::Filter) -> Result<DateTime<Utc>, CmdError> {
        let end = match filter.has_time_terms() {
            true => self.end_time()?,
            false => None,
        };
        Ok(end.unwrap_or_else(Utc::now))
    }

    /// The capture's own clock: its newest frame time (an extra read).
    pub fn end_time(&mut self) -> Result<Option<DateTime<Utc>>, CmdError> {
        if !self.rereadable() {
            return Ok(None);
        }
        crate::capture::end_time(self.reader()?)
            .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", self.name, e)))
    }
}

/// A stream copied, to its end, into a private temporary file (gone when closed).
fn spool(mut stream: impl Read) -> io::Result<File> {
    let mut file = tempfile::tempfile()?;
    io::copy(&mut stream, &mut file)?;
    file.rewind()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_path_is_decides_how_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.jsonl");
        std::fs::write(&file, "{}\n").unwrap();
        let kind = |p: &Path| Kind::of(std::fs::metadata(p).unwrap().file_type());
        assert_eq!(kind(&file), Kind::File);
        assert_eq!(kind(dir.path()), Kind::Directory);
        #[cfg(unix)]
        assert_eq!(kind(Path::new("/dev/null")), Kind::Stream);
    }

    #[test]
    fn a_file_is_read_from_its_start_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(&path, "one\ntwo\n").unwrap();
        let mut input = CaptureInput::open(&path, false).unwrap();
        assert!(input.rereadable());
        for _ in 0..2 {
            let mut first = String::new();
            input.reader().unwrap().read_line(&mut first).unwrap();
            assert_eq!(first, "one\n");
        }
        assert_eq!(input.map().as_deref(), Some(&b"one\ntwo\n"[..]));
    }

    #[cfg(unix)]
    #[test]
    fn a_stream_is_read_once_unless_spooled() {
        let mut once = CaptureInput::open(Path::new("/dev/null"), false).unwrap();
        assert!(!once.rereadable() && once.map().is_none());
        assert!(once.reader().is_ok());
        assert!(once.reader().is_err(), "a stream is handed out once");
        let mut spooled = CaptureInput::open(Path::new("/dev/null"), true).unwrap();
        assert!(spooled.rereadable());
        assert!(spooled.reader().is_ok() && spooled.reader().is_ok());
    }
}
