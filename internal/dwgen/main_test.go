package main

import (
	"os"
	"testing"
)

// TestCommitted fails when the committed files differ from the generator's
// output (go generate ./kernels rewrites them).
func TestCommitted(t *testing.T) {
	for name, want := range map[string]string{"dw_amd64.s": generate(), "dw_stubs_amd64.go": generateStubs()} {
		got, err := os.ReadFile("../../kernels/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("kernels/%s differs from the generator's output: run go generate ./kernels", name)
		}
	}
}
