//! `failwatch gen-corpus` (hidden): a large generated capture on standard output, for benchmarks.

use std::io::{self, Write};

use super::CmdError;
use crate::cli::GenCorpusArgs;

pub fn run(args: GenCorpusArgs) -> Result<(), CmdError> {
    let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    crate::demo::corpus::write_capture(&mut out, args.lines, args.seed)
        .and_then(|_| out.flush())
        .map_err(|e| CmdError::failed(super::Said::outside(e)))
}
