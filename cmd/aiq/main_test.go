package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// -h, --help and aiq help exit 0 for the main command and every
// subcommand; a bad flag is one line on stderr naming it, exit 2.
func TestHelpAndUsage(t *testing.T) {
	helps := [][]string{{"-h"}, {"--help"}, {"help"}}
	for name := range commands {
		helps = append(helps, []string{name, "-h"}, []string{name, "--help"}, []string{"help", name})
	}
	for _, args := range helps {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
			t.Errorf("aiq %s: exit %d, stderr %q, want 0 and nothing", strings.Join(args, " "), code, stderr.String())
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: aiq"},
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"help", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"eval", "--nosuch"}, "-nosuch"},
		{[]string{"eval", "stray"}, `"stray"`},
		{[]string{"cpu", "--json=x"}, "-json"},
		{[]string{"results"}, "list, host or hosts"},
		{[]string{"compare", "a"}, "OLD and NEW"},
		{[]string{"compare", "--alpha", "2", "a", "b"}, "--alpha 2"},
		{[]string{"report", "--threshold", "-1"}, "--threshold -1"},
		{[]string{"inspect"}, "--model"},
		{[]string{"inspect", "--model", "m.onnx", "--batch", "0"}, "--batch 0"},
		{[]string{"roofline", "--threads", "-1"}, "--threads -1"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.Contains(msg, c.want) || stdout.Len() > 0 {
			t.Errorf("aiq %s: exit %d, stderr %q, stdout %q; want 2 and a message naming %s", strings.Join(c.args, " "), code, msg, stdout.String(), c.want)
		}
		if c.args != nil && strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Errorf("aiq %s: message of more than one line: %q", strings.Join(c.args, " "), msg)
		}
	}
}

// Every bad input of issue 14 fails before any work with one line on
// stderr that names the flag at fault, and a non-zero exit.
func TestBadInputsExit(t *testing.T) {
	model := testModels + "resnet20.onnx"
	for _, p := range []string{model, testData, testCalib} {
		needFile(t, p)
	}
	dir := t.TempDir()
	files := []string{"--model", model, "--data", testData, "--calib", testCalib, "--cache", dir}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval", "--offset", "10000"}, 1, "--offset 10000: "},
		{[]string{"eval", "--offset", "10000", "--bench-time", "0"}, 1, "--offset 10000: "},
		{[]string{"eval", "--n", "-5"}, 2, "--n -5: "},
		{[]string{"eval", "--batch", hugeBatch}, 1, "--batch " + hugeBatch + ": "},
		{[]string{"eval", "--precision", "../../configs/mobilenetv2-ai.json"}, 1, "--force"},
		{[]string{"search", "--search-n", "0", "--workers", "0"}, 2, "--search-n 0: "},
		{[]string{"search", "--workers", "0"}, 2, "--workers 0: "},
		{[]string{"search", "--batch", hugeBatch}, 1, "--batch " + hugeBatch + ": "},
		{[]string{"bench", "--batch", hugeBatch}, 1, "--batch " + hugeBatch + ": "},
		{[]string{"eval", "--model", filepath.Join(dir, "missing.onnx")}, 1, "--model: "},
	} {
		args := append(c.args[:1:1], files...)
		if c.args[0] == "bench" {
			args = append(c.args[:1:1], "--model", model, "--calib", testCalib, "--cache", dir)
		}
		args = append(args, c.args[1:]...)
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		msg := stderr.String()
		if code != c.code || !strings.HasPrefix(msg, "aiq "+c.args[0]+": ") || !strings.Contains(msg, c.want) ||
			strings.Count(msg, "\n") != 1 || strings.Contains(msg, "goroutine") {
			t.Errorf("aiq %s: exit %d, stderr %q; want exit %d and one line naming %q", strings.Join(c.args, " "), code, msg, c.code, c.want)
		}
	}
}
