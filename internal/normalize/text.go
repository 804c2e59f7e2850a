package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace reports whether r is blank for data-entry purposes: Unicode white space (tab, newline,
// NBSP U+00A0, ideographic space U+3000, …) plus the invisible characters that spreadsheets, web
// forms and UTF-8 exports leave behind: zero-width space U+200B, joiners U+200C/U+200D, word
// joiner U+2060 and the byte-order mark U+FEFF.
func IsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return isInvisible(r) || unicode.IsSpace(r)
}

// isInvisible reports the zero-width characters that carry no content.
func isInvisible(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD:
		return true
	}
	return false
}

// Trim removes leading and trailing blanks as IsSpace defines them. It returns a substring of s
// and never allocates.
func Trim(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c >= 0xE4 && c <= 0xE9 {
			break // U+4000–U+9FFF: Han, never blank
		}
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !IsSpace(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if n := len(s); n >= 3 && s[n-3] >= 0xE4 && s[n-3] <= 0xE9 && c >= 0x80 && c < 0xC0 && s[n-2] >= 0x80 && s[n-2] < 0xC0 {
			break // ends with U+4000–U+9FFF
		}
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !IsSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// foldRune maps a full-width ASCII variant (U+FF01–U+FF5E: Ａ, ３, （, －, …) and the ideographic
// space U+3000 to its half-width form, as golang.org/x/text/width.Narrow does for these ranges.
// Other runes are returned unchanged.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000:
		return ' '
	}
	return r
}

// Fold converts full-width Latin letters, digits and ASCII punctuation (Ａ３（－) and the
// ideographic space to their half-width forms. Han characters and everything else are left alone.
// It returns s itself, without allocating, when there is nothing to fold.
func Fold(s string) string {
	// Every rune Fold changes is encoded with a lead byte 0xEF (U+FFxx) or 0xE3 (U+3000);
	// eight bytes without either are passed over at once (most cells: a province's addresses
	// and names went through here byte by byte for ~0.8 CPU-seconds).
	i := 0
	for i < len(s) {
		if i+8 <= len(s) && !hasFoldLead(s[i:i+8]) {
			i += 8
			continue
		}
		if c := s[i]; c == 0xEF || c == 0xE3 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if foldRune(r) != r {
				break
			}
		}
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// hasFoldLead reports whether one of the 8 bytes of s is 0xEF or 0xE3: a word XORed with the
// byte repeated has a zero byte exactly then, and (v-0x01…)&^v&0x80… is nonzero exactly when v
// has a zero byte.
func hasFoldLead(s string) bool {
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ef, e3 := w^(0xEF*ones), w^(0xE3*ones)
	return ((ef-ones)&^ef|(e3-ones)&^e3)&highs != 0
}

// Clean trims and folds: the form in which a cell is compared with a vocabulary or a header name.
// Trimming first means a cell padded with U+3000 does not need a folded copy.
func Clean(s string) string { return Fold(Trim(s)) }

// Blank reports whether a cell is empty once blanks are trimmed, or holds one of the
// placeholders people type for "nothing" (无, 不详, 未知, 空, -, /, null, N/A, …). Parsers return
// the zero value and no problem for blank input, because only the importer knows whether a
// column is required; Name is the exception and reports NAME_EMPTY.
func Blank(s string) bool {
	s = Clean(s)
	return s == "" || isPlaceholder(s)
}

// isPlaceholder reports the values that mean "no value" in hand-typed sheets. s is clean. None
// is longer than six bytes, which spares the switch for almost every real value.
func isPlaceholder(s string) bool {
	if len(s) > 6 {
		return false
	}
	switch s {
	case "无", "不详", "未知", "空", "暂无", "没有", "待定", "待查",
		"-", "--", "---", "—", "——", "/", "//", "\\", "*", "?", "??", "？",
		"#N/A", "N/A", "n/a", "NA", "null", "NULL", "Null", "nil", "none", "None", "NONE", "NaN", "nan":
		return true
	}
	return false
}

// stripQuotes removes what Excel and CSV exports wrap codes in: a leading apostrophe (Excel's
// "store as text" mark) and surrounding double quotes or full-width quotes. s is clean.
func stripQuotes(s string) string {
	for len(s) > 0 && (s[0] == '\'' || s[0] == '"' || s[0] == '`') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == '\'' || s[len(s)-1] == '"') {
		s = s[:len(s)-1]
	}
	for _, q := range [...]string{"“", "”", "‘", "’"} {
		s = strings.TrimPrefix(s, q)
		s = strings.TrimSuffix(s, q)
	}
	return Trim(s)
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksScientific reports a number Excel printed in scientific notation, such as 6.22921E+11:
// the digits it stood for are lost and cannot be recovered here.
func looksScientific(s string) bool {
	e := strings.IndexAny(s, "Ee")
	if e <= 0 || e == len(s)-1 {
		return false
	}
	mant, exp := s[:e], s[e+1:]
	if exp[0] == '+' || exp[0] == '-' {
		exp = exp[1:]
	}
	if !allDigits(exp) {
		return false
	}
	dot := false
	for i := 0; i < len(mant); i++ {
		switch c := mant[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

// trimDecimalZero removes the ".0" a numeric cell or a float-typed export adds to an integer
// ("6229211000.0" → "6229211000", "1.0" → "1"). Anything else is returned unchanged.
func trimDecimalZero(s string) string {
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 || !allDigits(s[:dot]) {
		return s
	}
	for i := dot + 1; i < len(s); i++ {
		if s[i] != '0' {
			return s
		}
	}
	return s[:dot]
}
