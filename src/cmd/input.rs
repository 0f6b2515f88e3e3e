//! A capture to read: a file, or standard input. Reading a capture twice (to learn its server
//! family, or its own clock for `since:`) needs a file: standard input is spooled to a private
//! temporary file first, when and only when that is needed (a streaming `tail -` is not).

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::CmdError;
use crate::ingest::read::Capture;
use crate::routing::Family;

pub struct CaptureInput {
    /// The file to read, `None` for standard input read once.
    path: Option<PathBuf>,
    /// How to name it in messages and the header.
    pub name: String,
    /// Keeps a spooled standard input alive.
    _spool: Option<tempfile::TempPath>,
}

impl CaptureInput {
    /// `-` is standard input; `rereadable` spools it to a file.
    pub fn open(path: &Path, rereadable: bool) -> Result<CaptureInput, CmdError> {
        if path.as_os_str() != "-" {
            File::open(path)
                .map_err(|e| CmdError::input(format!("cannot read {}: {e}", path.display())))?;
            return Ok(CaptureInput {
                path: Some(path.to_owned()),
                name: path.display().to_string(),
                _spool: None,
            });
        }
        let name = "standard input".to_owned();
        if !rereadable {
            return Ok(CaptureInput {
                path: None,
                name,
                _spool: None,
            });
        }
        let spool_failed = |e: io::Error| CmdError::input(format!("cannot spool {name}: {e}"));
        let mut file = tempfile::NamedTempFile::new().map_err(spool_failed)?;
        io::copy(&mut io::stdin().lock(), &mut file).map_err(spool_failed)?;
        let spool = file.into_temp_path();
        Ok(CaptureInput {
            path: Some(spool.to_path_buf()),
            name: name.clone(),
            _spool: Some(spool),
        })
    }

    pub fn reader(&self) -> Result<Box<dyn BufRead>, CmdError> {
        match &self.path {
            None => Ok(Box::new(io::stdin().lock())),
            Some(p) => File::open(p)
                .map(|f| Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn BufRead>)
                .map_err(|e| CmdError::input(format!("cannot read {}: {e}", self.name))),
        }
    }

    /// The file mapped in memory, to be read on every core (`None` for standard input read
    /// once, or a file that cannot be mapped: it is read as a stream).
    pub fn map(&self) -> Option<memmap2::Mmap> {
        let file = File::open(self.path.as_ref()?).ok()?;
        // SAFETY: the map is only read. A capture still being written may grow meanwhile (the
        // map keeps the length it had); one truncated meanwhile would fault, as with any tool
        // that maps its input (ripgrep does the same); recorders only append.
        // Mapping a file is unsafe by memmap2's API; the note above says why it holds here.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Some(map)
    }

    /// A whole-file read: mapped when it can be, else a stream.
    pub fn capture<'a>(&self, map: Option<&'a memmap2::Mmap>) -> Result<Capture<'a>, CmdError> {
        Ok(match map {
            Some(m) => Capture::Mapped(m),
            None => Capture::Stream(self.reader()?),
        })
    }

    /// Whether the capture can be read more than once (a file, or standard input spooled).
    pub fn rereadable(&self) -> bool {
        self.path.is_some()
    }

    /// The family the capture's frames tell within the look-ahead (an extra read; `None` for
    /// standard input read once, which holds its frames instead).
    pub fn sniff(&self) -> Option<Family> {
        self.path.as_ref()?;
        crate::ingest::family::look_ahead(self.reader().ok()?)
            .ok()
            .flatten()
    }

    /// The clock `filter`'s `since:` is measured from: the capture's newest frame time, read
    /// (an extra pass) only when the filter has `since:`; the wall clock otherwise.
    pub fn clock(&self, filter: &crate::filter::Filter) -> Result<DateTime<Utc>, CmdError> {
        let end = match filter.has_time_terms() {
            true => self.end_time()?,
            false => None,
        };
        Ok(end.unwrap_or_else(Utc::now))
    }

    /// The capture's own clock: its newest frame time (an extra read).
    pub fn end_time(&self) -> Result<Option<DateTime<Utc>>, CmdError> {
        if self.path.is_none() {
            return Ok(None);
        }
        crate::capture::end_time(self.reader()?)
            .map_err(|e| CmdError::input(format!("reading {} failed: {e}", self.name)))
    }
}
