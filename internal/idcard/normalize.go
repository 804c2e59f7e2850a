package idcard

// Normalize appends the normalised form of raw to dst and returns the extended slice:
//
//   - blanks are trimmed from both ends: ASCII white space, U+3000 (ideographic space), NBSP,
//     zero-width space and a stray BOM;
//   - quotes are dropped from both ends, which covers Excel's leading apostrophe ('…), CSV quotes
//     ("…"), the ="…" trick that forces Excel to keep text, and Chinese quotes (“…”, ‘…’, ＂, ＇);
//   - full-width digits ０–９ and Ｘ/ｘ become ASCII, and a lower-case x becomes X.
//
// Everything else is copied unchanged, so stray characters inside the number (spaces, hyphens)
// survive and make the number fail with ErrFormat instead of being silently repaired. The result
// is never longer than raw; Normalize allocates only if dst lacks the room.
func Normalize(dst []byte, raw string) []byte {
	return convert(dst, trim(raw))
}

// trim drops blanks and quotes from both ends of s, without allocating.
func trim(s string) string {
	for len(s) > 0 {
		n := leadingJunk(s)
		if n == 0 {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		n := trailingJunk(s)
		if n == 0 {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// leadingJunk returns the byte length of the blank or quote that s starts with, or 0.
func leadingJunk(s string) int {
	switch s[0] {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\'', '"':
		return 1
	case '=':
		// ="110…" is how people make Excel keep a long number as text; '=' alone is not junk.
		if len(s) > 1 && (s[1] == '"' || s[1] == '\'' || multiByteJunk(s[1:]) > 0) {
			return 1
		}
		return 0
	}
	return multiByteJunk(s)
}

// multiByteJunk returns the length of the non-ASCII blank or quote at the start of s, or 0.
func multiByteJunk(s string) int {
	if len(s) >= 2 && s[0] == 0xC2 && s[1] == 0xA0 { // U+00A0 NBSP
		return 2
	}
	if len(s) >= 3 && isJunk3(s[0], s[1], s[2]) {
		return 3
	}
	return 0
}

// trailingJunk returns the byte length of the blank or quote that s ends with, or 0.
func trailingJunk(s string) int {
	n := len(s)
	switch s[n-1] {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\'', '"':
		return 1
	}
	if n >= 2 && s[n-2] == 0xC2 && s[n-1] == 0xA0 {
		return 2
	}
	if n >= 3 && isJunk3(s[n-3], s[n-2], s[n-1]) {
		return 3
	}
	return 0
}

// isJunk3 reports whether the three bytes encode a blank or quote that may surround an ID.
func isJunk3(a, b, c byte) bool {
	switch {
	case a == 0xE3 && b == 0x80 && c == 0x80: // U+3000 ideographic space
		return true
	case a == 0xE2 && b == 0x80:
		// U+200B zero-width space, U+2018/U+2019 ‘’, U+201C/U+201D “”
		return c == 0x8B || c == 0x98 || c == 0x99 || c == 0x9C || c == 0x9D
	case a == 0xEF && b == 0xBB && c == 0xBF: // U+FEFF BOM
		return true
	case a == 0xEF && b == 0xBC:
		return c == 0x82 || c == 0x87 // U+FF02 ＂, U+FF07 ＇
	}
	return false
}

// convert appends s to dst with full-width digits and X mapped to ASCII and x upper-cased.
func convert(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 'x':
			c = 'X'
		case c == 0xEF && i+2 < len(s):
			// U+FF10–U+FF19 are EF BC 90–99, U+FF38 Ｘ is EF BC B8, U+FF58 ｘ is EF BD 98.
			b1, b2 := s[i+1], s[i+2]
			switch {
			case b1 == 0xBC && b2 >= 0x90 && b2 <= 0x99:
				c = '0' + (b2 - 0x90)
				i += 2
			case b1 == 0xBC && b2 == 0xB8, b1 == 0xBD && b2 == 0x98:
				c = 'X'
				i += 2
			}
		}
		dst = append(dst, c)
	}
	return dst
}
