#!/usr/bin/env bash
# Regenerates the published searches from a clean tree, one timing job at a
# time: configs/<model>-<objective>.json (the chosen configurations) and
# data/published-runs/searches/<model>-<objective>/ (search.json, summary.txt, the
# --json contract object, progress log, machine load before the run, commit),
# then the README's tables from them (scripts/tables).
#
#   scripts/configs.sh [model:objective ...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
if [ -n "$(git status --porcelain)" ]; then
  echo "configs: the tree has uncommitted changes; published runs come from a clean commit" >&2
  exit 1
fi
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
  runs=(resnet20:throughput mobilenetv2:throughput resnet20:latency mobilenetv2:latency resnet20:ai mobilenetv2:ai)
fi
go build -o bin/aiq ./cmd/aiq
commit=$(git rev-parse HEAD)
for r in "${runs[@]}"; do
  m=${r%%:*} obj=${r##*:}
  dir=data/published-runs/searches/$m-$obj
  tmp=$dir.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp"
  echo "$commit" >"$tmp/commit.txt"
  uptime >"$tmp/load-before.txt"
  echo "configs: $m $obj ($(uptime))" >&2
  bin/aiq search --model "models/$m.onnx" --objective "$obj" --out "$tmp" \
    --config-out "configs/$m-$obj.json" --json >"$tmp/contract.json" 2>"$tmp/progress.log"
  rm -f "$tmp/config.json"
  rm -rf "$dir"
  mv "$tmp" "$dir"
done
go run ./scripts/tables
