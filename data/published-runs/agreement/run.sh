#!/usr/bin/env bash
# The acceptance run of --metric agreement: aiq search on CIFAR-10's test
# images with their labels ignored (--unlabelled), bounding the drop in
# top-1 agreement with FP32's own predictions (--max-drop 1: the chosen
# configuration's paired upper bound of 100 - agreement on the val half
# within 1 point), for ResNet-20; then aiq eval of the chosen configuration
# and of FP32 with the labels. The check at the end fails unless the chosen
# configuration's labelled top-1 is within --max-drop of FP32's.
#
#   bash data/published-runs/agreement/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=data/published-runs/agreement
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export GOFLAGS=-buildvcs=false
go build -o "$bin/aiq" ./cmd/aiq
{
  git rev-parse HEAD
  echo "uncommitted files in the tree: $(git status --porcelain | wc -l)"
  uptime
} >"$out/commit.txt"
maxdrop=1
mkdir -p "$out/search"
"$bin/aiq" search --model models/resnet20.onnx --data data/cifar10/cifar10-test.bin --unlabelled \
  --metric agreement --max-drop "$maxdrop" --objective throughput --out "$out/search" --json \
  >"$out/search/contract.json" 2>"$out/search/progress.log"
for p in fp32 "$out/search/config.json"; do
  name=$(basename "$p" .json)
  "$bin/aiq" eval --model models/resnet20.onnx --data data/cifar10/cifar10-test.bin --precision "$p" \
    --metric agreement --bench-time 0 -q --json >"$out/eval-$name.json"
done
fp32=$(jq .top1 "$out/eval-fp32.json")
chosen=$(jq .top1 "$out/eval-config.json")
agree=$(jq .agreement "$out/eval-config.json")
awk -v f="$fp32" -v c="$chosen" -v a="$agree" -v m="$maxdrop" 'BEGIN {
  d = 100 * (f - c)
  printf "labelled top-1: fp32 %.2f%%, chosen %.2f%% (drop %.2f points, bound %s); chosen agreement with fp32 %.2f%%\n", 100*f, 100*c, d, m, 100*a
  if (d > m) { print "FAIL: the labelled drop exceeds the bound"; exit 1 }
  print "OK: within the bound"
}' | tee "$out/check.txt"
