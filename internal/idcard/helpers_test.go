package idcard

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// testToday is the validator's "today" in tests, so that the future-date cases do not move.
var testToday = baoxue.MakeDate(2024, 6, 30)

// loadTree parses the embedded division data once per test binary; the tree is read-only.
var loadTree = sync.OnceValues(region.Load)

func newTestValidator(t testing.TB) *Validator {
	t.Helper()
	tree, err := loadTree()
	if err != nil {
		t.Fatalf("region.Load: %v", err)
	}
	return NewValidator(tree.Address(), testToday)
}

// withCheck completes 17 digits with their check character, so tests never hard-code a check
// digit they did not compute.
func withCheck(t testing.TB, first17 string) string {
	t.Helper()
	c := CheckDigit([]byte(first17))
	if c == 0 {
		t.Fatalf("withCheck(%q): not 17 digits", first17)
	}
	return first17 + string(c)
}

// wrongCheck returns the 17 digits followed by a check character that is not the right one.
func wrongCheck(t testing.TB, first17 string) string {
	t.Helper()
	c := CheckDigit([]byte(first17))
	for _, w := range []byte("0123456789X") {
		if w != c {
			return first17 + string(w)
		}
	}
	panic("unreachable")
}

// addressCodes lists every code the tree accepts, for generating realistic numbers.
func addressCodes(t testing.TB) []uint32 {
	t.Helper()
	tree, err := loadTree()
	if err != nil {
		t.Fatalf("region.Load: %v", err)
	}
	var codes []uint32
	for c := uint32(0); c < 1000000; c++ {
		if tree.Address().Has(c) && c%10000 != 0 { // skip province-level codes, as real IDs do
			codes = append(codes, c)
		}
	}
	return codes
}

// randomID returns a valid 18-character ID with an address from codes and a birth date between
// 1940 and 2023.
func randomID(t testing.TB, r *rand.Rand, codes []uint32) string {
	y := 1940 + r.IntN(84)
	m := 1 + r.IntN(12)
	d := 1 + r.IntN(baoxue.DaysIn(y, m))
	first17 := fmt.Sprintf("%06d%04d%02d%02d%03d", codes[r.IntN(len(codes))], y, m, d, r.IntN(1000))
	return withCheck(t, first17)
}

// fullWidth converts ASCII digits and X to their full-width forms.
func fullWidth(s string) string {
	var out []rune
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			out = append(out, '０'+(c-'0'))
		case c == 'X':
			out = append(out, 'Ｘ')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
