#!/usr/bin/env bash
# aiq export checked in ONNX Runtime: for both shipped models, each of
# uniform int8, the committed AI configuration (int8 + int4) and a mixed
# configuration with fp16 is exported as ONNX QDQ (aiq export) and run in
# ONNX Runtime 1.30 (onnxruntime-node, CPU, one thread) with all graph
# optimizations (the deployment setting) and with none (the exported graph
# as written), beside aiq eval of the same precision with the same
# calibration (min-max on 512 training images, weights mse).
#
#   OUT=data/published-runs/export N=10000 bash scripts/export-check.sh
#
# OUT (default data/published-runs/export) receives the raw outputs, one
# JSON object per file: <model>-<precision>-export.json (aiq export --json),
# -ort-all.json and -ort-disabled.json (peers/ort_eval.js), -aiq.json (aiq
# eval --json), and meta.json; the table printed at the end is computed
# from those files and saved as table.txt. `bash scripts/export-check.sh
# --table` prints it again from OUT without running anything.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-data/published-runs/export}
N=${N:-10000}
DATA=${DATA:-data/cifar10/cifar10-test.bin}

# table prints the comparison from the raw outputs in OUT.
table() {
	node - "$OUT" <<'JS'
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const read = f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const pt = x => (100 * x).toFixed(2);
const meta = read('meta.json');
console.log(`top-1 on ${meta.n} images of ${path.basename(meta.data)}; ONNX Runtime ${meta.onnxruntime_node} (onnxruntime-node, CPU, 1 thread); commit ${meta.commit.slice(0, 7)}`);
console.log('model        precision     aiq top-1  ORT all  (diff)   ORT none (diff)   opset  Q/DQ  fp16 casts');
for (const f of fs.readdirSync(dir).filter(f => f.endsWith('-aiq.json')).sort()) {
  const b = f.slice(0, -'-aiq.json'.length);
  const a = read(f), all = read(b + '-ort-all.json'), none = read(b + '-ort-disabled.json'), e = read(b + '-export.json');
  const d = x => ((x - a.top1) * 100 >= 0 ? '+' : '') + ((x - a.top1) * 100).toFixed(2);
  const [m, ...p] = b.split('-');
  console.log(`${m.padEnd(12)} ${p.join('-').padEnd(13)} ${pt(a.top1).padStart(9)} ${pt(all.top1).padStart(8)} (${d(all.top1)}) ` +
    `${pt(none.top1).padStart(8)} (${d(none.top1)}) ${String(e.opset).padStart(6)} ${String(e.activation_qdq).padStart(5)} ${String(e.activation_fp16_casts).padStart(11)}`);
}
JS
}
if [ "${1:-}" = "--table" ]; then
	table
	exit 0
fi
ORT_NODE=$(bash peers/install-ort.sh)
export ORT_NODE

mkdir -p bin "$OUT"
go build -o bin/aiq ./cmd/aiq
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)

for m in resnet20 mobilenetv2; do
	for p in int8 "configs/$m-ai.json" "configs/$m-mixed-fp16.json"; do
		name=$(basename "$p" .json)
		name=${name#"$m-"}
		base="$OUT/$m-$name"
		echo "export-check: $m $name" >&2
		./bin/aiq export --json -q --model "models/$m.onnx" --precision "$p" --out "$tmp/$m-$name.onnx" >"$base-export.json"
		for opt in all disabled; do
			node peers/ort_eval.js "$tmp/$m-$name.onnx" "$DATA" --n "$N" --opt "$opt" >"$base-ort-$opt.json"
		done
		./bin/aiq eval --json -q --model "models/$m.onnx" --precision "$p" --data "$DATA" --n "$N" \
			--bench-time 0 --calib-n 512 --calib-method minmax >"$base-aiq.json"
	done
done

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cat >"$OUT/meta.json" <<META
{"cpu": "$cpu", "cores": $(nproc), "n": $N, "data": "$DATA", "onnxruntime_node": "$(node -p "require('$ORT_NODE/package.json').version")",
 "commit": "$(git rev-parse HEAD 2>/dev/null || echo unknown)", "dirty": $([ -z "$(git status --porcelain -- . ":!data/published-runs" 2>/dev/null)" ] && echo false || echo true),
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "load_before": "$load"}
META

# The table, from the files just written.
table | tee "$OUT/table.txt"
