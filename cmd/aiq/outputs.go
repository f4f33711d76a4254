package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// checkOutDirs fails, naming the flag, when the directory of an output
// file does not exist, so a bad name fails before any work. outs maps a
// flag to its file ("": not asked for).
func checkOutDirs(outs map[string]string) error {
	flags := make([]string, 0, len(outs))
	for f := range outs {
		flags = append(flags, f)
	}
	sort.Strings(flags)
	for _, f := range flags {
		p := outs[f]
		if p == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(p)); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s %s: directory %s does not exist", f, p, filepath.Dir(p))
		}
	}
	return nil
}
