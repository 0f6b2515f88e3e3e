//! A rule made to read through the marks that stand where characters were removed: after each
//! of its characters a mark may follow and is part of the match. Marks still part words for
//! `\b` and stand for a space in `\s`, so a secret glued to a word on either side by a removal
//! is found, however many removals split it inside (`SEC…\u{ad}…\0https`).

use regex::Regex;
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

use super::mask::MARK;

/// `pattern` (as the rules spell it), reading through marks.
pub(super) fn through(pattern: &str) -> Regex {
    let hir = regex_syntax::parse(pattern).expect("redaction rules parse");
    Regex::new(&rewrite(hir).to_string()).expect("redaction rules compile through marks")
}

/// An optional mark.
fn mark() -> Hir {
    let mut buf = [0; 4];
    Hir::repetition(Repetition {
        min: 0,
        max: Some(1),
        greedy: true,
        sub: Box::new(Hir::literal(MARK.encode_utf8(&mut buf).as_bytes())),
    })
}

fn rewrite(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Literal(lit) => {
            let text = String::from_utf8_lossy(&lit.0).into_owned();
            let mut parts = Vec::new();
            for c in text.chars() {
                let mut buf = [0; 4];
                parts.push(Hir::literal(c.encode_utf8(&mut buf).as_bytes()));
                parts.push(mark());
            }
            Hir::concat(parts)
        }
        HirKind::Class(class) => Hir::concat(vec![Hir::class(class), mark()]),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(rewrite(*rep.sub)),
            ..rep
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(rewrite(*cap.sub)),
            ..cap
        }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(rewrite).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(rewrite).collect()),
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(look),
    }
}
