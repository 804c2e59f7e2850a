package normalize

import (
	"unicode"
	"unicode/utf8"
)

// MaxNameRunes is the longest name accepted. Transliterated minority names with several parts
// (阿卜杜热合曼·买买提明·艾则孜) reach twenty characters; more than thirty is a pasted address or
// note, not a name.
const MaxNameRunes = 30

// middleDot is the separator of transliterated names (GB/T 28039 uses U+00B7).
const middleDot = '·'

// nameClass is what a rune is, for the purposes of a person's name.
type nameClass uint8

const (
	classNone   nameClass = iota
	classHan              // Han ideographs, including private-use characters (see isHan)
	classLatin            // Latin letters, and the . - ' written inside a Latin name
	classScript           // letters of other scripts: Tibetan, Uyghur Arabic, Mongolian, Yi, …
)

// pending separators between two content characters; what they become depends on both sides.
const (
	pendSpace = 1 << iota // blanks: dropped between Han, one space between Latin words
	pendDot               // a middle-dot variant: becomes ·
	pendCond              // '.' or a hyphen after a Han character: · if a Han character follows
)

// Name normalises a person's name:
//   - blanks (U+3000, NBSP, zero-width characters) are trimmed, and removed between Han
//     characters (张 三 → 张三); Latin words keep one space;
//   - full-width Latin letters become half-width (Ｌｉ → Li);
//   - the middle-dot variants · • ・ ･ ． ‧ ∙ ⋅, and '.' or a hyphen between Han characters,
//     become U+00B7 · (古丽•艾合买提 → 古丽·艾合买提); stray dots at either end are dropped;
//   - variation selectors are dropped;
//   - a '?' between two parts of two or more Han characters, which is what Excel writes for •
//     and ・ in a GBK file, becomes · with the warning NAME_LOST_DOT; next to a single character
//     it is taken for a lost rare character (NAME_CHARS).
//
// It rejects digits (NAME_DIGITS), blanks and placeholders such as 无 or 不详 (NAME_EMPTY), more
// than MaxNameRunes characters (NAME_LENGTH), and symbols, brackets, or letters mixed with Han
// characters (NAME_CHARS: names are written in one script; 张三A is a typo). A name written
// entirely in Latin letters (a foreign national, or pinyin) is accepted with the warning
// NAME_LATIN; one written entirely in another script with NAME_SCRIPT, because matching compares
// Han names. Rare characters encoded in the private-use area, as registry systems do for
// characters missing from GB 18030, count as Han.
//
// A name that needs no change is returned as a substring of raw without allocating.
func Name(raw string) (string, *Problem) {
	s := Trim(raw)
	if s == "" || isPlaceholder(s) {
		return "", fail(CodeNameEmpty, "姓名为空，请填写姓名")
	}
	var buf [4 * MaxNameRunes]byte
	out := buf[:0]
	var (
		prev              nameClass
		pend              int
		condRune          rune
		n                 int // runes written
		han, latin, other int
		hanRun            int  // Han characters since the last separator
		lostDot           bool // a '?' was read as the separator
	)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		class := classNone
		switch {
		case r >= 0x4E00 && r <= 0x9FFF: // the common case first
			class = classHan
		case r == utf8.RuneError && size == 1:
			return "", fail(CodeNameChars, "姓名含有无法识别的字符（可能是文件编码错误），请检查文件编码或重新录入姓名")
		case isInvisible(r) || isVariationSelector(r):
			continue
		case IsSpace(r):
			pend |= pendSpace
			continue
		case isMiddleDot(r):
			pend |= pendDot
			continue
		case r >= '0' && r <= '9', r >= 0xFF10 && r <= 0xFF19, unicode.IsDigit(r), unicode.Is(unicode.No, r):
			return "", fail(CodeNameDigits, "姓名中含有数字，请删除数字，只保留姓名（误填的证件号、编号请移到对应列）")
		case (r == 0x0F0B || r == 0x0F0C) && prev == classScript:
			pend = 0 // the Tibetan syllable mark (tsheg) inside a Tibetan name
			out = utf8.AppendRune(out, r)
			n++
			continue
		case r == '?' || r == 0xFF1F || r == 0xFFFD:
			// A character the file's encoding could not hold: Excel writes '?' for • and ・ in a
			// GBK file, and for a rare character outside GBK. Between two parts of two or more
			// characters it was the separator of a transliterated name; next to a single
			// character it more likely was a lost character of a two- or three-character name.
			if prev == classHan && hanRun >= 2 && leadingHan(s[i:]) >= 2 {
				pend |= pendDot
				lostDot = true
				continue
			}
			if prev == classHan || leadingHan(s[i:]) > 0 {
				return "", fail(CodeNameChars, "姓名中有“?”，可能是生僻字在导出时丢失，请补录原字（或将文件另存为UTF-8编码后重新导出）")
			}
			return "", badNameChar(r)
		case r == '.' || isHyphen(r) || r == '\'' || r == '’' || r == 0xFF07:
			switch prev {
			case classNone:
				if r == '\'' {
					continue // Excel's "store as text" mark
				}
			case classHan:
				if r == '.' || isHyphen(r) {
					pend |= pendCond
					condRune = r
					continue
				}
			case classLatin:
				// Part of a Latin name: J. Smith, Jean-Pierre, O'Brien.
				pend = 0
				out = append(out, latinPunct(r))
				n++
				continue
			}
			return "", badNameChar(r)
		default:
			r = foldRune(r)
			switch {
			case unicode.IsMark(r) && prev != classNone:
				class = prev // a combining accent belongs to the letter before it
			case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
				class = classLatin
			case isHan(r):
				class = classHan
			case unicode.Is(unicode.Latin, r):
				class = classLatin
			case unicode.IsLetter(r) || unicode.IsMark(r):
				class = classScript
			default:
				return "", badNameChar(r)
			}
		}
		// r is a content character: settle what lies between it and the previous one.
		if prev != classNone && pend != 0 {
			switch {
			case pend&pendDot != 0:
				out = utf8.AppendRune(out, middleDot)
				n++
				hanRun = 0
			case pend&pendCond != 0:
				if class != classHan {
					return "", badNameChar(condRune)
				}
				out = utf8.AppendRune(out, middleDot)
				n++
				hanRun = 0
			case pend&pendSpace != 0 && class == prev && class != classHan:
				out = append(out, ' ')
				n++
			}
		}
		pend = 0
		if n++; n > MaxNameRunes {
			return "", fail(CodeNameLength, "姓名超过30个字，请只填写姓名，备注、地址等请移到其他列")
		}
		out = utf8.AppendRune(out, r)
		prev = class
		switch class {
		case classHan:
			han++
			hanRun++
		case classLatin:
			latin++
		default:
			other++
		}
	}
	if n > MaxNameRunes {
		return "", fail(CodeNameLength, "姓名超过30个字，请只填写姓名，备注、地址等请移到其他列")
	}
	// Placeholders are short; the length guard keeps string(out) on the stack.
	if len(out) == 0 || len(out) <= 12 && isPlaceholder(string(out)) {
		return "", fail(CodeNameEmpty, "姓名为空，请填写姓名")
	}
	if han > 0 && latin+other > 0 || latin > 0 && other > 0 {
		return "", fail(CodeNameChars, "姓名中汉字与字母混用，请核对后只用一种文字填写（少数民族姓名各部分之间用“·”分隔）")
	}
	name := s
	if string(out) != s { // the comparison does not allocate
		name = string(out)
	}
	switch {
	case latin > 0:
		return name, warn(CodeNameLatin, "姓名用拉丁字母书写，请核对是否与户籍、学籍中登记的汉字姓名一致")
	case other > 0:
		return name, warn(CodeNameScript, "姓名用少数民族文字或其他文字书写，比对时无法与汉字姓名匹配，请核对并补充汉字姓名")
	case lostDot:
		return name, warn(CodeNameLostDot, "姓名中的“?”已按“·”处理（GBK编码的文件存不下“•”“・”，导出时变成了“?”），请核对")
	}
	return name, nil
}

func badNameChar(r rune) *Problem {
	return fail(CodeNameChars, "姓名中含有不允许的字符“"+string(r)+"”，请删除括号、标点和符号，只保留姓名（少数民族姓名各部分之间用“·”分隔）")
}

// isHan reports Han ideographs in every CJK block and extension, and private-use characters:
// registry systems encode rare name characters missing from GB 18030 in the private-use area.
func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0xE000 && r <= 0xF8FF || r >= 0xF0000 && r <= 0x10FFFD
}

// isMiddleDot reports the characters people type for the separator of transliterated names.
func isMiddleDot(r rune) bool {
	switch r {
	case 0x00B7, // · middle dot
		0x2022, // • bullet
		0x30FB, // ・ katakana middle dot (Japanese IMEs)
		0xFF65, // ･ half-width katakana middle dot
		0xFF0E, // ． full-width full stop
		0x2027, // ‧ hyphenation point (Big5 sources)
		0x2219, // ∙ bullet operator
		0x22C5, // ⋅ dot operator
		0x0387, // · Greek ano teleia, looks identical
		0x2E31, // ⸱ word separator middle dot
		0x16EB: // ᛫ runic single punctuation, seen from some fonts' symbol pickers
		return true
	}
	return false
}

// isHyphen reports hyphen and dash characters.
func isHyphen(r rune) bool {
	switch r {
	case '-', 0xFF0D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212:
		return true
	}
	return false
}

// latinPunct is the ASCII form of punctuation kept inside a Latin name.
func latinPunct(r rune) byte {
	switch {
	case r == '.':
		return '.'
	case isHyphen(r):
		return '-'
	}
	return '\''
}

// isVariationSelector reports the selectors that pick a glyph variant of the preceding character;
// they do not change which character it is.
func isVariationSelector(r rune) bool {
	return r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0100 && r <= 0xE01EF
}

// leadingHan counts the Han characters at the start of s, after blanks, up to two.
func leadingHan(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case n == 0 && IsSpace(r):
		case isHan(r):
			if n++; n == 2 {
				return n
			}
		default:
			return n
		}
	}
	return n
}
