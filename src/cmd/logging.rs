//! Logs go to a file, never to the terminal the dashboard draws on.

use std::path::{Path, PathBuf};

/// Log to `path`, else `failwatch.log` in the state directory; silently nothing when neither
/// can be opened (logs must never stop the tool).
pub fn init(path: Option<&Path>) -> Option<()> {
    let path = path.map(Path::to_path_buf).or_else(default_path)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FAILWATCH_LOG")
                .unwrap_or_else(|_| "failwatch=info".into()),
        )
        .try_init()
        .ok()
}

fn default_path() -> Option<PathBuf> {
    Some(super::state::dir()?.join("failwatch.log"))
}
