#!/usr/bin/env bash
# CI quick bench: runs scripts/bench.sh --quick into a temporary results
# directory, then compares it with the committed baseline of this host
# (BASELINE_ROOT/<host-id>/ at HEAD) through .ci/compare.sh. Informational
# (exit 0) when no baseline of this host is committed.
#
#   .ci/bench-quick.sh [BASELINE_ROOT]     (default .ci/baseline)
#
# The baseline must come from a quick bench too (same protocol: quick probe,
# 25 ms kernel timing, reduced search), which is why it lives apart from the
# full runs under runs/ (and the published ones under data/published-runs/). SAVE_BASELINE=1 copies this run's results into
# BASELINE_ROOT/<host-id>/ (replacing the old baseline) to be committed.
# KEEP=1 keeps the temporary directory (results, work files, report.html).
# Exit status: the bench's (1 when a step failed), else compare's (1 on a
# significant regression beyond the threshold).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

root=${1:-.ci/baseline}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aiq-bench-quick.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'echo "bench-quick: kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

status=0
scripts/bench.sh --quick --results "$tmp/results" --out "$tmp/report.html" --work "$tmp/work" || status=$?
if [ -z "$(ls -A "$tmp/results" 2>/dev/null)" ]; then
  echo "bench-quick: the quick bench saved no results" >&2
  exit 1
fi
rc=0
.ci/compare.sh "$tmp/results" "$root" || rc=$?
if [ "${SAVE_BASELINE:-0}" = 1 ]; then
  for d in "$tmp/results"/*/; do
    host=$(basename "$d")
    rm -rf "${root:?}/$host"
    mkdir -p "$root/$host"
    cp "$d"*.json "$root/$host/"
    echo "bench-quick: saved the baseline of host $host in $root/$host (commit it)"
  done
fi
if [ "$status" -ne 0 ]; then
  echo "bench-quick: scripts/bench.sh --quick exited $status"
  exit "$status"
fi
exit "$rc"
