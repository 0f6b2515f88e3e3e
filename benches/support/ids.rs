//! Ids shaped as the servers send them: tasks, agents and chat sessions are UUIDs (lowercase,
//! hyphenated), Redis event ids are ULIDs. Distinct kinds never share an id.

/// The `n`-th id of a kind (`kind` < 16), as a UUID.
pub fn uuid(kind: u8, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

pub fn task(n: usize) -> String {
    uuid(1, n)
}

pub fn agent(n: usize) -> String {
    uuid(2, n)
}

pub fn session(n: usize) -> String {
    uuid(3, n)
}

/// The number an [`agent`] id was made from.
#[allow(dead_code)]
pub fn agent_number(id: &str) -> Option<usize> {
    let (head, n) = id.rsplit_once('-')?;
    (head == "00000002-0000-4000-8000")
        .then(|| usize::from_str_radix(n, 16).ok())
        .flatten()
}

/// The `n`-th event id: a ULID (Crockford base 32) of a fixed millisecond plus `n`.
#[allow(dead_code)]
pub fn ulid(n: usize) -> String {
    const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let ms = 1_790_000_000_000u128 + n as u128;
    let bits = ms << 80 | (n as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15) & ((1 << 80) - 1);
    (0..26)
        .rev()
        .map(|i| char::from(DIGITS[(bits >> (5 * i) & 31) as usize]))
        .collect()
}
