//! Any capture bytes: reading never panics, every line is classified, and ingesting what was
//! read never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = failwatch::capture::CaptureReader::new(data);
    let mut pipeline = failwatch::ingest::Pipeline::new(16);
    while let Ok(Some(line)) = reader.next_line() {
        pipeline.push_line(&line, reader.line_no, |_| {});
    }
});
