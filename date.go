package baoxue

import (
	"fmt"
	"time"
)

// Date is a civil date packed as yyyymmdd. It has no time zone, compares with < and ==, costs no
// allocation, and prints as 2006-01-02. The zero Date means "unknown".
type Date uint32

// MakeDate packs a year, month and day; it does not validate (see ValidDate).
func MakeDate(y int, m time.Month, d int) Date { return Date(y*10000 + int(m)*100 + d) }

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date { y, m, d := t.Date(); return MakeDate(y, m, d) }

// Year, Month and Day unpack the date.
func (d Date) Year() int          { return int(d / 10000) }
func (d Date) Month() time.Month  { return time.Month(d / 100 % 100) }
func (d Date) Day() int           { return int(d % 100) }
func (d Date) IsZero() bool       { return d == 0 }
func (d Date) Time() time.Time    { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) }
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// String formats the date as 2006-01-02, or "" for the zero date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year(), int(d.Month()), d.Day())
}

// ValidDate reports whether y-m-d is a real calendar day. It does not allocate.
func ValidDate(y, m, d int) bool {
	if y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= DaysIn(y, m)
}

// DaysIn returns the number of days in month m of year y.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ParseISODate parses 2006-01-02.
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("日期 %q 应为 YYYY-MM-DD 格式: %w", s, ErrInvalid)
	}
	return DateOf(t), nil
}
