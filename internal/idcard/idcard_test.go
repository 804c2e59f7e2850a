package idcard

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
)

func TestCheckDigitKnownAnswers(t *testing.T) {
	// Published examples of GB 11643-1999 numbers and their check characters.
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'}, // GB 11643-1999's examples
		{"44052418800101001", '4'},
	}
	for _, tc := range tests {
		if got := CheckDigit([]byte(tc.first17)); got != tc.want {
			t.Errorf("CheckDigit(%s) = %q, want %q", tc.first17, got, tc.want)
		}
	}
	for _, bad := range []string{"", "1101051949123100", "1101051949123100A"} {
		if got := CheckDigit([]byte(bad)); got != 0 {
			t.Errorf("CheckDigit(%q) = %q, want 0", bad, got)
		}
	}
}

// ending000 finds 17 digits ending in 00 whose check character is 0: a genuine-looking number that
// ends in 000, which text cells must accept and numeric cells must not trust.
func ending000(t *testing.T) string {
	t.Helper()
	for day := 1; day <= 28; day++ {
		for d := 0; d <= 9; d++ {
			first17 := fmt.Sprintf("622921198503%02d%d00", day, d)
			if CheckDigit([]byte(first17)) == '0' {
				return first17 + "0"
			}
		}
	}
	t.Fatal("no 17 digits ending 00 with check digit 0 found")
	return ""
}

func TestCheck(t *testing.T) {
	v := newTestValidator(t)
	const std = "11010519491231002X" // GB 11643-1999's example: 北京朝阳, 1949-12-31, female
	end000 := ending000(t)
	type want struct {
		code     Code
		id       string // normalised number when OK
		birth    string
		sex      baoxue.Sex
		upgraded bool
	}
	okStd := want{OK, std, "1949-12-31", baoxue.Female, false}
	tests := []struct {
		name    string
		raw     string
		numeric bool
		want    want
	}{
		// Valid numbers and every normalisation.
		{"standard example", std, false, okStd},
		{"lower-case x", "11010519491231002x", false, okStd},
		{"full-width digits and Ｘ", fullWidth(std), false, okStd},
		{"full-width ｘ", fullWidth(std[:17]) + "ｘ", false, okStd},
		{"mixed full-width", "１１0105１９４９1231002x", false, okStd},
		{"Excel apostrophe", "'" + std, false, okStd},
		{"CSV quotes", `"` + std + `"`, false, okStd},
		{"single quotes", "'" + std + "'", false, okStd},
		{"Excel =\"…\"", `="` + std + `"`, false, okStd},
		{"Chinese quotes", "“" + std + "”", false, okStd},
		{"full-width quote", "＂" + std + "＂", false, okStd},
		{"ideographic space U+3000", "\u3000" + std + "\u3000\u3000", false, okStd},
		{"NBSP", "\u00a0" + std + "\u00a0", false, okStd},
		{"tabs and newline", "\t " + std + " \t\r\n", false, okStd},
		{"BOM and zero-width space", "\ufeff\u200b" + std, false, okStd},
		{"quotes inside blanks", " \u3000'\"" + std + "\" ", false, okStd},
		{"male", withCheck(t, "62292120100101001"), false,
			want{OK, withCheck(t, "62292120100101001"), "2010-01-01", baoxue.Male, false}},
		{"abolished region 110103 崇文区", withCheck(t, "11010319800101002"), false,
			want{OK, withCheck(t, "11010319800101002"), "1980-01-01", baoxue.Female, false}},
		{"29 Feb in leap year 2000", withCheck(t, "62292120000229003"), false,
			want{OK, withCheck(t, "62292120000229003"), "2000-02-29", baoxue.Male, false}},
		{"29 Feb in leap year 2012", withCheck(t, "62292120120229004"), false,
			want{OK, withCheck(t, "62292120120229004"), "2012-02-29", baoxue.Female, false}},
		{"first allowed day 1900-01-01", withCheck(t, "11010519000101001"), false,
			want{OK, withCheck(t, "11010519000101001"), "1900-01-01", baoxue.Male, false}},
		{"born today", withCheck(t, "62292120240630002"), false,
			want{OK, withCheck(t, "62292120240630002"), "2024-06-30", baoxue.Female, false}},
		{"numeric cell, digits intact", withCheck(t, "62292120140305101"), true,
			want{OK, withCheck(t, "62292120140305101"), "2014-03-05", baoxue.Male, false}},
		{"genuine number ending 000 in text", end000, false,
			want{OK, end000, "1985-03-" + end000[12:14], baoxue.Female, false}},

		// 15-digit legacy numbers.
		{"15-digit upgrade", "110105491231002", false,
			want{OK, std, "1949-12-31", baoxue.Female, true}},
		{"15-digit full-width in quotes", `"` + fullWidth("110105491231002") + `"`, false,
			want{OK, std, "1949-12-31", baoxue.Female, true}},
		{"15-digit in a numeric cell", "622921850305001", true,
			want{OK, withCheck(t, "62292119850305001"), "1985-03-05", baoxue.Male, true}},
		{"15-digit bad date", "110105491331002", false, want{code: ErrBirthdate}},
		{"15-digit 29 Feb 1900", "110105000229002", false, want{code: ErrBirthdate}},
		{"15-digit unknown region", "999999491231002", false, want{code: ErrRegion}},

		// ID_EMPTY
		{"empty", "", false, want{code: ErrEmpty}},
		{"blanks only", " \t\u3000\u00a0\r\n", false, want{code: ErrEmpty}},
		{"quotes only", `""`, false, want{code: ErrEmpty}},
		{"apostrophe only", "'", false, want{code: ErrEmpty}},
		{"quoted blank", "\"\u3000\"", false, want{code: ErrEmpty}},
		{"empty numeric cell", "", true, want{code: ErrEmpty}},

		// ID_FORMAT
		{"17 digits", std[:17], false, want{code: ErrFormat}},
		{"19 digits", std[:17] + "01", false, want{code: ErrFormat}},
		{"16 digits", std[:16], false, want{code: ErrFormat}},
		{"X in the middle", "1101051949123100X2", false, want{code: ErrFormat}},
		{"other letter", "11010519491231002Y", false, want{code: ErrFormat}},
		{"15 digits with X", "11010549123100X", false, want{code: ErrFormat}},
		{"inner space", "110105 19491231002X", false, want{code: ErrFormat}},
		{"hyphens", "110105-19491231-002X", false, want{code: ErrFormat}},
		{"inner U+3000", "110105\u300019491231002X", false, want{code: ErrFormat}},
		{"Chinese text", "无", false, want{code: ErrFormat}},
		{"a name", "张三", false, want{code: ErrFormat}},
		{"lone =", "=", false, want{code: ErrFormat}},
		{"small scientific", "1.5E+3", false, want{code: ErrFormat}},
		{"scientific with a huge exponent", "6.22921201403051E+25", false, want{code: ErrFormat}},
		{"scientific without exponent digits", "6.22921E+", false, want{code: ErrFormat}},
		{"very long", strings.Repeat("1", 100), false, want{code: ErrFormat}},
		{"long full-width", fullWidth(strings.Repeat("1", 30)), false, want{code: ErrFormat}},
		{"numeric cell with decimals", "110105491231002.5", true, want{code: ErrFormat}},

		// ID_PRECISION_LOST
		{"scientific, 15 significant digits", "6.22921201403051E+17", false, want{code: ErrPrecisionLost}},
		{"scientific, 6 significant digits", "6.22921E+17", false, want{code: ErrPrecisionLost}},
		{"scientific, lower-case e", "6.22921201403051e+17", false, want{code: ErrPrecisionLost}},
		{"scientific, no plus", "6.22921201403051E17", false, want{code: ErrPrecisionLost}},
		{"scientific, 15-digit legacy", "6.22921E+14", false, want{code: ErrPrecisionLost}},
		{"scientific in a numeric cell", "6.22921201403051E+17", true, want{code: ErrPrecisionLost}},
		{"scientific, LibreOffice three-digit exponent", "6.20102201403051E+017", true, want{code: ErrPrecisionLost}},
		{"scientific, exponent 0017 in text", "6.22921201403051E+0017", false, want{code: ErrPrecisionLost}},
		{"scientific with apostrophe", "'6.22921201403051E+17", false, want{code: ErrPrecisionLost}},
		{"trailing 000 in a numeric cell", "622921201403051000", true, want{code: ErrPrecisionLost}},
		{"trailing 000 in text (CSV from Excel)", "622921201403051000", false, want{code: ErrPrecisionLost}},
		{"trailing 000 passing the checksum, numeric cell", end000, true, want{code: ErrPrecisionLost}},

		// ID_CHECKSUM
		{"wrong check digit", "110105194912310021", false, want{code: ErrChecksum}},
		{"wrong check digit on a male number", wrongCheck(t, "62292120140305101"), false, want{code: ErrChecksum}},
		{"adjacent digits swapped", swapSerial(withCheck(t, "62292120140305121")), false, want{code: ErrChecksum}},
		{"wrong check digit in a numeric cell", wrongCheck(t, "62292120140305101"), true, want{code: ErrChecksum}},

		// ID_BIRTHDATE (checked before the checksum, so these report the date even though their
		// check characters are also wrong or were computed for the bad date)
		{"29 Feb in non-leap year 2001", withCheck(t, "62292120010229001"), false, want{code: ErrBirthdate}},
		{"29 Feb 1900 (not a leap year)", withCheck(t, "62292119000229001"), false, want{code: ErrBirthdate}},
		{"31 April", withCheck(t, "62292120100431001"), false, want{code: ErrBirthdate}},
		{"month 13, wrong check digit", "110105194913310025", false, want{code: ErrBirthdate}},
		{"month 00", withCheck(t, "11010519490031002"), false, want{code: ErrBirthdate}},
		{"day 00", withCheck(t, "11010519491200002"), false, want{code: ErrBirthdate}},
		{"before 1900", withCheck(t, "11010518991231002"), false, want{code: ErrBirthdate}},
		{"tomorrow", withCheck(t, "62292120240701002"), false, want{code: ErrBirthdate}},
		{"far future", withCheck(t, "62292130000101002"), false, want{code: ErrBirthdate}},

		// ID_REGION
		{"unknown region 999999", withCheck(t, "99999920000101001"), false, want{code: ErrRegion}},
		{"region 000000", withCheck(t, "00000020000101001"), false, want{code: ErrRegion}},
		{"never used code 123456", withCheck(t, "12345620000101001"), false, want{code: ErrRegion}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, code := v.CheckCell(tc.raw, tc.numeric)
			if code != tc.want.code {
				t.Fatalf("CheckCell(%q, %v) = %s, want %s", tc.raw, tc.numeric, code, tc.want.code)
			}
			if code != OK {
				if !n.IsZero() {
					t.Errorf("error %s came with a non-zero number %+v", code, n)
				}
				return
			}
			if got := n.String(); got != tc.want.id {
				t.Errorf("number = %s, want %s", got, tc.want.id)
			}
			if got := n.Birth.String(); got != tc.want.birth {
				t.Errorf("birth = %s, want %s", got, tc.want.birth)
			}
			if n.Sex != tc.want.sex {
				t.Errorf("sex = %q, want %q", n.Sex, tc.want.sex)
			}
			if n.Upgraded != tc.want.upgraded {
				t.Errorf("upgraded = %v, want %v", n.Upgraded, tc.want.upgraded)
			}
			if want := atoi6(tc.want.id); n.Address != want {
				t.Errorf("address = %d, want %d", n.Address, want)
			}
			if !tc.numeric { // Check is CheckCell for text
				if n2, c2 := v.Check(tc.raw); c2 != code || n2 != n {
					t.Errorf("Check disagrees with CheckCell: %v %s", n2, c2)
				}
			}
		})
	}
}

// swapSerial swaps digits 15 and 16 of a valid number (which must differ), keeping the check
// character: the classic transposition typo.
func swapSerial(id string) string {
	b := []byte(id)
	if b[14] == b[15] {
		panic("swapSerial: digits are equal")
	}
	b[14], b[15] = b[15], b[14]
	return string(b)
}

func atoi6(s string) uint32 {
	var n uint32
	for _, c := range s[:6] {
		n = n*10 + uint32(c-'0')
	}
	return n
}

func TestCodeStrings(t *testing.T) {
	want := map[Code]string{
		OK: "", ErrEmpty: "ID_EMPTY", ErrFormat: "ID_FORMAT", ErrChecksum: "ID_CHECKSUM",
		ErrBirthdate: "ID_BIRTHDATE", ErrRegion: "ID_REGION", ErrPrecisionLost: "ID_PRECISION_LOST",
	}
	for c, s := range want {
		if c.String() != s {
			t.Errorf("Code(%d).String() = %q, want %q", c, c.String(), s)
		}
		if (c.Message() == "") != (c == OK) {
			t.Errorf("Code %q: message %q", s, c.Message())
		}
	}
	if got := ErrPrecisionLost.Message(); !strings.Contains(got, "文本格式") {
		t.Errorf("precision message does not say what to do: %q", got)
	}
	if Code(200).String() != "ID_UNKNOWN" || Code(200).Message() == "" {
		t.Error("unknown code must still print something")
	}
}

func TestValidatorWithoutTreeOrClock(t *testing.T) {
	v := NewValidator(nil, 0)
	// With no address set and no today, region and future checks are skipped; the rest holds.
	if _, code := v.Check(withCheck(t, "99999921000101001")); code != OK {
		t.Errorf("nil tree, zero today: %s", code)
	}
	if _, code := v.Check("110105194912310021"); code != ErrChecksum {
		t.Errorf("checksum still checked: %s", code)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"11010519491231002X", "11010519491231002X"},
		{"11010519491231002x", "11010519491231002X"},
		{"１２３ｘＸx", "123XXX"},
		{"'123", "123"},
		{`"123"`, "123"},
		{`="123"`, "123"},
		{"“123”", "123"},
		{"‘123’", "123"},
		{"＂123＇", "123"},
		{"\u3000 123\u00a0\t", "123"},
		{"\ufeff\u200b123", "123"},
		{"1 2-3", "1 2-3"},                 // inner junk is kept so validation can reject it
		{"1\u30002", "1\u30002"},           // ditto for inner U+3000
		{"=123", "=123"},                   // a formula is not a quote
		{"6.2292E+17", "6.2292E+17"},       // E is not x
		{"张三", "张三"},                       // other text passes through
		{"\xef\xbc", "\xef\xbc"},           // truncated UTF-8 is copied, not read past the end
		{"１\xef\xbc\x9a", "1\xef\xbc\x9a"}, // U+FF1A is not a digit
	}
	for _, tc := range tests {
		got := string(Normalize(nil, tc.raw))
		if got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.raw, got, tc.want)
		}
		// Normalize appends, and is idempotent.
		if got := string(Normalize([]byte("ab"), tc.raw)); got != "ab"+tc.want {
			t.Errorf("Normalize does not append: %q", got)
		}
		if again := string(Normalize(nil, tc.want)); again != tc.want {
			t.Errorf("Normalize not idempotent on %q: %q", tc.want, again)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	v := newTestValidator(t)
	inputs := []string{
		"11010519491231002X", "110105491231002", fullWidth("11010519491231002X"),
		" '11010519491231002x' ", "6.22921201403051E+17", "622921201403051000", "",
		"110105194912310021", strings.Repeat("9", 500), "张三",
	}
	for _, in := range inputs {
		for _, numeric := range []bool{false, true} {
			var n Number
			allocs := testing.AllocsPerRun(100, func() { n, _ = v.CheckCell(in, numeric) })
			if allocs != 0 {
				t.Errorf("CheckCell(%q, %v): %v allocations", in, numeric, allocs)
			}
			if allocs := testing.AllocsPerRun(100, func() { _ = n.Pack() }); allocs != 0 {
				t.Errorf("Pack: %v allocations", allocs)
			}
		}
	}
	buf := make([]byte, 0, 64)
	if allocs := testing.AllocsPerRun(100, func() { buf = Normalize(buf[:0], "１１０１０５１９４９") }); allocs != 0 {
		t.Errorf("Normalize into a large enough buffer: %v allocations", allocs)
	}
}

func TestPackRoundTrip(t *testing.T) {
	v := newTestValidator(t)
	r := rand.New(rand.NewPCG(1, 2))
	codes := addressCodes(t)
	prev := ""
	var prevPacked uint64
	for range 20000 {
		id := randomID(t, r, codes)
		n, code := v.Check(id)
		if code != OK {
			t.Fatalf("generated %s: %s", id, code)
		}
		p := n.Pack()
		u := Unpack(p)
		want := n
		want.Upgraded = false
		if u != want {
			t.Fatalf("Unpack(Pack(%s)) = %+v, want %+v", id, u, want)
		}
		// The packing preserves order, so distinct strings give distinct values.
		if prev != "" && (id < prev) != (p < prevPacked) || (id == prev) != (p == prevPacked) {
			t.Fatalf("order: %s→%d vs %s→%d", prev, prevPacked, id, p)
		}
		prev, prevPacked = id, p
	}
	// The extremes do not overflow.
	for _, s := range []string{"99999999999999999X", "999999999999999999", "00000000000000000X", "100000000000000000"} {
		var n Number
		copy(n.Digits[:], s)
		if got := Unpack(n.Pack()).String(); got != s {
			t.Errorf("round trip of %s gave %s", s, got)
		}
	}
	if (Number{}).Pack() != 0 || !Unpack(0).IsZero() {
		t.Error("zero Number must pack to 0 and back")
	}
	// Upgraded legacy numbers pack like their 18-digit form.
	a, _ := v.Check("110105491231002")
	b, _ := v.Check("11010519491231002X")
	if a.Pack() != b.Pack() {
		t.Error("a legacy number and its upgrade must pack alike")
	}
}

func TestDaysIn(t *testing.T) {
	for y := 1899; y <= 2401; y++ {
		for m := 1; m <= 12; m++ {
			if got, want := daysIn(y, m), baoxue.DaysIn(y, m); got != want {
				t.Fatalf("daysIn(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
}

func TestWellFormed18(t *testing.T) {
	// Every byte value in every position must be judged like the obvious loop would.
	base := []byte("11010519491231002X")
	for i := range 18 {
		for c := range 256 {
			var d [18]byte
			copy(d[:], base)
			d[i] = byte(c)
			want := allDigits(d[:17]) && (isDigit(d[17]) || d[17] == 'X')
			if got := wellFormed18(&d); got != want {
				t.Fatalf("wellFormed18 with byte %#x at %d = %v, want %v", c, i, got, want)
			}
		}
	}
}
