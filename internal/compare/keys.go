package compare

import (
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/match"
)

// Error codes of idcard.Code.String() as records carry them in IDError.
const (
	idErrChecksum      = "ID_CHECKSUM"
	idErrBirthdate     = "ID_BIRTHDATE"
	idErrRegion        = "ID_REGION"
	idErrPrecisionLost = "ID_PRECISION_LOST"
)

// matchKey returns the key and key state internal/match wants for an ID as a record carries it:
// the valid normalised ID, else what is left of an unusable one — a well-formed 18 characters
// that failed a check (a typo, KeyInvalid), or the 15 digits Excel kept (KeyTruncated). Anything
// else gives 0.
func matchKey(id, raw, idErr string) (uint64, match.KeyState) {
	if id != "" {
		if k := match.PackDigits(id); k != 0 {
			return k, match.KeyValid
		}
	}
	switch idErr {
	case idErrChecksum, idErrBirthdate, idErrRegion:
		var buf [64]byte
		if len(raw) > len(buf) {
			return 0, 0
		}
		if k := match.PackDigits(string(idcard.Normalize(buf[:0], raw))); k != 0 {
			return k, match.KeyInvalid
		}
	case idErrPrecisionLost:
		if d, ok := truncatedDigits(raw); ok {
			if k := match.PackDigits(d); k != 0 {
				return k, match.KeyTruncated
			}
		}
	}
	return 0, 0
}

// truncatedDigits expands what Excel made of an 18-digit ID — 622921201403051000 or
// 6.22921201403051E+17 — into 18 digits, and reports whether at least the first 15 survived
// (6.22921E+17 keeps six, too few to compare).
func truncatedDigits(raw string) (string, bool) {
	var buf [64]byte
	s := idcard.Normalize(buf[:0], raw)
	if len(s) == 18 && allDigits(s) {
		return string(s), true
	}
	// Scientific notation: d.ddddE+17.
	e := -1
	for i, c := range s {
		if c == 'E' || c == 'e' {
			e = i
			break
		}
	}
	if e < 0 || string(s[e+1:]) != "+17" && string(s[e+1:]) != "17" {
		return "", false
	}
	var digits []byte
	for _, c := range s[:e] {
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '.':
		default:
			return "", false
		}
	}
	if len(digits) < 15 || len(digits) > 18 {
		return "", false
	}
	for len(digits) < 18 {
		digits = append(digits, '0')
	}
	return string(digits), true
}

func allDigits(s []byte) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(s) > 0
}

// keyTable maps packed IDs to the positions of the records that carry them: an open-addressing
// table of first positions plus a chain through next for repeated keys. Lookups allocate nothing.
type keyTable struct {
	slots []int32 // position+1 of the first record with a key; 0 empty
	mask  uint64
	next  []int32 // next position with the same key, -1 at the end
	keys  []uint64
}

func hashKey(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// newKeyTable indexes keys (0 is skipped); positions are indexes into keys.
func newKeyTable(keys []uint64) *keyTable {
	n := 0
	for _, k := range keys {
		if k != 0 {
			n++
		}
	}
	c := 16
	for c*3/4 < n {
		c <<= 1
	}
	t := &keyTable{slots: make([]int32, c), mask: uint64(c - 1), next: make([]int32, len(keys)), keys: keys}
	// Fault the pages in by writing, not by the first probe's read (see ingest's idTable.resize).
	clear(t.slots)
	last := make(map[int32]int32) // first position → last position of its chain, only for repeats
	for i, k := range keys {
		t.next[i] = -1
		if k == 0 {
			continue
		}
		for s := hashKey(k) & t.mask; ; s = (s + 1) & t.mask {
			p := t.slots[s]
			if p == 0 {
				t.slots[s] = int32(i) + 1
				break
			}
			if first := p - 1; keys[first] == k {
				tail, ok := last[first]
				if !ok {
					tail = first
				}
				t.next[tail] = int32(i)
				last[first] = int32(i)
				break
			}
		}
	}
	return t
}

// first returns the first position holding k, or -1.
func (t *keyTable) first(k uint64) int32 {
	if k == 0 || len(t.slots) == 0 {
		return -1
	}
	for s := hashKey(k) & t.mask; ; s = (s + 1) & t.mask {
		p := t.slots[s]
		if p == 0 {
			return -1
		}
		if t.keys[p-1] == k {
			return p - 1
		}
	}
}

// variantKeys appends the packed IDs one substituted character or one adjacent transposition
// away from the 18 characters of key (the same neighbourhood internal/match probes).
func variantKeys(dst []uint64, key uint64) []uint64 {
	d := []byte(idcard.Unpack(key).String())
	if len(d) != 18 || d[0] == 0 {
		return dst
	}
	var t [18]byte
	for i := range 18 {
		alphabet := "0123456789"
		if i == 17 {
			alphabet = "0123456789X"
		}
		for j := range len(alphabet) {
			if alphabet[j] == d[i] {
				continue
			}
			copy(t[:], d)
			t[i] = alphabet[j]
			if k := match.PackDigits(string(t[:])); k != 0 {
				dst = append(dst, k)
			}
		}
	}
	for i := range 17 {
		if d[i] == d[i+1] {
			continue
		}
		copy(t[:], d)
		t[i], t[i+1] = t[i+1], t[i]
		if k := match.PackDigits(string(t[:])); k != 0 {
			dst = append(dst, k)
		}
	}
	return dst
}
