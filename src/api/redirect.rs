//! Redirects, followed by hand: each hop is a request of its own, so it waits for a token of
//! the per-second budget like any other; a hop may only stay on the API's origin (scheme, host
//! and port), since the workspace and the ids in the path go with it; and a chain ends after
//! [`MAX_HOPS`]. A redirect not followed ends the request, and its lookups are told why.

use std::collections::HashMap;

use reqwest::Url;

use super::endpoint::Key;
use crate::redact;

/// Redirects followed for one request, at most.
pub const MAX_HOPS: u32 = 5;

/// Said once, in the header and on `tail`'s stderr, when a redirect is not followed.
pub const NOTE: &str = "redirects are followed only on the API's own origin (scheme, host and port) and at most 5 hops, each within the request budget: one was not";

/// The statuses that say "ask there instead".
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Where a redirect from `from` to `location` leads, if it may be followed from `base`: on the
/// same origin only. Else what its lookups are told.
pub fn follow(base: &Url, from: &Url, location: &str) -> Result<Url, String> {
    let to = from.join(location.trim()).map_err(|_| {
        format!(
            "the API redirected to \"{}\", which is not an address: not followed",
            redact::redact_line(location, 80)
        )
    })?;
    if to.origin() != base.origin() {
        // Only the origin is said: the path and query are the server's, and may carry anything.
        let origin = redact::redact_line(&to.origin().ascii_serialization(), 80);
        return Err(format!(
            "the API redirected to another origin ({origin}): not followed"
        ));
    }
    Ok(to)
}

/// The redirect chains under way, by endpoint: where its next request goes, and the hops so far.
#[derive(Debug, Default)]
pub struct Hops {
    by_key: HashMap<Key, (Url, u32)>,
}

impl Hops {
    /// Where the next request to `key` goes, if a redirect moved it.
    pub fn target(&self, key: &Key) -> Option<&Url> {
        self.by_key.get(key).map(|(url, _)| url)
    }

    /// `key`'s request was redirected to `to`: the next one goes there, unless the chain is
    /// too long (then it is forgotten, and this is what its lookups are told).
    pub fn redirected(&mut self, key: &Key, to: Url) -> Result<(), String> {
        let hops = self.by_key.get(key).map_or(0, |(_, n)| *n) + 1;
        if hops > MAX_HOPS {
            self.by_key.remove(key);
            return Err(format!(
                "the API redirected more than {MAX_HOPS} times: not followed further"
            ));
        }
        self.by_key.insert(key.clone(), (to, hops));
        Ok(())
    }

    /// `key`'s chain ended (answered, failed, or nobody waits on it).
    pub fn forget(&mut self, key: &Key) {
        self.by_key.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_redirect_on_the_same_origin_is_followed_relative_or_absolute() {
        let base = url("http://127.0.0.1:8080/multica");
        let from = url("http://127.0.0.1:8080/multica/api/agents/a/tasks");
        assert_eq!(
            follow(&base, &from, "/multica/api/agents/a/tasks/").unwrap(),
            url("http://127.0.0.1:8080/multica/api/agents/a/tasks/")
        );
        assert_eq!(
            follow(&base, &from, "tasks2").unwrap(),
            url("http://127.0.0.1:8080/multica/api/agents/a/tasks2")
        );
        assert_eq!(
            follow(&base, &from, "http://127.0.0.1:8080/x?y=1").unwrap(),
            url("http://127.0.0.1:8080/x?y=1")
        );
        let https = url("https://h.example/api");
        assert!(follow(&https, &https, "https://h.example:443/b").is_ok());
    }

    #[test]
    fn a_redirect_to_another_scheme_host_or_port_is_not_followed_and_names_only_the_origin() {
        let base = url("http://127.0.0.1:8080");
        for to in [
            "http://127.0.0.1:8081/api/agents/a/tasks",
            "http://localhost:8080/api",
            "https://127.0.0.1:8080/api",
            "http://evil:pw@other.example/x?token=mul_a9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4",
            "//other.example/x",
            "file:///etc/passwd",
        ] {
            let why = follow(&base, &base, to).unwrap_err();
            assert!(why.contains("another origin"), "{to}: {why}");
            assert!(!why.contains("pw") && !why.contains("mul_"), "{why}");
        }
        let why = follow(&base, &base, "http://[::1").unwrap_err();
        assert!(why.contains("not an address"), "{why}");
    }

    #[test]
    fn a_chain_ends_after_five_hops_and_starts_over_once_forgotten() {
        let key = Key::Agent("a".into());
        let to = url("http://h/next");
        let mut hops = Hops::default();
        assert_eq!(hops.target(&key), None);
        for _ in 0..MAX_HOPS {
            hops.redirected(&key, to.clone()).unwrap();
        }
        assert_eq!(hops.target(&key), Some(&to));
        let why = hops.redirected(&key, to.clone()).unwrap_err();
        assert_eq!(
            why,
            "the API redirected more than 5 times: not followed further"
        );
        assert!(NOTE.contains(&format!("at most {MAX_HOPS} hops")));
        assert_eq!(
            hops.target(&key),
            None,
            "forgotten: the next request starts over"
        );
        hops.redirected(&key, to.clone()).unwrap();
        hops.forget(&key);
        assert_eq!(hops.target(&key), None);
    }
}
