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

pub(crate) const ZERO_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// Error texts by reason, some carrying planted secrets and control sequences (the dashboard must
/// mask and strip them).
pub(crate) fn error_for(reason: &str, rng: &mut StdRng) -> String {
    let req: u32 = rng.random();
    let base = match reason {
        "agent_error.provider_capacity_or_rate_limit" => format!("429 Too Many Requests: rate_limit_error (request id req_{req:08x}); retry after 20s"),
        "agent_error.provider_server_error" => format!("529 overloaded_error from provider (request id req_{req:08x})"),
        "agent_error.provider_quota_limit" => format!("402 insufficient_balance: credit balance is too low (request id req_{req:08x})"),
        "agent_error.provider_auth_or_access" => "401 Unauthorized: invalid x-api-key".to_owned(),
        "agent_error.process_failure" => "claude exited with status 1\nstderr tail:\n  Error: ENOENT: no such file or directory, open '/Users/alice/work/repo/.env'\n    at Object.openSync (node:fs:573:3)".to_owned(),
        "agent_error.context_overflow" => "prompt is too long: 212403 tokens > 200000 maximum".to_owned(),
        "agent_error.missing_config" => "ANTHROPIC_API_KEY is not set in the runtime environment".to_owned(),
        "timeout" => "task timed out after 3600s".to_owned(),
        "runtime_offline" => "runtime went offline during execution".to_owned(),
        _ => "agent run failed".to_owned(),
    };
    if rng.random_bool(0.12) {
        let secrets = [
            " while calling provider with Authorization: Bearer sk-ant-api03-Xq2b7Jk9LmN4pR8sT1vW3yZ5aC6dE0fG".to_owned(),
            " (git push with ghp_4f9Kq2LmN8pR3sT7vW1yZ5aC6dE0fGhIjKl0)".to_owned(),
            " connecting to postgres://svc:hunter2@db.internal:5432/app".to_owned(),
            " using AWS key AKIAIOSFODNN7EXAMPLE".to_owned(),
            r" at C:\Users\bob\AppData\Local\agent\run.log".to_owned(),
            " \u{1b}[31mFATAL\u{1b}[0m \u{1b}]52;c;ZXZpbA==\u{7}clipboard\r".to_owned(),
        ];
        return base + &secrets[rng.random_range(0..secrets.len())];
    }
    base
}
