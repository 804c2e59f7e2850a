package main

import (
	"bytes"
	"os"
	"testing"

	gopinyin "github.com/mozillazg/go-pinyin"
)

func TestToneless(t *testing.T) {
	for in, want := range map[string]string{"zhāng": "zhang", "lüè": "lve", "nǚ": "nv", "ḿ": "m", "ê̄": "e", "hm": "hm", "xx1": ""} {
		if got := toneless(in); got != want {
			t.Errorf("toneless(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCommittedTableIsCurrent rebuilds table.bin from go-pinyin's dictionary and compares it
// with the committed file, so that an edit to the generator or a new go-pinyin version without
// `go generate` fails.
func TestCommittedTableIsCurrent(t *testing.T) {
	readings, err := dictReadings(gopinyin.PinyinDict)
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
