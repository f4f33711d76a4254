package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEUpToDate fails when the README's search tables differ from what
// the committed runs give: they are generated, never typed.
func TestREADMEUpToDate(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(doc, "../../data/published-runs")
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Fatal("README.md's generated tables are stale: run go run ./scripts/tables")
	}
}

func TestSplice(t *testing.T) {
	begin, end := markers("search")
	doc := []byte("a\n" + begin + "\nold\n" + end + "\nb\n")
	got, err := Splice(doc, "search", "new\n")
	if err != nil || !strings.Contains(string(got), begin+"\nnew\n"+end) || strings.Contains(string(got), "old") {
		t.Fatalf("Splice: %q, %v", got, err)
	}
	if _, err := Splice([]byte("no markers"), "search", "x"); err == nil {
		t.Fatal("missing markers accepted")
	}
}
