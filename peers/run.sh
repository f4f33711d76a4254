#!/usr/bin/env bash
# make peers: ONNX Runtime (onnxruntime-node, CPU) beside aiq on the same
# images, batch and threads, printed side by side.
#
#   THREADS=1 BATCH=64 N=10000 ROUNDS=1 bash peers/run.sh
#
# ROUNDS > 1 repeats the throughput runs (ONNX Runtime and aiq alternating)
# and keeps each one's best: on a shared machine the best of a few runs is
# the closest to what the code does alone.
#
# ONNX Runtime runs the shipped fp32 models and its own int8 QDQ models in
# peers/; aiq runs the fp32 models in fp32 and in int8 (min-max calibration
# on 512 training images, like the QDQ models). The npm package is installed
# once into $ORT_CACHE with --ignore-scripts (its install script fetches GPU
# binaries from a host that cannot be reached; the CPU library is inside).
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
BATCH=${BATCH:-64}
N=${N:-10000}
ROUNDS=${ROUNDS:-1}
DATA=${DATA:-data/cifar10/cifar10-test.bin}
ORT_CACHE=${ORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aiq/onnxruntime-node-1.30.0}
ORT_NODE="$ORT_CACHE/node_modules/onnxruntime-node"

if [ ! -f "$ORT_NODE/package.json" ]; then
	echo "peers: installing onnxruntime-node@1.30.0 into $ORT_CACHE" >&2
	mkdir -p "$ORT_CACHE"
	(cd "$ORT_CACHE" && { [ -f package.json ] || npm init -y >/dev/null; } &&
		npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0 >&2)
fi

mkdir -p bin
go build -o bin/aiq ./cmd/aiq

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for m in resnet20 mobilenetv2; do
	echo "peers: $m (threads $THREADS, batch $BATCH, $N images)" >&2
	ORT_NODE="$ORT_NODE" node peers/ort_bench.js "models/$m.onnx" "$DATA" "$THREADS" "$BATCH" "$N" >"$tmp/$m-ort-fp32.json"
	ORT_NODE="$ORT_NODE" node peers/ort_bench.js "peers/$m-int8-ort.onnx" "$DATA" "$THREADS" "$BATCH" "$N" >"$tmp/$m-ort-int8.json"
	for p in fp32 int8; do
		./bin/aiq eval --json --model "models/$m.onnx" --data "$DATA" --n "$N" --precision "$p" \
			--batch "$BATCH" --threads "$THREADS" --calib-n 512 --calib-method minmax >"$tmp/$m-aiq-$p.json"
	done
done

for r in $(seq 2 "$ROUNDS"); do
	echo "peers: throughput round $r of $ROUNDS" >&2
	for m in resnet20 mobilenetv2; do
		ORT_NODE="$ORT_NODE" node peers/ort_bench.js "models/$m.onnx" "$DATA" "$THREADS" "$BATCH" "$BATCH" >>"$tmp/$m-ort-fp32.json"
		./bin/aiq eval --json --model "models/$m.onnx" --data "$DATA" --n 0 --precision fp32 \
			--batch "$BATCH" --threads "$THREADS" >>"$tmp/$m-aiq-fp32.json"
		ORT_NODE="$ORT_NODE" node peers/ort_bench.js "peers/$m-int8-ort.onnx" "$DATA" "$THREADS" "$BATCH" "$BATCH" >>"$tmp/$m-ort-int8.json"
		./bin/aiq eval --json --model "models/$m.onnx" --data "$DATA" --n 0 --precision int8 \
			--batch "$BATCH" --threads "$THREADS" --calib-n 512 --calib-method minmax >>"$tmp/$m-aiq-int8.json"
	done
done

node - "$tmp" "$THREADS" "$BATCH" "$N" "$ROUNDS" <<'EOF'
const fs = require('fs');
const [dir, threads, batch, n, rounds] = process.argv.slice(2);
// One JSON object per line: the first has top-1, every one a throughput.
const read = f => {
  const runs = fs.readFileSync(`${dir}/${f}.json`, 'utf8').trim().split('\n').map(l => JSON.parse(l));
  return {top1: runs[0].top1, images_per_s: Math.max(...runs.map(r => r.images_per_s))};
};
console.log(`ONNX Runtime 1.30 vs aiq: ${threads} thread(s), batch ${batch}, top-1 on the first ${n} test images,` +
  ` images/s best of ${rounds} round(s)`);
console.log('model        precision  ORT top-1  aiq top-1   ORT img/s  aiq img/s  aiq/ORT');
for (const m of ['resnet20', 'mobilenetv2']) {
  for (const p of ['fp32', 'int8']) {
    const o = read(`${m}-ort-${p}`), a = read(`${m}-aiq-${p}`);
    console.log(`${m.padEnd(12)} ${p.padEnd(9)} ${(100 * o.top1).toFixed(2).padStart(8)}%` +
      ` ${(100 * a.top1).toFixed(2).padStart(9)}%  ${o.images_per_s.toFixed(0).padStart(9)}` +
      `  ${a.images_per_s.toFixed(0).padStart(9)}  ${(a.images_per_s / o.images_per_s).toFixed(2).padStart(7)}x`);
  }
}
EOF
