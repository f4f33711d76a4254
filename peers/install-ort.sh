#!/usr/bin/env bash
# Installs onnxruntime-node 1.30.0 (ONNX Runtime for node, CPU) once into
# $ORT_CACHE and prints its package directory: the ORT_NODE the scripts of
# peers/ load. peers/run.sh, scripts/export-check.sh and .ci/run use it;
# the Go test of export finds the package at the same place.
#
# The package is installed with --ignore-scripts: its install script fetches
# GPU binaries from a host that cannot be reached; the CPU library is inside.
set -euo pipefail
ORT_CACHE=${ORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aiq/onnxruntime-node-1.30.0}
ORT_NODE="$ORT_CACHE/node_modules/onnxruntime-node"
if [ ! -f "$ORT_NODE/package.json" ]; then
	echo "peers: installing onnxruntime-node@1.30.0 into $ORT_CACHE" >&2
	mkdir -p "$ORT_CACHE"
	(cd "$ORT_CACHE" && { [ -f package.json ] || npm init -y >/dev/null; } &&
		npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0 >&2)
fi
echo "$ORT_NODE"
