//! The demo server's REST API, on the WebSocket's port as on the real server: the three reads
//! failwatch uses, answering with the server's shapes (raw task rows, the chat failure message
//! with the server-redacted text), its auth and workspace checks and its error bodies. A failed
//! task becomes visible when its `task:failed` frame is published.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{json, Value};

use super::{demo_workspace_id, demo_workspace_name, DEMO_TOKEN, DEMO_WORKSPACE};
use crate::demo::scenario::DemoRow;

/// Failed tasks the demo remembers (older ones are forgotten, as a long demo runs for hours).
const ROWS_KEPT: usize = 20_000;

#[derive(Default)]
pub struct Rows {
    rows: Mutex<HashMap<String, DemoRow>>,
}

impl Rows {
    pub fn add(&self, row: DemoRow) {
        let Some(id) = row.row["id"].as_str().map(str::to_owned) else {
            return;
        };
        let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if rows.len() >= ROWS_KEPT {
            rows.clear();
        }
        rows.insert(id, row);
    }

    /// Task rows whose `field` is `value`, newest first.
    fn matching(&self, field: &str, value: &str) -> Vec<Value> {
        let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<Value> = rows
            .values()
            .filter(|r| r.row[field] == value)
            .map(|r| r.row.clone())
            .collect();
        out.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
        out
    }

    /// The chat's failure messages (`ChatMessageResponse`), oldest first: the server writes one
    /// per terminal chat failure with a text, its content redacted by the server's rules.
    fn chat_messages(&self, session: &str) -> Vec<Value> {
        let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<Value> = rows
            .values()
            .filter(|r| r.chat_message && r.row["chat_session_id"] == session)
            .map(|r| {
                let error = r.row["error"].as_str().unwrap_or("");
                json!({
                    "id": format!("m-{}", r.row["id"].as_str().unwrap_or("")),
                    "chat_session_id": session, "role": "assistant",
                    "content": crate::redact::server_rules_sequential(error),
                    "task_id": r.row["id"], "created_at": r.row["completed_at"],
                    "failure_reason": r.row["failure_reason"], "elapsed_ms": 3000,
                    "message_kind": "message", "quick_actions": [],
                })
            })
            .collect();
        out.sort_by(|a, b| a["created_at"].as_str().cmp(&b["created_at"].as_str()));
        out
    }
}

fn reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut text = body.to_string();
    text.push('\n');
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(text)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    reply(status, &json!({ "error": message }))
}

/// The workspaces the demo's user belongs to (`WorkspaceResponse`, oldest first): the one
/// demo workspace and the eight of a deployment.
fn workspaces() -> Value {
    let item = |id: String, name: &str, slug: String| {
        json!({
            "id": id, "name": name, "slug": slug, "description": null, "context": null,
            "settings": {}, "repos": [], "issue_prefix": "DEM", "avatar_url": null,
            "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z",
        })
    };
    let mut all = vec![item(
        demo_workspace_id(0),
        "Demo",
        DEMO_WORKSPACE.to_owned(),
    )];
    for n in 1..=8u8 {
        let name = demo_workspace_name(n);
        let slug = name.to_lowercase().replace(' ', "-");
        all.push(item(demo_workspace_id(n), name, slug));
    }
    Value::Array(all)
}

/// One request: the auth and workspace checks in the server's order, then the route.
pub async fn serve(
    req: Request<Incoming>,
    rows: Arc<Rows>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let Some(token) = header("authorization").and_then(|a| a.strip_prefix("Bearer ")) else {
        return Ok(error(StatusCode::UNAUTHORIZED, "missing authorization"));
    };
    if token != DEMO_TOKEN {
        return Ok(error(StatusCode::UNAUTHORIZED, "invalid token"));
    }
    // The user's workspaces: a route of its own, read without a workspace header.
    if req.uri().path().trim_end_matches('/') == "/api/workspaces" {
        return Ok(reply(StatusCode::OK, &workspaces()));
    }
    match (header("x-workspace-slug"), header("x-workspace-id")) {
        (None, None) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "workspace_id or workspace_slug is required",
            ))
        }
        (Some(slug), _) if slug != DEMO_WORKSPACE => {
            return Ok(error(StatusCode::NOT_FOUND, "workspace not found"))
        }
        _ => {}
    }
    let path: Vec<&str> = req.uri().path().trim_matches('/').split('/').collect();
    Ok(match path.as_slice() {
        ["api", "issues", id, "task-runs"] => {
            reply(StatusCode::OK, &json!(rows.matching("issue_id", id)))
        }
        ["api", "agents", id, "tasks"] => {
            reply(StatusCode::OK, &json!(rows.matching("agent_id", id)))
        }
        ["api", "chat", "sessions", id, "messages"] => {
            reply(StatusCode::OK, &json!(rows.chat_messages(id)))
        }
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::from_static(b"404 page not found\n")))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))),
    })
}
