//! The reason table: every failure reason the server is known to send, in our own words.

use super::{ReasonEntry, ReasonKind, Texts};

const fn t(label: &'static str, meaning: &'static str, action: &'static str) -> Texts {
    Texts {
        label,
        meaning,
        action,
    }
}

const fn platform(code: &'static str, canonical: bool, en: Texts, zh: Texts) -> ReasonEntry {
    ReasonEntry {
        code,
        kind: ReasonKind::Platform,
        canonical,
        en,
        zh,
    }
}

const fn agent(code: &'static str, canonical: bool, en: Texts, zh: Texts) -> ReasonEntry {
    ReasonEntry {
        code,
        kind: ReasonKind::Agent,
        canonical,
        en,
        zh,
    }
}

pub static REASONS: &[ReasonEntry] = &[
    // Platform side, canonical.
    platform(
        "queued_expired",
        true,
        t("Expired in queue", "No runtime claimed the task before the queue time limit (about two hours) ran out.", "Check that the agent's daemon is online and its runtime has free capacity."),
        t("排队超时", "任务在排队时限（约两小时）内没有被任何运行时领取。", "确认该智能体的守护进程在线，且运行时有空闲容量。"),
    ),
    platform(
        "runtime_offline",
        true,
        t("Runtime offline", "The task's runtime went offline, while the task ran or before it started: it stayed offline past the reconnect grace while holding the task (claimed, running or waiting for its local directory), or the daemon no longer hosted it when the claimed task reached it.", "Look at the daemon host: network, process, machine sleep. Retry once it is back."),
        t("运行时离线", "任务的运行时离线了，可能在运行中，也可能在任务开始之前：运行时在持有任务时（已领取、运行中或在等待本地目录）离线超过了重连宽限期；或者已领取的任务送达时，守护进程已不再托管该运行时。", "检查守护进程所在主机的网络、进程和休眠状态，恢复后重试。"),
    ),
    platform(
        "runtime_reconnect_timeout",
        true,
        t("Runtime never reconnected", "A retry waited through the whole reconnect grace period for an offline runtime; it is not retried again.", "Bring the runtime back online, then rerun the task by hand."),
        t("运行时重连超时", "重试一直等到重连宽限期结束，离线的运行时仍未回来；不会再自动重试。", "让运行时重新上线后手动重新运行任务。"),
    ),
    platform(
        "runtime_recovery",
        true,
        t("Daemon restarted mid-run", "The daemon restarted while it held the task (claimed, running, or waiting for its local directory): on start it fails what its previous run left unfinished. The server retries it.", "Usually transient; if it repeats, look for crashes or restarts of the daemon."),
        t("守护进程运行中重启", "守护进程在持有任务时重启（已领取、运行中或在等待本地目录）：它启动时会把上一次运行没做完的任务判为失败。服务端会自动重试。", "通常是暂时的；若反复出现，排查守护进程崩溃或重启的原因。"),
    ),
    platform(
        "timeout",
        true,
        t("Hit the time limit", "The task hit a time limit: either it ran too long and was stopped, or it was claimed but never started (its preparation overran the deadline, or it sat unstarted too long, sometimes because its runtime had gone away).", "If it ran long, split the work or raise the limit; if it never started, check the daemon host for slow preparation or a runtime that went away."),
        t("超过时间上限", "任务触发了时间上限：要么运行太久被停止，要么已被领取却始终没有开始（准备阶段超过了时限，或迟迟没有启动，有时是因为它的运行时已经不在）。", "若是运行太久，把工作拆小或调高时限；若根本没有开始，检查守护进程所在主机上的准备是否过慢、运行时是否已经离开。"),
    ),
    platform(
        "iteration_limit",
        true,
        t("Iteration limit reached", "The agent used up its allowed number of turns without finishing.", "Simplify or narrow the request; check whether the agent is looping."),
        t("达到迭代上限", "智能体用完了允许的轮次仍未完成。", "简化或缩小请求范围，并检查智能体是否陷入循环。"),
    ),
    platform(
        "agent_blocked",
        true,
        t("Agent needs human input", "The agent stopped to ask for a decision or information; this is not a system error.", "Answer the agent's question or unblock it, then continue the task."),
        t("智能体等待人工输入", "智能体停下来请求决定或信息；这不是系统错误。", "回答智能体的问题或为其解除阻塞，然后继续任务。"),
    ),
    platform(
        "api_invalid_request",
        true,
        t("Provider rejected request", "The model provider answered 400: the conversation is malformed and will keep failing.", "Start a new session; resending the same conversation will fail again."),
        t("模型服务拒绝请求", "模型服务返回 400：会话内容已损坏，继续重试仍会失败。", "开启新的会话；重发同一会话仍会失败。"),
    ),
    platform(
        "skill_bundle_unavailable",
        true,
        t("Skills download failed", "The agent's skills could not be downloaded, so the agent never started.", "Check the skill bundle's storage and the runtime's network access, then retry."),
        t("技能包下载失败", "无法下载智能体的技能包，智能体根本没有启动。", "检查技能包存储和运行时的网络访问，然后重试。"),
    ),
    platform(
        "runtime_cli_timeout",
        true,
        t("Runtime CLI unresponsive", "A local runtime CLI the daemon calls while preparing the task (today the OpenClaw CLI, for its config) did not answer in time, so the run never started; it is not retried.", "A retry won't help: raise MULTICA_OPENCLAW_CLI_TIMEOUT on the daemon host (the limit per CLI call: 30s by default, 60s at most) or make the CLI answer faster, then run the task again."),
        t("运行时 CLI 无响应", "准备任务时，本地运行时 CLI（目前是查询配置的 OpenClaw CLI）没有在时限内响应，运行根本没有开始；不会自动重试。", "重试无济于事：在守护进程所在主机上调大 MULTICA_OPENCLAW_CLI_TIMEOUT（每次 CLI 调用的时限，默认 30 秒，最多 60 秒），或让 CLI 响应更快，然后再运行任务。"),
    ),
    platform(
        "invalid_task_identity",
        true,
        t("Inconsistent task identity", "The claimed task's agent id did not match; the task is never retried.", "Report it with the task id: this points at a server or daemon bug."),
        t("任务身份不一致", "领取任务时智能体 ID 不匹配；该任务永不重试。", "带上任务 ID 上报：这通常是服务端或守护进程的缺陷。"),
    ),
    platform(
        "issue_window_restricted",
        true,
        t("Issue no longer available", "An entitlement change made the issue unavailable to the agent.", "Check the workspace plan and the issue's access settings."),
        t("Issue 不再可用", "权益变更导致该 Issue 对智能体不可用。", "检查工作区套餐和该 Issue 的访问设置。"),
    ),
    // Agent side, canonical.
    agent(
        "agent_error.provider_auth_or_access",
        true,
        t("Provider auth failed", "The model provider refused the credentials (401/403).", "Check the API key or login configured on the agent's runtime."),
        t("模型服务认证失败", "模型服务拒绝了凭据（401/403）。", "检查智能体所用运行时上配置的 API Key 或登录状态。"),
    ),
    agent(
        "agent_error.provider_quota_limit",
        true,
        t("Provider quota exhausted", "The provider account is out of balance or quota (402).", "Top up or raise the quota of the provider account."),
        t("模型服务额度用尽", "模型服务账户余额或额度不足（402）。", "为模型服务账户充值或提高额度。"),
    ),
    agent(
        "agent_error.provider_capacity_or_rate_limit",
        true,
        t("Provider busy / rate limit", "The provider is overloaded or rate-limited the account (429/529).", "Usually clears by itself; if it persists, lower concurrency or raise limits."),
        t("模型服务繁忙或限流", "模型服务过载或对账户限流（429/529）。", "通常会自行恢复；若持续，降低并发或提高限额。"),
    ),
    agent(
        "agent_error.provider_server_error",
        true,
        t("Provider server error", "The model provider returned a 5xx error.", "Check the provider's status page; retry later."),
        t("模型服务内部错误", "模型服务返回 5xx 错误。", "查看模型服务的状态页，稍后重试。"),
    ),
    agent(
        "agent_error.provider_network",
        true,
        t("Provider connection lost", "The connection to the model provider dropped.", "Check the runtime host's network, proxy and DNS."),
        t("模型服务连接中断", "与模型服务的连接中断。", "检查运行时主机的网络、代理和 DNS。"),
    ),
    agent(
        "agent_error.process_failure",
        true,
        t("Agent CLI crashed", "The agent's CLI process exited with a non-zero status.", "Read the error tail; check the CLI's version and environment on the runtime."),
        t("智能体进程异常退出", "智能体的 CLI 进程以非零状态退出。", "查看错误输出末尾，检查运行时上 CLI 的版本和环境。"),
    ),
    agent(
        "agent_error.empty_or_unparseable_output",
        true,
        t("No usable output", "The agent finished without a result that could be read.", "Retry; if it repeats, check the CLI version and its output format."),
        t("没有可用输出", "智能体结束了，但没有可解析的结果。", "重试；若反复出现，检查 CLI 版本及其输出格式。"),
    ),
    agent(
        "agent_error.agent_timeout",
        true,
        t("Agent CLI unresponsive", "The agent's CLI stopped responding and was given up on.", "Check the runtime host's load and the CLI for hangs; retry."),
        t("智能体 CLI 无响应", "智能体的 CLI 停止响应，被放弃。", "检查运行时主机负载以及 CLI 是否卡住，然后重试。"),
    ),
    agent(
        "agent_error.context_overflow",
        true,
        t("Context too long", "The conversation no longer fits the model's context window.", "Start a fresh session or trim the input."),
        t("上下文过长", "会话内容超出了模型的上下文窗口。", "开启新会话或精简输入。"),
    ),
    agent(
        "agent_error.missing_config",
        true,
        t("Missing configuration", "An API key or required environment variable is missing on the runtime.", "Set the missing key or variable on the agent's runtime."),
        t("缺少配置", "运行时上缺少 API Key 或必需的环境变量。", "在智能体的运行时上补齐缺失的密钥或变量。"),
    ),
    agent(
        "agent_error.model_not_found_or_unavailable",
        true,
        t("Model unavailable", "The configured model does not exist or is not available to this account.", "Fix the agent's model setting or request access to the model."),
        t("模型不可用", "配置的模型不存在，或该账户无权使用。", "修正智能体的模型设置，或申请该模型的使用权限。"),
    ),
    agent(
        "agent_error.runtime_version_unsupported",
        true,
        t("Runtime too old", "The runtime's CLI version is not supported.", "Upgrade the CLI on the runtime host."),
        t("运行时版本过旧", "运行时的 CLI 版本不受支持。", "升级运行时主机上的 CLI。"),
    ),
    agent(
        "agent_error.runtime_missing_executable",
        true,
        t("CLI not installed", "An executable the runtime needs was not found.", "Install the CLI on the runtime host and make sure it is on PATH."),
        t("缺少可执行文件", "运行时找不到所需的可执行文件。", "在运行时主机上安装该 CLI，并确认它在 PATH 中。"),
    ),
    agent(
        "agent_error.unknown",
        true,
        t("Unclassified agent error", "The agent failed in a way the server could not classify.", "Read the error text; report it if it repeats."),
        t("未分类的智能体错误", "智能体失败了，但服务端无法归类原因。", "查看错误文本；若反复出现请上报。"),
    ),
    // Seen in the wild, outside the canonical list.
    platform(
        "codex_semantic_inactivity",
        false,
        t("Agent went idle", "The agent stopped making progress and was ended for inactivity.", "Retry with a clearer request; check the agent for stalls."),
        t("智能体长时间无进展", "智能体不再推进，因无活动被终止。", "用更明确的请求重试，并检查智能体是否卡住。"),
    ),
    platform(
        "cancelled",
        false,
        t("Cancelled", "The task was cancelled before it finished.", "Nothing to fix unless the cancel was unexpected."),
        t("已取消", "任务在完成前被取消。", "除非取消并非预期，否则无需处理。"),
    ),
    platform(
        "local_directory_error",
        false,
        t("Local directory problem", "The runtime could not use the task's local working directory.", "Check that the directory exists and is accessible on the runtime host."),
        t("本地目录出错", "运行时无法使用任务的本地工作目录。", "确认该目录在运行时主机上存在且可访问。"),
    ),
    platform(
        "idle_watchdog",
        false,
        t("Stopped by idle watchdog", "The daemon force-stopped an agent that produced no new messages for too long with nothing queued.", "Check whether the agent's backend hangs; retry, and raise the idle limit if the work is legitimately quiet."),
        t("被空闲看门狗停止", "智能体长时间没有新消息且消息队列为空，被守护进程强制停止。", "检查智能体后端是否卡住；可重试，若任务本就长时间无输出可调大空闲上限。"),
    ),
    platform(
        "agent_fallback_message",
        false,
        t("Agent gave only a fallback", "The run ended with only a known fallback line instead of an answer; the session is retired.", "Retry in a new session; if it repeats, check the agent's model and prompt setup."),
        t("智能体只返回了兜底语", "运行只返回了已知的兜底语句而没有实际回答；该会话已停用。", "在新会话中重试；若反复出现，检查智能体的模型和提示词配置。"),
    ),
    platform(
        "codex_resume_oversized",
        false,
        t("Session too large to resume", "Resuming the Codex session returned more than the reader accepts; the session is retired.", "Start a new session; the next run begins fresh."),
        t("会话过大无法恢复", "恢复 Codex 会话时返回的数据超出读取上限；该会话已停用。", "开启新会话；下一次运行会从头开始。"),
    ),
    platform(
        "manual",
        false,
        t("Cancelled by a user", "An older coarse value for a run someone stopped by hand.", "Nothing to fix unless the stop was unexpected."),
        t("被用户取消", "旧版对手动停止的运行使用的笼统值。", "除非停止并非预期，否则无需处理。"),
    ),
    agent(
        "agent_error",
        false,
        t("Agent error (coarse)", "A coarse agent-side code: old daemons send it, and the server's sweepers fall back to it when a task has no finer reason.", "Read the error text; upgrading an old daemon gives precise reasons."),
        t("智能体错误（笼统）", "笼统的智能体侧代码：旧版守护进程会发送它，服务端清理任务在没有更细原因时也会回退到它。", "查看错误文本；升级旧版守护进程可获得精确原因。"),
    ),
];
