package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEUpToDate fails when the README's search tables differ from what
// the committed runs give: they are generated, never typed.
func TestREADMEUpToDate(t *testing.T) {
	text, err := Tables("../../data/published-runs/searches")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Splice(doc, text)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Fatal("README.md's search tables are stale: run go run ./scripts/tables")
	}
}

func TestSplice(t *testing.T) {
	doc := []byte("a\n" + begin + "\nold\n" + end + "\nb\n")
	got, err := Splice(doc, "new\n")
	if err != nil || !strings.Contains(string(got), begin+"\nnew\n"+end) || strings.Contains(string(got), "old") {
		t.Fatalf("Splice: %q, %v", got, err)
	}
	if _, err := Splice([]byte("no markers"), "x"); err == nil {
		t.Fatal("missing markers accepted")
	}
}
