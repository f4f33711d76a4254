package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionCommand: `aiq version` run from inside another repository
// reports this module's revision (a test binary has no VCS stamp, so it
// comes from git in the module's tree), never that repository's.
func TestVersionCommand(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	top, err := exec.Command("git", "-C", root, "rev-parse", "--show-toplevel").Output()
	if err != nil || !sameFile(strings.TrimSpace(string(top)), root) {
		t.Skipf("the module is not the top of a git checkout (%v)", err)
	}
	ours := gitOut(t, root, "rev-parse", "HEAD")
	other := t.TempDir()
	gitOut(t, other, "init", "-q")
	gitOut(t, other, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "other")
	theirs := gitOut(t, other, "rev-parse", "HEAD")
	t.Chdir(other)

	var out bytes.Buffer
	if err := version([]string{"--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var v versionInfo
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("--json output %q: %v", out.String(), err)
	}
	if v.Revision == theirs {
		t.Fatalf("aiq version in %s reported that repository's commit %s", other, theirs)
	}
	if v.Revision != ours || v.Source != "git" {
		t.Errorf("revision %q from %q, want %s from git", v.Revision, v.Source, ours)
	}
	if v.Go != runtime.Version() || v.GOOS != runtime.GOOS || v.GOARCH != runtime.GOARCH || v.ISA == "" {
		t.Errorf("version %+v", v)
	}
	out.Reset()
	if err := version(nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"revision", ours, "source", "isa", v.ISA} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("text output lacks %q:\n%s", w, out.String())
		}
	}
	if err := version([]string{"extra"}, &out); exitCode(err) != 2 {
		t.Errorf("stray argument: %v", err)
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v in %s: %v", args, dir, err)
	}
	return strings.TrimSpace(string(b))
}

func sameFile(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}
