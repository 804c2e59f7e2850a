package pii

import (
	"strings"
	"unicode/utf8"
)

// MaskID shows the first 3 and last 4 characters of an 18-character ID (620***********1234): the
// province and the sequence digits stay visible for recognition, the birth date never does. A
// 15-character legacy ID keeps only its last 3 (its last 4 would include a birth-date digit).
// Anything else, such as a value destroyed by Excel, is masked completely.
func MaskID(id string) string {
	r := []rune(strings.TrimSpace(id))
	switch len(r) {
	case 0:
		return ""
	case 18:
		return string(r[:3]) + strings.Repeat("*", 11) + string(r[14:])
	case 15:
		return string(r[:3]) + strings.Repeat("*", 9) + string(r[12:])
	}
	return strings.Repeat("*", len(r))
}

// MaskPhone shows the first 3 and last 4 digits of a mobile number (138****5678). Shorter numbers
// (landlines) keep only their last 4; very short values are masked completely.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n >= 11:
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	case n >= 7:
		return strings.Repeat("*", n-4) + string(r[n-4:])
	}
	return strings.Repeat("*", n)
}

// compoundSurnames are two-character surnames kept whole by MaskName (欧阳娜娜 → 欧阳*).
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "诸葛": true, "上官": true, "东方": true, "皇甫": true, "尉迟": true,
	"公孙": true, "慕容": true, "长孙": true, "宇文": true, "司徒": true, "司空": true, "夏侯": true,
	"轩辕": true, "令狐": true, "钟离": true, "澹台": true, "百里": true, "呼延": true, "端木": true,
	"西门": true, "南宫": true, "独孤": true, "申屠": true, "太史": true, "公冶": true, "宗政": true,
	"濮阳": true, "淳于": true, "单于": true, "闻人": true, "赫连": true, "拓跋": true, "万俟": true,
	"第五": true, "左丘": true, "东郭": true, "亓官": true, "仲孙": true, "乐正": true, "谷梁": true,
	"梁丘": true, "公西": true, "羊舌": true, "微生": true, "公良": true, "漆雕": true, "巫马": true,
	"呼衍": true, "东门": true, "段干": true, "子车": true, "颛孙": true, "壤驷": true, "公羊": true,
}

// MaskName keeps the surname and replaces the given name with one "*", whatever its length, so the
// mask does not even reveal how long the name is: 张三 → 张*, 欧阳娜娜 → 欧阳*. Names with a middle
// dot (马尔江·买买提) have no surname in the Han sense; they keep their first character (马*). A
// one-character value is masked completely.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return ""
	}
	if n == 1 {
		return "*"
	}
	r := []rune(name)
	if n >= 3 && compoundSurnames[string(r[:2])] {
		return string(r[:2]) + "*"
	}
	return string(r[:1]) + "*"
}
