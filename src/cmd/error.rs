//! The one error every command returns: what went wrong, what to do next, and the exit code of
//! the CLI contract. `main` prints it once.

use std::fmt;

/// Exit codes of the CLI contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Something failed that is not the input's or the server's fault.
    Failed = 1,
    /// A usage error: bad flags, a bad filter, a missing token.
    Usage = 2,
    /// The server or Redis refused or could not be reached.
    Connect = 3,
    /// The input could not be read.
    Input = 4,
    /// `watch`: an alert rule fired.
    Alert = 5,
}

/// A message for standard error: our own fixed words as they are, and every piece of text from
/// outside (a server's words, a file's name or contents, an I/O error, a flag's value) redacted
/// to one clean line where it was put in. Our words never go through the secret rules: `no
/// token: set FAILWATCH_TOKEN` reads as written.
///
/// Made from a literal, with [`said!`] (a literal whose every argument is outside text), or with
/// [`Said::outside`] for a message built elsewhere (all of it redacted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said(String);

impl Said {
    /// A text that mixes our words and outside ones, built where we cannot tell them apart.
    pub fn outside(text: impl fmt::Display) -> Said {
        Said(outside(&text))
    }

    /// For [`said!`]: the format string's words are ours, its arguments already redacted.
    #[doc(hidden)]
    pub fn assembled(text: String) -> Said {
        Said(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for Said {
    fn from(own: &'static str) -> Said {
        Said(own.to_owned())
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Outside text as it may appear in a message: redacted, one line, bounded.
pub fn outside(text: &impl fmt::Display) -> String {
    crate::redact::redact_line(&text.to_string(), crate::redact::MAX_MESSAGE_CHARS)
}

/// `said!("cannot read {}: {}", name, e)`: a [`Said`] whose literal is ours and whose every
/// argument is outside text, redacted. Arguments are positional (`{}`), never captured by name,
/// so none can skip the redaction.
#[macro_export]
macro_rules! said {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        $crate::cmd::error::Said::assembled(format!($fmt $(, $crate::cmd::error::outside(&$arg))*))
    };
}

#[derive(Debug)]
pub struct CmdError {
    pub exit: Exit,
    pub message: Said,
    /// What to check or do next.
    pub hint: Option<Said>,
}

impl CmdError {
    fn new(exit: Exit, message: impl Into<Said>) -> CmdError {
        CmdError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<Said>) -> CmdError {
        CmdError::new(Exit::Usage, message)
    }

    pub fn connect(message: impl Into<Said>) -> CmdError {
        CmdError::new(Exit::Connect, message)
    }

    pub fn input(message: impl Into<Said>) -> CmdError {
        CmdError::new(Exit::Input, message)
    }

    pub fn alert(message: impl Into<Said>) -> CmdError {
        CmdError::new(Exit::Alert, message)
    }

    pub fn failed(message: impl Into<Said>) -> CmdError {
        CmdError::new(Exit::Failed, message)
    }

    pub fn hint(mut self, hint: impl Into<Said>) -> CmdError {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(&self) -> u8 {
        self.exit as u8
    }

    /// The lines `main` prints on standard error. The outside text in them was redacted when
    /// it was put in; our own words are printed as written.
    pub fn report(&self) -> String {
        let mut out = format!("failwatch: {}\n", self.message);
        if let Some(h) = &self.hint {
            out.push_str(&format!("  {h}\n"));
        }
        out
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.as_str())
    }
}

impl std::error::Error for CmdError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_contract_and_reports_are_clean() {
        assert_eq!(CmdError::usage("x").code(), 2);
        assert_eq!(CmdError::connect("x").code(), 3);
        assert_eq!(CmdError::input("x").code(), 4);
        let e = CmdError::connect(said!("auth failed: {}", "\u{1b}]0;pwned\u{7}invalid token"))
            .hint("check the token");
        assert_eq!(
            e.report(),
            "failwatch: auth failed: invalid token\n  check the token\n"
        );
    }

    /// Our own words are not run through the secret rules (`token: set` once read as a
    /// credential); what came from outside is, wherever it is put in.
    #[test]
    fn our_words_are_kept_and_outside_words_redacted() {
        let own = CmdError::usage("no token: set FAILWATCH_TOKEN or pass --token-file FILE");
        assert_eq!(
            own.report(),
            "failwatch: no token: set FAILWATCH_TOKEN or pass --token-file FILE\n"
        );
        let secret = "mul_0123456789abcdef0123456789abcdef01234567";
        let echoed = CmdError::connect(said!("the server said: {}", format!("bad token {secret}")))
            .hint(said!("check {}", format!("password: hunter2\u{1b}[2J")));
        let report = echoed.report();
        assert!(
            !report.contains(secret) && !report.contains("hunter2"),
            "{report}"
        );
        assert!(
            report.starts_with("failwatch: the server said: bad token [REDACTED"),
            "{report}"
        );
        assert!(!report.contains('\u{1b}'), "{report}");
        let built_elsewhere = CmdError::usage(Said::outside(format!("unknown theme `{secret}`")));
        assert!(!built_elsewhere.report().contains(secret));
    }
}
