use super::*;

fn lines(input: &str) -> Vec<Line> {
    let mut r = CaptureReader::new(input.as_bytes());
    std::iter::from_fn(|| r.next_line().unwrap()).collect()
}

#[test]
fn reads_header_records_bare_frames_and_bad_lines() {
    let got = lines(concat!(
        "{\"failwatch_capture\":1,\"source\":\"ws://x\",\"started_at\":\"2026-11-20T03:14:00+00:00\"}\n",
        "{\"at\":\"2026-11-20T03:14:01.500Z\",\"frame\":{\"type\":\"pong\"}}\n",
        "\n",
        "{\"type\":\"auth_ack\"}\n",
        "{\"at\":\"2026-11-20T03:14:02Z\",\"frame\":\"not json on the wire\"}\n",
        "[1,2]\n",
        "{not json\n",
        "{\"at\":\"2026-11-20T03:14:03Z\",\"frame\":{\"ty",
    ));
    let t = |s: &str| parse_time(s).unwrap();
    assert_eq!(
        got,
        vec![
            Line::Header(Header {
                source: Some("ws://x".into()),
                started_at: Some(t("2026-11-20T03:14:00Z")),
                api: false,
            }),
            Line::Frame {
                at: t("2026-11-20T03:14:01.500Z"),
                text: "{\"type\":\"pong\"}".into(),
                synthetic: false,
                workspace: None,
            },
            Line::Blank,
            Line::Frame {
                at: t("2026-11-20T03:14:01.600Z"),
                text: "{\"type\":\"auth_ack\"}".into(),
                synthetic: true,
                workspace: None,
            },
            Line::Frame {
                at: t("2026-11-20T03:14:02Z"),
                text: "not json on the wire".into(),
                synthetic: false,
                workspace: None,
            },
            Line::Bad("JSON but not an object".into()),
            Line::Bad("not JSON".into()),
            Line::Bad("not JSON (truncated last line)".into()),
        ]
    );
}

#[test]
fn binary_garbage_is_a_bad_line() {
    let mut r = CaptureReader::new(&b"\x00\x01binary\n\xff\xfe\n"[..]);
    assert!(matches!(r.next_line().unwrap(), Some(Line::Bad(_))));
    assert_eq!(r.next_line().unwrap(), Some(Line::Bad("not UTF-8".into())));
    assert_eq!(r.next_line().unwrap(), None);
}

#[test]
fn writer_redacts_by_default_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
    let frame = format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"t","error":"token {secret} \u001b[2J"}}}}"#
    );
    let at = parse_time("2026-11-20T03:14:01.5Z").unwrap();
    let mut w = CaptureWriter::create(&path, "ws://h/ws", false, false).unwrap();
    w.write(at, None, &frame).unwrap();
    w.write(at, None, "plain text frame").unwrap();
    w.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(secret), "{text}");
    assert!(!text.contains("\\u001b"), "{text}");
    let got = lines(&text);
    assert!(matches!(&got[0], Line::Header(_)));
    let Line::Frame {
        at: got_at,
        text: f,
        ..
    } = &got[1]
    else {
        panic!()
    };
    assert_eq!(*got_at, at);
    assert!(f.contains("\"task_id\":\"t\""));
    assert!(matches!(&got[2], Line::Frame { text, .. } if text == "plain text frame"));

    let raw_path = dir.path().join("raw.jsonl");
    let mut w = CaptureWriter::create(&raw_path, "ws://h/ws", true, false).unwrap();
    w.write(at, None, &frame).unwrap();
    w.finish().unwrap();
    assert!(std::fs::read_to_string(&raw_path).unwrap().contains(secret));
}

#[test]
fn a_bare_frame_takes_its_time_from_its_event_id() {
    // 01M0FAPT38… is a ULID: its first 10 characters are milliseconds since the epoch.
    let id = "01M0FAPT38GC6CVK3954QMBSKR";
    let want = crate::protocol::Ulid::parse(id).unwrap().time().unwrap();
    let got = lines(&format!(
        "{{\"type\":\"task:failed\",\"event_id\":\"{id}\",\"payload\":{{}}}}\n"
    ));
    assert_eq!(
        got,
        vec![Line::Frame {
            at: want,
            text: format!("{{\"type\":\"task:failed\",\"event_id\":\"{id}\",\"payload\":{{}}}}"),
            synthetic: false,
            workspace: None,
        }]
    );
}

#[test]
fn gap_records_round_trip_and_their_reason_is_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    let from = parse_time("2026-11-20T03:14:00Z").unwrap();
    let to = parse_time("2026-11-20T03:14:09Z").unwrap();
    let mut w = CaptureWriter::create(&path, "ws://h/ws", false, false).unwrap();
    w.write_gap(&Gap {
        from,
        to: Some(to),
        why: "reconnected".into(),
    })
    .unwrap();
    w.finish().unwrap();
    let got = lines(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(
        got[1],
        Line::Gap(Gap {
            from,
            to: Some(to),
            why: "reconnected".into()
        })
    );
    let hostile = lines(
        "{\"gap\":{\"from\":\"2026-11-20T03:14:00Z\",\"why\":\"\\u001b]0;pwned\\u0007 ghp_0123456789abcdefghijABCDEFGHIJ0123456789\"}}\n{\"gap\":{\"why\":\"x\"}}\n",
    );
    let Line::Gap(g) = &hostile[0] else {
        panic!("{hostile:?}")
    };
    assert_eq!(g.to, None, "an open gap stays open");
    assert!(
        !g.why.contains('\u{1b}') && !g.why.contains('\u{7}'),
        "{:?}",
        g.why
    );
    assert!(!g.why.contains("ghp_0123"), "{:?}", g.why);
    assert_eq!(hostile[1], Line::Bad("gap record without a time".into()));
}

#[test]
fn a_line_past_the_bound_is_skipped_without_being_held() {
    let mut input = vec![b'{'; MAX_LINE_BYTES + 10];
    input.push(b'\n');
    input.extend_from_slice(b"{\"type\":\"pong\"}\n");
    let mut r = CaptureReader::new(&input[..]);
    assert!(
        matches!(r.next_line().unwrap(), Some(Line::Bad(why)) if why.contains("over the")),
        "overlong line reported"
    );
    assert!(
        r.buf.capacity() <= MAX_LINE_BYTES + 64 * 1024,
        "never grew past the bound"
    );
    assert!(
        matches!(r.next_line().unwrap(), Some(Line::Frame { .. })),
        "next line still read"
    );
}

#[test]
fn a_recording_keeps_only_what_is_used_and_masks_secrets_under_key_names() {
    let frame = r#"{"type":"chat:message","event_id":"01M0FAPT38GC6CVK3954QMBSKR","payload":{"chat_session_id":"s","task_id":"t","content":"my private message"}}"#;
    let v = recorded_frame(frame, false).to_string();
    assert!(!v.contains("private"), "{v}");
    assert!(v.contains("\"chat_session_id\":\"s\""), "{v}");
    let failed = r#"{"type":"task:failed","payload":{"task_id":"t","error":"{\"db_password\":\"hunter2hunter2\"} at /home/alice/x","issue_title":"secret plans"}}"#;
    let v = recorded_frame(failed, false).to_string();
    assert!(!v.contains("hunter2"), "{v}");
    assert!(!v.contains("alice"), "{v}");
    assert!(!v.contains("secret plans"), "{v}");
    let comment = r#"{"type":"comment:created","payload":{"comment":{"type":"comment","author_type":"member","content":"a person's words","source_task_id":"t"}}}"#;
    let v = recorded_frame(comment, false).to_string();
    assert!(!v.contains("person's words"), "{v}");
    let not_json = "plain \\u0067hp_0123456789abcdefghijABCDEFGHIJ0123456789";
    let v = recorded_frame(not_json, false).to_string();
    assert!(
        !v.contains("hp_0123456789abcdefghij"),
        "escaped secret still masked: {v}"
    );
}

#[test]
fn recovered_texts_and_failed_lookups_round_trip_and_the_header_says_the_api_was_asked() {
    use crate::enrich::{ApiAttempt, ApiSource, Recovered, Recovery, SeenText};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.jsonl");
    let at = parse_time("2026-11-20T03:14:00Z").unwrap();
    let found = Recovery {
        task_id: "t1".into(),
        outcome: Ok(Recovered {
            source: ApiSource::IssueRuns,
            error: Some(SeenText::new("exit 137 with password=hunter2hunter2")),
            attempt: Some(ApiAttempt {
                attempt: 2,
                max_attempts: 2,
                parent_task_id: Some("t0".into()),
            }),
        }),
    };
    let failed = Recovery {
        task_id: "t2".into(),
        outcome: Err("HTTP 403: not your chat session \u{1b}[2J".into()),
    };
    let mut w = CaptureWriter::create(&path, "ws://h/ws", false, true).unwrap();
    w.write_recovery(at, &found).unwrap();
    w.write_recovery(at, &failed).unwrap();
    w.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("hunter2"), "recorded redacted: {text}");
    let got = lines(&text);
    assert!(matches!(&got[0], Line::Header(h) if h.api));
    let Line::Recovered(r) = &got[1] else {
        panic!("{:?}", got[1])
    };
    let Ok(rec) = &r.outcome else { panic!() };
    assert_eq!((&*r.task_id, rec.source), ("t1", ApiSource::IssueRuns));
    assert!(rec.error.as_ref().unwrap().text.starts_with("exit 137"));
    assert_eq!(rec.attempt, found.outcome.as_ref().unwrap().attempt);
    let Line::Recovered(r) = &got[2] else {
        panic!("{:?}", got[2])
    };
    assert_eq!(&*r.task_id, "t2");
    let why = &r.outcome.as_ref().unwrap_err().why;
    assert!(why.contains("not your chat session") && !why.contains('\u{1b}'));
    assert!(!r.text_cut());
}

/// A recovered text cut to its bound, and a lookup whose answer was cut before its row, are
/// still cut when read back: the replay counts them as the live run did, and says the same.
#[test]
fn cut_recovered_texts_and_lookups_lost_to_a_cut_answer_are_read_back_as_cut() {
    use crate::enrich::{ApiSource, LookupFailed, Recovered, Recovery, SeenText};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.jsonl");
    let at = parse_time("2026-11-20T03:14:00Z").unwrap();
    let huge = format!("boom {}", "word ".repeat(30_000));
    let seen = SeenText::new(&huge);
    assert!(seen.cut > 0);
    let found = Recovery {
        task_id: "t1".into(),
        outcome: Ok(Recovered {
            source: ApiSource::AgentTasks,
            error: Some(seen.clone()),
            attempt: None,
        }),
    };
    let lost = Recovery {
        task_id: "t2".into(),
        outcome: Err(LookupFailed {
            why: "answer cut at 8 MiB: the agent's task list is longer".into(),
            cut: true,
        }),
    };
    let whole = Recovery {
        task_id: "t3".into(),
        outcome: Ok(Recovered {
            source: ApiSource::AgentTasks,
            error: Some(SeenText::new("exit 1")),
            attempt: None,
        }),
    };
    let mut w = CaptureWriter::create(&path, "ws://h/ws", false, true).unwrap();
    for r in [&found, &lost, &whole] {
        w.write_recovery(at, r).unwrap();
    }
    w.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(r#""cut":0"#),
        "no mark on a text not cut: {text}"
    );
    let got = lines(&text);
    let recovered: Vec<&Recovery> = got
        .iter()
        .filter_map(|l| match l {
            Line::Recovered(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(recovered.len(), 3);
    let back = recovered[0]
        .outcome
        .as_ref()
        .unwrap()
        .error
        .as_ref()
        .unwrap();
    assert_eq!(
        back.cut, seen.cut,
        "the bytes cut, as the live run cut them"
    );
    assert_eq!(back.text, seen.text, "one mark, not a second one");
    assert!(recovered[0].text_cut());
    assert_eq!(recovered[1].outcome, lost.outcome);
    assert!(recovered[1].text_cut());
    assert!(!recovered[2].text_cut());
}

/// The one-pass reading of frame lines gives what serde's reading of the record gives, on the
/// fixture captures and on mangled copies of their lines; other lines are left to serde.
#[test]
fn fast_frame_lines_read_as_serde_reads_them() {
    let capture = [
        include_str!("../../tests/data/upstream-incident.jsonl"),
        include_str!("../../tests/data/sample-capture.jsonl"),
        include_str!("../../tests/data/upstream-frames.jsonl"),
    ]
    .concat();
    let last_at = parse_time("2026-11-20T03:14:00Z");
    let bad = |why: &str| Line::Bad(why.to_owned());
    let mut fast = 0;
    for line in capture.lines().take(300) {
        let mut texts = vec![line.to_owned()];
        for (i, _) in line.char_indices().step_by(7) {
            for with in [
                "\"at\":1,",
                "\"gap\":{},",
                "\"frame\":\"x\",",
                "\"workspace\":\"w1\",",
                "\"workspace\":7,",
                "\\\\",
                " ",
            ] {
                texts.push(format!("{}{}{}", &line[..i], with, &line[i..]));
            }
        }
        for text in &texts {
            let Some((recorded, frame, workspace)) = read::plain_frame(text) else {
                continue;
            };
            fast += 1;
            let workspace = workspace.as_deref().and_then(read::workspace_of);
            assert_eq!(
                read::frame_line(recorded, frame.to_owned(), workspace, last_at),
                read::parse_record(text, bad, last_at),
                "{text}"
            );
        }
    }
    assert!(
        fast > 1000,
        "frame lines take the one-pass reading ({fast})"
    );
}

#[test]
fn the_written_time_form_reads_as_rfc3339_does() {
    for s in [
        "2026-11-20T03:14:01.500Z",
        "2024-02-29T23:59:59.999Z",
        "1970-01-01T00:00:00.000Z",
    ] {
        let general = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(super::millis_utc(s), Some(general), "{s}");
    }
    for s in [
        "2026-02-30T03:14:01.500Z",
        "2026-11-20T24:14:01.500Z",
        "2026-11-20T03:14:60.500Z",
        "2026-11-20T03:14:01.50Z",
        "2026-11-20 03:14:01.500Z",
        "2026-11-20T03:14:01.500+",
        "+026-11-20T03:14:01.500Z",
    ] {
        assert_eq!(super::millis_utc(s), None, "{s}");
    }
    assert!(
        parse_time("2026-11-20T03:14:60.500Z").is_some(),
        "leap second, read by chrono"
    );
}

/// A frame decoded in the pass that reads its line (bare, or in a record) gives what the record
/// reading and the exact decoder give, on the fixture frames, records of them, and mangled
/// copies of both; anything odd is left to them.
#[test]
fn frame_lines_decode_as_the_exact_reading_does() {
    let frames = [
        include_str!("../../tests/data/upstream-frames.jsonl"),
        include_str!("../../tests/data/octo-frames.jsonl"),
    ]
    .concat();
    let records = frames
        .lines()
        .map(|f| format!(r#"{{"at":"2026-11-20T03:14:01.500Z","frame":{f}}}"#));
    let mut fast = 0;
    for line in frames.lines().map(str::to_owned).chain(records) {
        let line = line.as_str();
        let mut texts = vec![line.to_owned()];
        for (i, _) in line.char_indices().step_by(5) {
            for with in [
                "\"at\":1,",
                "\"source\":2,",
                "\"workspace\":\"w\\u0007\\u001b[31mx\",",
                "\"workspace\":null,",
                "\"frame\":{},",
                "\\\\",
                " ",
                "\"x\":[1,{}],",
            ] {
                texts.push(format!("{}{}{}", &line[..i], with, &line[i..]));
            }
        }
        for text in &texts {
            let Some((at, workspace, decoded)) = read::decoded_frame(text) else {
                continue;
            };
            fast += 1;
            let Line::Frame {
                at: exact_at,
                text: frame,
                synthetic,
                workspace: exact_workspace,
            } = parse_line(text.as_bytes(), true, None)
            else {
                panic!("read as a frame, but the record reading says otherwise: {text}");
            };
            assert_eq!(at, (!synthetic).then_some(exact_at), "{text}");
            let workspace = workspace.as_deref().and_then(read::workspace_of);
            assert_eq!(workspace, exact_workspace, "{text}");
            assert_eq!(
                Ok(decoded),
                crate::protocol::decode_with_id(&frame),
                "{text}"
            );
        }
    }
    assert!(fast > 400, "frame lines take the one-pass reading ({fast})");
}

/// Pacing a bare frame after the one before adds its step as calendar arithmetic does, at every
/// fraction of a second, across a second's, a day's and a year's end, and from a leap second.
#[test]
fn pacing_adds_its_step_as_calendar_arithmetic_does() {
    use chrono::{NaiveDate, TimeDelta};
    let step = TimeDelta::milliseconds(BARE_FRAME_PACE_MS);
    let days = [(2026, 11, 20), (2026, 12, 31), (2024, 2, 29)];
    for (y, m, d) in days {
        for (h, min, s) in [(3, 14, 1), (23, 59, 59)] {
            for nanos in [
                0,
                1,
                99_999_999,
                899_999_999,
                900_000_000,
                900_000_001,
                999_999_999,
            ] {
                let t = NaiveDate::from_ymd_opt(y, m, d)
                    .and_then(|d| d.and_hms_nano_opt(h, min, s, nanos))
                    .unwrap()
                    .and_utc();
                assert_eq!(clock::paced_after(Some(t)), t + step, "{t:?}");
            }
        }
    }
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
        .unwrap()
        .and_utc();
    assert_eq!(
        clock::paced_after(Some(leap)),
        leap.checked_add_signed(step).unwrap()
    );
    assert_eq!(clock::paced_after(None), DateTime::UNIX_EPOCH);
}
