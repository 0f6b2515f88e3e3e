#!/usr/bin/env bash
# failwatch next to its peers on one generated capture, each a whole process timed from outside:
# `failwatch summary` (and `tail`) against the DuckDB CLI (read_ndjson, typed and JSON columns),
# jq and a plain Python json loop, each counting `task:failed` per failure reason. Checks that
# every peer finds the same per-reason counts as failwatch (exit 1 when one does not), then times
# every command best and median of 5 rounds, interleaved: each round runs every command once, in
# an order that rotates from round to round. Prints wall clock and CPU (user + sys) side by side,
# and `failwatch diff` of this capture and a second one against one `summary`.
#
# Usage: benches/peers.sh [lines]     (default 1000000; e.g. 100000 for a quick run)
# Environment: ROUNDS (default 5), SEED (default 1), FORM=bare|records (default bare: one frame a
#              line; records: the capture as failwatch writes it), NO_INSTALL=1 (never pip-install
#              the DuckDB CLI), CARGO_TARGET_DIR (honoured).
#
# DuckDB is its native CLI binary from the `duckdb-cli` package on PyPI, run directly. Its Python
# package, when installed, adds a labelled row whose figure includes starting Python.
set -euo pipefail

lines=${1:-1000000}
rounds=${ROUNDS:-5}
seed=${SEED:-1}
want_form=${FORM:-bare}
[[ $want_form == bare || $want_form == records ]] || { echo "FORM must be bare or records" >&2; exit 2; }
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
# The corpus, and a second one (another seed) for `diff`.
corpus_of() { # SEED FILE
  if [[ $want_form == records ]]; then
    "$bin" gen-corpus --lines "$lines" --seed "$1" > "$2"
    return
  fi
  "$bin" gen-corpus --lines "$lines" --seed "$1" |
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
' > "$2"
}
echo "generating the corpus: gen-corpus --lines $lines --seed $seed, as $want_form…"
corpus_of "$seed" "$corpus"
other="$dir/other.jsonl"
corpus_of "$((seed + 1))" "$other"
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
# Not a peer: `diff` of this capture and a second one of the same size (target: at most twice one
# summary, as it reads two captures).
commands+=("failwatch diff" "'$bin' diff '$corpus' '$other' --format json")

# DuckDB, as a whole process: the native CLI binary that the `duckdb-cli` package on PyPI carries
# (run directly: the package's `duckdb` script is a Python wrapper that would add starting Python).
duckdb_bin() {
  python3 -c 'import duckdb_cli, os; print(os.path.join(os.path.dirname(duckdb_cli.__file__), "duckdb"))' 2>/dev/null
}
duckdb=$(duckdb_bin || true)
if [[ ! -x $duckdb && -z ${NO_INSTALL:-} ]]; then
  echo "the DuckDB CLI is missing: pip install duckdb-cli…"
  if python3 -m pip install --quiet duckdb-cli >"$dir/pip.log" 2>&1; then
    duckdb=$(duckdb_bin || true)
  else
    echo "  pip could not install it ($(tail -n 1 "$dir/pip.log"))"
  fi
fi
if [[ -x $duckdb ]]; then
  echo "DuckDB CLI $("$duckdb" --version) (the native binary $duckdb, $(nproc) threads)"
  # Two forms of the same count: the JSON column the ad-hoc query uses, and typed columns (DuckDB
  # reads only the fields declared), its fastest here. A payload that is not an object is NULL
  # under the typed form (ignore_errors), so both count exactly what failwatch counts.
  if [[ $form == bare ]]; then
    json_cols="{'type': 'VARCHAR', 'payload': 'JSON'}" typ="type" payload="payload"
    typed_cols="{'type': 'VARCHAR', 'payload': 'STRUCT(failure_reason VARCHAR)'}"
    typed_typ="type" typed_payload="payload"
  else
    json_cols="{'frame': 'JSON'}" typ="frame->>'type'" payload="frame->'payload'"
    typed_cols="{'frame': 'STRUCT(type VARCHAR, payload STRUCT(failure_reason VARCHAR))'}"
    typed_typ="frame.type" typed_payload="frame.payload"
  fi
  cat > "$dir/duckdb_json.sql" <<SQL
SELECT coalesce(nullif(trim($payload->>'failure_reason'), ''), 'none') AS reason, count(*) AS n
FROM read_ndjson('$corpus', columns = $json_cols, ignore_errors = true)
WHERE $typ = 'task:failed' AND json_type($payload) = 'OBJECT'
GROUP BY ALL;
SQL
  cat > "$dir/duckdb_typed.sql" <<SQL
SELECT coalesce(nullif(trim($typed_payload.failure_reason), ''), 'none') AS reason, count(*) AS n
FROM read_ndjson('$corpus', columns = $typed_cols, ignore_errors = true)
WHERE $typed_typ = 'task:failed' AND $typed_payload IS NOT NULL
GROUP BY ALL;
SQL
  commands+=("duckdb cli, typed" "'$duckdb' -json -f '$dir/duckdb_typed.sql'")
  commands+=("duckdb cli, json" "'$duckdb' -json -f '$dir/duckdb_json.sql'")
else
  echo "SKIPPED the DuckDB CLI: not installed (pip install duckdb-cli; NO_INSTALL was set or pip failed)"
fi
# The Python package, only where it is already installed, and labelled: its figure includes
# starting Python and importing the module.
if python3 -c 'import duckdb' 2>/dev/null; then
  echo "DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') Python package (an extra row: it includes starting Python)"
  commands+=("duckdb via python" "python3 '$dir/duckdb_count.py' '$corpus' $form")
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
import json, os, resource, statistics, subprocess, sys, time

dir, rounds, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cmds = list(zip(rest[0::2], rest[1::2]))
out = {name: os.path.join(dir, "out.%d" % i) for i, (name, _) in enumerate(cmds)}

for name in ("corpus.jsonl", "other.jsonl"):  # into the page cache first
    with open(os.path.join(dir, name), "rb") as f:
        while f.read(1 << 24):
            pass

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

times = {name: [] for name, _ in cmds}
cpus = {name: [] for name, _ in cmds}
for r in range(rounds):
    k = r % len(cmds)
    for name, cmd in cmds[k:] + cmds[:k]:
        with open(out[name], "wb") as o:
            c0 = cpu()
            t0 = time.perf_counter()
            # exec: the shell is replaced, so the figures are the command's alone.
            p = subprocess.run("exec " + cmd, shell=True, stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.PIPE)
            t1 = time.perf_counter()
            c1 = cpu()
        if p.returncode != 0:
            sys.exit("%s failed (exit %d): %s" % (name, p.returncode, p.stderr.decode(errors="replace")[-2000:]))
        times[name].append(t1 - t0)
        cpus[name].append(c1 - c0)
    print("round %d/%d: %s" % (r + 1, rounds, "  ".join("%s %.2fs" % (n, times[n][-1]) for n, _ in cmds)), flush=True)

def counts(name):
    with open(out[name]) as f:
        v = json.load(f)
    if isinstance(v, list):  # the DuckDB CLI's -json: [{"reason": …, "n": …}, …]
        v = {row["reason"]: row["n"] for row in v}
    return v

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
    theirs = counts(name)
    diff = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    if diff:
        agree = False
        print("%s: per-reason counts DIFFER from failwatch's on %d reasons:" % (name, len(diff)))
        for k in diff[:20]:
            print("  %-45s failwatch %8s   %s %8s" % (k, ours.get(k, "-"), name, theirs.get(k, "-")))
    else:
        print("%s: %d reasons, %d failures" % (name, len(theirs), sum(theirs.values())))
print("per-reason counts: %s" % ("identical" if agree else "DIFFER"))

# The table: wall clock, and CPU (user + sys of the process and all it waited for).
stats = {n: (min(t), statistics.median(t)) for n, t in times.items()}
cpu_stats = {n: (min(t), statistics.median(t)) for n, t in cpus.items()}
print("\n%-20s %8s %9s %9s %11s   (%d rounds, interleaved)" % (
    "command", "best s", "median s", "cpu best", "cpu median", rounds))
for name, _ in cmds:
    print("%-20s %8.3f %9.3f %9.3f %11.3f" % (name, *stats[name], *cpu_stats[name]))
base = stats["failwatch summary"]
print()
target = "   target >= 1.5x"
for name, _ in cmds:
    if name.startswith("failwatch"):
        continue
    b, m = stats[name]
    print("failwatch summary vs %-20s %5.2fx best, %5.2fx median (their time / ours)%s" % (
        name + ":", b / base[0], m / base[1], target if name.startswith("duckdb cli") else ""))
d = stats["failwatch diff"]
print("failwatch diff / failwatch summary:        %5.2fx best, %5.2fx median   target <= 2x" % (
    d[0] / base[0], d[1] / base[1]))
sys.exit(0 if agree else 1)
EOF
