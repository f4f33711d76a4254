#!/usr/bin/env bash
# The engine's thread scaling and the kernels' figures, raw outputs kept:
#
#   bash scripts/perf-figures.sh [OUT_DIR]   (default data/published-runs/perf)
#
# - split.txt: engine BenchmarkSplit (batch 64: one thread whole, one thread
#   in automatic sub-batches, two threads split inside layers, two threads
#   with whole shares, automatic and fixed sub-batches), 5 interleaved counts.
# - kernels.txt: kernels BenchmarkGEMMQTargets (fp32, int8, int4 at the
#   reference shapes) and BenchmarkDepthwise at batch 64, 5 counts.
# - roofline.json: the quick roofline probe (peaks per format, bandwidth),
#   the denominators of the kernels' fractions of peak.
# Run it alone on an idle machine: it records the load before each part.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data/published-runs/perf}
mkdir -p "$out" bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o bin/aiq ./cmd/aiq
go test -c -o "$tmp/engine.test" ./engine
go test -c -o "$tmp/kernels.test" ./kernels
dirty=$([ -z "$(git status --porcelain)" ] || echo ' with uncommitted changes')
{
	echo "# commit $(git rev-parse HEAD)$dirty, $(date -u +%FT%TZ)"
	echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$tmp/meta.txt"
mv "$tmp/meta.txt" "$out/meta.txt"
./bin/aiq roofline --quick --json >"$tmp/roofline.json"
mv "$tmp/roofline.json" "$out/roofline.json"
(cd engine && echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)" &&
	"$tmp/engine.test" -test.run XXX -test.bench Split -test.benchtime 20x -test.count 5) >"$tmp/split.txt"
mv "$tmp/split.txt" "$out/split.txt"
(cd kernels && echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)" &&
	"$tmp/kernels.test" -test.run XXX -test.bench 'GEMMQTargets|Depthwise/(fp32|int8)/[^/]*/b64' -test.count 5) >"$tmp/kernels.txt"
mv "$tmp/kernels.txt" "$out/kernels.txt"
echo "perf figures in $out"
