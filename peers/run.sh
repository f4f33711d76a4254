#!/usr/bin/env bash
# make peers: ONNX Runtime (onnxruntime-node, CPU) beside aiq on the same
# images, batch and threads, printed side by side.
#
#   THREADS=1 BATCH=64 N=10000 ROUNDS=1 bash peers/run.sh
#
# ROUNDS > 1 repeats the throughput runs (ONNX Runtime and aiq alternating);
# the table gives each one's median over the rounds and the ratio of medians,
# with the ratio's range over the rounds.
#
# OUT=DIR keeps the raw outputs (one JSON line per run) and meta.json (CPU,
# commit, load before the run) in DIR: the published tables are generated
# from such directories by scripts/tables, never typed.
#
# ONNX Runtime runs the shipped fp32 models and its own int8 QDQ models in
# peers/; aiq runs the fp32 models in fp32 and in int8 (min-max calibration
# on 512 training images, like the QDQ models). The npm package is installed
# once into $ORT_CACHE by peers/install-ort.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
BATCH=${BATCH:-64}
N=${N:-10000}
ROUNDS=${ROUNDS:-1}
DATA=${DATA:-data/cifar10/cifar10-test.bin}
ORT_NODE=$(bash peers/install-ort.sh)

mkdir -p bin
go build -o bin/aiq ./cmd/aiq

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)

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

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
flags=$(grep -m1 '^flags' /proc/cpuinfo)
case "$flags" in *avx512_fp16*) cpu="$cpu (AVX512-FP16)" ;; *avx512_vnni*) cpu="$cpu (AVX-512 VNNI, no AVX512-FP16)" ;; esac
cat >"$tmp/meta.json" <<META
{"cpu": "$cpu", "cores": $(nproc), "threads": $THREADS, "batch": $BATCH, "n": $N, "rounds": $ROUNDS,
 "commit": "$(git rev-parse HEAD 2>/dev/null || echo unknown)", "dirty": $([ -z "$(git status --porcelain -- . ":!data/published-runs" 2>/dev/null)" ] && echo false || echo true),
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "load_before": "$load"}
META

go run ./scripts/tables -peers "$tmp"
if [ -n "${OUT:-}" ]; then
	mkdir -p "$OUT"
	cp "$tmp"/*.json "$OUT"/
	echo "peers: raw outputs in $OUT" >&2
fi
