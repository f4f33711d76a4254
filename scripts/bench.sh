#!/usr/bin/env bash
# The main job end to end on the shipped models: build, CPU, roofline probe,
# per-layer bench of both models (batch 1 and 64), format search (throughput for
# both models, AI for ResNet-20), eval of the chosen configurations, report.
#
#   scripts/bench.sh [--quick] [--results DIR] [--out FILE] [--work DIR]
#
# Every command saves its own run with --results DIR: DIR/<host-id>/, one file
# per run (default runs/, ignored by git); the report goes to FILE (default report.html).
# The commands' own outputs (probe JSON, CPU profiles, search directories,
# chosen CONFIG.json files, logs) go to --work (default bench-out/<host-id>).
# Full: at most 45 min on 2 cores; --quick: at most 5 min (quick probe,
# shorter kernel timing, one search on fewer images, eval on fewer images).
# A step that is not available or fails is reported and the rest still run;
# the exit status is 1 when any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

quick=0
results=runs
out=report.html
work=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --results) results=${2:?--results needs a DIR}; shift ;;
    --out) out=${2:?--out needs a FILE}; shift ;;
    --work) work=${2:?--work needs a DIR}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

start=$(date +%s)
declare -a summary
failed=0
say() { printf '[%4ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }

# step NAME CMD...: runs CMD, logs to $work/logs/NAME.log, records timing.
step() {
  local name=$1; shift
  local t0 rc
  t0=$(date +%s)
  say "== $name: $*"
  "$@" 2>&1 | tee "$work/logs/$name.log" | sed -u 's/^/    /'
  rc=${PIPESTATUS[0]}
  local dt=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then
    summary+=("$(printf '%-34s %5ds  ok' "$name" "$dt")")
  else
    summary+=("$(printf '%-34s %5ds  FAILED (exit %d, log %s)' "$name" "$dt" "$rc" "$work/logs/$name.log")")
    failed=1
  fi
  return "$rc"
}
skip() {
  summary+=("$(printf '%-34s %5s  skipped: %s' "$1" "-" "$2")")
  say "== $1: skipped: $2"
}

say "building bin/aiq"
mkdir -p bin
if ! go build -o bin/aiq ./cmd/aiq; then
  echo "bench: build failed" >&2
  exit 1
fi
host=$(bin/aiq results host)
work=${work:-bench-out/$host}
mkdir -p "$work/logs" "$results"
# A private copy: a concurrent `make build` must not swap the binary mid-run.
cp bin/aiq "$work/aiq"
aiq=$work/aiq
has() { { $aiq 2>&1 || true; } | grep -q "^  $1 "; }

mode=full
if [ "$quick" = 1 ]; then mode=quick; fi
say "host $host, $mode run; results under $results/$host, work files under $work"

step cpu $aiq cpu

# Roofline probe.
rf=$work/roofline.json
if [ "$quick" = 1 ]; then rflags=--quick; else rflags=; fi
step roofline $aiq roofline $rflags --out "$rf" --svg "$work/roofline.svg" --results "$results"

# Bench: every layer of both models run end to end in each format, batch 1
# and 64 (5 interleaved rounds, --min-time per format and round; --quick:
# 30ms), with a CPU profile whose time by step kind and kernel family the
# run keeps.
if [ "$quick" = 1 ]; then bflags=(--quick); else bflags=(--min-time 200ms); fi
if [ -f "$rf" ]; then
  for batch in 1 64; do
    k=$work/bench-batch$batch
    step "bench-batch$batch" $aiq bench --model models/resnet20.onnx,models/mobilenetv2.onnx --batch "$batch" "${bflags[@]}" \
      --roofline "$rf" --out "$k.json" --svg "$k.svg" --text "$k.txt" --cpuprofile "$k.pprof" --results "$results"
  done
else
  skip bench "no roofline probe ($rf)"
fi

# Search: throughput for both models, AI for ResNet-20.
# Quick: one reduced search (ResNet-20, throughput, 300 search images).
if [ "$quick" = 1 ]; then
  searches="resnet20:throughput"
  sflags=(--search-n 300 --bench-time 200ms --refine 1)
  emodels="resnet20"
  eflags=(--offset 5000 --n 1000 --bench-time 1s)
else
  searches="resnet20:throughput mobilenetv2:throughput resnet20:ai"
  sflags=()
  emodels="resnet20 mobilenetv2"
  eflags=(--offset 5000 --n 5000 --bench-time 3s)
fi
configs=()
if has search; then
  for s in $searches; do
    m=${s%%:*} obj=${s##*:}
    cfg=$work/config-$m-$obj.json
    if step "search-$m-$obj" $aiq search --model "models/$m.onnx" --objective "$obj" "${sflags[@]}" \
        --out "$work/search-$m-$obj" --config-out "$cfg" --results "$results"; then
      configs+=("$m:$obj:$cfg")
    fi
  done
else
  skip search "this aiq has no 'search' command yet"
fi

# Eval: FP32 reference and every chosen configuration on holdout images.
if has eval; then
  for m in $emodels; do
    step "eval-$m-fp32" $aiq eval --model "models/$m.onnx" --precision fp32 "${eflags[@]}" \
      --config-name fp32 --results "$results"
  done
  for c in "${configs[@]}"; do
    IFS=: read -r m obj cfg <<<"$c"
    step "eval-$m-$obj" $aiq eval --model "models/$m.onnx" --precision "$cfg" "${eflags[@]}" \
      --config-name "aiq-$obj" --results "$results"
  done
else
  skip eval "this aiq has no 'eval' command yet"
fi

step report $aiq report --results "$results" --host "$host" --search-out "$work" --out "$out"

echo
say "done in $(( $(date +%s) - start ))s ($mode run)"
printf '  %s\n' "${summary[@]}"
echo "results: $results/$host/ ($($aiq results list --results "$results" 2>/dev/null | grep -c "$host") runs of this host)"
echo "work files (probe, bench JSON/SVG/profiles, search outputs, chosen configs, logs): $work/"
echo "report: $out"
exit "$failed"
