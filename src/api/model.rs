//! What failwatch reads of the server's REST answers (a subset: unknown fields are ignored).

use serde::Deserialize;

/// A task row (`AgentTaskResponse`): `GET /api/issues/{id}/task-runs` and
/// `GET /api/agents/{id}/tasks` answer arrays of them. `error` is the raw, unredacted text.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct TaskRow {
    pub id: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub attempt: u32,
    #[serde(default)]
    pub max_attempts: u32,
    #[serde(default)]
    pub parent_task_id: Option<String>,
    #[serde(default)]
    pub status: String,
}

/// A chat message (`ChatMessageResponse`): the assistant row written for a failed turn carries
/// `failure_reason` and the server-redacted error as `content`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct ChatMessage {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

/// The server's error body: `{"error": "…"}`.
#[derive(Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

fn owned(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::capacity)
}

impl super::decode::Weigh for TaskRow {
    fn weight(&self) -> usize {
        std::mem::size_of::<TaskRow>()
            + self.id.capacity()
            + owned(&self.error)
            + owned(&self.failure_reason)
            + owned(&self.parent_task_id)
            + self.status.capacity()
    }
}

impl super::decode::Weigh for ChatMessage {
    fn weight(&self) -> usize {
        std::mem::size_of::<ChatMessage>()
            + self.role.capacity()
            + self.content.capacity()
            + owned(&self.task_id)
            + owned(&self.failure_reason)
    }
}
