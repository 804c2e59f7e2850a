package ingest

import (
	"math/rand/v2"
	"testing"

	"github.com/baoxue/baoxue/internal/normalize"
)

// TestFastPathsAgree: the converter's shortcuts give what the parsers they skip would.
func TestFastPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	cases := []string{"13800138000", "19999999999", "10800138000", "12800138000", "1380013800", "138001380000", "1380013800x", "１3800138000", " 13800138000"}
	for range 20000 {
		cases = append(cases, "1"+digits(10), digits(11))
	}
	for _, s := range cases {
		checkPlainMobile(t, s)
	}
}

func checkPlainMobile(t *testing.T, s string) {
	t.Helper()
	if !plainMobile(s) {
		return
	}
	if v, p := normalize.Phone(s); v != s || p != nil {
		t.Fatalf("plainMobile(%q), but normalize.Phone gives %q, %v", s, v, p)
	}
}

func FuzzPlainMobile(f *testing.F) {
	for _, s := range []string{"13800138000", "1380013800", "12345678901", "1.3800138E+10"} {
		f.Add(s)
	}
	f.Fuzz(checkPlainMobile)
}

// TestMemoSameAsParser: a memo returns, for every sequence of values, what the parser returns —
// through its recent values, its map, and once the map is full.
func TestMemoSameAsParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []string{"正常", "死亡", "迁出", "待核", "", " 正常", "户口正常", "x"}
	var m memo[string]
	for i := range 50000 {
		raw := values[rng.IntN(len(values))]
		if i > 20000 && rng.IntN(2) == 0 {
			raw = "未知状态" + string(rune('a'+rng.IntN(26))) + string(rune('0'+i%10)) + string(rune(0x4e00+i%5000))
		}
		gv, gp := m.get(raw, normalize.RegistryStatus)
		wv, wp := normalize.RegistryStatus(raw)
		if gv != wv || gp.String() != wp.String() {
			t.Fatalf("step %d, %q: memo %q %v, parser %q %v", i, raw, gv, gp, wv, wp)
		}
	}
	if len(m.m) != memoSize {
		t.Errorf("memo holds %d values, want the cap %d", len(m.m), memoSize)
	}
}
