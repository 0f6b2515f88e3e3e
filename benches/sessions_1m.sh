#!/usr/bin/env bash
# Peak memory and time of `summary` over a storm of distinct chat sessions: one million
# failures, each of its own session (the per-session table is capped in bytes; the rest is
# counted and said). Prints wall time, peak RSS and the bytes of the JSON summary side by side
# for this build and, with FAILWATCH_PEER=/path/to/failwatch, another one.
#   bash benches/sessions_1m.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
capture=$(mktemp --suffix=.jsonl)
trap 'rm -f "$capture"' EXIT
python3 - "$n" "$capture" <<'EOF'
import sys, uuid
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    for i in range(n):
        sec = 1764000000 + i // 50
        ms = (i % 50) * 20
        at = f"2025-11-24T{(sec // 3600) % 24:02d}:{(sec // 60) % 60:02d}:{sec % 60:02d}.{ms:03d}Z"
        session = uuid.UUID(int=(0x0198 << 112) | i)
        task = uuid.UUID(int=(0x0199 << 112) | i)
        out.write('{"at":"%s","frame":{"type":"task:failed","payload":{"task_id":"%s","agent_id":"a1","issue_id":"","chat_session_id":"%s","failure_reason":"runtime_offline","retry_pending":false,"status":"failed","error":"runtime went offline"}}}\n' % (at, task, session))
EOF
echo "capture: $n failures, $(du -h "$capture" | cut -f1)"
cargo build --release --quiet
run() {
  local name=$1 bin=$2 out
  out=$(mktemp)
  /usr/bin/time -v "$bin" summary "$capture" --format json > "$out" 2> "$out.time" || true
  local wall rss bytes
  wall=$(grep "Elapsed (wall clock)" "$out.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$out.time" | awk '{print $NF}')
  bytes=$(wc -c < "$out")
  printf '%-10s wall %-8s peak RSS %6d MB   summary %8d bytes   sessions listed %s, beyond %s\n' \
    "$name" "$wall" $((rss / 1024)) "$bytes" \
    "$(python3 -c "import json,sys; d=json.load(open('$out')); print(len(d.get('sessions',{})))" 2>/dev/null || echo ?)" \
    "$(python3 -c "import json,sys; d=json.load(open('$out')); print(d.get('sessions_beyond',{}).get('failures','?') if isinstance(d.get('sessions_beyond'),dict) else d.get('sessions_beyond','?'))" 2>/dev/null || echo ?)"
  rm -f "$out" "$out.time"
}
run failwatch target/release/failwatch
if [ -n "${FAILWATCH_PEER:-}" ]; then run peer "$FAILWATCH_PEER"; fi
