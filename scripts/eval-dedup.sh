#!/usr/bin/env bash
# usage: bash scripts/eval-dedup.sh <dev-dir>
# Clusters both dev streams (full text, lead-only) with `khabar cluster`, prints the scorer's line for each,
# and fails when precision or recall of either stream drops below its floor (set just under the figures
# reached, so a regression cannot land). Raise the floors when the figures improve; never lower them to pass.
set -euo pipefail

DEV_DIR=${1:?usage: bash scripts/eval-dedup.sh <dev-dir>}
cd "$(dirname "$0")/.."

# stream  precision-floor  recall-floor
FLOORS=(
  "full    0.98 0.81"
  "summary 0.97 0.57"
)

CLUSTER=(npm run -s khabar -- cluster -)

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
status=0
for row in "${FLOORS[@]}"; do
  read -r stream pfloor rfloor <<<"$row"
  file="$DEV_DIR/dev-items-$stream.jsonl.gz"
  zcat "$file" | "${CLUSTER[@]}" >"$OUT/$stream.jsonl" 2>"$OUT/$stream.log" || {
    echo "dedup-eval $stream: cluster command failed:" >&2
    tail -5 "$OUT/$stream.log" >&2
    exit 1
  }
  score=$(python3 "$DEV_DIR/score.py" "$DEV_DIR/labels.jsonl" "$OUT/$stream.jsonl")
  echo "dedup-eval $stream: $score"
  echo "dedup-eval $stream: $(tail -1 "$OUT/$stream.log")"
  verdict=$(python3 -c '
import json, sys
s = json.loads(sys.argv[1]); p, r = float(sys.argv[2]), float(sys.argv[3])
bad = [f"{k} {s[k]} < {f}" for k, f in (("precision", p), ("recall", r)) if s[k] < f]
print("; ".join(bad) if bad else "ok")' "$score" "$pfloor" "$rfloor")
  if [ "$verdict" != ok ]; then
    echo "dedup-eval $stream: BELOW FLOOR: $verdict" >&2
    status=1
  fi
done
exit $status
