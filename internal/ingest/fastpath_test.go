package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/normalize"
)

// TestFastPathsAgree: the converter's shortcuts give what the parsers they skip would.
func TestFastPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	cases := []string{"13800138000", "19999999999", "10800138000", "12800138000", "1380013800", "138001380000", "1380013800x", "１3800138000", " 13800138000"}
	for range 20000 {
		cases = append(cases, "1"+digits(10), digits(11))
	}
	for _, s := range cases {
		checkPlainMobile(t, s)
	}
}

func checkPlainMobile(t *testing.T, s string) {
	t.Helper()
	if !plainMobile(s) {
		return
	}
	if v, p := normalize.Phone(s); v != s || p != nil {
		t.Fatalf("plainMobile(%q), but normalize.Phone gives %q, %v", s, v, p)
	}
}

func FuzzPlainMobile(f *testing.F) {
	for _, s := range []string{"13800138000", "1380013800", "12345678901", "1.3800138E+10"} {
		f.Add(s)
	}
	f.Fuzz(checkPlainMobile)
}

// TestMemoSameAsParser: a memo returns, for every sequence of values, what the parser returns —
// through its recent values, its map, and once the map is full.
func TestMemoSameAsParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []string{"正常", "死亡", "迁出", "待核", "", " 正常", "户口正常", "x"}
	var m memo[string]
	for i := range 50000 {
		raw := values[rng.IntN(len(values))]
		if i > 20000 && rng.IntN(2) == 0 {
			raw = "未知状态" + string(rune('a'+rng.IntN(26))) + string(rune('0'+i%10)) + string(rune(0x4e00+i%5000))
		}
		gv, gp := m.get(raw, normalize.RegistryStatus)
		wv, wp := normalize.RegistryStatus(raw)
		if gv != wv || gp.String() != wp.String() {
			t.Fatalf("step %d, %q: memo %q %v, parser %q %v", i, raw, gv, gp, wv, wp)
		}
	}
	if len(m.m) != memoSize {
		t.Errorf("memo holds %d values, want the cap %d", len(m.m), memoSize)
	}
}

// TestPipelinedSameAsSequential: Check, which reads on one goroutine and converts on another
// with the shortcuts, gives the same counts, problems and records as converting the rows one by
// one on a single goroutine straight from the table.
func TestPipelinedSameAsSequential(t *testing.T) {
	opts := importOptions(t)
	opts.Today, opts.Report, opts.MaxProblems = corpusToday, "-", 1_000_000
	for _, c := range corpus {
		path := filepath.Join("testdata", c.file)
		var piped []string
		s, err := Check(context.Background(), path, c.kind, opts, recordLog(&piped))
		if err != nil {
			t.Fatal(err)
		}
		tab, err := OpenTable(path, Options{Kind: c.kind})
		if err != nil {
			t.Fatal(err)
		}
		cv := newConverter(c.kind, &tab.Header, opts)
		seq := &Summary{ErrorsByCode: map[string]int{}}
		var direct []string
		sink := recordLog(&direct)
		for {
			row, err := tab.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rec := cv.convert(row)
			seq.Rows++
			seq.tally(cv.problems, opts.MaxProblems, row, cv)
			if !rec.none() {
				seq.Stored++
				rec.store(sink)
			}
		}
		tab.Close()
		if s.Rows != seq.Rows || s.Accepted != seq.Accepted || s.Rejected != seq.Rejected || s.Warnings != seq.Warnings ||
			s.Stored != seq.Stored || fmt.Sprint(s.ErrorsByCode) != fmt.Sprint(seq.ErrorsByCode) ||
			fmt.Sprint(s.Problems) != fmt.Sprint(seq.Problems) {
			t.Errorf("%s: pipelined %+v\nsequential %+v", c.file, s, seq)
		}
		if strings.Join(piped, "\n") != strings.Join(direct, "\n") || len(piped) != s.Stored {
			t.Errorf("%s: %d records pipelined, %d sequential, or they differ", c.file, len(piped), len(direct))
		}
	}
}

// recordLog is a sink that renders every record it gets.
func recordLog(out *[]string) Records {
	add := func(v any) error { *out = append(*out, fmt.Sprintf("%+v", v)); return nil }
	return Records{
		OnPerson:     func(p *baoxue.Person) error { return add(*p) },
		OnEnrollment: func(e *baoxue.Enrollment) error { return add(*e) },
		OnPoverty:    func(p *baoxue.PovertyRecord) error { return add(*p) },
		OnDisability: func(d *baoxue.DisabilityRecord) error { return add(*d) },
		OnSchool:     func(s *baoxue.School) error { return add(*s) },
		OnVillage:    func(v *baoxue.Village) error { return add(*v) },
	}
}

// TestMemoPinsNoText: what the memo keeps for later rows — the cell as key and the parsed value,
// which a parser may cut from the cell — shares no memory with the row's text, which in the
// parallel reading is a page of a whole block.
func TestMemoPinsNoText(t *testing.T) {
	text := strings.Repeat("x", 1000) + "622921100001" + strings.Repeat("y", 1000)
	cell := text[1000:1012]
	inText := func(s string) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(text)))
		return p >= lo && p < lo+uintptr(len(text))
	}
	var m memo[string]
	v, _ := m.get(cell, func(s string) (string, *normalize.Problem) { return s[:9], nil }) // a township code cut from the cell
	if v != "622921100" {
		t.Fatalf("get = %q", v)
	}
	if len(m.m) != 1 {
		t.Fatalf("memo holds %d entries, want 1", len(m.m))
	}
	for k, e := range m.m {
		if inText(k) || inText(e.v) {
			t.Errorf("memo entry %q → %q points into the row's text", k, e.v)
		}
	}
	// Lookups through the map still answer what the parser said.
	m.recent = [2]memoRecent[string]{}
	if v, _ := m.get(strings.Clone(cell), func(string) (string, *normalize.Problem) { t.Fatal("parsed again"); return "", nil }); v != "622921100" {
		t.Errorf("second get = %q", v)
	}
}
