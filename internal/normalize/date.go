package normalize

import (
	"time"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
)

// Excel serial numbers accepted as dates: 1 is 1900-01-01 and 80000 is 2119-01-10. Larger
// numbers in a date column are not dates.
const (
	minSerial = 1
	maxSerial = 80000
)

// DateParser parses dates against a fixed "today", so that the result never depends on the
// clock and tests are reproducible. Its zero value skips the DATE_FUTURE check.
type DateParser struct {
	Today baoxue.Date // dates after Today are DATE_FUTURE
}

// Date parses the ways dates are written in county spreadsheets:
//
//	2014-03-05  2014-3-5  2014/3/5  2014.3.5  20140305  2014年3月5日  2014年03月05日
//
// with full-width digits or separators, blanks around separators, 日 or 号 after the day, and a
// trailing time ("2014-03-05 00:00:00", "2014-03-05T00:00:00Z") that is checked and ignored.
// Excel serial numbers (41703 is 2014-03-05) are read when the cell is numeric, or when the text
// is all digits and at most five long; serials 1–80000 follow Excel's 1900 date system,
// including its fictitious 1900-02-29 (serial 60, rejected). Four digits between 1900 and 2100
// are a year alone, not a serial, and are rejected. Day-first and month-first forms (05/03/2014)
// are ambiguous and rejected.
//
// Problems: DATE_INVALID (not a date, or not a calendar day such as 2014-02-30), DATE_RANGE
// (before 1900, or after 2200 when Today is zero), DATE_FUTURE (after Today). Blank input gives
// the zero Date and no problem. Parsing never allocates unless there is a problem.
func (p DateParser) Date(raw string, numericCell bool) (baoxue.Date, *Problem) {
	s := Trim(raw)
	// Fast path: the ISO form.
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 := atoiFixed(s[:4])
		m, ok2 := atoiFixed(s[5:7])
		d, ok3 := atoiFixed(s[8:])
		if ok1 && ok2 && ok3 {
			return p.check(s, y, m, d)
		}
	}
	if s == "" || isPlaceholder(s) {
		return 0, nil
	}
	c := scanner{s: s}
	y, ny := c.number()
	if ny == 0 {
		return 0, dateInvalid(s)
	}
	if ny != 4 || numericCell && c.numericFraction() {
		return p.compact(s, &c, y, ny, numericCell)
	}
	c.skipSpaces()
	sep := c.next()
	switch sep {
	case '-', '/', '.', '年':
	default:
		if sep == -1 {
			return p.compact(s, &c, y, ny, numericCell)
		}
		return 0, dateInvalid(s)
	}
	c.skipSpaces()
	m, nm := c.number()
	c.skipSpaces()
	want := sep
	if sep == '年' {
		want = '月'
	}
	if nm < 1 || nm > 2 || c.next() != want {
		return 0, dateInvalid(s)
	}
	c.skipSpaces()
	d, nd := c.number()
	if nd < 1 || nd > 2 {
		return 0, dateInvalid(s)
	}
	c.skipSpaces()
	if r, n := c.peek(); sep == '年' && (r == '日' || r == '号') {
		c.i += n
		c.skipSpaces()
	}
	if !c.time() {
		return 0, dateInvalid(s)
	}
	return p.check(s, y, m, d)
}

// compact handles a leading run of digits that is not a four-digit year followed by a
// separator: yyyymmdd, an Excel serial number, or a year alone.
func (p DateParser) compact(s string, c *scanner, v, digits int, numericCell bool) (baoxue.Date, *Problem) {
	if digits == 8 {
		c.skipSpaces()
		if c.numericFraction() || c.time() {
			return p.check(s, v/10000, v/100%100, v%100)
		}
		return 0, dateInvalid(s)
	}
	if digits > 5 {
		return 0, dateInvalid(s)
	}
	if digits == 4 && v >= 1900 && v <= 2100 {
		return 0, fail(CodeDateInvalid, "日期“"+quote(s)+"”只有年份，请填写完整日期，如 2014-03-05")
	}
	// Excel serial: the text is all digits, or the cell is numeric (which may add a fraction for
	// the time of day).
	if !c.eof() && !(numericCell && c.numericFraction()) {
		return 0, dateInvalid(s)
	}
	if v < minSerial || v > maxSerial {
		return 0, dateInvalid(s)
	}
	if v == 60 {
		return 0, fail(CodeDateInvalid, "日期“"+quote(s)+"”是Excel序号60，对应不存在的1900-02-29，请按 2014-03-05 格式填写")
	}
	y, m, d := serialToCivil(v)
	return p.check(s, y, m, d)
}

// check validates the calendar day and the range.
func (p DateParser) check(s string, y, m, d int) (baoxue.Date, *Problem) {
	if m < 1 || m > 12 || d < 1 || d > baoxue.DaysIn(y, m) {
		return 0, dateInvalid(s)
	}
	if y < 1900 {
		return 0, fail(CodeDateRange, "日期“"+quote(s)+"”早于1900年，请核对年份")
	}
	date := baoxue.MakeDate(y, time.Month(m), d)
	if p.Today != 0 && date > p.Today {
		return 0, fail(CodeDateFuture, "日期“"+quote(s)+"”晚于今天（"+p.Today.String()+"），请核对年份")
	}
	if y > 2200 {
		return 0, fail(CodeDateRange, "日期“"+quote(s)+"”晚于2200年，请核对年份")
	}
	return date, nil
}

func dateInvalid(s string) *Problem {
	return fail(CodeDateInvalid, "日期“"+quote(s)+"”不是有效日期，请按 2014-03-05 格式填写")
}

// serialToCivil converts an Excel 1900-system serial (1 = 1900-01-01) to a civil date. Excel
// counts a 29 February 1900 that never was (serial 60), so serials from 61 on are one day ahead
// of a plain count from 1899-12-31.
func serialToCivil(n int) (y, m, d int) {
	const dec30of1899 = -25569 // days from 1970-01-01 back to 1899-12-30
	if n < 60 {
		n++
	}
	return civilFromDays(dec30of1899 + n)
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// algorithm), without the allocation-free but slower detour through time.Time.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// atoiFixed parses a short run of ASCII digits.
func atoiFixed(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// quote shortens a value for a message: a pasted paragraph should not become the message.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// scanner reads a cell rune by rune, folding full-width forms on the fly so that no folded copy
// of the cell is made.
type scanner struct {
	s string
	i int
}

func (c *scanner) eof() bool { return c.i >= len(c.s) }

// peek returns the next rune, folded, and its encoded length; -1 at the end.
func (c *scanner) peek() (rune, int) {
	if c.i >= len(c.s) {
		return -1, 0
	}
	if b := c.s[c.i]; b < utf8.RuneSelf {
		return rune(b), 1
	}
	r, n := utf8.DecodeRuneInString(c.s[c.i:])
	return foldRune(r), n
}

func (c *scanner) next() rune {
	r, n := c.peek()
	c.i += n
	return r
}

func (c *scanner) skipSpaces() {
	for {
		r, n := c.peek()
		if r == -1 || !IsSpace(r) {
			return
		}
		c.i += n
	}
}

// number reads a run of digits. Values stop growing after nine digits so they cannot overflow;
// the digit count still tells the caller the run was too long.
func (c *scanner) number() (v, digits int) {
	for {
		r, n := c.peek()
		if r < '0' || r > '9' {
			return v, digits
		}
		if digits < 9 {
			v = v*10 + int(r-'0')
		}
		digits++
		c.i += n
	}
}

// numericFraction consumes ".000…" (a numeric cell's fraction, e.g. the time of day of an Excel
// serial) up to the end, and reports whether that is all that was left.
func (c *scanner) numericFraction() bool {
	save := c.i
	if c.next() == '.' {
		if _, n := c.number(); n > 0 && c.eof() {
			return true
		}
	}
	c.i = save
	return false
}

// time consumes an optional time of day after a date: [T]h:mm[:ss[.fff]][Z|±hh:mm], and reports
// whether the cell ends after it.
func (c *scanner) time() bool {
	if c.eof() {
		return true
	}
	if r, n := c.peek(); r == 'T' {
		c.i += n
	}
	h, nh := c.number()
	if nh < 1 || nh > 2 || h > 23 || c.next() != ':' {
		return false
	}
	if m, nm := c.number(); nm != 2 || m > 59 {
		return false
	}
	if r, n := c.peek(); r == ':' {
		c.i += n
		if sec, ns := c.number(); ns != 2 || sec > 60 {
			return false
		}
		if r, n := c.peek(); r == '.' {
			c.i += n
			if _, nf := c.number(); nf == 0 {
				return false
			}
		}
	}
	switch r, n := c.peek(); r {
	case 'Z':
		c.i += n
	case '+', '-':
		c.i += n
		if _, n := c.number(); n != 2 && n != 4 {
			return false
		}
		if r, n := c.peek(); r == ':' {
			c.i += n
			if _, n := c.number(); n != 2 {
				return false
			}
		}
	}
	c.skipSpaces()
	return c.eof()
}
