package results

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Version is the project version a run was measured with.
type Version struct {
	Commit string `json:"commit"` // "" when unknown
	Dirty  bool   `json:"dirty"`  // uncommitted changes in the build
	// Source says where Commit came from: "buildinfo", "git" or "".
	Source string `json:"source,omitempty"`
	// Module is the main module's version in the build information: a
	// tag, a pseudo-version, or "(devel)".
	Module string `json:"module,omitempty"`
}

// Short is the first 12 digits of the commit, "+" when dirty, "?" unknown.
func (v Version) Short() string {
	c := v.Commit
	if c == "" {
		return "?"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if v.Dirty {
		c += "+"
	}
	return c
}

// DetectVersion reads the revision and dirty flag `go build` stamps into
// the binary. `go run` and `go test` binaries carry none; only then does it
// ask git, in this module's own source tree (where this file was compiled
// from), never in the working directory, which may be another repository.
func DetectVersion() Version {
	bi, _ := debug.ReadBuildInfo()
	return detectVersion(bi, sourceRoot())
}

func detectVersion(bi *debug.BuildInfo, root string) Version {
	var v Version
	if bi != nil {
		v.Module = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Dirty = s.Value == "true"
			}
		}
		if v.Commit != "" {
			v.Source = "buildinfo"
			return v
		}
	}
	if root != "" {
		g := gitVersion(root)
		g.Module = v.Module
		return g
	}
	return v
}

// modulePath is this module's path, from this package's import path.
var modulePath = strings.TrimSuffix(reflect.TypeFor[Version]().PkgPath(), "/results")

// sourceRoot is the root of the module's source tree as compiled: the
// directory above this file's, if it holds this module's go.mod. It is ""
// when the build trimmed paths (-trimpath) or the tree is gone.
func sourceRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(file))
	if goModPath(filepath.Join(root, "go.mod")) != modulePath {
		return ""
	}
	return root
}

// goModPath is the module path declared in a go.mod file, "" if none.
func goModPath(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// gitVersion asks git about the checkout whose top level is root. A root
// that is not itself a checkout's top level (the module cache inside some
// other repository, say) gives an unknown version, not that repository's.
func gitVersion(root string) Version {
	// A hung git (a lock, a network filesystem) must not hang a benchmark.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	git := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		cmd.Env = gitEnv()
		return cmd.Output()
	}
	top, err := git("rev-parse", "--show-toplevel")
	if err != nil || !sameDir(strings.TrimSpace(string(top)), root) {
		return Version{}
	}
	head, err := git("rev-parse", "HEAD")
	if err != nil {
		return Version{}
	}
	v := Version{Commit: strings.TrimSpace(string(head)), Source: "git"}
	status, err := git("status", "--porcelain")
	v.Dirty = err != nil || len(bytes.TrimSpace(status)) > 0
	return v
}

// gitEnv is the environment without the variables that point git at a
// repository other than the one in its directory (set in git hooks).
func gitEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		switch k, _, _ := strings.Cut(e, "="); k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES":
			continue
		}
		env = append(env, e)
	}
	return env
}

func sameDir(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && filepath.Clean(ra) == filepath.Clean(rb)
}
