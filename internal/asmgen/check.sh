#!/usr/bin/env bash
# Fails when kernels/*_arm64.s differ from the generator's output or when a
# WORD does not match the llvm-mc encoding of its mnemonic comment.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v llvm-mc >/dev/null || { echo "asmgen check: llvm-mc not found (apt-get install llvm)" >&2; exit 1; }
go run ./internal/asmgen -check
echo "asmgen check: arm64 assembly matches the generator and llvm-mc"
