package main

import (
	"os/exec"
	"testing"
)

// TestCommittedAssembly regenerates the arm64 kernels in memory and fails
// when the committed files or any WORD encoding differ (needs llvm-mc).
func TestCommittedAssembly(t *testing.T) {
	if _, err := exec.LookPath("llvm-mc"); err != nil {
		t.Skip("llvm-mc not installed: encodings not checked")
	}
	if err := run("../../kernels", true, "llvm-mc"); err != nil {
		t.Fatal(err)
	}
}

func TestAssembleRejectsBadMnemonic(t *testing.T) {
	if _, err := exec.LookPath("llvm-mc"); err != nil {
		t.Skip("llvm-mc not installed")
	}
	if _, err := assemble("llvm-mc", []string{"sdot v0.4s, v1.16b, v2.16b", "fmla v99.4s, v0.4s, v1.4s"}); err == nil {
		t.Error("a bad mnemonic was encoded")
	}
	w, err := assemble("llvm-mc", []string{"sdot v16.4s, v0.16b, v4.16b"})
	if err != nil || len(w) != 1 || w[0] != 0x4e849410 {
		t.Errorf("sdot v16.4s, v0.16b, v4.16b = %#x, %v; want 0x4e849410", w, err)
	}
}
