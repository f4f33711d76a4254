#!/bin/sh
# Compares the roofline probe's DRAM copy and triad bandwidth with a
# STREAM-style C reference (stream.c, gcc -O3 -fopenmp, arrays far larger
# than the L3) at 1 and 2 threads, side by side, over several rounds
# (the host is shared, so figures drift; read the medians).
#
# Usage: roofline/testdata/compare.sh [rounds] [--quick]
set -eu
rounds=${1:-3}
mode=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -O3 -fopenmp "$here/stream.c" -o "$tmp/stream"
(cd "$root" && go build -o "$tmp/aiq" ./cmd/aiq)

: >"$tmp/rows"
r=1
while [ "$r" -le "$rounds" ]; do
	for t in 1 2; do
		OMP_NUM_THREADS=$t OMP_PROC_BIND=true "$tmp/stream" >"$tmp/s$t"
		c=$(awk '$1=="copy"{print $2}' "$tmp/s$t")
		tr=$(awk '$1=="triad"{print $2}' "$tmp/s$t")
		echo "stream $t $c $tr" >>"$tmp/rows"
	done
	"$tmp/aiq" roofline $mode --threads 2 --json "$tmp/r.json" >/dev/null 2>&1
	python3 - "$tmp/r.json" >>"$tmp/rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["sweeps"]:
    d = s["bandwidth_gbs"]["DRAM"]
    print("aiq", s["threads"], d["copy"], d["triad"], d["copy_nt"], d["triad_nt"])
PY
	r=$((r + 1))
done

python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(src, t, col):
    v = [float(r[col]) for r in rows if r[0] == src and r[1] == str(t)]
    return statistics.median(v) if v else float("nan")
print("DRAM GB/s, median of rounds (STREAM counting: no write-allocate bytes)")
print("%-8s %-22s %8s %8s %8s" % ("threads", "kernel", "STREAM", "aiq", "aiq/STR"))
for t in (1, 2):
    for name, col, ncol in (("copy", 2, 4), ("triad", 3, 5)):
        s, a, nt = med("stream", t, col), med("aiq", t, col), med("aiq", t, ncol)
        print("%-8d %-22s %8.2f %8.2f %7.0f%%" % (t, name + " (regular stores)", s, a, 100 * a / s))
        print("%-8d %-22s %8s %8.2f %7.0f%%" % (t, name + " (non-temporal)", "", nt, 100 * nt / s))
print("rounds:", len([r for r in rows if r[0] == "aiq"]) // 2)
PY
