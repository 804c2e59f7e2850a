package eval

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func load(t *testing.T) *Report {
	t.Helper()
	tf, err := os.Open("testdata/truth.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	truth, err := ReadTruth(tf)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := os.Open("testdata/ledger.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	led, err := ReadLedger(lf)
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(truth, led)
}

func TestEvaluate(t *testing.T) {
	r := load(t)
	ints := []struct {
		name      string
		got, want int
	}{
		{"ledger entries", r.LedgerEntries, 14}, {"expected", r.Expected, 12}, {"no record", r.NoRecord, 1}, {"moved out", r.MovedOut, 1},
		{"missing", r.Missing, 1}, {"unexpected", r.Unexpected, 3}, {"out of school", r.OutOfSchool, 4},
		{"correct", r.StatusCorrect, 8}, {"mismatch", r.StatusMismatch, 3},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	ratios := []struct {
		name         string
		got          Ratio
		count, total int
	}{
		{"recall", r.Recall, 2, 3}, {"recall all", r.RecallAll, 3, 4}, {"suspect precision", r.SuspectPrecision, 1, 3}, {"strict", r.SuspectStrict, 1, 4},
		{"review share", r.ReviewShare, 1, 14}, {"auto links", r.AutoLinkPrecision, 2, 3}, {"exact", r.ExactPrecision, 2, 2},
		{"invalid links", r.InvalidIDLinks, 1, 1}, {"damaged", r.DamagedIDs, 2, 3}, {"poverty", r.PovertyFlags, 11, 11},
		{"disability", r.DisabilityFlags, 10, 11},
	}
	for _, c := range ratios {
		if c.got.Count != c.count || c.got.Total != c.total {
			t.Errorf("%s = %d/%d, want %d/%d", c.name, c.got.Count, c.got.Total, c.count, c.total)
		}
	}
	if r.Confusion["suspected"]["review"] != 1 || r.Confusion["suspected"]["enrolled"] != 1 || r.Confusion["invalid_id"]["suspected"] != 1 ||
		r.Confusion["enrolled"]["missing"] != 1 || r.Confusion["absent"]["exempt"] != 1 || r.Confusion["absent"]["suspected"] != 1 {
		t.Errorf("confusion %v", r.Confusion)
	}
	if got := r.Misses["wrong_auto_link"]; len(got) != 1 || got[0] != 4 {
		t.Errorf("wrong auto links %v", got)
	}
}

func TestReportText(t *testing.T) {
	var buf bytes.Buffer
	if err := load(t).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("report differs from %s (run with -update):\n%s", golden, buf.String())
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := ReadTruth(strings.NewReader("registry_row,status\n1,enrolled\n")); err == nil || !strings.Contains(err.Error(), "in_window") {
		t.Errorf("missing column: %v", err)
	}
	if _, err := ReadTruth(strings.NewReader("")); err == nil {
		t.Errorf("empty truth accepted")
	}
	if _, err := ReadLedger(strings.NewReader("{\"source_row\":1}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "第 2 行") {
		t.Errorf("bad ledger: %v", err)
	}
}

func FuzzReadTruth(f *testing.F) {
	seed, _ := os.ReadFile("testdata/truth.csv")
	f.Add(string(seed))
	f.Add("registry_row,status,in_window,student_no,poverty,disability,damage\n-1,x,1,,,,\n")
	f.Fuzz(func(t *testing.T, s string) {
		truth, err := ReadTruth(strings.NewReader(s))
		if err != nil {
			return
		}
		Evaluate(truth, nil)
	})
}

func FuzzReadLedger(f *testing.F) {
	seed, _ := os.ReadFile("testdata/ledger.jsonl")
	f.Add(string(seed))
	f.Fuzz(func(t *testing.T, s string) {
		led, err := ReadLedger(strings.NewReader(s))
		if err != nil {
			return
		}
		Evaluate(map[int]truthRow{1: {status: "out_of_school", inWindow: true}}, led)
	})
}
