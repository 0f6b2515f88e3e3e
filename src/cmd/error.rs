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

#[derive(Debug)]
pub struct CmdError {
    pub exit: Exit,
    pub message: String,
    /// What to check or do next.
    pub hint: Option<String>,
}

impl CmdError {
    fn new(exit: Exit, message: impl fmt::Display) -> CmdError {
        CmdError {
            exit,
            message: message.to_string(),
            hint: None,
        }
    }

    pub fn usage(message: impl fmt::Display) -> CmdError {
        CmdError::new(Exit::Usage, message)
    }

    pub fn connect(message: impl fmt::Display) -> CmdError {
        CmdError::new(Exit::Connect, message)
    }

    pub fn input(message: impl fmt::Display) -> CmdError {
        CmdError::new(Exit::Input, message)
    }

    pub fn alert(message: impl fmt::Display) -> CmdError {
        CmdError::new(Exit::Alert, message)
    }

    pub fn failed(message: impl fmt::Display) -> CmdError {
        CmdError::new(Exit::Failed, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> CmdError {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(&self) -> u8 {
        self.exit as u8
    }

    /// The lines `main` prints on standard error, with control characters removed: messages
    /// can carry a server's words.
    pub fn report(&self) -> String {
        let clean = |s: &str| crate::redact::redact(s).text;
        let mut out = format!("failwatch: {}\n", clean(&self.message));
        if let Some(h) = &self.hint {
            out.push_str(&format!("  {}\n", clean(h)));
        }
        out
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        let e = CmdError::connect("auth failed: \u{1b}]0;pwned\u{7}invalid token")
            .hint("check the token");
        assert_eq!(
            e.report(),
            "failwatch: auth failed: invalid token\n  check the token\n"
        );
    }
}
