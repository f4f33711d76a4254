#!/usr/bin/env bash
# ONNX Runtime's QDQ int8 models (peers/*-int8-ort.onnx) run by ONNX Runtime
# and by aiq with the file's own scales and zero points: top-1 on all test
# images, an accuracy check (not a timing run).
#
#   bash scripts/qdq-check.sh            # raw outputs into data/published-runs/qdq
#   OUT=DIR N=500 bash scripts/qdq-check.sh
#
# Per model: ort-MODEL.json (peers/ort_bench.js; its throughput figures are a
# by-product, not a measurement), aiq-MODEL-int8.json (aiq eval's default for
# a QDQ model) and aiq-MODEL-fp32.json (the dequantized float graph), one JSON
# line each, plus meta.json. The table printed at the end is read from them.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-data/published-runs/qdq}
N=${N:-10000}
DATA=${DATA:-data/cifar10/cifar10-test.bin}
ORT_CACHE=${ORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aiq/onnxruntime-node-1.30.0}
ORT_NODE="$ORT_CACHE/node_modules/onnxruntime-node"
if [ ! -f "$ORT_NODE/package.json" ]; then
	echo "qdq-check: onnxruntime-node is not installed in $ORT_CACHE (bash peers/run.sh installs it)" >&2
	exit 1
fi

mkdir -p bin "$OUT"
go build -o bin/aiq ./cmd/aiq

for m in resnet20 mobilenetv2; do
	f="peers/$m-int8-ort.onnx"
	echo "qdq-check: $f ($N images)" >&2
	ORT_NODE="$ORT_NODE" node peers/ort_bench.js "$f" "$DATA" 1 64 "$N" >"$OUT/ort-$m.json"
	./bin/aiq eval --json -q --model "$f" --data "$DATA" --n "$N" --bench-time 0 >"$OUT/aiq-$m-int8.json"
	./bin/aiq eval --json -q --model "$f" --data "$DATA" --n "$N" --bench-time 0 --precision fp32 >"$OUT/aiq-$m-fp32.json"
done
jq -n --arg commit "$(git rev-parse --short HEAD)" --arg dirty "$(git status --porcelain -- graph engine quant kernels cmd | wc -l)" \
	--arg date "$(date -u +%FT%TZ)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson n "$N" '{commit: $commit, files_changed_in_code: ($dirty | tonumber), date: $date, cpu: $cpu, images: $n}' >"$OUT/meta.json"

printf '%-12s %10s %10s %10s %14s\n' model "ORT int8" "aiq int8" "aiq - ORT" "aiq fp32 (DQ)"
for m in resnet20 mobilenetv2; do
	o=$(jq .top1 "$OUT/ort-$m.json")
	a=$(jq .top1 "$OUT/aiq-$m-int8.json")
	f=$(jq .top1 "$OUT/aiq-$m-fp32.json")
	awk -v m="$m" -v o="$o" -v a="$a" -v f="$f" \
		'BEGIN { printf "%-12s %9.2f%% %9.2f%% %+6.2f pts %13.2f%%\n", m, 100*o, 100*a, 100*(a-o), 100*f }'
done
