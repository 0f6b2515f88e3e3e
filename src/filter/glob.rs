//! Globs for reason codes: `*`, `?` and one level of `{a,b}` alternatives. Checked when parsed,
//! matched without backtracking blow-up.

/// Why a glob cannot be used, or `None` when it can.
pub fn check(pat: &str) -> Option<&'static str> {
    if pat.contains(['[', ']']) {
        return Some("character classes [ ] are not supported");
    }
    let mut depth = 0;
    for c in pat.chars() {
        match c {
            '{' if depth > 0 => return Some("{ } cannot nest"),
            '{' => depth += 1,
            '}' if depth == 0 => return Some("} without {"),
            '}' => depth -= 1,
            _ => {}
        }
    }
    (depth > 0).then_some("{ without }")
}

pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '{', '}', '[', ']'])
}

pub fn matches(pat: &[u8], s: &[u8]) -> bool {
    if let Some(open) = pat.iter().position(|&b| b == b'{') {
        if let Some(len) = pat[open..].iter().position(|&b| b == b'}') {
            let (head, alts, tail) = (
                &pat[..open],
                &pat[open + 1..open + len],
                &pat[open + len + 1..],
            );
            return alts.split(|&b| b == b',').any(|alt| {
                let p: Vec<u8> = [head, alt, tail].concat();
                matches(&p, s)
            });
        }
    }
    let (mut p, mut i, mut star, mut mark) = (0, 0, None, 0);
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some(p);
            mark = i;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_questions_and_alternatives() {
        assert!(matches(b"a*c", b"abbbc"));
        assert!(matches(b"*", b""));
        assert!(!matches(b"a?c", b"ac"));
        assert!(matches(b"{x.,}b*", b"x.bc"));
        assert!(matches(b"{x.,}b*", b"bc"));
        assert!(!matches(&b"a*".repeat(50), &b"a".repeat(40)));
    }

    #[test]
    fn malformed_globs_are_named() {
        assert_eq!(check("provider_*"), None);
        assert_eq!(check("{a,b}*"), None);
        assert!(check("[").is_some());
        assert!(check("{a,b").is_some());
        assert!(check("a}").is_some());
        assert!(check("{a,{b}}").is_some());
    }
}
