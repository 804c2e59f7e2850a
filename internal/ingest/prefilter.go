package ingest

import (
	"time"

	"github.com/baoxue/baoxue"
)

// outsideWindow reports whether a registry row would be dropped as outside the kept window,
// judged from raw bytes only: the 出生日期 cell (yyyymmdd, yyyy-m-d, yyyy/m/d, yyyy.m.d) and
// the birth digits of an 18-character ID cell must both be valid dates outside
// [c.first, c.last]. Whichever of the two
// the conversion would then use for the birth date (the ID's when the ID is valid, the column's
// otherwise), it lies outside the window, so the row stores nothing. Any other form — a blank
// or differently written date, an ID of another length, a spreadsheet number — answers false
// and the row is converted as usual.
func (c *converter) outsideWindow(r Row) bool {
	return c.outsideWindowCells(r.Cell(c.col[FieldIDNumber]), r.Cell(c.col[FieldBirthDate]))
}

// outsideWindowCells is outsideWindow on the ID and 出生日期 cells. It keeps neither string, so
// they may be views of a buffer that is about to be reused.
func (c *converter) outsideWindowCells(id, bd Cell) bool {
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
	b := bd.Value
	// The column's date counts only in the plain forms the date parser reads as they are —
	// yyyymmdd, yyyy-m-d, yyyy/m/d, yyyy.m.d — and within its range checks
	// (normalize.DateParser); anything else leaves the row to the conversion.
	if bd.Numeric {
		return false
	}
	var ok bool
	if y, m, d, ok = plainDate(b); !ok {
		return false
	}
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > baoxue.DaysIn(y, m) {
		return false
	}
	date := baoxue.MakeDate(y, time.Month(m), d)
	if c.dates.Today != 0 && date > c.dates.Today {
		return false // the parser rejects it: the conversion would fall back to the ID
	}
	return !c.inWindow(date)
}

// plainDate reads yyyymmdd, or yyyy, a separator (- / .), one or two digits, the same
// separator, one or two digits.
func plainDate(b string) (y, m, d int, ok bool) {
	if len(b) == 8 && allDigits(b) {
		return digits(b[:4]), digits(b[4:6]), digits(b[6:]), true
	}
	if len(b) < 8 || len(b) > 10 || !allDigits(b[:4]) {
		return 0, 0, 0, false
	}
	sep := b[4]
	if sep != '-' && sep != '/' && sep != '.' {
		return 0, 0, 0, false
	}
	rest := b[5:]
	i := 0
	for i < len(rest) && rest[i] != sep {
		i++
	}
	if i < 1 || i > 2 || i == len(rest) || !allDigits(rest[:i]) {
		return 0, 0, 0, false
	}
	day := rest[i+1:]
	if len(day) < 1 || len(day) > 2 || !allDigits(day) {
		return 0, 0, 0, false
	}
	return digits(b[:4]), digits(rest[:i]), digits(day), true
}

func (c *converter) inWindow(d baoxue.Date) bool { return d >= c.first && d <= c.last }

// digits reads a run of ASCII digits already known to be digits.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
