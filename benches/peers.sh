#!/usr/bin/env bash
# failwatch next to its peers on one generated capture: `failwatch summary` (and `failwatch tail`)
# against DuckDB (read_ndjson), jq and a plain Python json loop, each counting `task:failed` per
# failure reason. Checks that every peer finds the same per-reason counts as failwatch (exit 1
# when one does not), then times every command best and median of 5 rounds, interleaved: each
# round runs every command once, in an order that rotates from round to round.
#
# Usage: benches/peers.sh [lines]     (default 1000000; e.g. 100000 for a quick run)
# Environment: ROUNDS (default 5), SEED (default 1), NO_INSTALL=1 (never pip-install DuckDB),
#              CARGO_TARGET_DIR (honoured).
#
# The corpus is `failwatch gen-corpus`, rewritten as bare frames (one Multica frame per line,
# after the capture header), the shape the peers' queries are written for; a capture of
# {"at":…,"frame":…} records is handled too (the peers unwrap `frame`).
set -euo pipefail

lines=${1:-1000000}
rounds=${ROUNDS:-5}
seed=${SEED:-1}
[[ $lines =~ ^[0-9]+$ && $lines -gt 0 ]] || { echo "usage: $0 [lines]  (a positive number)" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || { echo "ROUNDS must be a positive number" >&2; exit 2; }

command -v cargo >/dev/null || { echo "cargo is required to build failwatch" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required (timing harness, count checks)" >&2; exit 1; }

# A relative CARGO_TARGET_DIR means relative to where we were started, as for cargo itself.
if [[ -n ${CARGO_TARGET_DIR:-} && $CARGO_TARGET_DIR != /* ]]; then
  export CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "building failwatch (cargo build --release)…"
cargo build --release --quiet
target=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/failwatch"
[[ -x $bin ]] || { echo "no binary at $bin after the build" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/failwatch-peers.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# No user config or saved state can change what failwatch counts.
export XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state"
corpus="$dir/corpus.jsonl"

# ---------------------------------------------------------------------------------------------
# The corpus.
echo "generating the corpus: gen-corpus --lines $lines --seed $seed, as bare frames…"
"$bin" gen-corpus --lines "$lines" --seed "$seed" |
  python3 -c '
import sys
# {"at":"…","frame":F} -> F; the header and any other line are kept as they are.
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    if line.startswith(b"{\"at\":\"") and line.endswith(b"}\n"):
        i = line.find(b"\",\"frame\":", 7)
        if i > 0:
            line = line[i + 10:-2] + b"\n"
    out.write(line)
' > "$corpus"
# What the file holds now: bare frames, or records if the rewrite above left them (a line after
# the header that is an object with a "frame" key).
form=$(python3 - "$corpus" <<'EOF'
import json, sys
with open(sys.argv[1], "rb") as f:
    for line in f:
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if isinstance(v, dict) and "failwatch_capture" not in v:
            print("records" if "frame" in v else "bare")
            break
    else:
        print("bare")
EOF
)
read -r n_lines < <(wc -l < "$corpus")
n_bytes=$(stat -c %s "$corpus")
echo "corpus: $n_lines lines, $n_bytes bytes ($(numfmt --to=iec "$n_bytes" 2>/dev/null || echo "$n_bytes B")), $form"

# ---------------------------------------------------------------------------------------------
# The peers. Each prints {"reason": count, …}; a failure without a reason is "none", as in
# failwatch's by_reason. What failwatch counts as a failure: a frame (a bare line that is a JSON
# object, or a record's `frame`) of type "task:failed" whose payload is a JSON object; a blank
# failure_reason is no reason. Lines that are not JSON objects are bad lines, and not counted.

# DuckDB: two declared columns; ignore_errors=true is needed, or the corpus's garbage lines stop
# the read ("Malformed JSON"): with it they become rows of NULLs, never task:failed.
cat > "$dir/duckdb_count.py" <<'EOF'
import json, sys
import duckdb
path, form = sys.argv[1], sys.argv[2]
if form == "bare":
    cols, typ, payload = "{'type': 'VARCHAR', 'payload': 'JSON'}", "type", "payload"
else:
    cols, typ, payload = "{'frame': 'JSON'}", "frame->>'type'", "frame->'payload'"
q = f"""
SELECT coalesce(nullif(trim({payload}->>'failure_reason'), ''), 'none') AS reason, count(*)
FROM read_ndjson(?, columns = {cols}, ignore_errors = true)
WHERE {typ} = 'task:failed' AND json_type({payload}) = 'OBJECT'
GROUP BY ALL
"""
print(json.dumps(dict(duckdb.execute(q, [path]).fetchall()), sort_keys=True))
EOF

# jq: one line at a time (-R, fromjson?), so a bad line is skipped instead of ending the run.
cat > "$dir/jq_count.jq" <<'EOF'
reduce (inputs | fromjson? | select(type == "object" and (has("failwatch_capture") | not))
        | if has("frame") then .frame else . end
        | select(type == "object" and .type == "task:failed")
        | .payload | select(type == "object")
        | .failure_reason | select(. == null or type == "string")
        | if . != null and test("\\S") then . else "none" end) as $r
  ({}; .[$r] += 1)
EOF

# Plain Python: json.loads per line, the same rules.
cat > "$dir/py_count.py" <<'EOF'
import json, sys
from collections import Counter
counts = Counter()
with open(sys.argv[1], "rb") as f:
    for line in f:
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if not isinstance(v, dict) or "failwatch_capture" in v:
            continue
        if "frame" in v:
            v = v["frame"]
            if isinstance(v, str):  # a frame that was not JSON on the wire, kept as text
                try:
                    v = json.loads(v)
                except ValueError:
                    continue
        if not isinstance(v, dict) or v.get("type") != "task:failed":
            continue
        p = v.get("payload")
        if not isinstance(p, dict):
            continue
        r = p.get("failure_reason")
        if r is not None and not isinstance(r, str):
            continue
        counts[r.strip() if r and r.strip() else "none"] += 1
print(json.dumps(counts, sort_keys=True))
EOF

# name, shell command (stdout goes to a file: nothing shortcuts writing to /dev/null), output
commands=("failwatch summary" "'$bin' summary '$corpus' --format json")
commands+=("failwatch tail" "'$bin' tail '$corpus' --format jsonl")

have_duckdb=0
if python3 -c 'import duckdb' 2>/dev/null; then
  have_duckdb=1
elif [[ -z ${NO_INSTALL:-} ]]; then
  echo "DuckDB's Python package is missing: pip install duckdb…"
  if python3 -m pip install --quiet duckdb >"$dir/pip.log" 2>&1 && python3 -c 'import duckdb' 2>/dev/null; then
    have_duckdb=1
  else
    echo "  pip could not install it ($(tail -n 1 "$dir/pip.log"))"
  fi
fi
if ((have_duckdb)); then
  echo "DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') (Python package, $(nproc) threads)"
  commands+=("duckdb read_ndjson" "python3 '$dir/duckdb_count.py' '$corpus' $form")
else
  echo "SKIPPED DuckDB: its Python package is not installed (pip install duckdb)"
fi
if command -v jq >/dev/null; then
  jq --version
  commands+=("jq" "jq -nR -c -f '$dir/jq_count.jq' < '$corpus'")
else
  echo "SKIPPED jq: not installed (apt-get install jq)"
fi
echo "Python $(python3 -c 'import platform; print(platform.python_version())') json loop"
commands+=("python json" "python3 '$dir/py_count.py' '$corpus'")

# ---------------------------------------------------------------------------------------------
# Timing and the check, in one harness: rounds × commands, wall clock, rotating order; the
# outputs of the last round are compared.
python3 - "$dir" "$rounds" "${commands[@]}" <<'EOF'
import json, os, statistics, subprocess, sys, time

dir, rounds, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cmds = list(zip(rest[0::2], rest[1::2]))
out = {name: os.path.join(dir, "out.%d" % i) for i, (name, _) in enumerate(cmds)}

with open(os.path.join(dir, "corpus.jsonl"), "rb") as f:  # into the page cache first
    while f.read(1 << 24):
        pass

times = {name: [] for name, _ in cmds}
for r in range(rounds):
    k = r % len(cmds)
    for name, cmd in cmds[k:] + cmds[:k]:
        with open(out[name], "wb") as o:
            t0 = time.perf_counter()
            p = subprocess.run(cmd, shell=True, stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.PIPE)
            t1 = time.perf_counter()
        if p.returncode != 0:
            sys.exit("%s failed (exit %d): %s" % (name, p.returncode, p.stderr.decode(errors="replace")[-2000:]))
        times[name].append(t1 - t0)
    print("round %d/%d: %s" % (r + 1, rounds, "  ".join("%s %.2fs" % (n, times[n][-1]) for n, _ in cmds)), flush=True)

# The check: failwatch's by_reason against each peer's counts.
with open(out["failwatch summary"]) as f:
    summary = json.load(f)
ours = summary["by_reason"]
print("\nfailwatch: %d frames, %d failures, %d bad lines, %d duplicates, rejected %s" % (
    summary["frames"], summary["failures"], summary["bad_lines"], summary.get("duplicates", 0),
    json.dumps(summary.get("rejected") or {})))
with open(out["failwatch tail"], "rb") as f:
    tailed = sum(1 for _ in f)
agree = True
if tailed != summary["failures"]:
    agree = False
    print("failwatch tail printed %d records for %d failures" % (tailed, summary["failures"]))
for name, _ in cmds:
    if name.startswith("failwatch"):
        continue
    with open(out[name]) as f:
        theirs = json.load(f)
    diff = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    if diff:
        agree = False
        print("%s: per-reason counts DIFFER from failwatch's on %d reasons:" % (name, len(diff)))
        for k in diff[:20]:
            print("  %-45s failwatch %8s   %s %8s" % (k, ours.get(k, "-"), name, theirs.get(k, "-")))
    else:
        print("%s: %d reasons, %d failures" % (name, len(theirs), sum(theirs.values())))
print("per-reason counts: %s" % ("identical" if agree else "DIFFER"))

# The table.
stats = {n: (min(t), statistics.median(t)) for n, t in times.items()}
print("\n%-22s %8s %9s   (%d rounds, interleaved, wall clock)" % ("command", "best s", "median s", rounds))
for name, _ in cmds:
    print("%-22s %8.3f %9.3f" % (name, *stats[name]))
base = stats["failwatch summary"]
print()
for name, target in (("duckdb read_ndjson", "   target >= 1.5x"), ("jq", ""), ("python json", "")):
    if name in stats:
        b, m = stats[name]
        print("failwatch summary vs %-19s %5.1fx best, %5.1fx median (%s time / failwatch time)%s" % (
            name + ":", b / base[0], m / base[1], name.split()[0], target))
sys.exit(0 if agree else 1)
EOF
