#!/usr/bin/env bash
# Measures the gate's false-alarm rate: N gates of one commit against
# itself (default 20), each a full .ci/gate.sh run; prints each verdict
# and the count of alarms. Run it on an otherwise idle machine.
#
#   .ci/gate-false-alarms.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
n=${1:-20}
rev=$(git rev-parse HEAD)
aiq=$(mktemp -d)/aiq
go build -o "$aiq" ./cmd/aiq || exit 2
alarms=0
echo "gate false alarms: $n runs of $(git rev-parse --short HEAD) against itself on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$n"); do
  out=$(AIQ_GATE_BASE=$rev AIQ_GATE_AIQ=$aiq bash .ci/gate.sh 2>&1)
  rc=$?
  if [ $rc -eq 1 ]; then
    alarms=$((alarms + 1))
    echo "run $i: ALARM: $(echo "$out" | grep '^REGRESSION' | tr '\n' ' ')"
  elif [ $rc -ne 0 ]; then
    echo "run $i: gate failed to run (exit $rc)"; echo "$out" | tail -5; exit 2
  else
    echo "run $i: no regression"
  fi
done
echo "alarms: $alarms of $n ($(awk -v a=$alarms -v n=$n 'BEGIN { printf "%.0f", 100 * a / n }')%)"
