//! Korean reason texts, in the reason table's order (a test checks the codes).

use super::Texts;

const fn t(label: &'static str, meaning: &'static str, action: &'static str) -> Texts {
    Texts {
        label,
        meaning,
        action,
    }
}

pub static REASONS: &[(&str, Texts)] = &[
    (
        "queued_expired",
        t("Expired in queue", "No runtime claimed the task before the queue time limit (about two hours) ran out.", "Check that the agent's daemon is online and its runtime has free capacity."),
    ),
    (
        "runtime_offline",
        t("Runtime offline", "The task's runtime went offline, while the task ran or before it started: it stayed offline past the reconnect grace while holding the task (claimed, running or waiting for its local directory), or the daemon no longer hosted it when the claimed task reached it.", "Look at the daemon host: network, process, machine sleep. Retry once it is back."),
    ),
    (
        "runtime_reconnect_timeout",
        t("Runtime never reconnected", "A retry waited through the whole reconnect grace period for an offline runtime; it is not retried again.", "Bring the runtime back online, then rerun the task by hand."),
    ),
    (
        "runtime_recovery",
        t("Daemon restarted mid-run", "The daemon restarted while it held the task (claimed, running, or waiting for its local directory): on start it fails what its previous run left unfinished. The server retries it.", "Usually transient; if it repeats, look for crashes or restarts of the daemon."),
    ),
    (
        "timeout",
        t("Hit the time limit", "The task hit a time limit: either it ran too long and was stopped, or it was claimed but never started (its preparation overran the deadline, or it sat unstarted too long, sometimes because its runtime had gone away).", "If it ran long, split the work or raise the limit; if it never started, check the daemon host for slow preparation or a runtime that went away."),
    ),
    (
        "iteration_limit",
        t("Iteration limit reached", "The agent used up its allowed number of turns without finishing.", "Simplify or narrow the request; check whether the agent is looping."),
    ),
    (
        "agent_blocked",
        t("Agent needs human input", "The agent stopped to ask for a decision or information; this is not a system error.", "Answer the agent's question or unblock it, then continue the task."),
    ),
    (
        "api_invalid_request",
        t("Provider rejected request", "The model provider answered 400: the conversation is malformed and will keep failing.", "Start a new session; resending the same conversation will fail again."),
    ),
    (
        "skill_bundle_unavailable",
        t("Skills download failed", "The agent's skills could not be downloaded, so the agent never started.", "Check the skill bundle's storage and the runtime's network access, then retry."),
    ),
    (
        "runtime_cli_timeout",
        t("Runtime CLI unresponsive", "A local runtime CLI the daemon calls while preparing the task (today the OpenClaw CLI, for its config) did not answer in time, so the run never started; it is not retried.", "A retry won't help: raise MULTICA_OPENCLAW_CLI_TIMEOUT on the daemon host (the limit per CLI call: 30s by default, 60s at most) or make the CLI answer faster, then run the task again."),
    ),
    (
        "invalid_task_identity",
        t("Inconsistent task identity", "The claimed task's agent id did not match; the task is never retried.", "Report it with the task id: this points at a server or daemon bug."),
    ),
    (
        "issue_window_restricted",
        t("Issue no longer available", "An entitlement change made the issue unavailable to the agent.", "Check the workspace plan and the issue's access settings."),
    ),
    (
        "agent_error.provider_auth_or_access",
        t("Provider auth failed", "The model provider refused the credentials (401/403).", "Check the API key or login configured on the agent's runtime."),
    ),
    (
        "agent_error.provider_quota_limit",
        t("Provider quota exhausted", "The provider account is out of balance or quota (402).", "Top up or raise the quota of the provider account."),
    ),
    (
        "agent_error.provider_capacity_or_rate_limit",
        t("Provider busy / rate limit", "The provider is overloaded or rate-limited the account (429/529).", "Usually clears by itself; if it persists, lower concurrency or raise limits."),
    ),
    (
        "agent_error.provider_server_error",
        t("Provider server error", "The model provider returned a 5xx error.", "Check the provider's status page; retry later."),
    ),
    (
        "agent_error.provider_network",
        t("Provider connection lost", "The connection to the model provider dropped.", "Check the runtime host's network, proxy and DNS."),
    ),
    (
        "agent_error.process_failure",
        t("Agent CLI crashed", "The agent's CLI process exited with a non-zero status.", "Read the error tail; check the CLI's version and environment on the runtime."),
    ),
    (
        "agent_error.empty_or_unparseable_output",
        t("No usable output", "The agent finished without a result that could be read.", "Retry; if it repeats, check the CLI version and its output format."),
    ),
    (
        "agent_error.agent_timeout",
        t("Agent CLI unresponsive", "The agent's CLI stopped responding and was given up on.", "Check the runtime host's load and the CLI for hangs; retry."),
    ),
    (
        "agent_error.context_overflow",
        t("Context too long", "The conversation no longer fits the model's context window.", "Start a fresh session or trim the input."),
    ),
    (
        "agent_error.missing_config",
        t("Missing configuration", "An API key or required environment variable is missing on the runtime.", "Set the missing key or variable on the agent's runtime."),
    ),
    (
        "agent_error.model_not_found_or_unavailable",
        t("Model unavailable", "The configured model does not exist or is not available to this account.", "Fix the agent's model setting or request access to the model."),
    ),
    (
        "agent_error.runtime_version_unsupported",
        t("Runtime too old", "The runtime's CLI version is not supported.", "Upgrade the CLI on the runtime host."),
    ),
    (
        "agent_error.runtime_missing_executable",
        t("CLI not installed", "An executable the runtime needs was not found.", "Install the CLI on the runtime host and make sure it is on PATH."),
    ),
    (
        "agent_error.unknown",
        t("Unclassified agent error", "The agent failed in a way the server could not classify.", "Read the error text; report it if it repeats."),
    ),
    (
        "codex_semantic_inactivity",
        t("Agent went idle", "The agent stopped making progress and was ended for inactivity.", "Retry with a clearer request; check the agent for stalls."),
    ),
    (
        "cancelled",
        t("Cancelled", "The task was cancelled before it finished.", "Nothing to fix unless the cancel was unexpected."),
    ),
    (
        "local_directory_error",
        t("Local directory problem", "The runtime could not use the task's local working directory.", "Check that the directory exists and is accessible on the runtime host."),
    ),
    (
        "idle_watchdog",
        t("Stopped by idle watchdog", "The daemon force-stopped an agent that produced no new messages for too long with nothing queued.", "Check whether the agent's backend hangs; retry, and raise the idle limit if the work is legitimately quiet."),
    ),
    (
        "agent_fallback_message",
        t("Agent gave only a fallback", "The run ended with only a known fallback line instead of an answer; the session is retired.", "Retry in a new session; if it repeats, check the agent's model and prompt setup."),
    ),
    (
        "codex_resume_oversized",
        t("Session too large to resume", "Resuming the Codex session returned more than the reader accepts; the session is retired.", "Start a new session; the next run begins fresh."),
    ),
    (
        "manual",
        t("Cancelled by a user", "An older coarse value for a run someone stopped by hand.", "Nothing to fix unless the stop was unexpected."),
    ),
    (
        "agent_error",
        t("Agent error (coarse)", "A coarse agent-side code: old daemons send it, and the server's sweepers fall back to it when a task has no finer reason.", "Read the error text; upgrading an old daemon gives precise reasons."),
    ),
];

/// An unknown reason.
pub const GENERIC: Texts = t(
    "Unrecognised reason",
    "The server sent a failure reason this version of failwatch does not know.",
    "Read the error text and the reason code; a newer failwatch may explain it.",
);

/// A failure that carried no reason.
pub const NO_REASON: Texts = t(
    "No reason sent",
    "The event carried no failure_reason: the fail path of older servers (upstream before 2026-04-29, the Octo fork before its PR #33) sends none.",
    "Read the error text, if any; upgrading the server gives a reason for every failure.",
);
