package normalize

import (
	"strings"
	"unicode/utf8"
)

// Grade reads a grade of compulsory education as 1…9, in the six-three system used in Gansu and
// most of China (小学 six years, 初中 three):
//
//	一年级…九年级  1…9  01  1年级  一  小学一年级  初中一年级 (7)  初一…初三 (7…9)  初1
//	七年级…九年级  初中七年级 (7)  G1…G9  Grade 7
//
// optionally followed by a class ("三年级2班", "七年级（3）班") or a term (上/下). 高一…高三 and
// 高中一年级…三年级 give 10…12, so that a child in senior secondary school is still known to be
// in school. Problems: GRADE_INVALID, also for 初四 (five-four system, which cannot be mapped
// without knowing the school), a cohort such as 2019级 (the year of entry, not the grade),
// and 学前/幼儿园. Blank input gives 0 and no problem.
func Grade(raw string) (int, *Problem) {
	s := Clean(raw)
	if s == "" || isPlaceholder(s) {
		return 0, nil
	}
	rest := s
	base, lo, hi := 0, 1, 9 // the grade is base+n with lo ≤ n ≤ hi
	switch {
	case strings.HasPrefix(rest, "小学"):
		rest, hi = rest[len("小学"):], 6
	case strings.HasPrefix(rest, "初中"):
		rest = rest[len("初中"):]
		// 初中一年级 counts within junior secondary; 初中七年级 counts from grade 1.
		if n, _, ok := numeral(rest); ok && n >= 7 {
			lo = 7
		} else {
			base, hi = 6, 3
		}
	case strings.HasPrefix(rest, "初"):
		rest, base, hi = rest[len("初"):], 6, 3
	case strings.HasPrefix(rest, "高中"):
		rest, base, hi = rest[len("高中"):], 9, 3
	case strings.HasPrefix(rest, "高"):
		rest, base, hi = rest[len("高"):], 9, 3
	case len(rest) > 1 && (rest[0] == 'G' || rest[0] == 'g'):
		rest = rest[1:]
		if len(rest) >= 4 && strings.EqualFold(rest[:4], "rade") {
			rest = Trim(rest[4:])
		}
	}
	n, size, ok := numeral(rest)
	if ok && base == 6 && n == 4 {
		return 0, fail(CodeGradeInvalid, "年级“"+quote(s)+"”属于五四学制，本系统按六三学制记录年级，请改为九年级")
	}
	if !ok || n < lo || n > hi {
		return 0, gradeInvalid(s)
	}
	rest = rest[size:]
	// A four-digit "year" is a cohort (2019级), not a grade; numeral stops at two digits.
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return 0, fail(CodeGradeInvalid, "年级“"+quote(s)+"”像是入学年份（年级届别），请填写当前所在年级，如 三年级、七年级")
	}
	rest = strings.TrimPrefix(rest, "年级")
	rest = strings.TrimPrefix(rest, "年")
	if !classSuffix(Trim(rest)) {
		return 0, gradeInvalid(s)
	}
	return base + n, nil
}

// GradeLabel is the Chinese name of a grade Grade returns: 一年级…九年级, 高一…高三; "" otherwise.
// Grade(GradeLabel(g)) == g.
func GradeLabel(g int) string {
	const digits = "一二三四五六七八九"
	w := len("一")
	switch {
	case g >= 1 && g <= 9:
		return digits[(g-1)*w:g*w] + "年级"
	case g >= 10 && g <= 12:
		return "高" + digits[(g-10)*w:(g-9)*w]
	}
	return ""
}

func gradeInvalid(s string) *Problem {
	return fail(CodeGradeInvalid, "年级“"+quote(s)+"”无法识别，请填写 一年级…九年级、初一…初三 或 1…9")
}

// numeral reads one grade number at the start of s: a Chinese numeral 一…九, or one or two ASCII
// digits ("1", "01", "1.0" from a numeric cell). It returns the value and the bytes consumed.
func numeral(s string) (n, size int, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	if c := s[0]; c >= '0' && c <= '9' {
		i := 0
		for i < len(s) && i < 2 && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		if rest := s[i:]; strings.HasPrefix(rest, ".0") && strings.Trim(rest[1:], "0") == "" {
			i = len(s) // a numeric cell's 7.0
		}
		return n, i, true
	}
	r, size := utf8.DecodeRuneInString(s)
	if v := strings.IndexRune("一二三四五六七八九", r); v >= 0 {
		return v/len("一") + 1, size, true
	}
	return 0, 0, false
}

// classSuffix reports what may follow a grade: nothing, a term (上, 下, 上学期, 下学期), or a
// class (2班, (2)班, （2）班, 二班, 2).
func classSuffix(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "学期"), "期")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "上"), "下")
	s = strings.TrimSuffix(s, "上")
	s = strings.TrimSuffix(s, "下")
	s = Trim(s)
	if s == "" {
		return true
	}
	s = strings.TrimSuffix(s, "班")
	s = strings.TrimPrefix(strings.TrimSuffix(s, ")"), "(")
	s = Trim(s)
	if s == "" {
		return false
	}
	if allDigits(s) && len(s) <= 2 {
		return true
	}
	for _, r := range s {
		if !strings.ContainsRune("一二三四五六七八九十", r) {
			return false
		}
	}
	return utf8.RuneCountInString(s) <= 3
}
