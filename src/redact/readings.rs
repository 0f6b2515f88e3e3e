//! A text can be read more than one way. Through its escapes or not: as it stands (an escape
//! inside a credential is part of it, `C:\Users\bob` holds none), through the escapes that hide
//! (an escaped invisible character, read as the character itself), through every escape
//! (`Bearer%20token` as the server would read it decoded). And where a character was removed:
//! joined and parted as [`mask_around`] tries, parted only (as the server reading the raw text
//! does), or parted with every rule reading through the parts (a greedy token's match that falls
//! back to a boundary inside the token when joined). Each reading is masked on its own, so what one masks cannot swallow what another needs
//! (a name, a separator: `eyJ…<filler>Set-Cookie: sid=…`), and what any reading masks is masked.

use std::borrow::Cow;
use std::ops::Range;

use super::escapes::{self, Which};
use super::mask::{
    add_hits, add_placeholders, mask_around, mask_marked, placeholders_text, Masked, Places,
};
use super::{Beyond, SecretKind};

/// A unit of the clean text (a character, or an escape): its bytes there and in a reading's
/// text before masking.
type Unit = (Range<usize>, Range<usize>);

/// One reading, masked.
struct Reading {
    text: String,
    hits: Vec<(SecretKind, u32)>,
    beyond_server: Beyond,
    /// Each unit of the clean text (a character, or an escape): its bytes there, and where it
    /// stands in `text` when no secret took it.
    units: Vec<(Range<usize>, Option<Range<usize>>)>,
}

impl Reading {
    /// Whether the clean text's bytes `at` are masked in this reading, per byte.
    fn masked(&self, len: usize) -> Vec<bool> {
        let mut masked = vec![false; len];
        for (clean, out) in &self.units {
            if out.is_none() {
                masked[clean.clone()].fill(true);
            }
        }
        masked
    }

    /// Whether this reading masked any of the clean text's bytes `run`.
    fn touches(&self, run: &Range<usize>) -> bool {
        self.units
            .iter()
            .any(|(c, out)| out.is_none() && c.start < run.end && run.start < c.end)
    }

    /// What this reading put for the clean text's bytes `run`, when it masked exactly those.
    fn replacement(&self, run: &Range<usize>, len: usize) -> Option<&str> {
        let first = self.units.partition_point(|(c, _)| c.start < run.start);
        let last = self.units.partition_point(|(c, _)| c.end <= run.end);
        let inside = self.units.get(first..last)?;
        let exact = inside.first()?.0.start == run.start
            && inside.last()?.0.end == run.end
            && inside.iter().all(|(_, out)| out.is_none());
        if !exact {
            return None;
        }
        let start = match first {
            0 => 0,
            i => self.units[i - 1].1.as_ref()?.end,
        };
        let end = match self.units.get(last) {
            None if run.end == len => self.text.len(),
            None => return None,
            Some((_, out)) => out.as_ref()?.start,
        };
        self.text.get(start..end)
    }
}

/// How a reading treats the places where characters were removed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cuts {
    /// Joined and parted ([`mask_around`]).
    Around,
    /// Parted only ([`mask_marked`]).
    Parted,
    /// Parted, the rules reading through the parts ([`mask_marked`]).
    Through,
}

/// A way to read the clean text: through which escapes (none: as it stands), and how its cuts.
type Way = (Option<Which>, Cuts);

/// Mask `clean` (characters removed at `cuts`) in each of its readings: what any reading masks
/// is masked.
pub(super) fn mask_readings(clean: Cow<'_, str>, cuts: Vec<usize>) -> Masked<'_> {
    let mut ways: Vec<Way> = Vec::new();
    for which in [None, Some(Which::All), Some(Which::Hiding)] {
        let view = which.and_then(|w| escapes::decode(&clean, &cuts, w));
        if which.is_some() && view.is_none() {
            continue;
        }
        let has_cuts = view
            .as_ref()
            .map_or(!cuts.is_empty(), |v| !v.cuts.is_empty());
        ways.push((which, Cuts::Around));
        if has_cuts {
            ways.push((which, Cuts::Parted));
            ways.push((which, Cuts::Through));
        }
    }
    // The usual reading first, as it is; the others only matter where they find something.
    let base = {
        let mut places = Places {
            cuts: cuts.clone(),
            kept: Vec::new(),
        };
        mask_around(Cow::Borrowed(&clean), &mut places)
    };
    let others: Vec<Way> = ways[1..]
        .iter()
        .copied()
        .filter(|&way| !read(&clean, &cuts, way, false).hits.is_empty())
        .collect();
    if others.is_empty() {
        let (text, hits, beyond_server) = base;
        return (Cow::Owned(text.into_owned()), hits, beyond_server);
    }
    let readings: Vec<Reading> = std::iter::once(ways[0])
        .chain(others)
        .map(|way| read(&clean, &cuts, way, true))
        .collect();
    let len = clean.len();
    let mut union = readings[0].masked(len);
    let mut more = false;
    for r in &readings[1..] {
        for (u, v) in union.iter_mut().zip(r.masked(len)) {
            more |= v && !*u;
            *u |= v;
        }
    }
    let (mut hits, mut beyond_server) = (readings[0].hits.clone(), readings[0].beyond_server);
    for r in &readings[1..] {
        for (kind, n) in &r.hits {
            match hits.iter_mut().find(|(k, _)| k == kind) {
                Some((_, m)) => *m = (*m).max(*n),
                None => add_hits(&mut hits, *kind, *n),
            }
        }
        beyond_server.upstream = beyond_server.upstream.max(r.beyond_server.upstream);
        beyond_server.fork = beyond_server.fork.max(r.beyond_server.fork);
    }
    hits.sort();
    if !more {
        return (Cow::Owned(base.0.into_owned()), hits, beyond_server);
    }
    let all: Vec<&Reading> = readings.iter().collect();
    let text = spliced(&clean, &union, &all);
    (Cow::Owned(text), hits, beyond_server)
}

/// `clean` (characters removed at `cuts`) masked as `way` reads it; each unit followed to
/// where it ends up when `follow`.
fn read(clean: &str, cuts: &[usize], way: Way, follow: bool) -> Reading {
    let (which, treat) = way;
    let view = which.and_then(|w| escapes::decode(clean, cuts, w));
    let (text, cuts, units): (&str, Vec<usize>, Vec<Unit>) = match &view {
        Some(v) => (
            &v.text,
            v.cuts.clone(),
            if follow { v.units() } else { Vec::new() },
        ),
        None => {
            let units = if follow {
                clean
                    .char_indices()
                    .map(|(i, c)| (i..i + c.len_utf8(), i..i + c.len_utf8()))
                    .collect()
            } else {
                Vec::new()
            };
            (clean, cuts.to_vec(), units)
        }
    };
    follow_units(text, cuts, units, treat)
}

/// Mask `text` (characters removed at `cuts`) as `treat` says, following its `units` (their
/// places in the clean text and in `text`).
fn follow_units(text: &str, cuts: Vec<usize>, units: Vec<Unit>, treat: Cuts) -> Reading {
    let mut places = Places {
        cuts,
        kept: units
            .iter()
            .flat_map(|(_, at)| [Some(at.start), Some(at.end)])
            .collect(),
    };
    let (masked, hits, beyond_server) = match treat {
        Cuts::Around => mask_around(Cow::Borrowed(text), &mut places),
        Cuts::Parted => mask_marked(Cow::Borrowed(text), &mut places, false),
        Cuts::Through => mask_marked(Cow::Borrowed(text), &mut places, true),
    };
    let units = units
        .into_iter()
        .zip(places.kept.chunks(2))
        .map(|((clean, at), edges)| {
            let out = match *edges {
                [Some(start), Some(end)] if masked.get(start..end) == Some(&text[at]) => {
                    Some(start..end)
                }
                _ => None,
            };
            (clean, out)
        })
        .collect();
    Reading {
        text: masked.into_owned(),
        hits,
        beyond_server,
        units,
    }
}

/// The clean text with each run of `masked` bytes replaced: by what a reading that masked
/// exactly that run put there, else by the placeholders of every reading's mask over it.
fn spliced(clean: &str, masked: &[bool], readings: &[&Reading]) -> String {
    let mut out = String::with_capacity(clean.len());
    let mut at = 0;
    while at < clean.len() {
        let end = masked[at..]
            .iter()
            .position(|&m| m != masked[at])
            .map_or(clean.len(), |n| at + n);
        if !masked[at] {
            out.push_str(&clean[at..end]);
        } else {
            let run = at..end;
            // A reading's own replacement only where every reading that masked any of the run
            // masked all of it: a replacement keeps text of its match (a URL's scheme, a
            // name), and what one reading keeps another may have masked (a token glued to the
            // scheme by a removal). Where they differ, only placeholders.
            let mut touching = readings.iter().filter(|r| r.touches(&run));
            let agreed: Option<Vec<&str>> = touching
                .by_ref()
                .map(|r| r.replacement(&run, clean.len()))
                .collect();
            match agreed.as_deref() {
                Some([first, ..]) => out.push_str(first),
                _ => out.push_str(&placeholders(&run, readings)),
            }
        }
        at = end;
    }
    out
}

/// The placeholders every reading put over any part of `run`, each once, in order.
fn placeholders(run: &Range<usize>, readings: &[&Reading]) -> String {
    let mut found: Vec<&str> = Vec::new();
    for r in readings {
        let mut start = None;
        for (i, (clean, out)) in r.units.iter().enumerate() {
            let overlaps = clean.start < run.end && clean.end > run.start;
            if out.is_none() && overlaps && start.is_none() {
                start = Some(i);
            }
            if out.is_some() || i + 1 == r.units.len() {
                if let Some(s) = start.take() {
                    let from = s.checked_sub(1).and_then(|p| r.units[p].1.as_ref());
                    let from = from.map_or(0, |o| o.end);
                    let to = out.as_ref().map_or(r.text.len(), |o| o.start);
                    let put = r.text.get(from..to).unwrap_or_default();
                    add_placeholders(put, &mut found);
                }
            }
        }
    }
    placeholders_text(&found)
}
