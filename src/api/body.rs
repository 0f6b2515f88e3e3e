//! An answer's body, read as it streams in and never past a cap: what came before the cap is
//! kept, reading stops there (the connection is dropped, not drained), and the cut is said.
//!
//! The caps. `/api/agents/{id}/tasks` has no paging: a busy agent's whole history comes in one
//! answer, a few KB a row (attribution names, `result` with the agent's output, work dirs), so
//! a year of a busy agent is tens of MB, legitimately. But the server lists it newest first,
//! and the failure being looked up has just happened: its row is among the first. So an answer
//! is read to [`ANSWER_BYTES`] (8 MiB, thousands of rows) and the rows before the cut are used
//! ([`super::decode`]). Error bodies are one `{"error": …}` and are read to [`ERROR_BYTES`].

/// An answer is read up to this, and its rows kept up to this by their own count.
pub const ANSWER_BYTES: usize = 8 << 20;
/// An error status's body is read up to this.
pub const ERROR_BYTES: usize = 64 << 10;

/// A body as read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// More came than the cap: reading stopped there.
    pub cut: bool,
}

/// Read `resp`'s body, at most `cap` bytes of it.
pub async fn read(resp: &mut reqwest::Response, cap: usize) -> Result<Body, reqwest::Error> {
    let mut body = Body::default();
    // A length the server states is a hint for the first allocation, never more than the cap.
    let hint = resp.content_length().unwrap_or(0).min(cap as u64);
    body.bytes.reserve_exact(hint.min(1 << 20) as usize);
    while let Some(chunk) = resp.chunk().await? {
        if take(&mut body.bytes, &chunk, cap) {
            body.cut = true;
            break;
        }
    }
    Ok(body)
}

/// Append what of `chunk` fits under `cap`; true when some of it did not. The buffer grows by
/// doubling but never past `cap`, so a capped body holds no more than its cap.
pub fn take(buf: &mut Vec<u8>, chunk: &[u8], cap: usize) -> bool {
    let room = cap.saturating_sub(buf.len());
    let fits = chunk.len().min(room);
    let needed = buf.len() + fits;
    if needed > buf.capacity() {
        let grown = (buf.capacity() * 2).clamp(needed, cap.max(needed));
        buf.reserve_exact(grown - buf.len());
    }
    buf.extend_from_slice(&chunk[..fits]);
    fits < chunk.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_under_its_cap_is_kept_whole() {
        let mut buf = Vec::new();
        assert!(!take(&mut buf, b"[1,", 8));
        assert!(!take(&mut buf, b"2]", 8));
        assert_eq!(buf, b"[1,2]");
        assert!(!take(&mut buf, b"abc", 8), "exactly the cap is not a cut");
        assert_eq!(buf.len(), 8);
        assert!(!take(&mut buf, b"", 8));
    }

    #[test]
    fn past_its_cap_a_body_keeps_what_came_first_and_says_it_was_cut() {
        let mut buf = Vec::new();
        assert!(take(&mut buf, b"0123456789", 4));
        assert_eq!(buf, b"0123");
        assert!(take(&mut buf, b"x", 4), "anything more is a cut too");
        assert_eq!(buf, b"0123");
    }

    #[test]
    fn the_buffer_never_grows_past_the_cap() {
        let cap = 3 << 20;
        let mut buf = Vec::new();
        let chunk = vec![b'x'; 64 << 10];
        while !take(&mut buf, &chunk, cap) {}
        assert_eq!(buf.len(), cap);
        assert!(buf.capacity() <= cap, "{} > {cap}", buf.capacity());
    }
}
