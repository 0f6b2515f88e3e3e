//! Workspace names from `GET /api/workspaces`: the workspaces the token's user is a member of, a
//! bare JSON array of `WorkspaceResponse` (`id`, `name`, `slug`, … in the server's
//! `handler/workspace.go`). The route is user-scoped (no workspace header needed), so one answer
//! names every workspace watched, whether it was given by id or by slug. Names are outside text:
//! cleaned, masked and cut like any id. Asked once at start, again every [`REFRESH`], and after a
//! failure every [`RETRY`]; a refusal (401, 403, 404) stops the asking, said once in the log.

use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use tokio::sync::watch;

use super::http::{Http, HttpError, Reply};
use crate::redact;
use crate::source::ws::Token;

/// A workspace's name is shown in a column: cut past this many characters.
pub const NAME_CHARS: usize = 48;
/// Workspaces named at most (the server does not paginate the list).
pub const MAX_NAMED: usize = 10_000;
/// How often names are asked again (a workspace renamed, one joined).
const REFRESH: Duration = Duration::from_secs(600);
/// How soon after a failed answer.
const RETRY: Duration = Duration::from_secs(60);

/// The latest names, as [`start`] gives them.
pub type Names = watch::Receiver<Arc<WorkspaceNames>>;

/// Names by the keys a workspace is watched by: its id and its slug.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceNames {
    by_key: FxHashMap<Arc<str>, Arc<str>>,
    /// Workspaces past [`MAX_NAMED`] in the answer, not named.
    pub beyond: usize,
}

/// One workspace of the answer, as far as names go (the server sends more fields).
#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    slug: Option<String>,
}

impl WorkspaceNames {
    /// The names of an answer's body: every item with a name, keyed by its id and its slug
    /// (each made safe as an id is, so it meets the workspace a frame carries, made safe alike).
    pub fn from_body(body: &[u8]) -> Result<WorkspaceNames, String> {
        let items: Vec<Item> = serde_json::from_slice(body).map_err(|e| {
            format!(
                "the workspace list is not what the server sends: {}",
                redact::redact_line(&e.to_string(), redact::MAX_MESSAGE_CHARS)
            )
        })?;
        let mut names = WorkspaceNames::default();
        for item in &items {
            let name = item
                .name
                .as_deref()
                .map(|n| redact::redact_line(n.trim(), NAME_CHARS));
            let Some(name) = name.filter(|n| !n.is_empty()) else {
                continue;
            };
            if names.by_key.len() >= 2 * MAX_NAMED {
                names.beyond += 1;
                continue;
            }
            let name: Arc<str> = name.into();
            for key in [&item.id, &item.slug].into_iter().flatten() {
                if !key.is_empty() {
                    let key: Arc<str> = redact::redact_id(key).into();
                    names.by_key.insert(key, name.clone());
                }
            }
        }
        Ok(names)
    }

    /// The name of the workspace watched as `key` (an id or a slug), when the server gave one.
    pub fn name(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(|n| &**n)
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// Ask once: the names, or why not (and whether asking again can help).
async fn ask(http: &Http) -> Result<WorkspaceNames, (String, bool)> {
    let url = http
        .url("/api/workspaces")
        .map_err(|e| (e.to_string(), false))?;
    match http.get(url).await {
        Ok(Reply::Body(body)) if body.cut => Err((
            format!(
                "the workspace list was cut at {} MiB: not used",
                super::ANSWER_BYTES >> 20
            ),
            true,
        )),
        Ok(Reply::Body(body)) => WorkspaceNames::from_body(&body.bytes).map_err(|e| (e, true)),
        Ok(Reply::Redirect { .. }) => {
            Err(("the workspace list redirects: not followed".into(), false))
        }
        Err(HttpError::Status {
            status, message, ..
        }) => {
            let again = !matches!(status, 401 | 403 | 404);
            Err((format!("HTTP {status}: {message}"), again))
        }
        Err(e) => Err((e.to_string(), true)),
    }
}

/// Ask `base` for the names of the token's workspaces, now and from time to time, on the
/// current runtime; the latest names come out of the receiver. Stops when it is dropped.
/// `workspace`: any workspace watched (the client sends one; this route reads none).
pub fn start(base: &str, workspace: &str, token: &Token) -> Result<Names, String> {
    let http = Http::new(base, workspace, token)?;
    let (tx, rx) = watch::channel(Arc::new(WorkspaceNames::default()));
    tokio::spawn(async move {
        loop {
            let wait = match ask(&http).await {
                Ok(names) => {
                    tracing::info!(named = names.by_key.len(), "workspace names from the API");
                    if tx.send(Arc::new(names)).is_err() {
                        return;
                    }
                    REFRESH
                }
                Err((why, again)) => {
                    tracing::warn!(error = %why, "workspace names: the API did not give them");
                    if !again {
                        return;
                    }
                    RETRY
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = tx.closed() => return,
            }
        }
    });
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_keyed_by_id_and_slug_and_made_safe() {
        let body = br#"[
            {"id":"de010000-0000-4000-8000-000000000001","name":"Acme EU","slug":"acme-eu",
             "description":null,"settings":{},"repos":[],"issue_prefix":"ACM"},
            {"id":"x","name":"\u001b[31mEvil\u202e ghp_abcdefghijklmnopqrstuvwxyz0123456789","slug":"evil"},
            {"id":"y","name":"   ","slug":"blank"},
            {"id":"z","slug":"no-name"}
        ]"#;
        let names = WorkspaceNames::from_body(body).unwrap();
        assert_eq!(names.name("acme-eu"), Some("Acme EU"));
        assert_eq!(
            names.name("de010000-0000-4000-8000-000000000001"),
            Some("Acme EU")
        );
        let evil = names.name("evil").unwrap();
        assert!(
            !evil.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{evil:?}"
        );
        assert!(!evil.contains("ghp_abc"), "{evil}");
        assert_eq!((names.name("blank"), names.name("no-name")), (None, None));
    }

    #[test]
    fn an_answer_that_is_no_list_is_refused_with_a_clean_message() {
        let e = WorkspaceNames::from_body(b"{\"error\":\"\x1b[2Jnope\"}").unwrap_err();
        assert!(e.starts_with("the workspace list is not"), "{e}");
        assert!(!e.contains('\x1b'), "{e}");
        assert_eq!(
            WorkspaceNames::from_body(b"[]").unwrap(),
            WorkspaceNames::default()
        );
    }
}
