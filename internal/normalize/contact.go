package normalize

import (
	"strings"
	"unicode/utf8"
)

// StudentNo normalises a 全国学籍号: G followed by the pupil's ID number, or J or L followed by
// an ID-like number the system assigns to pupils without a usable ID: a letter, 17 digits and a
// last digit or X;
// blanks and Excel's apostrophe are removed and letters upper-cased (g… → G…, …x → …X).
//
// STUDENT_NO_FORMAT is a warning, not an error: the student number is a secondary key (matching
// goes by ID number, then by name and birth date), and rejecting a 学籍 row over it would turn an
// enrolled child into a suspect. Any other code made only of letters and digits (old provincial
// numbers) is returned upper-cased with the warning; anything else gives "" with the warning.
// Blank input gives "" and no problem.
func StudentNo(raw string) (string, *Problem) {
	if isStudentNo(raw) {
		// Nearly every row of a 学籍 export: nothing to trim, fold or upper-case (held equal to
		// studentNo by FuzzStudentNo).
		return raw, nil
	}
	return studentNo(raw)
}

// studentNo is StudentNo without the shortcut for a number already in the national form.
func studentNo(raw string) (string, *Problem) {
	s, sci := codeDigits(removeBlanks(raw)) // blanks inside first: "G 6229 2120 …"
	switch {
	case sci:
		return "", warn(CodeStudentNoFormat, "学籍号"+textColumnFix)
	case s == "" || isPlaceholder(s):
		return "", nil
	}
	s = upperASCII(s)
	if isPlaceholder(s) { // "Na" upper-cased is the placeholder "NA": blank either way (idempotence)
		return "", nil
	}
	if isStudentNo(s) {
		return s, nil
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return "", warn(CodeStudentNoFormat, "学籍号含有字母和数字以外的字符，请核对；全国学籍号为G、J或L加18位（如 G加身份证号）")
		}
	}
	if len(s) > 40 {
		return "", warn(CodeStudentNoFormat, "学籍号过长，请核对；全国学籍号为G、J或L加18位")
	}
	return s, warn(CodeStudentNoFormat, "学籍号不是全国学籍号格式（G、J或L加18位，如 G加身份证号），请核对")
}

// isStudentNo reports the national form: G/J/L, 17 digits, a digit or X.
func isStudentNo(s string) bool {
	if len(s) != 19 || s[0] != 'G' && s[0] != 'J' && s[0] != 'L' {
		return false
	}
	if !allDigits(s[1:18]) {
		return false
	}
	c := s[18]
	return c >= '0' && c <= '9' || c == 'X'
}

// Phone normalises a contact number. A mobile number is 11 digits starting 1[3-9]; +86, 0086, 86
// and blanks, dashes, dots and brackets inside are removed (+86 138-1234-5678 → 13812345678). A
// landline is an area code (010, 02x, or 0xxx) and 7–8 digits, written 0931-8123456 with an
// optional extension (0931-8123456-801, 转801). When a cell holds several numbers separated by
// / , ， ; ； 、 the first valid one is kept, with a warning that the others were left out.
//
// PHONE_FORMAT is always a warning: a wrong phone number must not reject a child. The value is
// then "" (or the first valid number). Blank input gives "" and no problem.
func Phone(raw string) (string, *Problem) {
	s := trimDecimalZero(Clean(raw)) // a numeric cell: 13812345678.0
	if s == "" || isPlaceholder(s) {
		return "", nil
	}
	if looksScientific(s) {
		return "", warn(CodePhoneFormat, "联系电话"+textColumnFix)
	}
	first, rest := s, ""
	if i := strings.IndexAny(s, "/,，;；、|"); i >= 0 {
		first, rest = s[:i], s[i:]
	}
	if p, ok := phone(first); ok {
		if Trim(strings.Trim(rest, "/,，;；、| ")) != "" {
			return p, warn(CodePhoneFormat, "联系电话一栏有多个号码，已保留第一个，其余请填到备注")
		}
		return p, nil
	}
	// The first was not valid: look for a valid one further on.
	for rest != "" {
		rest = strings.TrimLeft(rest, "/,，;；、| ")
		part := rest
		if i := strings.IndexAny(rest, "/,，;；、|"); i >= 0 {
			part, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		if p, ok := phone(part); ok {
			return p, warn(CodePhoneFormat, "联系电话一栏中有无效号码，已保留其中有效的一个，请核对")
		}
	}
	return "", warn(CodePhoneFormat, "联系电话不是有效的手机号（11位，以13–19开头）或固定电话（如 0931-8123456），请核对")
}

// phone normalises one number; s is folded.
func phone(s string) (string, bool) {
	s = Trim(s)
	if isMobile(s) {
		return s, true // the common case, without allocating
	}
	var buf [24]byte
	d := buf[:0]
	plus := false
	breaks := 0 // bit i set: a separator stood before digit i
	ext := -1   // index in d where an extension introduced by 转 or "ext" starts
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == len(buf) {
				return "", false
			}
			d = append(d, c)
			i++
			continue
		case c == '+' && len(d) == 0:
			plus = true
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		case strings.HasPrefix(s[i:], "转"), strings.HasPrefix(s[i:], "分机"), hasPrefixFold(s[i:], "ext"):
			if ext >= 0 || len(d) == 0 {
				return "", false
			}
			ext = len(d)
			for i < len(s) && !(s[i] >= '0' && s[i] <= '9') {
				i++
			}
			continue
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !isHyphen(r) && !IsSpace(r) {
				return "", false
			}
			breaks |= 1 << len(d)
			i += n
			continue
		}
		breaks |= 1 << len(d)
		i++
	}
	// Country code.
	cut := 0
	switch {
	case len(d) > 4 && string(d[:4]) == "0086":
		cut = 4
	case len(d) == 13 && string(d[:3]) == "861", plus && len(d) > 2 && string(d[:2]) == "86":
		cut = 2
	}
	if cut > 0 {
		d = d[cut:]
		breaks >>= cut
		if ext >= 0 {
			ext -= cut
		}
		if len(d) > 0 && d[0] != '1' && d[0] != '0' {
			// +86 931 8123456: the landline lost its leading 0 behind the country code.
			d = append(d[:0:0], append([]byte{'0'}, d...)...)
			breaks <<= 1
			if ext >= 0 {
				ext++
			}
		}
	}
	if ext < 0 && isMobile(string(d)) {
		return string(d), true
	}
	return landline(d, breaks, ext)
}

// isMobile reports an 11-digit mobile number, 1[3-9]xxxxxxxxx.
func isMobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && allDigits(s)
}

// landline formats area code, number and extension: 0931-8123456[-801]. The area code is three
// digits for 010 and 02x and four otherwise; an extension is what follows 转, or a third group
// of digits.
func landline(d []byte, breaks, ext int) (string, bool) {
	if len(d) < 10 || d[0] != '0' || d[1] == '0' {
		return "", false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	end := len(d)
	switch {
	case ext >= 0:
		end = ext
	case breaks>>(area+7)&1 == 1 && len(d) > area+7:
		end = area + 7
	case breaks>>(area+8)&1 == 1 && len(d) > area+8:
		end = area + 8
	}
	if n := end - area; n < 7 || n > 8 || d[area] == '0' || d[area] == '1' || len(d)-end > 6 {
		return "", false
	}
	out := string(d[:area]) + "-" + string(d[area:end])
	if end < len(d) {
		out += "-" + string(d[end:])
	} else if ext >= 0 {
		return "", false // 转 with nothing after it
	}
	return out, true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// removeBlanks drops every blank inside s, allocating only when there is one.
func removeBlanks(s string) string {
	if !strings.ContainsFunc(s, IsSpace) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, IsSpace), "")
}

// upperASCII upper-cases ASCII letters, allocating only when there is a lower-case one.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}
