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
	// A province registry asks this of ~21 M adults: eight digits are checked at a time and
	// dates compared as yyyymmdd numbers (baoxue.Date is one), the same answers as checking
	// byte by byte (FuzzOutsideWindowCells holds the two equal).
	if id.Numeric || len(id.Value) != 18 {
		return false
	}
	v := id.Value
	if !digits8(v[0:8]) || !digits8(v[8:16]) || v[16] < '0' || v[16] > '9' {
		return false
	}
	if x := v[17]; (x < '0' || x > '9') && x != 'X' && x != 'x' {
		return false
	}
	ymd := digits(v[6:14])
	if c.inWindow(baoxue.Date(ymd)) || !baoxue.ValidDate(ymd/10000, ymd/100%100, ymd%100) {
		return false
	}
	if bd.Numeric {
		return false
	}
	// The column's date counts only in the plain forms the date parser reads as they are —
	// yyyymmdd, yyyy-m-d, yyyy/m/d, yyyy.m.d — and within its range checks
	// (normalize.DateParser); anything else leaves the row to the conversion.
	y, m, d, ok := plainDate(bd.Value)
	if !ok || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > baoxue.DaysIn(y, m) {
		return false
	}
	date := baoxue.MakeDate(y, time.Month(m), d)
	if c.dates.Today != 0 && date > c.dates.Today {
		return false // the parser rejects it: the conversion would fall back to the ID
	}
	return !c.inWindow(date)
}

// digits8 reports whether the 8 bytes of s are ASCII digits, all at once: a byte is a digit when
// its high nibble is 3 and adding 6 keeps it so (0x3A–0x3F become 0x40–0x45; no carry crosses
// a byte, since every byte is at most 0x3F by then).
func digits8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const hi, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	return x&hi == threes && (x+sixes)&hi == threes
}

// plainDate reads yyyymmdd, or yyyy, a separator (- / .), one or two digits, the same
// separator, one or two digits.
func plainDate(b string) (y, m, d int, ok bool) {
	if len(b) == 8 && digits8(b) {
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
