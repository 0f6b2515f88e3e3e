//! An answer's JSON array, item by item, into what failwatch keeps of it. A body cut at its byte
//! cap ([`super::body`]) still gives the items that ended before the cut: every one of them
//! complete and parsed as any other (an item the cut fell in is dropped, never guessed at),
//! and the answer says it was cut. Kept items are weighed as they come; past the weight cap
//! the rest is not kept either (a body of tiny items would otherwise weigh many times its
//! bytes once parsed), and that is a cut too.

use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, SeqAccess, Visitor};

/// What an item holds in memory, in bytes (its own size and what it owns).
pub trait Weigh {
    fn weight(&self) -> usize;
}

/// An array's items, kept.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded<T> {
    pub items: Vec<T>,
    /// Their weight, the vector's spare room included.
    pub bytes: usize,
    /// Not every item is here: the body was cut, or the items outweighed the cap.
    pub cut: bool,
}

/// The items of the array in `body`, kept up to `cap` bytes by their weight. `body_cut`: the
/// body is the head of a longer one, so it may end anywhere. An answer that is not an array of
/// such items (before the cut, if cut) is an error.
pub fn decode<T: DeserializeOwned + Weigh>(
    body: &[u8],
    body_cut: bool,
    cap: usize,
) -> Result<Decoded<T>, String> {
    let mut kept = Kept {
        items: Vec::new(),
        bytes: 0,
        cap,
        full: false,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let read = (&mut kept).deserialize(&mut de).and_then(|()| de.end());
    let cut = match read {
        Ok(()) => body_cut,
        Err(_) if kept.full => true,
        // The body ended where it was cut: what came before it stands.
        Err(e) if body_cut && e.is_eof() => true,
        Err(e) => return Err(format!("the answer is not the JSON expected ({e})")),
    };
    let spare = kept.items.capacity() - kept.items.len();
    Ok(Decoded {
        bytes: kept.bytes + spare * std::mem::size_of::<T>(),
        items: kept.items,
        cut,
    })
}

struct Kept<T> {
    items: Vec<T>,
    bytes: usize,
    cap: usize,
    /// The cap was reached: parsing stopped.
    full: bool,
}

impl<'de, T: DeserializeOwned + Weigh> DeserializeSeed<'de> for &mut Kept<T> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned + Weigh> Visitor<'de> for &mut Kept<T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Items are pushed as each one ends, so a cut later leaves them here.
        while let Some(item) = seq.next_element::<T>()? {
            let weight = item.weight();
            if self.bytes + weight > self.cap {
                self.full = true;
                return Err(A::Error::custom("the answer outweighs its cap"));
            }
            self.bytes += weight;
            self.items.push(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq, Eq)]
    struct Row {
        id: String,
    }

    impl Weigh for Row {
        fn weight(&self) -> usize {
            std::mem::size_of::<Row>() + self.id.capacity()
        }
    }

    fn ids(d: &Decoded<Row>) -> Vec<&str> {
        d.items.iter().map(|r| r.id.as_str()).collect()
    }

    const CAP: usize = 1 << 20;

    #[test]
    fn a_whole_answer_gives_every_item() {
        let d = decode::<Row>(br#"[{"id":"a"},{"id":"b","x":[1,{"y":2}]}]"#, false, CAP).unwrap();
        assert_eq!(ids(&d), ["a", "b"]);
        assert!(!d.cut);
        assert!(d.bytes >= 2 * std::mem::size_of::<Row>());
        let empty = decode::<Row>(b"[]\n", false, CAP).unwrap();
        assert!(empty.items.is_empty() && !empty.cut);
    }

    #[test]
    fn a_cut_answer_gives_the_items_that_ended_before_the_cut_and_says_so() {
        let whole = br#"[{"id":"a"},{"id":"b"},{"id":"c-long-enough"}]"#;
        for end in 0..whole.len() {
            let d = decode::<Row>(&whole[..end], true, CAP)
                .unwrap_or_else(|e| panic!("cut at {end}: {e}"));
            assert!(d.cut);
            let done = whole[..end].iter().filter(|&&b| b == b'}').count();
            assert_eq!(d.items.len(), done, "cut at {end}");
        }
    }

    #[test]
    fn an_answer_that_is_not_an_array_of_items_is_an_error_cut_or_not() {
        for (body, cut) in [
            (&br#"{"error":"x"}"#[..], false),
            (br#"[{"id":"a"}] trailing"#, false),
            (br#"[{"id":"a"},{"id":"b""#, false),
            (br#"[{"id":"a"},{"nope":1},{"id":"#, true),
            (br#"<html>"#, true),
        ] {
            let e = decode::<Row>(body, cut, CAP).unwrap_err();
            assert!(e.starts_with("the answer is not the JSON expected"), "{e}");
        }
    }

    #[test]
    fn items_past_the_weight_cap_are_not_kept_and_that_is_a_cut() {
        let body = format!(
            "[{}]",
            (0..1000)
                .map(|i| format!(r#"{{"id":"{i}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let one = std::mem::size_of::<Row>() + 3;
        let d = decode::<Row>(body.as_bytes(), false, 100 * one).unwrap();
        assert!(d.cut);
        assert!(
            d.items.len() >= 100 && d.items.len() < 1000,
            "{}",
            d.items.len()
        );
        assert!(d.bytes <= 2 * 100 * one + 64, "{}", d.bytes);
    }
}
