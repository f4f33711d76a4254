package results

import (
	"bytes"
	"context"
	"os/exec"
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

// DetectVersion reads the VCS stamp of the binary; `go run` and `go test`
// binaries carry none, so it falls back to git in the working directory.
func DetectVersion() Version {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var v Version
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
	return gitVersion()
}

func gitVersion() Version {
	// A hung git (a lock, a network filesystem) must not hang a benchmark.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	head, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return Version{}
	}
	v := Version{Commit: strings.TrimSpace(string(head)), Source: "git"}
	status, err := exec.CommandContext(ctx, "git", "status", "--porcelain").Output()
	v.Dirty = err != nil || len(bytes.TrimSpace(status)) > 0
	return v
}
