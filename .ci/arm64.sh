#!/usr/bin/env bash
# arm64 kernel tests under qemu-user: every variant with -cpu max (NEON,
# dotprod, fp16), then -cpu cortex-a72 (plain NEON: dispatch must fall back,
# never SIGILL). Also checks the committed WORD encodings when llvm-mc exists.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
if ! command -v qemu-aarch64-static >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
fi
GOARCH=arm64 go vet ./kernels
if command -v llvm-mc >/dev/null; then
  bash internal/asmgen/check.sh
else
  echo "arm64: llvm-mc missing, encoding check skipped"
fi
bin=$(mktemp -d)/kernels.arm64
trap 'rm -rf "$(dirname "$bin")"' EXIT
GOARCH=arm64 go test -c -o "$bin" ./kernels
GOARCH=arm64 go test -c -tags purego -o "$bin.purego" ./kernels
for cpu in max cortex-a72; do
  echo "arm64: kernel tests under qemu-aarch64-static -cpu $cpu"
  qemu-aarch64-static -cpu "$cpu" "$bin" -test.short -test.count=1
done
echo "arm64: purego kernel tests under qemu-aarch64-static -cpu max"
qemu-aarch64-static -cpu max "$bin.purego" -test.short -test.count=1
echo "arm64: benchmarks build and run (figures under emulation mean nothing)"
qemu-aarch64-static -cpu max "$bin" -test.run XXX -test.bench 'GEMM/int8/.*/64x64x576$' -test.benchtime 1x
