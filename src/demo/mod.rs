//! Generated traffic: the seeded incident the embedded demo server plays, and large captures for
//! benchmarks. Both speak the wire shapes of the reference, secrets and control sequences included.

pub mod corpus;
pub mod scenario;

use rand::rngs::StdRng;
use rand::Rng;

/// A UUID-shaped id from the generator (deterministic per seed).
pub(crate) fn uuid(rng: &mut StdRng) -> String {
    let b: u128 = rng.random();
    let h = format!("{b:032x}");
    format!(
        "{}-{}-4{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Error texts by reason as the server sends them: raw daemon texts, some carrying planted
/// secrets and control sequences, after the server's own redaction (which misses home paths,
/// credentials in https URLs and control sequences: the dashboard must mask and strip those).
pub(crate) fn error_for(reason: &str, rng: &mut StdRng) -> String {
    let req: u32 = rng.random();
    let base = match reason {
        "agent_error.provider_capacity_or_rate_limit" => format!("429 Too Many Requests: rate_limit_error (request id req_{req:08x}); retry after 20s"),
        "agent_error.provider_server_error" => format!("529 overloaded_error from provider (request id req_{req:08x})"),
        "agent_error.provider_quota_limit" => format!("402 insufficient_balance: credit balance is too low (request id req_{req:08x})"),
        "agent_error.provider_auth_or_access" => "401 Unauthorized: invalid x-api-key".to_owned(),
        "agent_error.provider_network" => "stream disconnected before completion: dial tcp 10.0.7.12:443: i/o timeout".to_owned(),
        "agent_error.process_failure" => "claude exited with status 1\nstderr tail:\n  Error: ENOENT: no such file or directory, open '/Users/alice/work/repo/.env'\n    at Object.openSync (node:fs:573:3)".to_owned(),
        "agent_error.context_overflow" => "prompt is too long: 212403 tokens > 200000 maximum".to_owned(),
        "timeout" => "claude timed out after 1h0m0s".to_owned(),
        _ => "agent run failed".to_owned(),
    };
    let raw = if rng.random_bool(0.25) {
        let secrets = [
            " while calling provider with Authorization: Bearer sk-ant-api03-Xq2b7Jk9LmN4pR8sT1vW3yZ5aC6dE0fG".to_owned(),
            " (git push with ghp_4f9Kq2LmN8pR3sT7vW1yZ5aC6dE0fGhIjKl0)".to_owned(),
            " pushing to https://deploy:s3cr3t-Pa55@git.example.com/team/app.git".to_owned(),
            " using AWS key AKIAIOSFODNN7EXAMPLE".to_owned(),
            r" at C:\Users\bob\AppData\Local\agent\run.log".to_owned(),
            " \u{1b}[31mFATAL\u{1b}[0m \u{1b}]52;c;ZXZpbA==\u{7}clipboard\r".to_owned(),
        ];
        base + &secrets[rng.random_range(0..secrets.len())]
    } else {
        base
    };
    crate::redact::server_rules_sequential(&raw)
}
