package ledger

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
)

// seqJSONL and seqCSV are the sequential writers the parallel ones replaced, kept as the
// reference for their bytes (TestParallelMatchesSequential) and their speed (the benchmarks,
// with the fsync they did before the rename).
type seqJSONL struct {
	t     *tempFile
	buf   *bufio.Writer
	line  []byte
	opts  Options
	fsync bool
}

func (w *seqJSONL) Add(e *baoxue.LedgerEntry) error {
	w.line = appendEntry(w.line[:0], w.opts.masked(e))
	_, err := w.buf.Write(w.line)
	return err
}

func (w *seqJSONL) Commit() error {
	if err := w.buf.Flush(); err != nil {
		w.t.abort()
		return err
	}
	return seqCommit(w.t, w.fsync)
}

func seqCommit(t *tempFile, fsync bool) error {
	if fsync {
		if err := t.Sync(); err != nil {
			t.abort()
			return err
		}
	}
	return t.commit()
}

func (w *seqJSONL) Abort() { w.t.abort() }

type seqCSV struct {
	t     *tempFile
	buf   *bufio.Writer
	w     *csv.Writer
	opts  Options
	rec   []string
	fsync bool
}

func (w *seqCSV) Add(e *baoxue.LedgerEntry) error {
	e = w.opts.masked(e)
	score := ""
	if e.MatchMethod != baoxue.MatchNone && e.MatchMethod != "" {
		score = strconv.FormatFloat(e.MatchScore, 'f', -1, 64)
	}
	asText := func(s string) string {
		if s == "" {
			return ""
		}
		return "\t" + s
	}
	csvCell := func(s string) string {
		if needsQuote(s) {
			return "'" + s
		}
		return s
	}
	r := w.rec
	r[0] = strconv.Itoa(e.SourceRow)
	r[1] = asText(csvCell(e.IDNumber))
	r[2] = csvCell(e.Name)
	r[3] = sexLabel[e.Sex]
	r[4] = e.BirthDate
	r[5] = asText(csvCell(e.RegionCode))
	r[6] = statusLabel(e.Status)
	r[7] = csvCell(e.Detail)
	r[8] = methodLabel[e.MatchMethod]
	r[9] = score
	r[10] = csvCell(e.MatchedStudentNo)
	r[11] = asText(csvCell(e.SchoolCode))
	r[12] = csvCell(e.SchoolName)
	r[13] = yesNo(e.Poverty)
	r[14] = csvCell(e.PovertyType)
	r[15] = csvCell(e.Disability)
	r[16] = groupsLabel(e.PriorityGroups)
	return w.w.Write(r)
}

func (w *seqCSV) Commit() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		w.t.abort()
		return err
	}
	if err := w.buf.Flush(); err != nil {
		w.t.abort()
		return err
	}
	return seqCommit(w.t, w.fsync)
}

func (w *seqCSV) Abort() { w.t.abort() }

// createSequential is Create with the sequential writers.
func createSequential(path string, opts Options) (Writer, error) { return createOld(path, opts, false) }

// createOld is Create with the sequential writers, fsync before the rename if asked.
func createOld(path string, opts Options, fsync bool) (Writer, error) {
	t, err := newTempFile(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(t, 256<<10)
	if f, _ := FormatOf(path); f == JSONL {
		return &seqJSONL{t: t, buf: buf, opts: opts, fsync: fsync}, nil
	}
	w := &seqCSV{t: t, buf: buf, w: csv.NewWriter(buf), opts: opts, rec: make([]string, len(csvHeader)), fsync: fsync}
	w.w.UseCRLF = true
	buf.WriteString("\uFEFF")
	w.w.Write(csvHeader)
	return w, nil
}

// variedEntries returns n entries that look like a province run, with every few entries a value
// that exercises escaping: empty fields, quotes, commas, line breaks, formula-like values, leading
// spaces, U+2028, invalid UTF-8 and odd statuses. Same n → same entries.
func variedEntries(n int) []baoxue.LedgerEntry {
	rng := rand.New(rand.NewPCG(20260901, uint64(n)))
	odd := []string{"", `a"b`, "a,b", "line\nbreak", "cr\rlf\r\n", "=SUM(A1)", "+86", "-1", "@x", "＝全角",
		" leading", "\tTab", "\u3000全角空格", `\.`, "x\u2028y\u2029", "bad\xff\xfeutf8", "\x00\x1f", "<b>&</b>", "'",
		"\"", ",", "\u00a0nbsp", "\u0085nel", "引号\"逗号,换行\n"}
	statuses := []baoxue.LedgerStatus{baoxue.StatusEnrolled, baoxue.StatusEnrolled, baoxue.StatusEnrolled,
		baoxue.StatusEnrolledElsewhere, baoxue.StatusReview, baoxue.StatusSuspected, baoxue.StatusInvalidID,
		baoxue.StatusExempt, "unknown,status"}
	methods := []baoxue.MatchMethod{baoxue.MatchIDExact, baoxue.MatchIDExact, baoxue.MatchIDVariant,
		baoxue.MatchFuzzy, baoxue.MatchNone, ""}
	groups := [][]string{nil, {}, {}, {"poor"}, {"disabled"}, {"orphan", "poor"}, {"left_behind", "x,y"}}
	surnames := []string{"马", "张", "李", "王", "古丽·", "韩", "妥"}
	given := []string{"小龙", "伟", "娜", "艾合买提", "秀英", "明"}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	out := make([]baoxue.LedgerEntry, n)
	for i := range out {
		id := fmt.Sprintf("6229212%03d%02d%02d%04d", 10+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(10000))
		e := baoxue.LedgerEntry{
			SourceRow:        i + 2,
			IDNumber:         id,
			Name:             pick(surnames) + pick(given),
			Sex:              []baoxue.Sex{baoxue.Male, baoxue.Female, ""}[rng.IntN(3)],
			BirthDate:        "20" + id[8:10] + "-" + id[10:12] + "-" + id[12:14],
			RegionCode:       fmt.Sprintf("622921%03d%03d", 100+rng.IntN(20), 200+rng.IntN(30)),
			Status:           statuses[rng.IntN(len(statuses))],
			Detail:           "学籍状态为辍学（临夏县第一初级中学，七年级，辍学）；户籍地与学籍地不一致",
			MatchMethod:      methods[rng.IntN(len(methods))],
			MatchScore:       []float64{1, 0.87, 0.999958, 0, 1e-7, 123456789.125}[rng.IntN(6)],
			MatchedStudentNo: "G" + id,
			SchoolCode:       fmt.Sprintf("26229210%02d", rng.IntN(100)),
			SchoolName:       "临夏县第一初级中学",
			Poverty:          rng.IntN(4) == 0,
			PovertyType:      []string{"", "脱贫户", "监测户"}[rng.IntN(3)],
			Disability:       []string{"", "", "智力残疾二级"}[rng.IntN(3)],
			PriorityGroups:   groups[rng.IntN(len(groups))],
		}
		if i%5 == 0 { // every fifth entry carries odd values in its text fields
			for _, f := range []*string{&e.IDNumber, &e.Name, &e.BirthDate, &e.RegionCode, &e.Detail,
				&e.MatchedStudentNo, &e.SchoolCode, &e.SchoolName, &e.PovertyType, &e.Disability} {
				if rng.IntN(3) == 0 {
					*f = pick(odd) + pick(odd)
				}
			}
			if rng.IntN(4) == 0 {
				e.SourceRow = -rng.IntN(1000)
			}
			if rng.IntN(4) == 0 {
				e.Sex = baoxue.Sex(pick(odd))
			}
		}
		out[i] = e
	}
	return out
}

func writeWith(t *testing.T, create func(string, Options) (Writer, error), path string, opts Options, entries []baoxue.LedgerEntry) []byte {
	t.Helper()
	w, err := create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if err := w.Add(&entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParallelMatchesSequential(t *testing.T) {
	entries := variedEntries(50_000)
	dir := t.TempDir()
	for _, ext := range []string{".jsonl", ".csv"} {
		for _, opts := range []Options{{}, {MaskIDs: true, MaskID: pii.MaskID}} {
			name := fmt.Sprintf("%s masked=%v", ext, opts.MaskIDs)
			want := writeWith(t, createSequential, filepath.Join(dir, "seq"+ext), opts, entries)
			// Batch boundaries must not matter: a ledger of one entry, one short of a batch,
			// exactly one batch, and the whole run.
			for _, n := range []int{0, 1, batchSize - 1, batchSize, len(entries)} {
				got := writeWith(t, Create, filepath.Join(dir, "par"+ext), opts, entries[:n])
				ref := want
				if n < len(entries) {
					ref = writeWith(t, createSequential, filepath.Join(dir, "seq"+ext), opts, entries[:n])
				}
				if !bytes.Equal(got, ref) {
					i := 0
					for i < min(len(got), len(ref)) && got[i] == ref[i] {
						i++
					}
					t.Fatalf("%s, %d entries: bytes differ at %d:\n got %q\nwant %q", name, n, i,
						got[max(i-80, 0):min(i+80, len(got))], ref[max(i-80, 0):min(i+80, len(ref))])
				}
			}
		}
	}
	if !bytes.Contains(writeWith(t, Create, filepath.Join(dir, "m.csv"), Options{MaskIDs: true, MaskID: pii.MaskID}, entries[1:2]),
		[]byte("***********")) {
		t.Error("IDs not masked")
	}
}

// csvLine is what encoding/csv with UseCRLF writes for record.
func csvLine(t testing.TB, record []string) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(record); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.String()
}

func TestCSVField(t *testing.T) {
	for _, tt := range []struct{ prefix, v, want string }{
		{"", "", ""},
		{"", "abc", "abc"},
		{"", "马小龙", "马小龙"},
		{"", "a,b", `"a,b"`},
		{"", `a"b`, `"a""b"`},
		{"", "a\nb", "\"a\r\nb\""},
		{"", "a\r\nb", "\"a\r\nb\""},
		{"", "a\rb", "\"ab\""}, // encoding/csv drops \r inside quotes with UseCRLF
		{"", " a", `" a"`},
		{"", "\ta", "\"\ta\""},
		{"", "\u3000全角", "\"\u3000全角\""},
		{"", "\u00a0", "\"\u00a0\""},
		{"", "a ", "a "},
		{"", `\.`, `"\."`},
		{"", `\.x`, `\.x`},
		{"", "'", "'"},
		{"", "\xff", "\xff"},
		{"'", "=1", "'=1"},
		{"'", `=A1&","`, `"'=A1&"","""`},
		{"\t", "622921", "\"\t622921\""},
		{"\t'", "-1", "\"\t'-1\""},
		{"\\", ".", `"\."`},
		{"'", "", "'"},
	} {
		want := csvLine(t, []string{tt.prefix + tt.v})
		want = want[:len(want)-2] // the line's \r\n
		if want != tt.want {
			t.Errorf("table wrong for %q+%q: encoding/csv writes %q", tt.prefix, tt.v, want)
		}
		if got := string(appendCSVField(nil, tt.prefix, tt.v)); got != want {
			t.Errorf("appendCSVField(%q, %q) = %q, want %q", tt.prefix, tt.v, got, want)
		}
	}
	for _, rec := range [][]string{csvHeader, {""}, {"", ""}, {"a", "", "b,c"}} {
		if got, want := string(appendCSVRecord(nil, rec)), csvLine(t, rec); got != want {
			t.Errorf("appendCSVRecord(%q) = %q, want %q", rec, got, want)
		}
	}
}

func FuzzCSVRecordMatchesEncodingCSV(f *testing.F) {
	f.Add("a", "", "b,c")
	f.Add(" x", "\"q\"", "\r\n")
	f.Add(`\.`, "\u3000", "\xff\xfe")
	f.Add("\u0085", "\t", "=1")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		rec := []string{a, b, c}
		if got, want := string(appendCSVRecord(nil, rec)), csvLine(t, rec); got != want {
			t.Fatalf("appendCSVRecord(%q) = %q, want %q", rec, got, want)
		}
		for _, prefix := range []string{"'", "\t", "\t'"} {
			want := csvLine(t, []string{prefix + a})
			if got := string(appendCSVField(nil, prefix, a)) + "\r\n"; got != want {
				t.Fatalf("appendCSVField(%q, %q) = %q, want %q", prefix, a, got, want)
			}
		}
	})
}

// goroutinesBackTo waits briefly for the goroutine count to fall back to n.
func goroutinesBackTo(t *testing.T, n int) {
	t.Helper()
	for range 100 {
		if runtime.NumGoroutine() <= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines, want %d: leaked", runtime.NumGoroutine(), n)
}

func TestWriterLifecycle(t *testing.T) {
	entries := variedEntries(3*batchSize + 7)
	before := runtime.NumGoroutine()
	for _, ext := range []string{".jsonl", ".csv"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "l"+ext)

		// Abort in the middle of a run: no file, no goroutines.
		w, err := Create(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range entries {
			if err := w.Add(&entries[i]); err != nil {
				t.Fatal(err)
			}
		}
		w.Abort()
		w.Abort()
		if err := w.Commit(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s: Commit after Abort: %v", ext, err)
		}
		if ls, _ := os.ReadDir(dir); len(ls) != 0 {
			t.Errorf("%s: Abort left %v", ext, ls)
		}
		goroutinesBackTo(t, before)

		// Commit, then Abort and a second Commit change nothing; Add is refused.
		w, _ = Create(path, Options{})
		for i := range entries {
			w.Add(&entries[i])
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		if err := w.Commit(); err != nil {
			t.Errorf("%s: second Commit: %v", ext, err)
		}
		if err := w.Add(&entries[0]); !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s: Add after Commit: %v", ext, err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: Abort after Commit removed the ledger: %v", ext, err)
		}
		goroutinesBackTo(t, before)

		// A write error surfaces, wrapped, by Commit at the latest; no ledger appears.
		os.Remove(path)
		w, _ = Create(path, Options{})
		w.(*textWriter).t.Close() // every write now fails
		var addErr error
		for i := range entries {
			if err := w.Add(&entries[i]); err != nil && addErr == nil {
				addErr = err
			}
		}
		err = w.Commit()
		if !errors.Is(err, os.ErrClosed) || !strings.HasPrefix(err.Error(), "写入台账文件 "+path+"：write ") {
			t.Errorf("%s: Commit after a write error: %v", ext, err)
		}
		if addErr != nil && !errors.Is(addErr, os.ErrClosed) {
			t.Errorf("%s: Add after a write error: %v", ext, addErr)
		}
		if ls, _ := os.ReadDir(dir); len(ls) != 0 {
			t.Errorf("%s: failed Commit left %v", ext, ls)
		}
		goroutinesBackTo(t, before)
	}
}

// benchmarkWrite writes 200,000 entries per operation through create and reports the time per
// entry, Commit and its rename included.
func benchmarkWrite(b *testing.B, ext string, create func(path string) (Writer, error)) {
	const n = 200_000
	entries := variedEntries(n)
	dir := b.TempDir()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		w, err := create(filepath.Join(dir, fmt.Sprintf("l%d%s", i%2, ext)))
		if err != nil {
			b.Fatal(err)
		}
		for j := range entries {
			if err := w.Add(&entries[j]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i*n), "ns/entry")
}

func BenchmarkWriteJSONL(b *testing.B) {
	benchmarkWrite(b, ".jsonl", func(path string) (Writer, error) { return Create(path, Options{}) })
}

func BenchmarkWriteCSV(b *testing.B) {
	benchmarkWrite(b, ".csv", func(path string) (Writer, error) { return Create(path, Options{}) })
}

// The writers as they were: sequential, with an fsync before the rename ("Old"), and without it
// ("Sequential"), to tell the two changes apart.
func BenchmarkWriteJSONLOld(b *testing.B) {
	benchmarkWrite(b, ".jsonl", func(path string) (Writer, error) { return createOld(path, Options{}, true) })
}

func BenchmarkWriteCSVOld(b *testing.B) {
	benchmarkWrite(b, ".csv", func(path string) (Writer, error) { return createOld(path, Options{}, true) })
}

func BenchmarkWriteJSONLSequential(b *testing.B) {
	benchmarkWrite(b, ".jsonl", func(path string) (Writer, error) { return createOld(path, Options{}, false) })
}

func BenchmarkWriteCSVSequential(b *testing.B) {
	benchmarkWrite(b, ".csv", func(path string) (Writer, error) { return createOld(path, Options{}, false) })
}
