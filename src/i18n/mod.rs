//! Every string failwatch shows a person, dashboard and headless alike: English and Simplified
//! Chinese side by side here, Japanese and Korean in their own files (a struct literal, so a
//! missing string does not compile). (The domain's own words — reason texts, relay outcomes and their
//! reasons, server versions — live with their domain in `catalog` and `routing`.)

mod ja;
mod ko;
#[cfg(test)]
pub(crate) mod script;

use crate::catalog::Lang;

/// Declares `Strings` (one field per string), its two tables, and the list of all of them.
macro_rules! strings {
    ($($name:ident: $en:expr, $zh:expr;)*) => {
        /// Every fixed visible string, by name.
        pub struct Strings {
            $(pub $name: &'static str,)*
        }

        static EN: Strings = Strings { $($name: $en,)* };
        static ZH: Strings = Strings { $($name: $zh,)* };

        impl Strings {
            /// Every string with its name (for the completeness test).
            pub fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($name), self.$name),)*]
            }
        }
    };
}

strings! {
    // Panels and columns.
    failures: "Failures", "失败";
    reasons: "Reasons", "原因";
    groups: "Groups", "分组";
    workspaces: "Workspaces", "工作区";
    ws_workspace: "Workspace", "工作区";
    col_lost: "Lost", "丢失";
    col_untold: "Untold", "未告知";
    col_top_reason: "Top reason", "最多的原因";
    workspaces_none: "No failure named its workspace: one workspace watched, or a capture recorded without it.", "没有失败带有工作区：只监视了一个工作区，或录制时未记下工作区。";
    alerts_unseen: "new alerts", "条新告警";
    acknowledge: "acknowledge", "确认";
    alert_list_all: "all of them", "全部告警";
    group_kind: "kind of failure", "失败类型";
    group_no_text: "(no error text)", "（无错误文本）";
    group_sessions: "Sess", "会话";
    group_workspaces: "WS", "工作区";
    t_group: "group", "分组";
    d_before: "before", "之前";
    d_after: "after", "之后";
    d_before_h: "before/h", "之前/小时";
    d_after_h: "after/h", "之后/小时";
    d_change: "change", "变化";
    d_appeared: "appeared", "新出现";
    d_vanished: "vanished", "消失";
    d_grew: "grew", "增长";
    d_shrank: "shrank", "减少";
    d_same: "same", "不变";
    d_no_group_changed: "(no group changed)", "（没有分组变化）";
    d_families_differ: "different server families (their relays differ: compare reasons and groups, routing only within a family)", "服务端家族不同（中继不同：比较原因和分组，通知路径只在同一家族内比较）";
    d_routing_moved: "routing that moved (before → after)", "变化的通知路径（之前 → 之后）";
    d_lost: "lost notifications", "丢失的通知";
    t_group_kind: "kind of failure (reason: error template)", "失败类型（原因：错误模板）";
    t_more_groups: "more groups (summary --format json lists every one)", "个分组未列出（summary --format json 列出全部）";
    group_last: "Last", "最近";
    group_first: "First", "首次";
    sessions: "Chat sessions", "聊天会话";
    detail: "Failure detail", "失败详情";
    help: "Keys", "按键";
    time: "Time", "时间";
    task: "Task", "任务";
    reason: "Reason", "原因";
    code: "code", "代码";
    agent: "Agent", "Agent";
    target: "Where", "会话/Issue";
    error: "Error", "错误";
    count: "Count", "次数";
    last_minutes: "last {} min", "近 {} 分钟";
    unlisted: "unlisted", "未列出";
    session: "Session", "会话";
    last_failure: "Last failure", "最近失败";
    bound: "Bound", "绑定";
    col_told: "Told", "告知";
    // A panel's order, in its title.
    sort_count: "by count", "按次数";
    sort_name: "by name", "按名称";
    sort_last_seen: "by last seen", "按最近出现";
    sort_first_seen: "by first seen", "按首次出现";
    sort_urgency: "by urgency", "按紧急程度";
    sort_failures: "by failures", "按失败数";
    sort_last_failure: "by last failure", "按最近失败";
    sort_id: "by id", "按 id";
    sort_untold: "by untold", "按未告知";
    // A group's badges and where the server family came from.
    badge_new: "new", "新出现";
    badge_regressed: "regressed", "复发";
    badge_escalating: "escalating", "激增";
    source_flag: "--server", "--server";
    source_config: "config file", "配置文件";
    source_detected: "detected", "已检测";
    source_assumed: "assumed", "推定";
    // Header.
    following: "FOLLOWING", "跟随中";
    paused: "PAUSED", "已暂停";
    new_rows: "new", "条新";
    events_per_s: "ev/s", "事件/秒";
    failures_per_min: "fail/min (5-min avg)", "失败/分（5 分钟均值）";
    lost: "lost notifications", "丢失的通知";
    lost_one: "lost notification", "丢失的通知";
    skipped: "skipped", "已跳过";
    evicted: "evicted", "已淘汰";
    frames_dropped: "frames dropped (slow consumer)", "帧被丢弃（消费过慢）";
    server_assumed: "assumed, no frame has told yet", "推定，尚无帧能说明";
    server_try_octo: "the Octo fork before its PR #33 looks the same: --server octo", "PR #33 之前的 Octo 分支看起来一样：--server octo";
    server_conflicts: "frames looked like the other server", "帧看起来属于另一种服务端";
    leaked: "leaked to chat", "泄露到聊天";
    replay: "REPLAY", "回放";
    speed: "speed", "速度";
    replay_done: "end of capture", "已到结尾";
    playing: "playing", "播放中";
    scrolled: "SCROLLED", "已滚动";
    matching: "match the filter", "条符合过滤";
    api_recovered: "texts recovered", "条文本已取回";
    api_waiting: "waiting", "等待中";
    api_paused_until: "paused until", "暂停至";
    api_off: "not asked", "不再询问";
    api_capped_at: "capped at", "上限为";
    api_answers_cut: "answers cut at", "个回答截断于";
    lookup_pending: "asking the server's API for the withheld text…", "正在向服务端 API 取回被隐去的文本…";
    lookup_failed: "the API could not give the text back", "API 未能取回文本";
    lookup_done: "from", "来自";
    server_attempt: "Server attempt", "服务端尝试";
    retry_of_task: "retry of", "重试自";
    synthetic_times: "times are synthetic (no timestamps in the capture)", "时间为合成（抓包中无时间戳）";
    // Connection states.
    connecting: "connecting", "连接中";
    attempt: "attempt", "第几次";
    backfilling: "backfilling", "回填中";
    entries_so_far: "entries so far", "条已读";
    live: "live", "实时";
    last_frame: "last frame", "最近一帧";
    seconds_ago: "s ago", "秒前";
    disconnected: "disconnected", "连接断开";
    reconnecting_in: "reconnecting in", "重连倒计时";
    failed: "failed", "失败";
    stopped: "stopped", "已停止";
    gaps: "gap(s), last", "个缺口，最近";
    events_may_be_missing: "events may be missing", "可能缺失事件";
    disconnected_row: "── disconnected ──", "── 连接中断 ──";
    now: "now", "现在";
    gap: "gap", "缺口";
    // Footer and filter bar.
    filter: "Filter", "过滤";
    shown: "shown", "显示";
    of: "of", "/";
    last_problem: "last skipped", "最近跳过";
    // Key hints of the bottom line: the keys come from the bindings.
    hint_detail: "detail", "详情";
    hint_filter: "filter", "过滤";
    hint_report: "report", "报告";
    hint_goto: "go to", "跳转";
    hint_next_lost: "next lost", "下一个丢失";
    hint_reasons: "reasons", "原因";
    hint_sessions: "sessions", "会话";
    hint_help: "help", "帮助";
    hint_quit: "quit", "退出";
    hint_narrow: "narrow to it", "缩小到它";
    hint_toggle: "toggle", "切换";
    hint_copy_code: "copy code", "复制代码";
    hint_copy_id: "copy id", "复制 id";
    hint_copy_menu: "copy…", "复制…";
    hint_back: "back", "返回";
    hint_step: "previous/next failure", "上一个/下一个失败";
    hint_scroll: "scroll", "滚动";
    hint_page: "page", "翻页";
    hint_ends: "top/end", "顶部/末尾";
    hint_newest_oldest: "newest/oldest", "最新/最早";
    hint_close: "close", "关闭";
    hint_copy_press: "press a key to copy", "按键复制";
    hint_cancel: "cancel", "取消";
    first_run: "New here? enter opens a failure · n jumps to the next lost notification · r reasons · / filter · ? every key", "初次使用？enter 打开失败 · n 跳到下一个丢失的通知 · r 原因 · / 过滤 · ? 全部按键";
    filter_keys: "enter apply · esc cancel · ↑/↓ history · ctrl-u clear · ctrl-w word", "enter 应用 · esc 取消 · ↑/↓ 历史 · ctrl-u 清空 · ctrl-w 删词";
    no_failures: "No failures yet.", "暂无失败。";
    no_match: "No failure matches the filter: / edits it, esc in the failures list clears it.", "没有匹配过滤条件的失败：/ 编辑过滤，在失败列表中按 esc 清除。";
    // Detail view.
    unknown_reason: "unknown reason", "未知原因";
    meaning: "Meaning", "含义";
    action: "What to do", "建议操作";
    era: "Server version", "服务端版本";
    issue: "Issue", "Issue";
    chat_session: "Chat session", "聊天会话";
    lost_session: "LOST from the event (known from earlier events)", "事件中丢失（由之前的事件得知）";
    retry_pending: "Retry pending", "等待重试";
    yes: "yes", "是";
    no: "no", "否";
    masked: "secrets masked", "个密钥已遮蔽";
    masked_one: "secret masked", "个密钥已遮蔽";
    no_error_text: "(no error text on the wire)", "（线上无错误文本）";
    retry_pending_row: "retry pending · attempt {}: the relays wait for the last", "等待重试 · 第 {} 次尝试：中继等待最后一次";
    unknown_key: "{} does nothing here · ? lists the keys", "{} 在这里没有作用 · ? 列出按键";
    origin_event: "from the event's error field", "来自事件的 error 字段";
    origin_error_message: "from the event's error_message field", "来自事件的 error_message 字段";
    origin_comment: "from the server's system comment on the issue", "来自服务端在 Issue 上的系统评论";
    origin_canned: "the server's fixed sentence for this reason", "服务端针对此原因的固定句子";
    origin_withheld: "withheld: the relays had it, the server stripped it from the wire", "被隐去：中继拿到了它，服务端从线上删除了它";
    origin_api: "withheld on the wire, recovered from the server's REST API", "线上被隐去，已从服务端 REST API 取回";
    withheld: "[error withheld by the server]", "[错误文本被服务器隐去]";
    withheld_one_of: "one of Multica's fixed sentences", "Multica 的固定句子之一";
    withheld_or_detail: "or the agent's own message, often with the tail of its stderr (real detail, which may hold secrets)", "也可能是智能体自己的消息，常带着它的 stderr 结尾（真实细节，可能含有秘密）";
    api_empty: "the server's task row has an empty error: the daemon reported no text, so the relays had none", "服务端的任务记录里错误为空：守护进程没有报告文本，中继也就没有";
    typed_caveat: "typed in Multica: upstream's Lark, DingTalk and Telegram answer only turns that came in through their channel (a batch that also held channel messages is still delivered, which the wire cannot show)", "在 Multica 里输入：上游的飞书、钉钉和 Telegram 只回答从自己渠道进来的消息（同一批里若也有渠道消息仍会送达，线路上看不出）";
    inbox_pushed: "WeCom inbox (to members, outside any chat)", "企业微信收件箱（发给成员，不在任何聊天里）";
    inbox_link_note: "plus a link to the inbox when the server knows an https app URL", "服务端配置了 https 应用地址时还附有“查看详情”链接";
    lark_card: "card header: the Lark installation's agent name, else \"Multica\"", "卡片标题：飞书安装所属智能体的名字，否则为 \"Multica\"";
    dingtalk_title: "push title", "推送标题";
    dingtalk_messages: "messages (DingTalk cuts at 16,000 bytes)", "条消息（钉钉按 16000 字节切分）";
    server_built: "build of", "构建于";
    canned_note: "a fixed English sentence of Multica's: the user learned only the reason", "Multica 的固定英文句子：用户只得知了原因";
    leaked_note: "the chat user saw secret(s) unmasked: the server's redaction let them through", "聊天用户看到了未遮蔽的秘密：服务端的脱敏规则放过了它们";
    what_users_saw: "What each relay sent", "各中继发送的内容";
    nothing_sent: "(nothing sent)", "（未发送）";
    bound_yes: "bound", "已绑定";
    bound_no: "not bound", "未绑定";
    bound_unknown: "binding unknown", "绑定未知";
    attempts: "Attempts (server retries)", "尝试（服务端重试）";
    attempt_running: "queued or running", "排队或运行中";
    attempt_completed: "completed", "已完成";
    attempt_cancelled: "cancelled", "已取消";
    attempt_retry: "retry pending", "等待重试";
    // Help overlay.
    help_marks: "marks", "标记";
    help_filter: "filter language", "过滤语法";
    help_filter_lines: "reason:runtime  a code's prefix, or words of its label (reason:\"Runtime offline\")\nreason:provider_*  a glob ({a,b} too); reason:agent, reason:platform, reason:unknown are classes; reason:none  no reason sent\ntold:no  who heard: yes (the error, a fixed sentence or the reason), generic (only a text without them), no (lost, or silent on every relay the session is bound to), pending (a retry comes), not_chat\nbound:lark  the session is bound to Lark   why:not_bound  why a relay did what it did (why:retry_pending, why:lost_chat_session, …)\norigin:api  where the error text came from: wire, comment, canned, withheld, api, none   era:before_fix  server:octo\noutcome:dropped  notified, detail, canned, reason, generic, silent, dropped, not_chat (relay:lark outcome:silent: one route both)\nrelay:lark  session:<prefix>  workspace:<prefix>  agent:<prefix>  task:<prefix>  group:<id>\nsince:20m  until:09:55  a duration back from the newest event, a time of day (09:50) or an instant (2026-12-07T09:50:00Z)\nquota  a word: in the error, the reason's code or its label   /^402/  a regex on the error\n-term or !term  not      key:a,b  a or b      A B | C  (A and B) or C      @name  a saved filter   -@name  not it", "reason:runtime  代码前缀，或其说明中的词（reason:\"运行时离线\"）\nreason:provider_*  通配（也可 {a,b}）；reason:agent、reason:platform、reason:unknown 为类别；reason:none  未发送原因\ntold:no  用户听到了什么：yes（错误、固定句子或原因）、generic（只有不含它们的文本）、no（丢失，或会话绑定的每个中继都静默）、pending（将重试）、not_chat\nbound:lark  会话绑定到 Lark   why:not_bound  中继这样做的原因（why:retry_pending、why:lost_chat_session 等）\norigin:api  错误文本的来源：wire、comment、canned、withheld、api、none   era:before_fix  server:octo\noutcome:dropped  notified、detail、canned、reason、generic、silent、dropped、not_chat（relay:lark outcome:silent：同一路径同时满足）\nrelay:lark  session:<前缀>  workspace:<前缀>  agent:<前缀>  task:<前缀>  group:<编号>\nsince:20m  until:09:55  自最新事件回溯的时长、一天中的时刻（09:50）或某一时刻（2026-12-07T09:50:00Z）\nquota  一个词：匹配错误、原因代码或其说明   /^402/  对错误的正则\n-词 或 !词  排除      key:a,b  a 或 b      A B | C  （A 且 B）或 C      @名称  已保存的过滤   -@名称  排除它";
    help_legend: "what the marks mean", "标记含义";
    help_legend_lines: "c:1a2b3c4d  a chat task, its session    i:9f8e7d6c  an issue task, its issue\n✗1a2b3c4d  a chat task whose session was lost: nobody was told\n● in the reasons panel  a reason toggled into the filter (space)\n+ ↺ ▲ in the groups panel  a group that is new, regressed, escalating\nsessions, Bound  O Octo · L Lark · D DingTalk · T Telegram · S Slack · W WeCom · - none (Multica's app) · ? not known\nsessions, Told  ✗ lost · · silent on every relay serving it · ○ only a generic text · ✓ the error, a fixed sentence or the reason\nall › reason:x › session:y  the filter's levels (enter narrows, esc goes back)\n── disconnected ──  a gap: events may be missing there\n(no error text on the wire)  the frame carried no error text: see the detail view", "c:1a2b3c4d  聊天任务及其会话    i:9f8e7d6c  议题任务及其议题\n✗1a2b3c4d  会话已丢失的聊天任务：无人被告知\n原因面板中的 ●  已加入过滤的原因（空格）\n分组面板中的 + ↺ ▲  新出现、复发、激增的分组\n会话面板「绑定」  O Octo · L 飞书 · D 钉钉 · T Telegram · S Slack · W 企业微信 · - 无（Multica 应用内）· ? 未知\n会话面板「告知」  ✗ 丢失 · · 服务该会话的每个中继都静默 · ○ 只收到通用文本 · ✓ 错误、固定句子或原因\n全部 › reason:x › session:y  过滤的层级（enter 缩小，esc 返回）\n── 连接中断 ──  缺口：该处可能缺失事件\n（线上无错误文本）  帧未携带错误文本：见详情视图";
    help_keys_normal: "failures list (and moving in any list)", "失败列表（及在任何列表中移动）";
    help_keys_reasons: "reasons panel (r)", "原因面板（r）";
    help_keys_groups: "groups panel (f)", "分组面板（f）";
    help_keys_sessions: "sessions panel (s)", "会话面板（s）";
    help_keys_workspaces: "workspaces panel (w)", "工作区面板（w）";
    help_keys_detail: "detail and help views", "详情与帮助视图";
    help_keys_filter: "editing the filter", "编辑过滤";
    help_keys_config: "keys from the config file ([keys])", "配置文件中的按键（[keys]）";
    help_keys_everywhere: "everywhere", "任何时候";
    help_keys_copy: "the copy menu (y)", "复制菜单（y）";
    help_keys_alerts: "the alerts of this session (!)", "本次会话的告警（!）";
    // The alerts of this session (!).
    alert_list: "Alerts this session", "本次会话的告警";
    alert_list_empty: "No alert has fired this session.", "本次会话尚无告警。";
    alert_list_no_rules: "No alert rules: add [[alerts]] tables to the config file (failwatch config path shows where it is).", "没有告警规则：请在配置文件中添加 [[alerts]] 表（failwatch config path 显示其位置）。";
    alert_list_count: "alerts", "条告警";
    alert_list_held_count: "held back by cooldowns", "条被冷却期压下";
    alert_list_order: "newest first", "最新在前";
    alert_list_notified: "notified", "已通知";
    alert_list_held: "held back by the {} cooldown", "被 {} 冷却期压下";
    alert_list_received: "received", "收到于";
    alert_list_dropped: "older alerts not kept (the list keeps the newest {})", "条更早的告警未保留（列表只保留最新的 {} 条）";
    // Status messages.
    nothing_selected: "nothing selected to copy", "没有选中可复制的内容";
    relay_not_of_family: "{} is no relay of this server ({})", "{} 不是该服务端的中继（{}）";
    copy_no_error: "this failure has no error text to copy", "该失败没有可复制的错误文本";
    copy_no_task: "this failure has no task id to copy", "该失败没有可复制的任务 id";
    copy_no_session: "no chat session here to copy", "这里没有可复制的聊天会话";
    copy_no_lost: "no session among those shown was left untold", "所显示的会话都已被告知";
    not_a_replay: "replay controls work in `failwatch replay`", "回放控制只在 `failwatch replay` 中可用";
    no_lost_shown: "no lost notification among the failures shown", "所显示的失败中没有丢失的通知";
    wrapped_to_first: " (wrapped to the first)", "（已回到第一个）";
    wrapped_to_last: " (wrapped to the last)", "（已回到最后一个）";
    trail_all: "all", "全部";
    trail_back: "esc back", "esc 返回";
    panels_filtered: "filtered", "已过滤";
    panels_all_hint: "A: all", "A：全部";
    panels_everything: "all failures (A: follow the filter)", "全部失败（A：跟随过滤）";
    report_title: "Incident report", "事件报告";
    r_capture: "covered", "覆盖时段";
    r_shown_span: "failures shown", "所显示的失败";
    r_never_told: "never told", "未被告知";
    r_in_sessions: "in chat sessions:", "涉及聊天会话：";
    r_told_yes: "told", "已告知";
    r_told_generic: "told only a generic text", "只收到通用文本";
    r_told_pending: "retry pending", "等待重试";
    r_not_chat: "not chat", "非聊天";
    r_untold_first_last: "never told (first–last)", "未告知（首次–最近）";
    r_last_heard: "last heard", "最近一次告知";
    r_last_seen: "what the user last saw", "用户最后看到的";
    r_nothing: "nothing", "无";
    r_more_sessions: "more sessions (narrow the filter to list them)", "个会话未列出（缩小过滤范围以列出）";
    r_changes: "Changes", "变化";
    r_workspaces: "Workspaces", "工作区";
    r_untold_started: "users stopped being told", "用户开始收不到通知";
    r_untold_stopped: "last failure nobody was told of", "最后一个无人被告知的失败";
    r_told_after: "told since", "之后已告知";
    r_more_changes: "more changes", "处更多变化";
    r_reading: "What the reading missed", "读取中缺失的";
    report_written: "report written to", "报告已写入";
    report_copied: "report copied", "报告已复制";
    goto_prompt: "go to:", "跳转到：";
    goto_keys: "a time (09:50, 09:50:30, 2026-12-07T09:50:00Z) · enter go · esc cancel", "时间（09:50、09:50:30、2026-12-07T09:50:00Z）· enter 跳转 · esc 取消";
    goto_bad: "not a time: use 09:50, 09:50:30 or 2026-12-07T09:50:00Z", "不是时间：请用 09:50、09:50:30 或 2026-12-07T09:50:00Z";
    goto_none: "no failure shown at or after that time", "该时间及之后没有显示的失败";
    goto_at: "at", "位于";
    timeline: "Timeline", "时间线";
    timeline_lost: "never told", "未被告知";
    timeline_change: "server changed", "服务端变化";
    timeline_selected: "selected", "选中";
    timeline_per_minute: "1 cell = 1 min", "1 格 = 1 分钟";
    timeline_per_minutes: "1 cell = {} min", "1 格 = {} 分钟";
    lost_position: "lost notification", "丢失的通知";
    copied: "copied", "已复制";
    bytes: "bytes", "字节";
    via_osc52: "to the terminal's clipboard (OSC 52: the terminal must allow it)", "到终端剪贴板（OSC 52：需终端允许）";
    to_tmux_buffer: "to the tmux buffer (paste: prefix ]) and, through tmux, the clipboard", "到 tmux 缓冲区（粘贴：前缀键 ]），并经 tmux 到剪贴板";
    sent: "sent", "已发送";
    mouse_on: "mouse captured (m: let the terminal select text)", "已捕获鼠标（m：让终端选中文字）";
    mouse_off: "mouse free: select text with it (m: capture again)", "鼠标已释放：可选中文字（m：重新捕获）";
    copy_title: "Copy", "复制";
    copy_failed: "copy failed", "复制失败";
    copy_too_big: "not copied: over the clipboard limit; use export (e)", "未复制：超过剪贴板上限；请用导出（e）";
    exported: "exported", "已导出";
    failures_to: "failures to", "条失败到";
    export_failed: "export failed:", "导出失败：";
    export_exists: "exists: enter replaces it, esc keeps it", "已存在：回车替换，esc 保留";
    exporting: "exporting to", "正在导出到";
    export_to: "export to:", "导出到：";
    export_keys: "enter write the filtered view there · esc cancel", "enter 写入当前过滤结果 · esc 取消";
    // summary --format table.
    t_server: "server", "服务端";
    t_covered: "covered", "覆盖时段";
    t_per_minute: "failures per minute", "每分钟失败";
    t_minute: "minute", "分钟";
    t_minutes_beyond: "failures in minutes past the table's limit", "超出表格上限的分钟内的失败";
    t_frames: "frames", "帧";
    t_failures: "failures", "失败";
    t_bad_lines: "bad lines", "坏行";
    t_rejected: "rejected frames", "被拒帧";
    t_duplicates: "duplicates", "重复帧";
    t_source_dropped: "dropped by the source", "来源丢弃";
    t_texts_cut: "texts cut", "截断的文本";
    t_synthetic_times: "frames without a time", "无时间的帧";
    t_gaps: "gaps (events may be missing)", "缺口（可能缺失事件）";
    t_older_gaps: "older gaps not listed", "更早的缺口未列出";
    t_count: "count", "次数";
    t_reason_code: "reason", "原因代码";
    t_label: "label", "说明";
    t_relay: "relay", "中继";
    t_workspace: "workspace", "工作区";
    t_lost: "lost", "丢失";
    t_told: "told", "已告知";
    t_untold: "untold", "未告知";
    t_top_reason: "top reason", "最多的原因";
    t_workspaces_beyond: "failures in workspaces past the first {}", "前 {} 个之外的工作区中的失败";
    t_lost_sessions: "sessions with lost notifications", "丢失通知的会话";
    t_unknown_reasons: "unknown reasons", "未知原因";
    t_reasons_beyond: "failures of reason codes past the {} counted one by one", "条失败的原因代码超出逐一计数的 {} 个";
    t_sessions_beyond: "failures of chat sessions past the {} listed", "条失败的聊天会话超出列出的 {} 个";
    t_of_them_lost: "of them lost notifications", "条丢失通知";
    t_canned: "canned sentences", "固定句子";
    t_inbox: "WeCom inbox pushes (to members, outside chats)", "企业微信收件箱推送（发给成员，聊天之外）";
    t_withheld: "errors withheld by the server", "被服务器隐去的错误";
    t_leaking: "failures leaking secrets to chat", "泄露到聊天的失败";
    t_secrets: "secrets", "个秘密";
}

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
        Lang::Ja => &ja::STRINGS,
        Lang::Ko => &ko::STRINGS,
    }
}

/// Declares the help texts of key bindings, by id.
macro_rules! help_texts {
    ($($id:ident: $en:expr, $zh:expr;)*) => {
        /// What a key binding does, as help shows it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum HelpId { $($id,)* }

        impl HelpId {
            pub const ALL: &'static [HelpId] = &[$(HelpId::$id,)*];

            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => match self { $(HelpId::$id => $en,)* },
                    Lang::Zh => match self { $(HelpId::$id => $zh,)* },
                    Lang::Ja => ja::help(self),
                    Lang::Ko => ko::help(self),
                }
            }
        }
    };
}

help_texts! {
    Quit: "quit", "退出";
    Suspend: "suspend (the shell's fg brings it back)", "挂起（在 shell 中用 fg 恢复）";
    Pause: "pause / follow", "暂停 / 跟随";
    Move: "move", "移动";
    Page: "page down / up", "下一页 / 上一页";
    Ends: "top, bottom (bottom follows)", "顶部、底部（底部即跟随）";
    OpenDetail: "open the failure's detail", "打开失败详情";
    ClearFilter: "clear the filter", "清除过滤";
    EditFilter: "edit the filter", "编辑过滤";
    NextPanel: "next panel", "下一个面板";
    Reasons: "reasons panel", "原因面板";
    Sessions: "sessions panel", "会话面板";
    ToggleReason: "add this reason to the reasons shown, or take it away", "把该原因加入或移出所显示的原因";
    Drill: "narrow the filter to this row (esc goes back)", "把过滤缩小到这一行（esc 返回）";
    Back: "back one level (the filter before the last narrowing)", "返回上一层（上次缩小之前的过滤）";
    PanelsAll: "panels: follow the filter / show every failure", "面板：跟随过滤 / 显示全部失败";
    Report: "incident report of the filtered view (Markdown: clipboard and a file)", "当前过滤结果的事件报告（Markdown：剪贴板和文件）";
    Goto: "go to a time (09:50)", "跳转到某个时间（09:50）";
    Groups: "failure groups panel (in place of the reasons)", "失败分组面板（替代原因面板）";
    AckAlerts: "acknowledge the alerts (hide the banner)", "确认告警（隐藏横幅）";
    AlertList: "the alerts of this session, held back ones too (acknowledges them)", "本次会话的告警，含被冷却期压下的（同时确认）";
    AlertListEnds: "newest, oldest", "最新、最早";
    CopyGroup: "copy the group id", "复制分组 id";
    Workspaces: "workspaces panel (in place of the sessions)", "工作区面板（替代会话面板）";
    CopyWorkspace: "copy the workspace id", "复制工作区 id";
    Sort: "next order / turn it over (or click a column header)", "下一种排序 / 倒转顺序（或点击列标题）";
    Unfocus: "back to the failures", "回到失败列表";
    NextLost: "next / previous lost notification", "下一条 / 上一条丢失的通知";
    Lang: "next language: en, zh, ja, ko", "下一种语言：en、zh、ja、ko";
    Help: "this help", "本帮助";
    Copy: "copy the selected failure as JSON (redacted)", "复制选中的失败（JSON，已脱敏）";
    CopyMenu: "copy…: error text, task id, session id, reason code, JSON, lost sessions", "复制…：错误文本、任务 id、会话 id、原因代码、JSON、丢失的会话";
    CopyError: "copy the error text", "复制错误文本";
    CopyTask: "copy the task id", "复制任务 id";
    CopySession: "copy the session id", "复制会话 id";
    CopyReason: "copy the reason code", "复制原因代码";
    CopyLost: "copy the sessions never told among those shown: id, bound, count, times, reasons", "复制所显示的未获通知的会话：id、绑定、次数、时间、原因";
    Mouse: "mouse capture on / off (off: select text with the mouse)", "鼠标捕获开 / 关（关：可用鼠标选中文字）";
    Export: "export the filtered view as JSON Lines (choose the file; --export sets where)", "以 JSON Lines 导出当前过滤结果（可选文件；--export 设定位置）";
    ReplaySpeed: "replay: faster / slower", "回放：加速 / 减速";
    ReplayPause: "replay: pause / play", "回放：暂停 / 播放";
    ReplayStep: "replay: on to the next failure", "回放：前进到下一个失败";
    ReplaySeek: "replay: back / on 1 min", "回放：后退 / 前进 1 分钟";
    Scroll: "scroll", "滚动";
    CloseOverlay: "close", "关闭";
    DetailNext: "next / previous failure", "下一条 / 上一条失败";
    FilterApply: "apply the filter", "应用过滤";
    FilterCancel: "cancel editing", "取消编辑";
    FilterDelete: "delete a character", "删除一个字符";
    FilterDeleteWord: "delete a word", "删除一个词";
    FilterClear: "clear the line", "清空整行";
    FilterCursor: "move the cursor", "移动光标";
    FilterEnds: "start / end of line", "行首 / 行尾";
    FilterHistory: "earlier / later filters (kept across runs)", "更早 / 更晚的过滤（跨次运行保留）";
}

/// "exported 12 failures to /tmp/x.jsonl"
pub fn exported(lang: Lang, n: usize, path: &str) -> String {
    let s = strings(lang);
    format!("{} {n} {} {path}", s.exported, s.failures_to)
}

/// A desktop notification's title for several alerts at once.
pub fn alerts_title(lang: Lang, n: u64, last_rule: &str) -> String {
    match lang {
        Lang::En => format!("failwatch: {n} alerts, the last {last_rule}"),
        Lang::Zh => format!("failwatch：{n} 条告警，最近一条 {last_rule}"),
        Lang::Ja => format!("failwatch：アラート {n} 件、最新は {last_rule}"),
        Lang::Ko => format!("failwatch: 경보 {n}건, 최근 {last_rule}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn no_string_is_missing_or_empty_in_either_language() {
        let (en, zh) = (strings(Lang::En).all(), strings(Lang::Zh).all());
        assert_eq!(en.len(), zh.len());
        for ((name, e), (_, z)) in en.iter().zip(&zh) {
            assert!(!e.trim().is_empty(), "{name}: empty in en");
            assert!(!z.trim().is_empty(), "{name}: empty in zh");
            assert!(!has_cjk(e), "{name}: Chinese in en: {e}");
        }
        for id in HelpId::ALL {
            assert!(!id.text(Lang::En).trim().is_empty(), "{id:?}");
            assert!(
                has_cjk(id.text(Lang::Zh)),
                "{id:?}: zh help without Chinese"
            );
        }
    }

    /// The legend names the marks as the screen shows them: the gap row and the text of a
    /// failure without one, word for word.
    #[test]
    fn the_legend_quotes_the_screen() {
        for lang in Lang::ALL {
            let s = strings(lang);
            let legend: Vec<&str> = s.help_legend_lines.lines().collect();
            assert!(
                legend.iter().any(|l| l.starts_with(s.disconnected_row)),
                "{lang:?}: the gap row"
            );
            assert!(
                legend.iter().any(|l| l.starts_with(s.no_error_text)),
                "{lang:?}: no error text"
            );
        }
    }

    /// The domain's own words (what a relay did and why, a server's era, an inbox push's
    /// audience) are held to the same rules in Japanese and Korean.
    #[test]
    fn the_domains_words_are_complete_and_in_their_scripts() {
        use crate::routing::{inbox::Audience, Era, Outcome, Why};
        let texts = |lang: Lang| -> Vec<(String, &'static str)> {
            let mut all: Vec<(String, &'static str)> = Vec::new();
            all.extend(Outcome::ALL.map(|o| (format!("{o:?}"), o.label(lang))));
            all.extend(Why::ALL.map(|w| (format!("{w:?}"), w.explain(lang))));
            all.extend(Era::ALL.map(|e| (format!("{e:?}"), e.label(lang))));
            for a in Audience::ALL {
                all.push((format!("{a:?}"), a.label(lang)));
                all.push((format!("{a:?} explained"), a.explain(lang)));
            }
            all
        };
        let (en, zh) = (texts(Lang::En), texts(Lang::Zh));
        for lang in [Lang::Ja, Lang::Ko] {
            for (((name, t), (_, e)), (_, z)) in texts(lang).iter().zip(&en).zip(&zh) {
                if let Some(p) = script::problem(t, lang, e, z) {
                    panic!("{lang:?} {name}: {p}: {t}");
                }
            }
        }
    }

    /// Japanese and Korean: every string and help text there, in its own script and no other's,
    /// with the English's placeholders and lines.
    #[test]
    fn japanese_and_korean_are_complete_and_in_their_scripts() {
        let (en, zh) = (strings(Lang::En).all(), strings(Lang::Zh).all());
        for lang in [Lang::Ja, Lang::Ko] {
            let texts = strings(lang).all();
            assert_eq!(texts.len(), en.len());
            for (((name, t), (_, e)), (_, z)) in texts.iter().zip(&en).zip(&zh) {
                if let Some(p) = script::problem(t, lang, e, z) {
                    panic!("{lang:?} {name}: {p}: {t}");
                }
            }
            for id in HelpId::ALL {
                let (t, e, z) = (id.text(lang), id.text(Lang::En), id.text(Lang::Zh));
                if let Some(p) = script::problem(t, lang, e, z) {
                    panic!("{lang:?} help {id:?}: {p}: {t}");
                }
            }
        }
    }
}
