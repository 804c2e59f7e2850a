package gen

import (
	"math/rand/v2"
	"unicode/utf8"

	"github.com/baoxue/baoxue/internal/idcard"
)

// damageKind is one kind of error real files carry. The names (String) are what truth.csv lists.
type damageKind uint8

const (
	dIDTypo            damageKind = iota // one digit substituted
	dIDSwap                              // two adjacent digits swapped
	dIDMissing                           // left empty
	dIDExcelSci                          // Excel turned it into a number: 6.22921E+17
	dIDExcel000                          // Excel kept 15 digits: …000
	dIDFullwidth                         // full-width digits ６２２…
	dIDApostrophe                        // leading ' (Excel's text marker, exported verbatim)
	dIDSpace                             // leading or trailing space or U+3000
	dIDLowerX                            // check character x instead of X
	dNameHomophone                       // 伟 → 玮
	dNameNearHomophone                   // 林 → 玲 (en/eng, in/ing, n/l, z/zh …)
	dNameDropped                         // one character of the given name lost
	dNameSpace                           // 马 小龙
	dNameSeparator                       // 阿卜杜拉•马木提, 阿卜杜拉．马木提, 阿卜杜拉马木提 …
	dNameTruncated                       // 阿卜杜拉 (the father's name cut off)
	dBirthOffByOne                       // birth date one day early or late
	dDateFormat                          // the row's date in another format than the column's
	dSexCode                             // 1/2 in a 男/女 column or the reverse
	numDamageKinds
)

// String names the damage kind as truth.csv writes it.
func (k damageKind) String() string {
	switch k {
	case dIDTypo:
		return "id_typo"
	case dIDSwap:
		return "id_swap"
	case dIDMissing:
		return "id_missing"
	case dIDExcelSci:
		return "id_excel_sci"
	case dIDExcel000:
		return "id_excel_000"
	case dIDFullwidth:
		return "id_fullwidth"
	case dIDApostrophe:
		return "id_apostrophe"
	case dIDSpace:
		return "id_space"
	case dIDLowerX:
		return "id_lower_x"
	case dNameHomophone:
		return "name_homophone"
	case dNameNearHomophone:
		return "name_near_homophone"
	case dNameDropped:
		return "name_dropped_char"
	case dNameSpace:
		return "name_space"
	case dNameSeparator:
		return "name_separator"
	case dNameTruncated:
		return "name_truncated"
	case dBirthOffByOne:
		return "birth_off_by_one"
	case dDateFormat:
		return "date_format"
	case dSexCode:
		return "sex_code"
	}
	return "unknown"
}

// DamageKinds lists the names of every damage kind, in the order of DamageRates' columns.
func DamageKinds() []string {
	out := make([]string, numDamageKinds)
	for k := range numDamageKinds {
		out[k] = k.String()
	}
	return out
}

// Data files that carry damage, in the order truth.csv lists them.
const (
	fRegistry = iota
	fEnrollment
	fNational
	fPoverty
	fDisability
	numDataFiles
)

func dataFileName(f int) string {
	switch f {
	case fRegistry:
		return "registry"
	case fEnrollment:
		return "enrollment"
	case fNational:
		return "national"
	case fPoverty:
		return "poverty"
	case fDisability:
		return "disability"
	}
	return ""
}

// rateTable holds, per data file and damage kind, the probability per row in units of 1/100,000.
// The ID kinds up to dIDSpace exclude each other; dIDLowerX applies to IDs ending in X, and the
// separator and truncation kinds to names with a middle dot only (their rates are conditional).
type rateTable [numDataFiles][numDamageKinds]uint32

// realisticRates are the rates of the realistic profile, from what county offices report of
// their own files: a percent or two of IDs missing or typed with an apostrophe in 学籍, a few
// per thousand mistyped, Excel damage in a few rows per ten thousand.
func realisticRates() rateTable {
	var t rateTable
	set := func(f int, kv ...uint32) {
		for i := 0; i+1 < len(kv); i += 2 {
			t[f][kv[i]] = kv[i+1]
		}
	}
	set(fRegistry,
		uint32(dIDTypo), 150, uint32(dIDSwap), 60, uint32(dIDExcelSci), 60, uint32(dIDExcel000), 60,
		uint32(dIDFullwidth), 100, uint32(dIDApostrophe), 800, uint32(dIDSpace), 300, uint32(dIDLowerX), 15000,
		uint32(dNameHomophone), 40, uint32(dNameNearHomophone), 20, uint32(dNameDropped), 20, uint32(dNameSpace), 100,
		uint32(dNameSeparator), 10000, uint32(dNameTruncated), 2000, uint32(dDateFormat), 1000, uint32(dSexCode), 500)
	set(fEnrollment,
		uint32(dIDTypo), 400, uint32(dIDSwap), 200, uint32(dIDMissing), 800, uint32(dIDFullwidth), 200,
		uint32(dIDApostrophe), 1500, uint32(dIDSpace), 600, uint32(dIDLowerX), 20000,
		uint32(dNameHomophone), 400, uint32(dNameNearHomophone), 150, uint32(dNameDropped), 150, uint32(dNameSpace), 300,
		uint32(dNameSeparator), 30000, uint32(dNameTruncated), 10000, uint32(dBirthOffByOne), 300,
		uint32(dDateFormat), 2000, uint32(dSexCode), 1000)
	set(fNational,
		uint32(dIDTypo), 200, uint32(dIDSwap), 100, uint32(dIDMissing), 200, uint32(dIDSpace), 200, uint32(dIDLowerX), 10000,
		uint32(dNameHomophone), 200, uint32(dNameNearHomophone), 100, uint32(dNameDropped), 100,
		uint32(dNameSeparator), 30000, uint32(dNameTruncated), 5000, uint32(dBirthOffByOne), 200)
	set(fPoverty,
		uint32(dIDTypo), 300, uint32(dIDSwap), 100, uint32(dIDMissing), 300, uint32(dIDExcelSci), 200, uint32(dIDExcel000), 200,
		uint32(dIDFullwidth), 150, uint32(dIDApostrophe), 1000, uint32(dIDSpace), 500, uint32(dIDLowerX), 20000,
		uint32(dNameHomophone), 200, uint32(dNameNearHomophone), 100, uint32(dNameDropped), 100, uint32(dNameSpace), 200,
		uint32(dNameSeparator), 20000, uint32(dNameTruncated), 5000)
	set(fDisability,
		uint32(dIDTypo), 200, uint32(dIDSwap), 100, uint32(dIDFullwidth), 200, uint32(dIDSpace), 300, uint32(dIDLowerX), 20000,
		uint32(dNameHomophone), 200, uint32(dNameNearHomophone), 80, uint32(dNameDropped), 80,
		uint32(dNameSeparator), 20000, uint32(dNameTruncated), 5000)
	return t
}

// ratesFor returns the damage rates of a profile: none for clean, the realistic table, or four
// times it for hard (conditional kinds doubled, every rate capped at 60 %).
func ratesFor(profile string) rateTable {
	switch profile {
	case ProfileRealistic:
		return realisticRates()
	case ProfileHard:
		t := realisticRates()
		for f := range t {
			for k := range t[f] {
				m := uint32(4)
				switch damageKind(k) {
				case dIDLowerX, dNameSeparator, dNameTruncated:
					m = 2
				}
				t[f][k] = min(t[f][k]*m, 60000)
			}
		}
		return t
	}
	return rateTable{}
}

// DamageRates reports a profile's per-row damage probabilities as fractions, per data file and
// damage kind name, for documentation and for callers that want to check the counts.
func DamageRates(profile string) map[string]map[string]float64 {
	t := ratesFor(profile)
	out := map[string]map[string]float64{}
	for f := range numDataFiles {
		m := map[string]float64{}
		for k := range numDamageKinds {
			if t[f][k] > 0 {
				m[k.String()] = float64(t[f][k]) / 100000
			}
		}
		out[dataFileName(f)] = m
	}
	return out
}

// chance draws true with probability per100k/100,000.
func chance(r *rand.Rand, per100k uint32) bool {
	return per100k > 0 && r.Uint32N(100000) < per100k
}

// pickIDDamage chooses at most one ID damage for a row of file f. It returns numDamageKinds for
// none. Kinds that cannot apply to this ID (Excel damage of an ID ending in X, …000 that happens
// to be valid) fall back to none, so the recorded damage is always the damage in the file.
func pickIDDamage(r *rand.Rand, rates *[numDamageKinds]uint32, id *[18]byte) damageKind {
	x := r.Uint32N(100000)
	var acc uint32
	for k := dIDTypo; k <= dIDSpace; k++ {
		acc += rates[k]
		if x < acc {
			switch k {
			case dIDExcelSci, dIDExcel000:
				if id[17] == 'X' {
					return numDamageKinds
				}
				if k == dIDExcel000 {
					var t [17]byte
					copy(t[:], id[:15])
					t[15], t[16] = '0', '0'
					if idcard.CheckDigit(t[:]) == '0' {
						return numDamageKinds
					}
				}
			}
			return k
		}
	}
	if id[17] == 'X' && chance(r, rates[dIDLowerX]) {
		return dIDLowerX
	}
	return numDamageKinds
}

// appendDamagedID appends the ID as the damaged file shows it: another valid-looking 18
// characters for the structural kinds (typo, swap), raw cell text for the formatting kinds.
func appendDamagedID(b []byte, r *rand.Rand, id *[18]byte, k damageKind) []byte {
	switch k {
	case dIDTypo:
		var t [18]byte = *id
		typoID(r, &t)
		return append(b, t[:]...)
	case dIDSwap:
		var t [18]byte = *id
		swapID(r, &t)
		return append(b, t[:]...)
	case dIDMissing:
		return b
	case dIDExcelSci:
		return appendExcelSci(b, id, r.IntN(2) == 0)
	case dIDExcel000:
		b = append(b, id[:15]...)
		return append(b, "000"...)
	case dIDFullwidth:
		for _, c := range id {
			if c == 'X' {
				b = append(b, "Ｘ"...)
			} else {
				b = utf8.AppendRune(b, rune(0xFF10+int(c-'0')))
			}
		}
		return b
	case dIDApostrophe:
		b = append(b, '\'')
		return append(b, id[:]...)
	case dIDSpace:
		switch r.IntN(3) {
		case 0:
			b = append(b, ' ')
			return append(b, id[:]...)
		case 1:
			b = append(b, id[:]...)
			return append(b, ' ')
		}
		b = append(b, "\u3000"...)
		return append(b, id[:]...)
	case dIDLowerX:
		b = append(b, id[:17]...)
		return append(b, 'x')
	}
	return append(b, id[:]...)
}

// typoID substitutes one character. GB 11643's MOD 11-2 check catches every single substitution,
// so the result never is someone else's valid ID.
func typoID(r *rand.Rand, id *[18]byte) {
	pos := r.IntN(18)
	if id[pos] == 'X' {
		id[pos] = byte('0' + r.IntN(10))
		return
	}
	id[pos] = byte('0' + (int(id[pos]-'0')+1+r.IntN(9))%10)
}

// swapID swaps two different adjacent digits among the first 17 (MOD 11-2 catches these too).
func swapID(r *rand.Rand, id *[18]byte) {
	for range 32 {
		i := r.IntN(16)
		if id[i] != id[i+1] {
			id[i], id[i+1] = id[i+1], id[i]
			return
		}
	}
	typoID(r, id) // an ID of one repeated digit cannot be swapped; unreachable for real IDs
}

// appendExcelSci writes the ID the way Excel shows an 18-digit number: with 15 significant
// digits (6.22921201403051E+17) or, in a narrow General column, six (6.22921E+17).
func appendExcelSci(b []byte, id *[18]byte, short bool) []byte {
	digits := 15
	if short {
		digits = 6
	}
	var m [16]byte
	copy(m[:], id[:digits])
	exp := 17
	if id[digits] >= '5' { // round half up, as Excel does
		i := digits - 1
		for ; i >= 0; i-- {
			if m[i] == '9' {
				m[i] = '0'
				continue
			}
			m[i]++
			break
		}
		if i < 0 { // 999… rounded to 1000…
			copy(m[1:], m[:digits-1])
			m[0] = '1'
			exp++
		}
	}
	n := digits
	for n > 1 && m[n-1] == '0' {
		n--
	}
	b = append(b, m[0])
	if n > 1 {
		b = append(b, '.')
		b = append(b, m[1:n]...)
	}
	b = append(b, "E+"...)
	return append(b, byte('0'+exp/10), byte('0'+exp%10))
}

// pickNameDamage chooses at most one name damage for a row of file f (numDamageKinds for none).
func pickNameDamage(r *rand.Rand, rates *[numDamageKinds]uint32, dotted bool) damageKind {
	if dotted {
		x := r.Uint32N(100000)
		if x < rates[dNameTruncated] {
			return dNameTruncated
		}
		if x < rates[dNameTruncated]+rates[dNameSeparator] {
			return dNameSeparator
		}
		return numDamageKinds
	}
	x := r.Uint32N(100000)
	var acc uint32
	for _, k := range [...]damageKind{dNameHomophone, dNameNearHomophone, dNameDropped, dNameSpace} {
		acc += rates[k]
		if x < acc {
			return k
		}
	}
	return numDamageKinds
}

// appendDamagedName appends the damaged name and reports whether the damage could be applied
// (a name without a character in the homophone table cannot get a homophone).
func appendDamagedName(b []byte, r *rand.Rand, nt *nameTables, p *person, k damageKind, gbk bool) ([]byte, bool) {
	switch k {
	case dNameSeparator:
		b = append(b, p.giv...)
		b = append(b, separatorVariant(r, gbk)...)
		return append(b, p.giv2...), true
	case dNameTruncated:
		return append(b, p.giv...), true
	case dNameSpace:
		if p.sur == "" {
			b = append(b, p.giv...)
			return append(b, ' '), true
		}
		b = append(b, p.sur...)
		b = append(b, ' ')
		return append(b, p.giv...), true
	case dNameDropped:
		if utf8.RuneCountInString(p.giv) < 2 {
			return appendName(b, p), false
		}
		b = append(b, p.sur...)
		drop := r.IntN(utf8.RuneCountInString(p.giv))
		i := 0
		for _, c := range p.giv {
			if i != drop {
				b = utf8.AppendRune(b, c)
			}
			i++
		}
		return b, true
	case dNameHomophone, dNameNearHomophone:
		table := nt.homophones
		if k == dNameNearHomophone {
			table = nt.nearHomophones
		}
		full := string(appendName(nil, p))
		var cands []int // rune positions that have a replacement
		rs := []rune(full)
		for i, c := range rs {
			if len(table[c]) > 0 {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			return appendName(b, p), false
		}
		i := cands[r.IntN(len(cands))]
		alts := table[rs[i]]
		rs[i] = alts[r.IntN(len(alts))]
		return append(b, string(rs)...), true
	}
	return appendName(b, p), false
}

// separatorVariant is what else people type for the middle dot: the bullet, the katakana dot,
// the full-width stop, a plain full stop, a space, or nothing. GBK has neither the bullet nor the
// katakana dot: a GBK file shows '?' for them, as Excel writes it.
func separatorVariant(r *rand.Rand, gbk bool) string {
	switch r.IntN(6) {
	case 0:
		if gbk {
			return "?"
		}
		return "•"
	case 1:
		if gbk {
			return "?"
		}
		return "・"
	case 2:
		return "．"
	case 3:
		return "."
	case 4:
		return " "
	}
	return ""
}

func appendName(b []byte, p *person) []byte {
	b = append(b, p.sur...)
	b = append(b, p.giv...)
	if p.giv2 != "" {
		b = append(b, "·"...)
		b = append(b, p.giv2...)
	}
	return b
}
