//! Failure reasons: code → kind, label, meaning and suggested action, in English and Simplified
//! Chinese (the reason table), Japanese and Korean (their own files, by code). Unknown codes degrade to a generic text and are flagged as unknown, never passed off
//! as a known reason.

mod ja;
mod ko;
mod reasons;

use std::sync::LazyLock;

use reasons::REASONS;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    En,
    Zh,
    Ja,
    Ko,
}

impl Lang {
    /// Every language, in the order `L` steps through them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Zh, Lang::Ja, Lang::Ko];

    /// `en`, `en-US`, `en_GB.UTF-8` → En; `zh`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans` → Zh; `ja`,
    /// `ja_JP.UTF-8` → Ja; `ko`, `ko-KR` → Ko.
    pub fn parse(tag: &str) -> Option<Lang> {
        let lower = tag.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_', '.', '@']).next().unwrap_or("");
        match primary {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "ja" => Some(Lang::Ja),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The first non-empty of LC_ALL, LC_MESSAGES, LANG; English when unset or unknown.
    pub fn from_locale_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    /// The next language, round the four.
    pub fn next(self) -> Lang {
        let at = Lang::ALL.iter().position(|&l| l == self).unwrap_or(0);
        Lang::ALL[(at + 1) % Lang::ALL.len()]
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
            Lang::Ja => "ja",
            Lang::Ko => "ko",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Platform,
    Agent,
}

#[derive(Clone, Copy, Debug)]
pub struct Texts {
    pub label: &'static str,
    pub meaning: &'static str,
    pub action: &'static str,
}

#[derive(Debug)]
pub struct ReasonEntry {
    pub code: &'static str,
    pub kind: ReasonKind,
    /// In the server's canonical list (as opposed to seen in the wild).
    pub canonical: bool,
    pub en: Texts,
    pub zh: Texts,
}

type ByCode = rustc_hash::FxHashMap<&'static str, &'static Texts>;

fn by_code(table: &'static [(&'static str, Texts)]) -> ByCode {
    table.iter().map(|(code, t)| (*code, t)).collect()
}

static JA: LazyLock<ByCode> = LazyLock::new(|| by_code(ja::REASONS));
static KO: LazyLock<ByCode> = LazyLock::new(|| by_code(ko::REASONS));

impl ReasonEntry {
    pub fn texts(&self, lang: Lang) -> &Texts {
        // A code missing from a language's table (the tests say none is) reads in English.
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
            Lang::Ja => JA.get(self.code).copied().unwrap_or(&self.en),
            Lang::Ko => KO.get(self.code).copied().unwrap_or(&self.en),
        }
    }
}

/// The name of "no reason sent" wherever a reason code is shown, counted, labelled or filtered
/// (`reason:none`). No Multica reason code is `none` (see the tests), so it cannot be mistaken
/// for one.
pub const NO_REASON: &str = "none";

/// A reason code as outputs name it: the code, or [`NO_REASON`] for an event that carried none.
pub fn code_or_none(code: &str) -> &str {
    if code.is_empty() {
        NO_REASON
    } else {
        code
    }
}

/// What to show for any reason code, known or not.
#[derive(Clone, Copy, Debug)]
pub struct Described {
    pub known: bool,
    /// The event carried no reason at all (older servers), as opposed to one we do not know.
    pub missing: bool,
    pub kind: ReasonKind,
    pub texts: Texts,
}

static BY_CODE: LazyLock<rustc_hash::FxHashMap<&'static str, &'static ReasonEntry>> =
    LazyLock::new(|| REASONS.iter().map(|r| (r.code, r)).collect());

/// Every known reason: platform canonical, agent canonical, then those seen in the wild.
pub fn all() -> &'static [ReasonEntry] {
    REASONS
}

pub fn lookup(code: &str) -> Option<&'static ReasonEntry> {
    BY_CODE.get(code).copied()
}

pub fn describe(code: &str, lang: Lang) -> Described {
    match lookup(code) {
        Some(r) => Described {
            known: true,
            missing: false,
            kind: r.kind,
            texts: *r.texts(lang),
        },
        None if code.is_empty() => Described {
            known: false,
            missing: true,
            kind: ReasonKind::Platform,
            texts: no_reason(lang),
        },
        None => Described {
            known: false,
            missing: false,
            kind: kind_of(code),
            texts: generic(lang),
        },
    }
}

/// The text for an unknown or missing reason.
pub fn generic(lang: Lang) -> Texts {
    match lang {
        Lang::En => Texts {
            label: "Unrecognised reason",
            meaning: "The server sent a failure reason this version of failwatch does not know.",
            action: "Read the error text and the reason code; a newer failwatch may explain it.",
        },
        Lang::Zh => Texts {
            label: "无法识别的原因",
            meaning: "服务端发送了本版本 failwatch 不认识的失败原因。",
            action: "查看错误文本和原因代码；新版 failwatch 可能能够解释。",
        },
        Lang::Ja => ja::GENERIC,
        Lang::Ko => ko::GENERIC,
    }
}

/// The text for a failure that carried no reason.
pub fn no_reason(lang: Lang) -> Texts {
    match lang {
        Lang::En => Texts {
            label: "No reason sent",
            meaning: "The event carried no failure_reason: the fail path of older servers (upstream before 2026-04-29, the Octo fork before its PR #33) sends none.",
            action: "Read the error text, if any; upgrading the server gives a reason for every failure.",
        },
        Lang::Zh => Texts {
            label: "未发送原因",
            meaning: "事件没有 failure_reason：旧版服务端（2026-04-29 之前的 upstream、PR #33 之前的 Octo 分支）的失败路径不发送原因。",
            action: "查看错误文本（如有）；升级服务端后每次失败都会带有原因。",
        },
        Lang::Ja => ja::NO_REASON,
        Lang::Ko => ko::NO_REASON,
    }
}

/// `agent_error` and `agent_error.*` are agent-side; everything else is the platform's.
pub fn kind_of(code: &str) -> ReasonKind {
    if code == "agent_error" || code.starts_with("agent_error.") {
        ReasonKind::Agent
    } else {
        ReasonKind::Platform
    }
}

pub fn is_agent_side(code: &str) -> bool {
    kind_of(code) == ReasonKind::Agent
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    /// The server's canonical list, written out independently of the table.
    const CANONICAL: [&str; 26] = [
        "queued_expired",
        "runtime_offline",
        "runtime_reconnect_timeout",
        "runtime_recovery",
        "timeout",
        "iteration_limit",
        "agent_blocked",
        "api_invalid_request",
        "skill_bundle_unavailable",
        "runtime_cli_timeout",
        "invalid_task_identity",
        "issue_window_restricted",
        "agent_error.provider_auth_or_access",
        "agent_error.provider_quota_limit",
        "agent_error.provider_capacity_or_rate_limit",
        "agent_error.provider_server_error",
        "agent_error.provider_network",
        "agent_error.process_failure",
        "agent_error.empty_or_unparseable_output",
        "agent_error.agent_timeout",
        "agent_error.context_overflow",
        "agent_error.missing_config",
        "agent_error.model_not_found_or_unavailable",
        "agent_error.runtime_version_unsupported",
        "agent_error.runtime_missing_executable",
        "agent_error.unknown",
    ];
    /// Written by the daemon or known to the UIs, outside the canonical list (server source:
    /// `daemon.go`, `poisoned.go`, `packages/core/types/agent.ts`).
    const IN_THE_WILD: [&str; 8] = [
        "codex_semantic_inactivity",
        "cancelled",
        "local_directory_error",
        "idle_watchdog",
        "agent_fallback_message",
        "codex_resume_oversized",
        "manual",
        "agent_error",
    ];

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_canonical_reason_has_complete_texts_in_both_languages() {
        for code in CANONICAL.iter().chain(&IN_THE_WILD) {
            let r = lookup(code).unwrap_or_else(|| panic!("{code} missing from the catalog"));
            assert_eq!(r.canonical, CANONICAL.contains(code), "{code}");
            for t in [&r.en, &r.zh] {
                assert!(
                    !t.label.trim().is_empty()
                        && !t.meaning.trim().is_empty()
                        && !t.action.trim().is_empty(),
                    "{code}"
                );
            }
            for s in [r.zh.label, r.zh.meaning, r.zh.action] {
                assert!(has_cjk(s), "{code}: zh text without Chinese: {s}");
            }
            for s in [r.en.label, r.en.meaning, r.en.action] {
                assert!(!has_cjk(s), "{code}: en text with Chinese: {s}");
            }
            assert!(r.en.label.width() <= 28, "{code}: en label too wide");
            assert!(r.zh.label.width() <= 22, "{code}: zh label too wide");
        }
        assert_eq!(all().len(), CANONICAL.len() + IN_THE_WILD.len());
    }

    /// Japanese and Korean: a text for every reason of the table, in its order, and for an
    /// unknown or missing one; each in its own script, labels as narrow as the Chinese ones.
    #[test]
    fn japanese_and_korean_reasons_are_complete_and_in_their_scripts() {
        use crate::i18n::script::problem;
        for (lang, table) in [(Lang::Ja, ja::REASONS), (Lang::Ko, ko::REASONS)] {
            let codes: Vec<&str> = table.iter().map(|(c, _)| *c).collect();
            let expected: Vec<&str> = all().iter().map(|r| r.code).collect();
            assert_eq!(codes, expected, "{lang:?}");
            let extra = [
                (
                    "<generic>",
                    generic(Lang::En),
                    generic(Lang::Zh),
                    generic(lang),
                ),
                (
                    "<none>",
                    no_reason(Lang::En),
                    no_reason(Lang::Zh),
                    no_reason(lang),
                ),
            ];
            let rows = all()
                .iter()
                .map(|r| (r.code, r.en, r.zh, *r.texts(lang)))
                .chain(extra);
            for (code, en, zh, t) in rows {
                for (t, e, z) in [
                    (t.label, en.label, zh.label),
                    (t.meaning, en.meaning, zh.meaning),
                    (t.action, en.action, zh.action),
                ] {
                    if let Some(p) = problem(t, lang, e, z) {
                        panic!("{lang:?} {code}: {p}: {t}");
                    }
                }
                assert!(t.label.width() <= 22, "{lang:?} {code}: label too wide");
            }
        }
    }

    /// Every Chinese text the catalog can show: each reason's, then the generic and no-reason ones.
    fn zh_texts() -> Vec<(&'static str, &'static str)> {
        all()
            .iter()
            .map(|r| (r.code, r.zh))
            .chain([
                ("<generic>", generic(Lang::Zh)),
                ("<none>", no_reason(Lang::Zh)),
            ])
            .flat_map(|(code, t)| [(code, t.label), (code, t.meaning), (code, t.action)])
            .collect()
    }

    /// The ASCII words of a text outside `backticked` spans. A word keeps its `_`, `.` and `-`,
    /// so code names such as `agent_error.unknown` or MULTICA_OPENCLAW_CLI_TIMEOUT stay whole
    /// and never read as the plain words inside them.
    fn ascii_words(s: &str) -> Vec<&str> {
        s.split('`')
            .step_by(2)
            .flat_map(|part| {
                part.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            })
            .map(|w| w.trim_matches(|c| matches!(c, '.' | '-')))
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn chinese_texts_use_multicas_chinese_terms_not_english_words() {
        assert_eq!(
            ascii_words("用 `runtime` 查 agent_error.unknown 和 MULTICA_OPENCLAW_CLI_TIMEOUT。"),
            ["agent_error.unknown", "MULTICA_OPENCLAW_CLI_TIMEOUT"]
        );
        // Multica's zh UI says 守护进程, 运行时 and 智能体 for these.
        let english = [
            "daemon", "daemons", "runtime", "runtimes", "agent", "agents",
        ];
        for (code, s) in zh_texts() {
            for w in ascii_words(s) {
                assert!(
                    !english.contains(&w.to_ascii_lowercase().as_str()),
                    "{code}: zh text keeps the English word {w:?}: {s}"
                );
            }
        }
    }

    /// Panics unless `text` contains every one of `words`.
    fn says(code: &str, text: &str, words: &[&str]) {
        for w in words {
            assert!(text.contains(w), "{code}: {w:?} missing from: {text}");
        }
    }

    #[test]
    fn timeout_and_runtime_offline_also_cover_runs_that_never_started() {
        // The server's sweepers fail dispatched tasks (claimed, not started) with both reasons,
        // and the daemon uses them for a preparation that ran out of time and for a claimed task
        // whose runtime it no longer hosts.
        let timeout = lookup("timeout").unwrap();
        says(
            "timeout",
            timeout.en.meaning,
            &["ran too long", "never started"],
        );
        says("timeout", timeout.zh.meaning, &["运行太久", "没有开始"]);
        let offline = lookup("runtime_offline").unwrap();
        says(
            "runtime_offline",
            offline.en.meaning,
            &["while the task ran", "before it started"],
        );
        says(
            "runtime_offline",
            offline.zh.meaning,
            &["运行中", "开始之前"],
        );
        // `RecoverOrphanedTasksForRuntime` (agent.sql) fails dispatched, running and
        // waiting_local_directory tasks when the daemon starts again.
        let recovery = lookup("runtime_recovery").unwrap();
        says(
            "runtime_recovery",
            recovery.en.meaning,
            &["claimed", "running", "waiting"],
        );
        says(
            "runtime_recovery",
            recovery.zh.meaning,
            &["已领取", "运行中", "等待"],
        );
    }

    #[test]
    fn runtime_cli_timeout_names_its_knob_and_says_a_retry_will_not_help() {
        // Not among the server's retryable reasons: the local stall repeats on every attempt,
        // and the daemon's deadline per CLI call is set by MULTICA_OPENCLAW_CLI_TIMEOUT.
        let r = lookup("runtime_cli_timeout").unwrap();
        says(
            "runtime_cli_timeout",
            r.en.meaning,
            &["never started", "not retried"],
        );
        says(
            "runtime_cli_timeout",
            r.en.action,
            &["retry won't help", "MULTICA_OPENCLAW_CLI_TIMEOUT"],
        );
        says(
            "runtime_cli_timeout",
            r.zh.meaning,
            &["没有开始", "不会自动重试"],
        );
        says(
            "runtime_cli_timeout",
            r.zh.action,
            &["重试无济于事", "MULTICA_OPENCLAW_CLI_TIMEOUT"],
        );
    }

    #[test]
    fn codes_are_unique_and_kinds_follow_the_prefix() {
        let mut codes: Vec<_> = all().iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all().len());
        for r in all() {
            assert_eq!(r.kind, kind_of(r.code), "{}", r.code);
        }
    }

    #[test]
    fn no_catalogued_code_is_spelt_like_the_missing_reason() {
        for code in all()
            .iter()
            .map(|r| r.code)
            .chain(CANONICAL)
            .chain(IN_THE_WILD)
        {
            assert_ne!(code, NO_REASON);
        }
        assert_eq!(code_or_none(""), "none");
        assert_eq!(code_or_none("timeout"), "timeout");
    }

    #[test]
    fn unknown_codes_degrade_to_generic_text() {
        let none = describe("", Lang::En);
        assert!(!none.known && none.missing);
        assert_eq!(none.texts.label, no_reason(Lang::En).label);
        for (code, kind) in [
            ("agent_error.quantum_flux", ReasonKind::Agent),
            ("sandbox_evicted", ReasonKind::Platform),
        ] {
            for lang in [Lang::En, Lang::Zh] {
                let d = describe(code, lang);
                assert!(!d.known);
                assert_eq!(d.kind, kind);
                assert_eq!(d.texts.label, generic(lang).label);
            }
        }
        assert!(has_cjk(generic(Lang::Zh).label));
        assert!(describe("timeout", Lang::Zh).known);
    }

    #[test]
    fn languages_parse_from_tags_and_locales() {
        for (tag, lang) in [
            ("en", Some(Lang::En)),
            ("en-US", Some(Lang::En)),
            ("en_GB.UTF-8", Some(Lang::En)),
            ("zh", Some(Lang::Zh)),
            ("zh-CN", Some(Lang::Zh)),
            ("zh_CN.UTF-8", Some(Lang::Zh)),
            ("ZH-Hans", Some(Lang::Zh)),
            ("ja", Some(Lang::Ja)),
            ("ja_JP.UTF-8", Some(Lang::Ja)),
            ("ko", Some(Lang::Ko)),
            ("ko-KR", Some(Lang::Ko)),
            ("C.UTF-8", None),
            ("fr", None),
        ] {
            assert_eq!(Lang::parse(tag), lang, "{tag}");
        }
        assert_eq!(Lang::En.next(), Lang::Zh);
        assert_eq!(Lang::Zh.next(), Lang::Ja);
        assert_eq!(Lang::Ja.next(), Lang::Ko);
        assert_eq!(Lang::Ko.next().tag(), "en");
    }
}
