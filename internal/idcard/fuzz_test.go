package idcard

import (
	"bytes"
	"testing"
)

func FuzzCheck(f *testing.F) {
	seeds := []string{
		"", " ", "'", `""`, "11010519491231002X", "11010519491231002x", "110105491231002",
		"１１０１０５１９４９１２３１００２Ｘ", "'11010519491231002X", `="11010519491231002X"`,
		"\u300011010519491231002X\u00a0", "“11010519491231002X”", "6.22921201403051E+17",
		"6.22921E+17", "622921201403051000", "110105194912310021", "110105194913310025",
		"62292120010229001X", "99999920000101001X", "11010319800101002", "1101051949123100X2",
		"110105 19491231002X", "张三", "\xef\xbc", "\xef\xbc\x90\xef\xbd\x98", "=＂1＂",
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	v := newTestValidator(f)
	f.Fuzz(func(t *testing.T, raw string, numeric bool) {
		n, code := v.CheckCell(raw, numeric)
		if code.String() == "ID_UNKNOWN" {
			t.Fatalf("CheckCell(%q) returned an unnamed code %d", raw, code)
		}
		norm := Normalize(nil, raw)
		if len(norm) > len(raw) {
			t.Fatalf("Normalize(%q) grew to %q", raw, norm)
		}
		if again := Normalize(nil, string(norm)); !bytes.Equal(again, norm) {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", raw, norm, again)
		}
		if code != OK {
			if !n.IsZero() {
				t.Fatalf("CheckCell(%q) = %s with a non-zero number", raw, code)
			}
			return
		}
		s := n.String()
		if len(s) != 18 || CheckDigit(n.Digits[:17]) != n.Digits[17] {
			t.Fatalf("CheckCell(%q) accepted %q", raw, s)
		}
		// A valid result re-validates to itself, in text and numeric cells alike (a valid number
		// ending in 000 is the one thing a numeric cell may not hold).
		n2, code2 := v.Check(s)
		want := n
		want.Upgraded = false
		if code2 != OK || n2 != want {
			t.Fatalf("re-check of %q (from %q) = %+v %s, want %+v", s, raw, n2, code2, want)
		}
		if u := Unpack(n.Pack()); u != want {
			t.Fatalf("Unpack(Pack(%s)) = %+v", s, u)
		}
	})
}
