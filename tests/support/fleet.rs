//! A fleet's capture: the fork's incident recording, each record given one of several workspaces
//! by its place; and what the capture itself says each workspace had.

use std::collections::BTreeMap;

use serde_json::Value;

/// `tests/data/octo-pr33.jsonl` with record `i`'s frame carried by `workspaces[i % n]`.
pub fn capture(workspaces: &[&str]) -> String {
    let recording = include_str!("../data/octo-pr33.jsonl");
    let mut out = String::new();
    for (i, line) in recording.lines().enumerate() {
        let mut v: Value = serde_json::from_str(line).expect("the capture is JSON");
        if v.get("frame").is_some() {
            v["workspace"] = workspaces[i % workspaces.len()].into();
        }
        out += &v.to_string();
        out.push('\n');
    }
    out
}

/// `task:failed` records per workspace, read from the capture itself.
pub fn failed_per_workspace(capture: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for line in capture.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["frame"]["type"] == "task:failed" {
            *out.entry(v["workspace"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    out
}
