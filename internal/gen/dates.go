package gen

import "github.com/baoxue/baoxue"

// Dates inside the generator are day numbers (days since 1970-01-01), so that ages, offsets and
// per-day counters are integer arithmetic. The conversions are Howard Hinnant's civil-date
// algorithms: exact for the proleptic Gregorian calendar, no time package, no allocation.

func dayOf(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

func civil(z int32) (y, m, d int) {
	zz := int(z) + 719468
	era := zz / 146097
	doe := zz - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func dayOfDate(d baoxue.Date) int32 { return dayOf(d.Year(), int(d.Month()), d.Day()) }

func dateOfDay(z int32) baoxue.Date {
	y, m, d := civil(z)
	return baoxue.Date(y*10000 + m*100 + d)
}

// Date formats found in officials' spreadsheets (DESIGN §7).
const (
	fmtISO     = iota // 2014-03-05
	fmtCompact        // 20140305
	fmtSlash          // 2014/3/5
	fmtChinese        // 2014年3月5日
	numDateFormats
)

func appendDate(b []byte, z int32, format int) []byte {
	y, m, d := civil(z)
	switch format {
	case fmtCompact:
		b = append4(b, y)
		b = append2(b, m)
		return append2(b, d)
	case fmtSlash:
		b = append4(b, y)
		b = append(b, '/')
		b = appendSmall(b, m)
		b = append(b, '/')
		return appendSmall(b, d)
	case fmtChinese:
		b = append4(b, y)
		b = append(b, "年"...)
		b = appendSmall(b, m)
		b = append(b, "月"...)
		b = appendSmall(b, d)
		return append(b, "日"...)
	}
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10%10), byte('0'+v%10)) }

// appendSmall appends 0 ≤ v < 100 without a leading zero.
func appendSmall(b []byte, v int) []byte {
	if v >= 10 {
		b = append(b, byte('0'+v/10))
	}
	return append(b, byte('0'+v%10))
}

// ageOn returns the age in whole years on day z of someone born on day birth.
func ageOn(birth, z int32) int {
	by, bm, bd := civil(birth)
	y, m, d := civil(z)
	a := y - by
	if m < bm || (m == bm && d < bd) {
		a--
	}
	return a
}
