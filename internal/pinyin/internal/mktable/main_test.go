package main

import (
	"bytes"
	"os"
	"testing"
)

func TestToneless(t *testing.T) {
	for in, want := range map[string]string{"zhāng": "zhang", "lüè": "lve", "nǚ": "nv", "ḿ": "m", "ê̄": "e", "hm": "hm", "xx1": ""} {
		if got := toneless(in); got != want {
			t.Errorf("toneless(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCommittedTableIsCurrent rebuilds table.bin from go-pinyin's dictionary and compares it
// with the committed file, so that an edit to the generator without `go generate` fails. It
// needs the module in the module cache (or the proxy) and skips when neither is reachable.
func TestCommittedTableIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("needs go mod download")
	}
	dir, err := moduleDir()
	if err != nil {
		t.Skipf("go-pinyin not available: %v", err)
	}
	readings, err := parseDict(dir + "/pinyin_dict.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := build(readings)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../table.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table.bin is stale: run go generate ./internal/pinyin/")
	}
}
