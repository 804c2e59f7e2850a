package match

import "github.com/baoxue/baoxue"

// KeyState says how far a Record's Key can be trusted.
type KeyState uint8

const (
	// KeyValid: Key is idcard.Number.Pack() of an ID that passed validation.
	KeyValid KeyState = iota
	// KeyInvalid: Key packs a well-formed 18-character ID that failed validation with
	// ErrChecksum, ErrBirthdate or ErrRegion — almost always a typo. Pass these: a single
	// mistyped digit always breaks the MOD 11-2 checksum, so the ID-variant stage can only find
	// a typo when the typo'd number is in the index. Use PackDigits to pack them.
	KeyInvalid
	// KeyTruncated: Key packs an 18-digit ID whose last digits Excel destroyed
	// (ErrPrecisionLost, 622921201403051000); only its first 15 digits are compared. Expand
	// scientific notation to its 18 digits before packing; never pass it as KeyInvalid.
	KeyTruncated
)

// Record is one person on either side of the comparison: an enrollment (学籍) when building a
// Matcher, a registry child (户籍) when calling Match. Strings are copied by NewMatcher; Match
// keeps the child's strings until Resolve only if the child is still undecided.
type Record struct {
	Key      uint64   // packed ID (idcard.Number.Pack or PackDigits); 0 when there is none
	KeyState KeyState // how far Key can be trusted; ignored when Key is 0
	Name     string   // normalised name (normalize.Name); the middle dot of minority names is kept
	Birth    baoxue.Date
	Sex      baoxue.Sex
	Region   string // 12-digit village code, or 9-digit township / 6-digit county code; "" unknown
	Guardian string // guardian's name; "" unknown (enrollment files usually have none)
	Ref      int32  // the caller's index of the record, returned in Result.Ref / Decision.Child
}

// PackDigits packs 18 characters (17 ASCII digits and a digit or X) the way idcard.Number.Pack
// does, without validating them; it returns 0 for anything else. It is how callers pack an ID
// that failed validation (KeyInvalid, KeyTruncated).
func PackDigits(s string) uint64 {
	if len(s) != 18 || s[0] < '0' || s[0] > '9' {
		return 0
	}
	var v uint64
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	last := uint64(10)
	switch c := s[17]; {
	case c >= '0' && c <= '9':
		last = uint64(c - '0')
	case c != 'X':
		return 0
	}
	if v == 0 && last == 0 {
		return 0
	}
	return v*11 + last
}

// sexCode packs baoxue.Sex into a byte: 0 unknown, 1 male, 2 female.
func sexCode(s baoxue.Sex) uint8 {
	switch s {
	case baoxue.Male:
		return 1
	case baoxue.Female:
		return 2
	}
	return 0
}

// regionCode packs a division code as its digits padded to 12, times 16, plus the number of
// digits given (6, 9 or 12; 0 when unusable), so that comparisons need no string.
func regionCode(s string) uint64 {
	n := len(s)
	if n != 6 && n != 9 && n != 12 {
		return 0
	}
	var v uint64
	for i := range n {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	for range 12 - n {
		v *= 10
	}
	return v<<4 | uint64(n)
}

// county returns the 6-digit county part of a packed region code, or 0.
func county(r uint64) uint32 {
	if r&15 < 6 {
		return 0
	}
	return uint32((r >> 4) / 1_000_000)
}
