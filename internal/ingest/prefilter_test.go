package ingest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/normalize"
	"github.com/baoxue/baoxue/internal/region"
)

// prefilterID is a valid 临夏县 ID born on birth (yyyymmdd); bad spoils its check digit.
func prefilterID(birth string, seq int, bad bool) string {
	first := []byte("622921" + birth + "01" + string(rune('0'+seq%10)))
	c := idcard.CheckDigit(first)
	if bad {
		if c == '0' {
			c = '1'
		} else {
			c = '0'
		}
	}
	return string(append(first, c))
}

// TestSkipOutsideWindow: with SkipOutsideWindow the registry rows whose ID birth digits and
// 出生日期 both say "outside the window" are skipped, every other row is converted, and the
// records are exactly those of the full conversion — including rows where the ID and the
// column disagree, damaged IDs and dates the parser refuses.
func TestSkipOutsideWindow(t *testing.T) {
	asOf := baoxue.MakeDate(2026, 9, 1)
	tests := []struct {
		name, id, birth string
		skip            bool
	}{
		{"adult, compact date", prefilterID("19800506", 1, false), "19800506", true},
		{"adult, ISO date", prefilterID("19800506", 2, false), "1980-05-06", true},
		{"adult, slashes", prefilterID("19800506", 3, false), "1980/5/6", true},
		{"adult, dots", prefilterID("19800506", 4, false), "1980.05.6", true},
		{"baby", prefilterID("20250101", 5, false), "20250101", true},
		{"adult, lower-case x", lowerX(), "1962-01-01", true},
		{"adult ID, bad check digit, adult column", prefilterID("19800506", 6, true), "1980-05-06", true},
		{"adult ID, child column", prefilterID("19800506", 7, false), "2015-03-04", false},
		{"child ID, adult column", prefilterID("20150304", 8, false), "19800506", false},
		{"adult ID, bad check digit, child column", prefilterID("19800506", 9, true), "2015-03-04", false},
		{"impossible ID birth digits", prefilterID("19801345", 1, false), "19800506", false},
		{"blank column", prefilterID("19800506", 2, false), "", false},
		{"Chinese date", prefilterID("19800506", 3, false), "1980年5月6日", false},
		{"future column", prefilterID("19800506", 4, false), "2030-01-01", false},
		{"column before 1900", prefilterID("19800506", 5, false), "1899-01-01", false},
		{"column 31 February", prefilterID("19800506", 6, false), "1980-02-31", false},
		{"mixed separators", prefilterID("19800506", 7, false), "1980-05/06", false},
		{"17-digit ID", prefilterID("19800506", 8, false)[:17], "19800506", false},
		{"full-width digit", "６" + prefilterID("19800506", 9, false)[1:], "19800506", false},
		{"child", prefilterID("20150304", 1, false), "2015-03-04", false},
	}
	var b strings.Builder
	b.WriteString("姓名,身份证号,性别,出生日期,村(社区)代码,户口状态\n")
	for i, tc := range tests {
		b.WriteString("张" + string(rune('甲'+i)) + "," + tc.id + ",男," + tc.birth + ",622921100001,正常\n")
	}
	path := filepath.Join(t.TempDir(), "registry.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	read := func(skip bool) ([]baoxue.Person, []int, *Summary) {
		var people []baoxue.Person
		var rows []int
		opts := ImportOptions{Tree: tree, Today: asOf, AsOf: asOf, Report: "-", SkipOutsideWindow: skip}
		s, err := Check(context.Background(), path, baoxue.KindRegistry, opts, Records{OnPerson: func(p *baoxue.Person) error {
			people = append(people, *p)
			rows = append(rows, p.SourceRow)
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return people, rows, s
	}
	want, _, full := read(false)
	got, _, skipped := read(true)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records differ with SkipOutsideWindow:\n got %+v\nwant %+v", got, want)
	}
	if skipped.Rows != len(tests) || full.Rows != len(tests) {
		t.Errorf("rows %d and %d, want %d", skipped.Rows, full.Rows, len(tests))
	}
	wantSkipped := 0
	for _, tc := range tests {
		if tc.skip {
			wantSkipped++
		}
	}
	if skipped.Skipped != wantSkipped || full.Skipped != 0 {
		t.Errorf("skipped %d (without the option %d), want %d", skipped.Skipped, full.Skipped, wantSkipped)
	}
	// Each row alone: skipped exactly when the table says so.
	cv := newConverter(baoxue.KindRegistry, &Header{}, ImportOptions{Tree: tree, Today: asOf, AsOf: asOf})
	cv.col[FieldIDNumber], cv.col[FieldBirthDate] = 0, 1
	for _, tc := range tests {
		row := Row{Number: 2, Cells: []Cell{{Value: tc.id}, {Value: tc.birth}}}
		if got := cv.outsideWindow(row); got != tc.skip {
			t.Errorf("%s (%s, %q): skipped %v, want %v", tc.name, tc.id, tc.birth, got, tc.skip)
		}
	}
}

// FuzzPlainDate: whatever plainDate accepts within the parser's range, normalize.DateParser
// reads as the same day, so the pre-filter never judges a date the conversion would see
// differently.
func FuzzPlainDate(f *testing.F) {
	for _, s := range []string{"20150304", "2015-03-04", "2015/3/4", "2015.3.04", "2015-3/4", "2015-13-01", "1899-12-31",
		"2015-02-29", "2016-02-29", "20150230", "2015--3", "2015/3/", "201503040", "2015-003-4", "１９８０-05-06"} {
		f.Add(s)
	}
	today := baoxue.MakeDate(2026, 9, 1)
	p := normalize.DateParser{Today: today}
	f.Fuzz(func(t *testing.T, s string) {
		y, m, d, ok := plainDate(s)
		if !ok || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > baoxue.DaysIn(y, m) {
			return
		}
		want := baoxue.MakeDate(y, time.Month(m), d)
		if want > today {
			return
		}
		got, prob := p.Date(s, false)
		if got != want || prob != nil {
			t.Fatalf("plainDate(%q) = %v, the parser gives %v (%v)", s, want, got, prob)
		}
	})
}

// lowerX is a valid adult ID whose check digit is X, written in lower case.
func lowerX() string {
	for seq := 0; ; seq++ {
		first := []byte("62292119620101" + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10)))
		if idcard.CheckDigit(first) == 'X' {
			return string(first) + "x"
		}
	}
}

// outsideWindowCellsByByte is outsideWindowCells as first written, byte by byte: the reference
// FuzzOutsideWindowCells holds the faster one to.
func (c *converter) outsideWindowCellsByByte(id, bd Cell) bool {
	if id.Numeric || len(id.Value) != 18 {
		return false
	}
	v := id.Value
	for i := range 17 {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	if x := v[17]; (x < '0' || x > '9') && x != 'X' && x != 'x' {
		return false
	}
	y, m, d := digits(v[6:10]), digits(v[10:12]), digits(v[12:14])
	if !baoxue.ValidDate(y, m, d) || c.inWindow(baoxue.MakeDate(y, time.Month(m), d)) {
		return false
	}
	if bd.Numeric {
		return false
	}
	b := bd.Value
	if len(b) == 8 && allDigits(b) {
		y, m, d = digits(b[:4]), digits(b[4:6]), digits(b[6:])
	} else {
		var ok bool
		if y, m, d, ok = plainDate(b); !ok {
			return false
		}
	}
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > baoxue.DaysIn(y, m) {
		return false
	}
	date := baoxue.MakeDate(y, time.Month(m), d)
	if c.dates.Today != 0 && date > c.dates.Today {
		return false
	}
	return !c.inWindow(date)
}

// FuzzOutsideWindowCells: the registry shortcut answers as the byte-by-byte reference does, for
// any ID and 出生日期 cells.
func FuzzOutsideWindowCells(f *testing.F) {
	for _, s := range [][2]string{
		{prefilterID("19800506", 1, false), "19800506"}, {prefilterID("19800506", 2, false), "1980-05-06"},
		{lowerX(), "1962/1/1"}, {prefilterID("20150304", 8, false), "19800506"},
		{prefilterID("19801345", 1, false), "19800506"}, {"62292119800506:12X", "1980.5.6"},
		{"6229211980050601/X", "2030-01-01"}, {prefilterID("19800229", 3, false), "1980-02-29"},
	} {
		f.Add(s[0], s[1], false, false)
	}
	asOf := baoxue.MakeDate(2026, 9, 1)
	tree, err := region.Load()
	if err != nil {
		f.Fatal(err)
	}
	cv := newConverter(baoxue.KindRegistry, &Header{}, ImportOptions{Tree: tree, Today: asOf, AsOf: asOf})
	f.Fuzz(func(t *testing.T, id, bd string, idNum, bdNum bool) {
		a, b := Cell{Value: id, Numeric: idNum}, Cell{Value: bd, Numeric: bdNum}
		if got, want := cv.outsideWindowCells(a, b), cv.outsideWindowCellsByByte(a, b); got != want {
			t.Errorf("outsideWindowCells(%q, %q) = %v, the reference says %v", id, bd, got, want)
		}
	})
}

// TestOutsideWindowCellsMutations: every byte of an adult's ID and 出生日期 replaced by each byte
// value in turn — the fuzzer seldom builds 18 digits by itself — answers as the reference does.
func TestOutsideWindowCellsMutations(t *testing.T) {
	asOf := baoxue.MakeDate(2026, 9, 1)
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	cv := newConverter(baoxue.KindRegistry, &Header{}, ImportOptions{Tree: tree, Today: asOf, AsOf: asOf})
	pairs := [][2]string{{prefilterID("19800506", 1, false), "19800506"}, {prefilterID("19991231", 2, false), "1999-12-31"},
		{prefilterID("20100831", 3, false), "2010/8/31"}, {prefilterID("20200901", 4, false), "2020.09.1"}}
	skipped := 0
	for _, p := range pairs {
		for cell := range 2 {
			for i := range len(p[cell]) {
				for c := range 256 {
					b := []byte(p[cell])
					b[i] = byte(c)
					id, bd := Cell{Value: p[0]}, Cell{Value: p[1]}
					if cell == 0 {
						id.Value = string(b)
					} else {
						bd.Value = string(b)
					}
					got, want := cv.outsideWindowCells(id, bd), cv.outsideWindowCellsByByte(id, bd)
					if got != want {
						t.Fatalf("outsideWindowCells(%q, %q) = %v, the reference says %v", id.Value, bd.Value, got, want)
					}
					if got {
						skipped++
					}
				}
			}
		}
	}
	if skipped == 0 {
		t.Error("no mutation was skipped: the test checks only one answer")
	}
}
