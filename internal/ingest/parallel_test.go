package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// checkOutcome is everything Check tells about a file: the records in order, the summary with
// every problem, the error report read back, or the error.
type checkOutcome struct {
	records, summary, report, err string
}

// checkWith runs Check on a copy of path (so that its error report is its own) with tuning.
func checkWith(t *testing.T, path string, kind baoxue.DatasetKind, opts ImportOptions, tune parallelTuning) checkOutcome {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts.parallel = &tune
	opts.Report, opts.MaxProblems = "", 1_000_000
	if tune.poison {
		// Blocks lend their text to the sink (there is then no error report) and overwrite it
		// after; the sink below copies what it prints.
		opts.Report, opts.LendText = "-", true
	}
	var recs strings.Builder
	add := func(v any) error { fmt.Fprintf(&recs, "%+v\n", v); return nil }
	sink := Records{
		OnPerson:     func(v *baoxue.Person) error { return add(*v) },
		OnEnrollment: func(v *baoxue.Enrollment) error { return add(*v) },
		OnPoverty:    func(v *baoxue.PovertyRecord) error { return add(*v) },
		OnDisability: func(v *baoxue.DisabilityRecord) error { return add(*v) },
		OnSchool:     func(v *baoxue.School) error { return add(*v) },
		OnVillage:    func(v *baoxue.Village) error { return add(*v) },
	}
	var out checkOutcome
	s, err := Check(context.Background(), file, kind, opts, sink)
	out.records = recs.String()
	if err != nil {
		out.err = strings.ReplaceAll(err.Error(), dir, "DIR")
		return out
	}
	out.summary = goldenSummary(kind, s) + fmt.Sprintf("skipped %d\n", s.Skipped)
	for _, p := range s.Problems {
		out.summary += fmt.Sprintf("%d %s %s %q\n", p.Row, p.Code, p.Message, p.Value)
	}
	if s.Report != "" {
		src, err := Open(s.Report, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out.report, err = dump(src)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sequential never takes the parallel path.
var sequential = parallelTuning{minSize: 1 << 62}

// assertSameAsSequential checks a file in parallel with several block sizes against the
// sequential reading.
func assertSameAsSequential(t *testing.T, path string, kind baoxue.DatasetKind, opts ImportOptions) {
	t.Helper()
	want := checkWith(t, path, kind, opts, sequential)
	for _, tune := range []parallelTuning{{block: 1}, {block: 37}, {block: 256}, {block: 4096}, {block: 1 << 20}} {
		tune.workers = 3
		block := fmt.Sprint(tune.block)
		got := checkWith(t, path, kind, opts, tune)
		for _, c := range []struct{ name, got, want string }{{"records", got.records, want.records},
			{"summary", got.summary, want.summary}, {"report", got.report, want.report}, {"error", got.err, want.err}} {
			if c.got != c.want {
				t.Errorf("%s, block %s: %s differ from the sequential reading:\n%s", filepath.Base(path), block, c.name,
					lineDiff(c.want, c.got))
			}
		}
	}
	// Text lent to the sink and overwritten once it has returned: the same records and
	// problems, so nothing in the conversion keeps a lent string.
	noReport := sequential
	noReport.poison = true
	want = checkWith(t, path, kind, opts, noReport)
	for _, block := range []int{37, 4096} {
		got := checkWith(t, path, kind, opts, parallelTuning{block: block, workers: 3, poison: true})
		for _, c := range []struct{ name, got, want string }{{"records", got.records, want.records},
			{"summary", got.summary, want.summary}, {"error", got.err, want.err}} {
			if c.got != c.want {
				t.Errorf("%s, block %d, text lent: %s differ from the sequential reading:\n%s", filepath.Base(path), block,
					c.name, lineDiff(c.want, c.got))
			}
		}
	}
}

// TestParallelSameAsSequential: the parallel conversion of a text file gives the sequential
// reader's records, counts, problems, error report and errors, whatever the block borders cut —
// on the UTF-8 files of the corpus, on the GBK corpus turned into UTF-8, and on files made to
// trip it: quotes, quoted line breaks (the rest is read sequentially), CRLF, blank lines, a
// GB18030 line in a UTF-8 file, duplicates far apart, too many columns, an over-long line.
func TestParallelSameAsSequential(t *testing.T) {
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	asOf := baoxue.MakeDate(2026, 9, 1)
	opts := ImportOptions{Tree: tree, Today: asOf, AsOf: asOf, Importer: "test"}
	for _, c := range corpus {
		if !strings.HasSuffix(c.file, ".csv") {
			continue
		}
		path := filepath.Join("testdata", c.file)
		if strings.Contains(c.file, "/hard/") {
			path = gbkToUTF8(t, path)
		}
		t.Run(c.file, func(t *testing.T) {
			assertSameAsSequential(t, path, c.kind, opts)
			if c.kind == baoxue.KindRegistry {
				o := opts
				o.SkipOutsideWindow, o.NarrowWindow = true, true
				assertSameAsSequential(t, path, c.kind, o)
			}
		})
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		edit    func(lines []string) []string
		limits  Limits
		wantErr bool // the sequential reader stops with an error
	}{
		{"plain", nil, Limits{}, false},
		{"crlf", func(l []string) []string {
			for i := range l {
				l[i] += "\r"
			}
			return l
		}, Limits{}, false},
		{"blank lines and a GB18030 line", func(l []string) []string {
			gb, _ := simplifiedchinese.GB18030.NewEncoder().String(l[40])
			l[40] = gb
			return append(l[:60], append([]string{"", ",,,,", "  "}, l[60:]...)...)
		}, Limits{}, false},
		{"quoted line break", func(l []string) []string {
			l[150] = strings.Replace(l[150], "村1号", "\"村\n1号\"", 1)
			return l
		}, Limits{}, false},
		{"quote opened mid-line", func(l []string) []string {
			l[90] = strings.Replace(l[90], "村1号", "村1号\",\"", 1)
			return l
		}, Limits{}, false},
		{"unclosed quote", func(l []string) []string {
			l[len(l)-1] += ",\"未闭合" // runs to the end of the file
			return l
		}, Limits{}, true},
		{"too many columns", func(l []string) []string {
			l[120] += strings.Repeat(",x", 30)
			return l
		}, Limits{MaxColumns: 20}, true},
		{"over-long line", func(l []string) []string {
			l[130] = strings.Replace(l[130], "村1号", strings.Repeat("长", 400), 1)
			return l
		}, Limits{MaxTokenSize: 1000}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := trickyRegistry(300)
			if tc.edit != nil {
				lines = tc.edit(lines)
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
			if err := os.WriteFile(path, []byte("\uFEFF户籍人口信息表\n\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			o := opts
			o.Limits = tc.limits
			// The parallel path must be the one taken.
			o.parallel = &parallelTuning{block: 64}
			r, err := newRun(path, baoxue.KindRegistry, o)
			if err != nil {
				t.Fatal(err)
			}
			if r.parallelPlan() == nil {
				t.Fatal("the parallel conversion would not read this file")
			}
			r.close()
			if got := checkWith(t, path, baoxue.KindRegistry, o, sequential).err != ""; got != tc.wantErr {
				t.Fatalf("the sequential reading fails: %v, want %v", got, tc.wantErr)
			}
			for _, skip := range []bool{false, true} {
				o.SkipOutsideWindow = skip
				assertSameAsSequential(t, path, baoxue.KindRegistry, o)
			}
		})
	}
}

// trickyRegistry is a registry header and n rows: children and adults, quoted addresses with
// commas and quotes, a literal quote inside a field, IDs repeated far apart.
func trickyRegistry(n int) []string {
	rng := rand.New(rand.NewPCG(7, 8))
	lines := []string{strings.Join(registryHeader, ",")}
	ids := []string{}
	for i := range n {
		year := 1950 + rng.IntN(75)
		birth := fmt.Sprintf("%04d%02d%02d", year, 1+rng.IntN(12), 1+rng.IntN(28))
		id := testID("622921", birth, fmt.Sprintf("%03d", rng.IntN(1000)))
		if len(ids) > 0 && rng.IntN(10) == 0 {
			id = ids[rng.IntN(len(ids))]
		}
		ids = append(ids, id)
		date := birth[:4] + "-" + birth[4:6] + "-" + birth[6:]
		addr := "临夏县韩集镇村1号"
		switch rng.IntN(6) {
		case 0:
			addr = `"临夏县韩集镇,村1号"`
		case 1:
			addr = `"临夏县""韩集""镇村1号"`
		case 2:
			addr = `临夏县韩"集镇村1号`
		}
		lines = append(lines, strings.Join([]string{fmt.Sprint(i + 1), "张" + string(rune('一'+i%50)), id, "男", date, "汉族",
			"292110000001", "子", addr, "622921100001", "正常", "张大山", testID("622921", "19850612", "031"), "13800138000"}, ","))
	}
	return lines
}

// gbkToUTF8 writes a UTF-8 copy of a GBK file.
func gbkToUTF8(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	utf, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, utf, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzParallelCSV: whatever follows a registry header — broken quotes, stray CRs, invalid
// UTF-8, blank and over-wide lines — the parallel conversion gives what the sequential reader
// gives.
func FuzzParallelCSV(f *testing.F) {
	lines := trickyRegistry(12)
	f.Add([]byte(strings.Join(lines[1:], "\n")), false)
	f.Add([]byte(strings.Join(lines[1:], "\r\n")), true)
	f.Add([]byte("1,张三,\"a\nb\",男\n2,李四,622921201503051235,男,2015-03-05\n"), true)
	f.Add([]byte("\"\n\"\"\n,\",\r\r\n\xff\xfe,\n\n"), false)
	tree, err := region.Load()
	if err != nil {
		f.Fatal(err)
	}
	asOf := baoxue.MakeDate(2026, 9, 1)
	f.Fuzz(func(t *testing.T, body []byte, skip bool) {
		if len(body) > 1<<16 {
			return
		}
		path := filepath.Join(t.TempDir(), "registry.csv")
		if err := os.WriteFile(path, append([]byte(lines[0]+"\n"), body...), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := ImportOptions{Tree: tree, Today: asOf, AsOf: asOf, Importer: "test", SkipOutsideWindow: skip}
		want := checkWith(t, path, baoxue.KindRegistry, opts, sequential)
		noReport := sequential
		noReport.poison = true
		wantLent := checkWith(t, path, baoxue.KindRegistry, opts, noReport)
		for _, tune := range []parallelTuning{{block: 7, workers: 2}, {block: 64, workers: 3}, {block: 64, workers: 3, poison: true}} {
			got := checkWith(t, path, baoxue.KindRegistry, opts, tune)
			want := want
			if tune.poison {
				want = wantLent // text lent to the sink and overwritten after (no error report)
			}
			if got != want {
				t.Fatalf("block %d: the parallel conversion differs:\nrecords %s\nsummary %s\nreport %s\nerror %s",
					tune.block, lineDiff(want.records, got.records), lineDiff(want.summary, got.summary),
					lineDiff(want.report, got.report), lineDiff(want.err, got.err))
			}
		}
	})
}

// TestParallelFileTruncatedMeanwhile: a file cut short while it is being converted (another
// program rewriting it) gives an error naming the file, not a crash.
func TestParallelFileTruncatedMeanwhile(t *testing.T) {
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	lines := trickyRegistry(20000)
	path := filepath.Join(t.TempDir(), "registry.csv")
	data := []byte(strings.Join(lines, "\n") + "\n")
	asOf := baoxue.MakeDate(2026, 9, 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := ImportOptions{Tree: tree, Today: asOf, AsOf: asOf, Importer: "test", Report: "-",
		parallel: &parallelTuning{block: 16 << 10, workers: 2}}
	truncated := false
	_, err = Check(context.Background(), path, baoxue.KindRegistry, opts, Records{OnPerson: func(*baoxue.Person) error {
		if !truncated {
			truncated = true
			return os.Truncate(path, 64<<10)
		}
		return nil
	}})
	if !truncated {
		t.Fatal("no record reached the sink")
	}
	if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "registry.csv") {
		t.Fatalf("Check after truncation: %v, want an ErrCorrupt naming the file", err)
	}
}
