package normalize

import (
	"testing"
	"time"

	"github.com/baoxue/baoxue"
)

var today = baoxue.MakeDate(2025, time.September, 1)

func TestDate(t *testing.T) {
	d := func(y, m, dd int) baoxue.Date { return baoxue.MakeDate(y, time.Month(m), dd) }
	mar5 := d(2014, 3, 5)
	tests := []struct {
		in      string
		numeric bool
		want    baoxue.Date
		code    string
	}{
		{"2014-03-05", false, mar5, ""},
		{"2014-3-5", false, mar5, ""},
		{"2014-03-5", false, mar5, ""},
		{"20140305", false, mar5, ""},
		{"2014/3/5", false, mar5, ""},
		{"2014/03/05", false, mar5, ""},
		{"2014.3.5", false, mar5, ""},
		{"2014.03.05", false, mar5, ""},
		{"2014年3月5日", false, mar5, ""},
		{"2014年03月05日", false, mar5, ""},
		{"2014年3月5号", false, mar5, ""},
		{"2014年3月5", false, mar5, ""},
		{"2014 年 3 月 5 日", false, mar5, ""},
		{"２０１４－０３－０５", false, mar5, ""},
		{"２０１４年３月５日", false, mar5, ""},
		{"２０１４０３０５", false, mar5, ""},
		{"2014／3／5", false, mar5, ""},
		{" 2014-03-05\u3000", false, mar5, ""},
		{"2014-03-05 00:00:00", false, mar5, ""},
		{"2014-03-05 0:00", false, mar5, ""},
		{"2014/3/5 13:45:10.250", false, mar5, ""},
		{"2014-03-05T00:00:00Z", false, mar5, ""},
		{"2014-03-05T00:00:00+08:00", false, mar5, ""},
		{"20140305 00:00:00", false, mar5, ""},
		{"2014年3月5日 00:00:00", false, mar5, ""},
		{"2000-02-29", false, d(2000, 2, 29), ""},
		{"1900-01-01", false, d(1900, 1, 1), ""},
		{"2025-09-01", false, today, ""},
		// Excel serial numbers.
		{"41703", false, mar5, ""},
		{"41703", true, mar5, ""},
		{"41703.0", true, mar5, ""},
		{"41703.5", true, mar5, ""}, // noon
		{"20140305", true, mar5, ""},
		{"20140305.0", true, mar5, ""},
		{"1", false, d(1900, 1, 1), ""},
		{"59", false, d(1900, 2, 28), ""},
		{"61", false, d(1900, 3, 1), ""},
		{"36526", false, d(2000, 1, 1), ""},
		{"45901", true, today, ""},
		{"60", false, 0, CodeDateInvalid}, // Excel's 1900-02-29
		{"0", false, 0, CodeDateInvalid},
		{"80001", true, 0, CodeDateInvalid},
		{"123456", true, 0, CodeDateInvalid},
		{"41703.0", false, 0, CodeDateInvalid}, // text with a fraction is not a serial
		{"2014", false, 0, CodeDateInvalid},    // a year alone
		{"2014", true, 0, CodeDateInvalid},
		{"1234", true, d(1903, 5, 18), ""},
		{"45902", true, 0, CodeDateFuture},
		// Blank.
		{"", false, 0, ""},
		{"  ", false, 0, ""},
		{"不详", false, 0, ""},
		// Invalid.
		{"2014-02-30", false, 0, CodeDateInvalid},
		{"2014-02-29", false, 0, CodeDateInvalid},
		{"1900-02-29", false, 0, CodeDateInvalid},
		{"2014-13-01", false, 0, CodeDateInvalid},
		{"2014-00-10", false, 0, CodeDateInvalid},
		{"2014-03-00", false, 0, CodeDateInvalid},
		{"2014-03-32", false, 0, CodeDateInvalid},
		{"20140230", false, 0, CodeDateInvalid},
		{"05/03/2014", false, 0, CodeDateInvalid},
		{"03-05-14", false, 0, CodeDateInvalid},
		{"2014-03", false, 0, CodeDateInvalid},
		{"2014年3月", false, 0, CodeDateInvalid},
		{"201403", false, 0, CodeDateInvalid},
		{"2014-3/5", false, 0, CodeDateInvalid},
		{"2014年3-5", false, 0, CodeDateInvalid},
		{"2014-03-05 25:00", false, 0, CodeDateInvalid},
		{"2014-03-05 abc", false, 0, CodeDateInvalid},
		{"2014-003-05", false, 0, CodeDateInvalid},
		{"二〇一四年三月五日", false, 0, CodeDateInvalid},
		{"2014-03-05-", false, 0, CodeDateInvalid},
		{"2014_03_05", false, 0, CodeDateInvalid},
		{"abc", false, 0, CodeDateInvalid},
		// Range.
		{"1899-12-31", false, 0, CodeDateRange},
		{"0014-03-05", false, 0, CodeDateRange},
		{"2025-09-02", false, 0, CodeDateFuture},
		{"2041-03-05", false, 0, CodeDateFuture},
		{"9999-12-31", false, 0, CodeDateFuture},
	}
	p := DateParser{Today: today}
	for _, tt := range tests {
		got, prob := p.Date(tt.in, tt.numeric)
		if got != tt.want {
			t.Errorf("Date(%q, %v) = %v, want %v (%v)", tt.in, tt.numeric, got, tt.want, prob)
		}
		checkProblem(t, tt.in, prob, tt.code)
	}
	// Without a today, the future is not checked, but 2200 is still the end.
	var open DateParser
	if got, prob := open.Date("2041-03-05", false); got != d(2041, 3, 5) || prob != nil {
		t.Errorf("zero DateParser: %v %v", got, prob)
	}
	got, prob := open.Date("2201-01-01", false)
	checkProblem(t, "2201-01-01", prob, CodeDateRange)
	if got != 0 {
		t.Errorf("2201-01-01 gave %v", got)
	}
}

// TestExcelSerials checks the serial conversion against Excel's own epoch arithmetic over the
// whole accepted range: from 61 on, serial n is 1899-12-30 plus n days.
func TestExcelSerials(t *testing.T) {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for n := 61; n <= maxSerial; n++ {
		y, m, d := serialToCivil(n)
		want := base.AddDate(0, 0, n)
		if y != want.Year() || m != int(want.Month()) || d != want.Day() {
			t.Fatalf("serial %d = %d-%d-%d, want %s", n, y, m, d, want.Format(time.DateOnly))
		}
	}
	for n := 1; n < 60; n++ {
		y, m, d := serialToCivil(n)
		want := base.AddDate(0, 0, n+1)
		if y != want.Year() || m != int(want.Month()) || d != want.Day() {
			t.Fatalf("serial %d = %d-%d-%d, want %s", n, y, m, d, want.Format(time.DateOnly))
		}
	}
}

func TestDateDoesNotAllocate(t *testing.T) {
	p := DateParser{Today: today}
	for _, in := range []string{"2014-03-05", "2014年3月5日", "20140305", "41703", "２０１４／３／５ 00:00:00"} {
		if a := testing.AllocsPerRun(100, func() { p.Date(in, false) }); a != 0 {
			t.Errorf("Date(%q): %v allocations", in, a)
		}
	}
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2014-03-05", "2014/3/5", "2014年3月5日", "20140305", "41703", "60", "2014-02-30",
		"2014-03-05T00:00:00+08:00", "２０１４．３．５", "41703.5", "1899-01-01", "2030-01-01", "\xff", "2014-03-05 1:"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	p := DateParser{Today: today}
	f.Fuzz(func(t *testing.T, s string, numeric bool) {
		d, prob := p.Date(s, numeric)
		if prob != nil {
			if d != 0 {
				t.Errorf("Date(%q) = %v with %v", s, d, prob)
			}
			return
		}
		if d == 0 {
			if !Blank(s) {
				t.Errorf("Date(%q) = zero date without a problem", s)
			}
			return
		}
		if !baoxue.ValidDate(d.Year(), int(d.Month()), d.Day()) || d.Year() < 1900 || d > today {
			t.Errorf("Date(%q) = %v", s, d)
		}
		if again, prob := p.Date(d.String(), false); again != d || prob != nil {
			t.Errorf("Date not idempotent: %q → %v → %v %v", s, d, again, prob)
		}
	})
}

func BenchmarkDate(b *testing.B) {
	p := DateParser{Today: today}
	for _, in := range []struct{ name, s string }{
		{"iso", "2014-03-05"},
		{"slash", "2014/3/5"},
		{"chinese", "2014年3月5日"},
		{"compact", "20140305"},
		{"serial", "41703"},
		{"time", "2014-03-05 00:00:00"},
	} {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				p.Date(in.s, false)
			}
		})
	}
}
