//! Scraping the binary's `/metrics`: a free port, a GET, the samples of an exposition.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A port nothing listens on (free when asked; the binary binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `path`: the status line and the body; `None` while nothing accepts.
pub fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_owned(), body.to_owned()))
}

/// Sample lines by series (`name{labels}` → value).
pub fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

pub fn sum(s: &BTreeMap<String, f64>, family: &str) -> f64 {
    s.iter()
        .filter(|(k, _)| *k == family || k.starts_with(&format!("{family}{{")))
        .map(|(_, v)| v)
        .sum()
}

/// Scrape until `done` holds of the samples (20 s at most).
pub fn scrape_until(
    port: u16,
    what: &str,
    done: impl Fn(&BTreeMap<String, f64>) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Some((status, body)) = get(port, "/metrics") {
            assert_eq!(status, "HTTP/1.1 200 OK");
            if done(&samples(&body)) {
                return body;
            }
            last = body;
        }
        sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}; last scrape:\n{last}");
}
