//! What a request that got an error means for the lookups waiting on it: the token will not do
//! (nothing more is asked), the token may not read this endpoint (said once, and they move on),
//! this endpoint cannot answer for them (they move on), or the server is busy (ask later).

use super::endpoint::Key;
use super::http::HttpError;

#[derive(Debug, PartialEq, Eq)]
pub enum Failed {
    /// A 401, or the token's user not a member: every lookup fails with this.
    Refused(String),
    /// A 403: the note is said once in the header; each lookup moving on is told `why`.
    Forbidden { note: String, why: String },
    /// A 404, 400 or 402 on the endpoint, or a redirect not followed: its lookups move on,
    /// told this.
    NotHere(String),
    /// A 429, a 5xx, no answer: ask again later.
    Later,
}

impl Failed {
    /// What `e`, answered by `key`, means.
    pub fn of(key: &Key, e: &HttpError) -> Failed {
        let (status, message) = match e {
            HttpError::Status {
                status, message, ..
            } => (status, message),
            // Asking again would be sent the same way: its lookups move on, told why.
            HttpError::NotFollowed(why) | HttpError::NotSent(why) => {
                return Failed::NotHere(why.clone())
            }
            HttpError::Transport(_) => return Failed::Later,
        };
        match status {
            401 => Failed::Refused(format!(
                "the API refused the token (HTTP 401: {message}): the WebSocket's token must be a member's PAT or session token"
            )),
            404 if message == "workspace not found" => Failed::Refused(
                "the token's user is not a member of this workspace (HTTP 404 workspace not found)"
                    .to_owned(),
            ),
            403 => Failed::Forbidden {
                note: forbidden_note(key, message),
                why: format!("HTTP 403: {message}"),
            },
            404 | 400 | 402 => Failed::NotHere(message.clone()),
            _ => Failed::Later,
        }
    }
}

/// What the header says, once, of an endpoint the token may not read.
fn forbidden_note(key: &Key, message: &str) -> String {
    match key {
        Key::Agent(_) => format!(
            "agents' task lists: 403 ({message}); only their owners, workspace owners or admins and members they are shared with may read them — their chats' messages are asked instead"
        ),
        Key::Session(_) => {
            format!("chat messages: 403 ({message}); only a chat's creator may read them")
        }
        Key::Issue(_) => format!("issue runs: 403 ({message})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, message: &str) -> HttpError {
        HttpError::Status {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn agent() -> Key {
        Key::Agent("a".into())
    }

    #[test]
    fn a_401_or_a_non_member_refuses_everything_and_says_why() {
        let Failed::Refused(why) = Failed::of(&agent(), &status(401, "invalid token")) else {
            panic!("a 401 refuses");
        };
        assert!(why.contains("HTTP 401: invalid token"), "{why}");
        assert!(why.contains("member's PAT or session token"), "{why}");
        assert_eq!(
            Failed::of(&agent(), &status(404, "workspace not found")),
            Failed::Refused(
                "the token's user is not a member of this workspace (HTTP 404 workspace not found)"
                    .into()
            )
        );
    }

    #[test]
    fn a_403_is_noted_once_for_its_kind_of_endpoint_and_its_lookups_move_on() {
        let Failed::Forbidden { note, why } = Failed::of(&agent(), &status(403, "forbidden"))
        else {
            panic!("a 403 forbids");
        };
        assert!(
            note.starts_with("agents' task lists: 403 (forbidden)"),
            "{note}"
        );
        assert!(note.contains("chats' messages are asked instead"), "{note}");
        assert_eq!(why, "HTTP 403: forbidden");
        let session = Key::Session("s".into());
        let Failed::Forbidden { note, .. } = Failed::of(&session, &status(403, "no")) else {
            panic!("a 403 forbids");
        };
        assert!(note.contains("only a chat's creator"), "{note}");
    }

    #[test]
    fn an_endpoint_that_cannot_answer_moves_its_lookups_on() {
        for code in [404, 400, 402] {
            assert_eq!(
                Failed::of(&agent(), &status(code, "agent not found")),
                Failed::NotHere("agent not found".into())
            );
        }
    }

    #[test]
    fn a_redirect_not_followed_moves_its_lookups_on_telling_them_why() {
        let why = "the API redirected to another origin (http://h:1): not followed";
        assert_eq!(
            Failed::of(&agent(), &HttpError::NotFollowed(why.into())),
            Failed::NotHere(why.into())
        );
    }

    #[test]
    fn a_busy_or_silent_server_is_asked_again_later() {
        let slow_down = HttpError::Status {
            status: 429,
            message: "slow down".into(),
            retry_after: crate::api::retry_after::parse("2", chrono::Utc::now()),
        };
        assert_eq!(Failed::of(&agent(), &slow_down), Failed::Later);
        assert_eq!(Failed::of(&agent(), &status(503, "busy")), Failed::Later);
        assert_eq!(Failed::of(&agent(), &status(500, "boom")), Failed::Later);
        let silent = HttpError::Transport("connection reset".into());
        assert_eq!(Failed::of(&agent(), &silent), Failed::Later);
    }
}
