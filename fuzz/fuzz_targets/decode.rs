//! Any frame text: decoding never panics, and ingesting it (enrichment, routing, the store)
//! never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = failwatch::protocol::decode_with_id(text);
    let mut pipeline = failwatch::ingest::Pipeline::new(16);
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    pipeline.push_frame(at, text, |_| {});
    // Twice: the second is a duplicate or a retry of the first.
    pipeline.push_frame(at, text, |_| {});
});
