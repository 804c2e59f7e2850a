package match

import (
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pinyin"
)

// NameLevel is how two names compare, from best to worst.
type NameLevel uint8

const (
	NameSame      NameLevel = iota // the same characters (separators of minority names ignored)
	NamePinyin                     // same length, every character has a common toneless reading (张玮/张伟)
	NameNear                       // same length, every character sounds near (n/l, z/zh, an/ang …: 林/玲)
	NameDropped                    // one character missing, the rest same-sound (马龙/马小龙)
	NameTruncated                  // a transliterated name cut short (古丽·艾合买提/古丽·艾合)
	NameDifferent
	NameMissing // one side has no name
)

// BirthLevel is how two birth dates compare.
type BirthLevel uint8

const (
	BirthExact     BirthLevel = iota
	BirthOneDay               // one day apart
	BirthSwapped              // month and day swapped (2014-03-05/2014-05-03)
	BirthDifferent            //
	BirthMissing              // one side unknown
)

// SexLevel is how two sexes compare.
type SexLevel uint8

const (
	SexAgree SexLevel = iota
	SexDisagree
	SexMissing
)

// PlaceLevel is the deepest division two region codes share.
type PlaceLevel uint8

const (
	PlaceVillage   PlaceLevel = iota // same 12-digit village
	PlaceTownship                    // same 9-digit township
	PlaceCounty                      // same 6-digit county
	PlaceDifferent                   // different counties
	PlaceMissing                     // a code is missing, or too short to compare at that level
)

// GuardianLevel is how the guardians' names compare.
type GuardianLevel uint8

const (
	GuardianSame GuardianLevel = iota
	GuardianPinyin
	GuardianDifferent
	GuardianMissing
)

// IDLevel is what the two ID numbers say about a pair.
type IDLevel uint8

const (
	IDNone      IDLevel = iota // a side has no ID: no evidence
	IDVariant                  // one digit substituted or two adjacent digits swapped
	IDPrefix                   // one side truncated by Excel, the first 15 digits agree
	IDNear                     // two digits differ
	IDDifferent                // the IDs disagree in more places (or a truncated prefix disagrees)
)

// maxNameRunes bounds the characters compared; longer names are compared on their first 32.
const maxNameRunes = 32

// nameRunes appends the runes of name without separators and reports whether it had one.
func nameRunes(dst []rune, name string) ([]rune, bool) {
	sep := false
	for _, r := range name {
		if isSep(r) {
			sep = true
			continue
		}
		if len(dst) == cap(dst) {
			break
		}
		dst = append(dst, r)
	}
	return dst, sep
}

func isSep(r rune) bool {
	switch r {
	case '·', '•', '・', '･', '‧', '∙', '⋅', '.', '-', ' ', '\u3000':
		return true
	}
	return false
}

// CompareNames compares two names, pinyin-aware.
func CompareNames(t *pinyin.Table, a, b string) NameLevel {
	if a == "" || b == "" {
		return NameMissing
	}
	if a == b {
		return NameSame
	}
	var bufA [maxNameRunes]rune
	ra, sepA := nameRunes(bufA[:0], a)
	return compareNameRunes(t, ra, sepA, a, b)
}

// compareNameRunes is CompareNames with a's runes (separators removed) already decoded, for the
// loop over a child's candidates.
func compareNameRunes(t *pinyin.Table, ra []rune, sepA bool, a, b string) NameLevel {
	if a == "" || b == "" {
		return NameMissing
	}
	if a == b {
		return NameSame
	}
	var bufB [maxNameRunes]rune
	rb, sepB := nameRunes(bufB[:0], b)
	if len(ra) == 0 || len(rb) == 0 {
		return NameMissing
	}
	if len(ra) == len(rb) {
		same, near := true, true
		for i := range ra {
			if ra[i] == rb[i] {
				continue
			}
			if !t.SameSound(ra[i], rb[i]) {
				same = false
				if !t.NearSoundRunes(ra[i], rb[i]) {
					near = false
					break
				}
			}
		}
		switch {
		case equalRunes(ra, rb):
			return NameSame
		case same:
			return NamePinyin
		case near:
			return NameNear
		}
		return NameDifferent
	}
	short, long := ra, rb
	if len(short) > len(long) {
		short, long = long, short
	}
	if len(short) < 2 {
		return NameDifferent
	}
	// A transliterated name cut after its separator, or by a length limit: the shorter is a
	// prefix of the longer. Han names are at most four characters, so a prefix of a longer name
	// without a separator is treated the same way.
	if (sepA || sepB || len(long) >= 5) && soundPrefix(t, short, long) {
		return NameTruncated
	}
	if len(long)-len(short) == 1 && dropsOne(t, short, long) {
		return NameDropped
	}
	return NameDifferent
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func soundPrefix(t *pinyin.Table, short, long []rune) bool {
	for i, r := range short {
		if !t.SameSound(r, long[i]) {
			return false
		}
	}
	return true
}

// dropsOne reports whether deleting one character of long leaves short, comparing by sound.
func dropsOne(t *pinyin.Table, short, long []rune) bool {
	i := 0
	for i < len(short) && t.SameSound(short[i], long[i]) {
		i++
	}
	for ; i < len(short); i++ {
		if !t.SameSound(short[i], long[i+1]) {
			return false
		}
	}
	return true
}

// CompareGuardians compares guardians' names: same, same pinyin, different, or missing.
func CompareGuardians(t *pinyin.Table, a, b string) GuardianLevel {
	switch CompareNames(t, a, b) {
	case NameSame:
		return GuardianSame
	case NamePinyin:
		return GuardianPinyin
	case NameMissing:
		return GuardianMissing
	}
	return GuardianDifferent
}

// dayNumber returns the days since 1970-01-01 of a valid date (Howard Hinnant's algorithm).
func dayNumber(d baoxue.Date) int {
	y, m, day := d.Year(), int(d.Month()), d.Day()
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func validDate(d baoxue.Date) bool {
	return d != 0 && baoxue.ValidDate(d.Year(), int(d.Month()), d.Day())
}

// swapped returns d with month and day exchanged, or 0 when that is not a date or is d itself.
func swapped(d baoxue.Date) baoxue.Date {
	m, day := int(d.Month()), d.Day()
	if m == day || !baoxue.ValidDate(d.Year(), day, m) {
		return 0
	}
	return baoxue.MakeDate(d.Year(), time.Month(day), m)
}

// CompareBirth compares two birth dates.
func CompareBirth(a, b baoxue.Date) BirthLevel {
	if !validDate(a) || !validDate(b) {
		return BirthMissing
	}
	switch {
	case a == b:
		return BirthExact
	case dayNumber(a)-dayNumber(b) == 1 || dayNumber(b)-dayNumber(a) == 1:
		return BirthOneDay
	case swapped(a) == b:
		return BirthSwapped
	}
	return BirthDifferent
}

// CompareSex compares sexes.
func CompareSex(a, b baoxue.Sex) SexLevel {
	return compareSexCodes(sexCode(a), sexCode(b))
}

func compareSexCodes(a, b uint8) SexLevel {
	switch {
	case a == 0 || b == 0:
		return SexMissing
	case a == b:
		return SexAgree
	}
	return SexDisagree
}

// ComparePlaces compares two region codes (12, 9 or 6 digits).
func ComparePlaces(a, b string) PlaceLevel { return comparePlaceCodes(regionCode(a), regionCode(b)) }

func comparePlaceCodes(a, b uint64) PlaceLevel {
	la, lb := a&15, b&15
	if la == 0 || lb == 0 {
		return PlaceMissing
	}
	va, vb := a>>4, b>>4
	switch {
	case la == 12 && lb == 12 && va == vb:
		return PlaceVillage
	case la >= 9 && lb >= 9 && va/1000 == vb/1000:
		return PlaceTownship
	case va/1_000_000 == vb/1_000_000:
		return PlaceCounty
	}
	return PlaceDifferent
}

// idDigits unpacks a packed ID into its 18 characters ('X' as 10 in the last place).
func idDigits(k uint64) [18]uint8 {
	var d [18]uint8
	d[17] = uint8(k % 11)
	v := k / 11
	for i := 16; i >= 0; i-- {
		d[i] = uint8(v % 10)
		v /= 10
	}
	return d
}

// idDiff describes how two packed IDs differ: the number of differing positions, and the
// first two (0-based) positions that differ.
func idDiff(a, b uint64) (n, first, second int) {
	da, db := idDigits(a), idDigits(b)
	first, second = -1, -1
	for i := range 18 {
		if da[i] != db[i] {
			n++
			if first < 0 {
				first = i
			} else if second < 0 {
				second = i
			}
		}
	}
	return n, first, second
}

// compareIDs grades two keys for the fuzzy stage; variants are found by probing, not here.
func compareIDs(a uint64, sa KeyState, b uint64, sb KeyState) IDLevel {
	if a == 0 || b == 0 {
		return IDNone
	}
	if sa == KeyTruncated || sb == KeyTruncated {
		if prefix15(a) == prefix15(b) {
			return IDPrefix
		}
		return IDDifferent
	}
	if n, _, _ := idDiff(a, b); n <= 2 {
		return IDNear
	}
	return IDDifferent
}

// prefix15 is the number formed by the first 15 characters of a packed ID.
func prefix15(k uint64) uint64 { return k / 11 / 100 }

// --- reasons -------------------------------------------------------------------------------

// pair holds what a reason needs to name both sides.
type pair struct {
	childName, enrName   string
	childBirth, enrBirth baoxue.Date
	childKey, enrKey     uint64
	childKS, enrKS       KeyState
}

// levels is one scored comparison of a child with an enrollment record.
type levels struct {
	id       IDLevel
	name     NameLevel
	birth    BirthLevel
	sex      SexLevel
	place    PlaceLevel
	guardian GuardianLevel
	sepDiff  bool // names equal only after removing separators
}

// idReason explains the ID comparison of a pair.
func idReason(l levels, p pair) string {
	switch l.id {
	case IDVariant:
		n, first, second := idDiff(p.childKey, p.enrKey)
		if n == 2 && second == first+1 {
			return fmt.Sprintf("身份证号第%d、%d位颠倒", first+1, second+1)
		}
		if first == 17 {
			return "身份证号第18位（校验码）不同"
		}
		return fmt.Sprintf("身份证号第%d位不同", first+1)
	case IDPrefix:
		if p.enrKS == KeyTruncated {
			return "学籍身份证号被Excel截断，前15位相同"
		}
		return "户籍身份证号被Excel截断，前15位相同"
	case IDNear:
		_, first, second := idDiff(p.childKey, p.enrKey)
		return fmt.Sprintf("身份证号第%d、%d位不同", first+1, second+1)
	case IDDifferent:
		return "身份证号不同"
	}
	switch {
	case p.enrKey == 0:
		return "学籍无身份证号"
	case p.childKey == 0:
		return "户籍无身份证号"
	}
	return ""
}

func nameReason(l levels, p pair) string {
	both := "（" + p.childName + "/" + p.enrName + "）"
	switch l.name {
	case NameSame:
		if l.sepDiff {
			return "姓名相同（分隔符不同" + "：" + p.childName + "/" + p.enrName + "）"
		}
		return "姓名相同"
	case NamePinyin:
		return "姓名同音" + both
	case NameNear:
		return "姓名近音" + both
	case NameDropped:
		return "姓名差一字" + both
	case NameTruncated:
		return "少数民族姓名截断" + both
	case NameMissing:
		return "姓名缺失"
	}
	return "姓名不同" + both
}

func birthReason(l levels, p pair) string {
	both := "（" + p.childBirth.String() + "/" + p.enrBirth.String() + "）"
	switch l.birth {
	case BirthExact:
		return "出生日期相同"
	case BirthOneDay:
		return "出生日期相差一天" + both
	case BirthSwapped:
		return "出生日期月日颠倒" + both
	case BirthMissing:
		return "出生日期缺失"
	}
	return "出生日期不同" + both
}

var placeReasons = [...]string{PlaceVillage: "同村", PlaceTownship: "同乡镇", PlaceCounty: "同县", PlaceDifferent: "不同县"}

var guardianReasons = [...]string{GuardianSame: "监护人姓名相同", GuardianPinyin: "监护人姓名同音", GuardianDifferent: "监护人姓名不同"}

// reason joins the parts of an explanation: ID, name, birth date, then only the sex, place and
// guardian facts that were compared.
func reason(l levels, p pair) string {
	parts := make([]string, 0, 6)
	if s := idReason(l, p); s != "" {
		parts = append(parts, s)
	}
	parts = append(parts, nameReason(l, p), birthReason(l, p))
	if l.sex == SexDisagree {
		parts = append(parts, "性别不同")
	}
	if l.place != PlaceMissing {
		parts = append(parts, placeReasons[l.place])
	}
	if l.guardian != GuardianMissing {
		parts = append(parts, guardianReasons[l.guardian])
	}
	return strings.Join(parts, "；")
}
