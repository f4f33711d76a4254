#!/usr/bin/env bash
# CI quick-compare: compares a fresh quick-bench result directory with the
# committed baseline of a host with the same fingerprint (host id).
#
#   .ci/compare.sh FRESH_DIR [BASELINE_ROOT]
#
# FRESH_DIR is where the quick bench saved its runs (results.Save writes
# FRESH_DIR/<host-id>/*.json). BASELINE_ROOT (default .ci/baseline, the
# quick-bench baselines .ci/bench-quick.sh saves and passes) holds the
# committed baselines as BASELINE_ROOT/<host-id>/. Only files committed at
# HEAD count as the baseline, so a local run cannot be its own baseline;
# COMPARE_WORKTREE=1 (or no git checkout) takes the files as they are.
# Exit 0 with a note when no baseline exists for this host (informational);
# otherwise the exit status of `aiq compare` (1 on a significant regression
# beyond AIQ_COMPARE_THRESHOLD percent, default 20: a quick bench on a shared
# host drifts 10-35% between runs, more than its samples show).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

fresh=${1:?usage: .ci/compare.sh FRESH_DIR [BASELINE_ROOT]}
root=${2:-.ci/baseline}
[ -d "$fresh" ] || { echo "compare: $fresh is not a directory" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aiq" ./cmd/aiq

hosts=$("$tmp/aiq" results hosts --results "$fresh")
if [ -z "$hosts" ]; then
  echo "compare: no results under $fresh" >&2
  exit 2
fi
this=$("$tmp/aiq" results host)
echo "compare: this host is $this; fresh results of: $(echo $hosts)"

status=0
for host in $hosts; do
  if [ -d "$fresh/$host" ]; then new="$fresh/$host"; else new="$fresh"; fi
  base="$tmp/base/$host"
  mkdir -p "$base"
  if [ "${COMPARE_WORKTREE:-0}" != 1 ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # The committed versions, not whatever is in the working tree.
    from="commit $(git rev-parse --short HEAD)"
    files=$(git ls-files -- "$root/$host" 2>/dev/null || true)
    for f in $files; do
      case $f in *.json) git show "HEAD:$f" >"$base/$(basename "$f")" ;; esac
    done
  else
    from="working tree"
    if [ -d "$root/$host" ]; then cp "$root/$host"/*.json "$base"/ 2>/dev/null || true; fi
  fi
  if ! ls "$base"/*.json >/dev/null 2>&1; then
    echo "compare: no baseline for host $host in $root/$host ($from); nothing to compare (informational)"
    continue
  fi
  echo "compare: baseline $root/$host ($(ls "$base" | wc -l) runs, $from) vs $new"
  rc=0
  "$tmp/aiq" compare --threshold "${AIQ_COMPARE_THRESHOLD:-20}" "$base" "$new" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "compare: host $host: aiq compare exited $rc"
    [ "$rc" -gt "$status" ] && status=$rc
  fi
done
exit "$status"
