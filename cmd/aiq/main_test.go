package main

import (
	"bytes"
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
