package ingest

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// validUTF8 reports whether b is entirely valid UTF-8, returning exactly what utf8.Valid
// returns. It exists because utf8.Valid cost a lot when checking every line of a file read as
// UTF-8: it decodes each multi-byte rune through tables, and about half the bytes of a Chinese
// spreadsheet's lines are 3-byte CJK characters. validUTF8 checks 16 bytes at a time with
// word arithmetic when they are ASCII and 3-byte sequences led by 0xE1–0xEC (CJK ideographs
// among them). Those leads take any continuation byte 0x80–0xBF, so the second-byte limits
// of 0xE0 and 0xED never apply. Any other block is checked rune by rune with the standard
// library's rules.
func validUTF8(b []byte) bool {
	n := len(b)
	if n < 8 {
		return utf8.Valid(b)
	}
	i := 0
	// Pure ASCII is common (headers, numeric columns), and skipping it is cheap.
	for i < n-16 && (binary.LittleEndian.Uint64(b[i:i+8])|binary.LittleEndian.Uint64(b[i+8:i+16]))&utf8HiBits == 0 {
		i += 16
	}
	var owed uint64 // continuation bytes owed to the next word, see utf8Word
	for ; i < n-16; i += 16 {
		q := b[i : i+16]
		bad0, owed0 := utf8Word(binary.LittleEndian.Uint64(q), owed)
		bad1, owed1 := utf8Word(binary.LittleEndian.Uint64(q[8:]), owed0)
		if bad0|bad1 != 0 {
			start := i
			if bad0 == 0 {
				start, owed = i+8, owed0
			}
			k, ok := utf8Runes(b[start:], owed, 8)
			if !ok {
				return false
			}
			i = start + k - 16 // the loop adds 16
			owed = 0
			continue
		}
		owed = owed1
	}
	for ; i < n-8; i += 8 {
		bad, next := utf8Word(binary.LittleEndian.Uint64(b[i:i+8]), owed)
		if bad != 0 {
			k, ok := utf8Runes(b[i:], owed, 8)
			if !ok {
				return false
			}
			i += k - 8 // the loop adds 8
			owed = 0
			continue
		}
		owed = next
	}
	// 1 to 8 bytes are left, unless utf8Runes went to the end. They are checked as the high
	// bytes of the last 8, shifted down: the zero bytes shifted in pass as ASCII, and a
	// sequence cut off by the end fails, on a zero byte where a continuation byte belongs or
	// on bytes owed past the end.
	r := n - i
	if r <= 0 {
		return true
	}
	if bad, next := utf8Word(binary.LittleEndian.Uint64(b[n-8:])>>(uint(8-r)*8&63), owed); bad|next == 0 {
		return true
	}
	_, ok := utf8Runes(b[i:], owed, r)
	return ok
}

const (
	utf8HiBits = 0x8080808080808080 // bit 7 of every byte
	utf8Low6   = 0x3F3F3F3F3F3F3F3F
	// For x = c&0x3F of each byte c (x <= 0x3F, so no byte carries or borrows into the
	// next), bit 7 of x+0x53 is set when x >= 0x2D, and bit 7 of 0xA0-x when x <= 0x20: for
	// a lead byte c (0xC0–0xFF), when c > 0xEC and when c < 0xE1.
	utf8LeadAbove = 0x5353535353535353
	utf8LeadBelow = 0xA0A0A0A0A0A0A0A0
	// A lead byte's bit 7 times utf8Spread marks it and the two bytes after it.
	utf8Spread = 0x010101
)

// utf8Word checks the 8 bytes of w (little-endian) as ASCII and 3-byte sequences led by
// 0xE1–0xEC. owed has bit 7 of byte 0, or of bytes 0 and 1, set for the continuation bytes
// that lead bytes at the end of the previous word need. bad is zero if the word passes, and
// next is then what it owes the following word. bad is nonzero for anything else, valid or
// not.
//
// hi marks the bytes >= 0x80 and lead those of the form 0b11xxxxxx. The word passes when
// hi == lead*utf8Spread + owed, that is when each lead byte is followed by two marked bytes
// that are no lead bytes and no marked byte is left over, and when every lead byte is within
// 0xE1–0xEC. A byte counted twice in the sum carries into the low bits of the next byte,
// which hi never has, or out of the word, leaving unmarked a last byte that hi marks.
func utf8Word(w, owed uint64) (bad, next uint64) {
	hi := w & utf8HiBits
	lead := hi & (w << 1)
	x := w & utf8Low6
	next, sum := bits.Mul64(lead, utf8Spread)
	bad = (lead & ((x + utf8LeadAbove) | (utf8LeadBelow - x))) | (hi ^ (sum + owed))
	return bad, next
}

// utf8Runes checks b rune by rune with the standard library's rules until at least end bytes,
// or all of b if shorter, are done, after checking the continuation bytes that owed (see
// utf8Word) says a lead byte 0xE1–0xEC just before b needs. It returns where it stopped, at
// the end of a rune.
func utf8Runes(b []byte, owed uint64, end int) (int, bool) {
	i := 0
	if owed != 0 {
		i = 1
		if owed&0x8000 != 0 {
			i = 2
		}
		if len(b) < i {
			return 0, false
		}
		for _, c := range b[:i] {
			if c&0xC0 != 0x80 {
				return 0, false
			}
		}
	}
	end = min(end, len(b))
	for i < end {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return 0, false
		}
		i += size
	}
	return i, true
}
