//! Any frame text: whenever the fast reading answers, its answer is the exact (serde) reading's,
//! event and `event_id` alike. The fast path may leave a frame to serde, never read it otherwise.
//! The fixtures' frames make a good seed: one per file in the corpus directory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = failwatch::protocol::decode_fast(text) {
        assert_eq!(Ok(fast), failwatch::protocol::decode_exact(text), "{text:?}");
    }
});
