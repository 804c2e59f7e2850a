package idcard

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchPool returns 4096 inputs; mangle turns a valid 18-character number into the form the
// benchmark feeds to the validator.
func benchPool(b *testing.B, mangle func(r *rand.Rand, id string) string) []string {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	codes := addressCodes(b)
	pool := make([]string, 4096)
	for i := range pool {
		pool[i] = mangle(r, randomID(b, r, codes))
	}
	return pool
}

func BenchmarkCheck(b *testing.B) {
	v := newTestValidator(b)
	cases := []struct {
		name   string
		mangle func(r *rand.Rand, id string) string
		want   func(Code) bool
	}{
		// Clean 18-character numbers, as a well-kept registry holds them.
		{"clean", func(_ *rand.Rand, id string) string { return id }, isOK},
		// Valid numbers the way county files carry them: mostly clean, some with blanks, an
		// apostrophe or quotes, lower-case x, full-width digits, 15-digit legacy numbers.
		{"mixed", func(r *rand.Rand, id string) string {
			switch k := r.IntN(100); {
			case k < 80:
				return id
			case k < 86:
				return " " + id + "\u3000"
			case k < 90:
				return "'" + id
			case k < 93:
				return `"` + id + `"`
			case k < 96:
				return strings.ToLower(id)
			case k < 98:
				return fullWidth(id)
			default:
				return id[:6] + id[8:17] // legacy form of a number born in the 1900s or not
			}
		}, func(Code) bool { return true }},
		// Every kind of error, in equal shares.
		{"invalid", func(r *rand.Rand, id string) string {
			switch r.IntN(6) {
			case 0:
				return ""
			case 1:
				return id[:17]
			case 2:
				return "6.22921201403051E+17"
			case 3:
				return id[:6] + "2099" + id[10:]
			case 4:
				return "999999" + id[6:]
			default:
				return swapIfDifferent(id)
			}
		}, func(c Code) bool { return c != OK }},
	}
	for _, bc := range cases {
		pool := benchPool(b, bc.mangle)
		for _, s := range pool {
			if _, code := v.Check(s); !bc.want(code) {
				b.Fatalf("%s: unexpected %s for %q", bc.name, code, s)
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			var sink uint64
			i := 0
			for b.Loop() {
				n, code := v.Check(pool[i&4095])
				sink += uint64(n.Birth) + uint64(code)
				i++
			}
			if sink == 0 {
				b.Fatal("nothing validated")
			}
		})
	}
}

func isOK(c Code) bool { return c == OK }

// swapIfDifferent swaps the first pair of adjacent differing serial digits, keeping the check
// character, which a MOD 11-2 check always detects.
func swapIfDifferent(id string) string {
	b := []byte(id)
	for i := 14; i < 16; i++ {
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
	}
	b[16] = '0' + (b[16]-'0'+1)%10
	return string(b)
}

func BenchmarkCheckCellNumeric(b *testing.B) {
	v := newTestValidator(b)
	pool := benchPool(b, func(r *rand.Rand, id string) string {
		if r.IntN(2) == 0 {
			return id[:15] + "000" // what Excel leaves of an 18-digit number
		}
		return id[:6] + id[8:17] // a 15-digit legacy number survives a numeric cell
	})
	var sink uint64
	i := 0
	for b.Loop() {
		n, code := v.CheckCell(pool[i&4095], true)
		sink += uint64(n.Birth) + uint64(code)
		i++
	}
	if sink == 0 {
		b.Fatal("nothing validated")
	}
}

func BenchmarkPack(b *testing.B) {
	v := newTestValidator(b)
	pool := benchPool(b, func(_ *rand.Rand, id string) string { return id })
	nums := make([]Number, len(pool))
	for i, s := range pool {
		nums[i], _ = v.Check(s)
	}
	var sink uint64
	i := 0
	for b.Loop() {
		sink += nums[i&4095].Pack()
		i++
	}
	if sink == 0 {
		b.Fatal("nothing packed")
	}
}
