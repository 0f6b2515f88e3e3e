#!/usr/bin/env bash
# Side by side, same run, same file: `failwatch summary` vs jq counting failures per reason over a
# generated capture of about 1M lines. Usage: benches/vs_jq.sh [lines]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)"; exit 1; }
cargo build --release --quiet
bin=target/release/failwatch
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" gen-corpus --lines "$lines" --seed 1 > "$dir/corpus.jsonl"
echo "corpus: $(wc -l < "$dir/corpus.jsonl") lines, $(du -h "$dir/corpus.jsonl" | cut -f1)"

best() { # best of 3 wall-clock seconds of "$@"
  local best=999999
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" > "$dir/out.$RANDOM" ; t1=$(date +%s.%N)
    best=$(echo "$t1 - $t0" | bc -l | awk -v b="$best" '{ print ($1 < b) ? $1 : b }')
  done
  echo "$best"
}

jq_count() {
  jq -nR '[inputs | fromjson? | select(type == "object") | .frame? | select(type == "object" and .type == "task:failed")
           | .payload | select(type == "object") | .failure_reason] | group_by(.) | map({(.[0] // "none"): length}) | add' \
     < "$dir/corpus.jsonl"
}
ours() { "$bin" summary "$dir/corpus.jsonl" --format json; }

t_ours=$(best ours)
t_jq=$(best jq_count)
printf 'failwatch summary: %.2f s   jq per-reason count: %.2f s   speedup: %.1fx (target >= 20x)\n' \
  "$t_ours" "$t_jq" "$(echo "$t_jq / $t_ours" | bc -l)"
# Same answer: failures per reason from both.
ours | jq -S '.by_reason' > "$dir/a.json"
jq_count | jq -S '.' > "$dir/b.json"
if diff -q "$dir/a.json" "$dir/b.json" >/dev/null; then echo "per-reason counts: identical"; else echo "per-reason counts DIFFER:"; diff "$dir/a.json" "$dir/b.json" | head; fi
