package ledger

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
)

// appendEntry appends e as one JSON object and a newline, byte for byte what encoding/json's
// Encoder writes with SetEscapeHTML(false) (TestAppendEntryMatchesEncodingJSON and its fuzz
// test hold this), about five times faster: a province ledger has millions of lines.
func appendEntry(b []byte, e *baoxue.LedgerEntry) []byte {
	b = append(b, `{"source_row":`...)
	b = strconv.AppendInt(b, int64(e.SourceRow), 10)
	b = appendField(b, "id_number", e.IDNumber)
	b = appendField(b, "name", e.Name)
	b = appendField(b, "sex", string(e.Sex))
	b = appendField(b, "birth_date", e.BirthDate)
	b = appendField(b, "region_code", e.RegionCode)
	b = appendField(b, "status", string(e.Status))
	b = appendField(b, "detail", e.Detail)
	b = appendField(b, "match_method", string(e.MatchMethod))
	b = append(b, `,"match_score":`...)
	b = appendFloat(b, e.MatchScore)
	b = appendField(b, "matched_student_no", e.MatchedStudentNo)
	b = appendField(b, "school_code", e.SchoolCode)
	b = appendField(b, "school_name", e.SchoolName)
	b = append(b, `,"poverty":`...)
	b = strconv.AppendBool(b, e.Poverty)
	b = appendField(b, "poverty_type", e.PovertyType)
	b = appendField(b, "disability", e.Disability)
	b = append(b, `,"priority_groups":`...)
	if e.PriorityGroups == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, g := range e.PriorityGroups {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, g)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}

func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendFloat formats like encoding/json: the shortest representation, exponent form below 1e-6
// and from 1e21 on, with a one-digit negative exponent written without its leading zero.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does without HTML escaping: control characters,
// quote and backslash escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		// Most of a ledger's text is Chinese: three-byte sequences led by E3–EC (U+3000–U+CFFF)
		// are valid whenever both next bytes are continuation bytes, and none of them is a
		// surrogate (ED), an overlong form (E0) or U+2028/U+2029 (E2).
		if c := s[i]; c >= 0xE3 && c <= 0xEC && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
