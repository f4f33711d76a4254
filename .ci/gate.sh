#!/usr/bin/env bash
# A/B regression gate, the way `asv continuous` works: build the kernels'
# benchmark binary of a base commit and of HEAD, run BenchmarkGate of both
# interleaved on this machine (base, head, base, head, ...), and fail when
# `aiq compare` finds a point slower by at least the threshold with a
# Mann-Whitney test significant at 0.05. No per-host baseline is needed.
#
#   .ci/gate.sh                 # base: the commit in .ci/gate-base, else HEAD~1
#   AIQ_GATE_BASE=REV .ci/gate.sh
#   AIQ_GATE_NEW_ENV="AIQ_ISA=avx2" .ci/gate.sh   # environment of the head runs only
#
# A point flagged as a regression is measured again (as many more rounds,
# of its benchmarks alone) and judged on all its samples.
#
# Exit 0: no regression (or no base to compare with, said why); 1: a
# regression, each point named by aiq compare; 2: the gate could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
base=${AIQ_GATE_BASE:-}
if [ -z "$base" ] && [ -s .ci/gate-base ]; then base=$(cat .ci/gate-base); fi
base=${base:-HEAD~1}
rounds=${AIQ_GATE_ROUNDS:-3}
threshold=${AIQ_GATE_THRESHOLD:-20}
tmp=$(mktemp -d)
cleanup() { git worktree remove --force "$tmp/base" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "gate: base $base is not in this clone (shallow?); skipped"
  exit 0
fi
short=$(git rev-parse --short "$base")
git worktree add -q --detach "$tmp/base" "$base" || exit 2
(cd "$tmp/base" && go test -c -o "$tmp/base.test" ./kernels) || exit 2
go test -c -o "$tmp/head.test" ./kernels || exit 2
aiq=${AIQ_GATE_AIQ:-$tmp/aiq}
[ -n "${AIQ_GATE_AIQ:-}" ] || go build -o "$aiq" ./cmd/aiq || exit 2
if ! "$tmp/base.test" -test.list 'BenchmarkGate' | grep -q '^BenchmarkGate$'; then
  # A base from before the gate: give it HEAD's gate benchmark, which only
  # uses the kernels' public API and the bench helpers.
  cp kernels/gate_test.go "$tmp/base/kernels/" &&
    (cd "$tmp/base" && go test -c -o "$tmp/base.test" ./kernels 2>/dev/null) || {
    echo "gate: base $short cannot build the gate benchmark; skipped"
    exit 0
  }
fi
# ns/op only: B/op of pooled buffers and MB/s (a function of ns/op) would
# count the same change twice or report noise.
args=(-test.run XXX -test.bench Gate -test.benchtime 20ms -test.count 5)
nsop() { awk '/^Benchmark/ { print $1, $2, $3, $4; next } { print }'; }
for r in $(seq "$rounds"); do
  (cd kernels && "$tmp/base.test" "${args[@]}") | nsop >>"$tmp/base.txt" || exit 2
  (cd kernels && env ${AIQ_GATE_NEW_ENV:-} "$tmp/head.test" "${args[@]}") | nsop >>"$tmp/head.txt" || exit 2
done
echo "gate: $short (base) against $(git rev-parse --short HEAD) (head)${AIQ_GATE_NEW_ENV:+ with $AIQ_GATE_NEW_ENV}, $rounds interleaved rounds, threshold $threshold%"
"$aiq" compare --threshold "$threshold" "$tmp/base.txt" "$tmp/head.txt" >"$tmp/verdict.txt" 2>&1
rc=$?
cat "$tmp/verdict.txt"
[ "$rc" -eq 1 ] || exit "$rc"
# A flagged point must survive more samples: its benchmarks run again,
# $rounds more interleaved rounds of them alone, and the verdict is taken
# on all samples (a slowdown that is real stays significant; a burst of
# noise on a short benchmark is outvoted).
# One alternation per name level (a cross product: a few extra points at most).
pattern=$(sed -n 's/^REGRESSION: \(Gate\/[^ ]*\)-[0-9]* .*/\1/p' "$tmp/verdict.txt" |
  awk -F/ '{ for (i = 1; i <= NF; i++) if (!seen[i, $i]++) lv[i] = lv[i] (lv[i] == "" ? "" : "|") $i; if (NF > n) n = NF }
    END { for (i = 1; i <= n; i++) printf "%s^%s(%s)$", (i > 1 ? "/" : ""), (i == 1 ? "Benchmark" : ""), lv[i] }')
[ -n "$pattern" ] || exit 1
echo "gate: confirming the flagged points ($rounds more interleaved rounds of them alone)"
args=(-test.run XXX -test.bench "$pattern" -test.benchtime 20ms -test.count 5)
for r in $(seq "$rounds"); do
  (cd kernels && "$tmp/base.test" "${args[@]}") | nsop >>"$tmp/base.txt" || exit 2
  (cd kernels && env ${AIQ_GATE_NEW_ENV:-} "$tmp/head.test" "${args[@]}") | nsop >>"$tmp/head.txt" || exit 2
done
"$aiq" compare --threshold "$threshold" "$tmp/base.txt" "$tmp/head.txt"
