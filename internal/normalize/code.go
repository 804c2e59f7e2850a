package normalize

import (
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// codeDigits cleans a code cell: blanks, full-width digits, Excel's leading apostrophe, quotes
// and a numeric cell's ".0". It reports scientific notation separately, because then digits
// were lost in Excel and the only fix is to re-export the column as text.
func codeDigits(raw string) (s string, scientific bool) {
	s = stripQuotes(Clean(raw))
	if looksScientific(s) {
		return s, true
	}
	s = trimDecimalZero(s)
	return s, looksScientific(s)
}

// textColumnFix is the fix for codes that Excel stored as numbers.
const textColumnFix = "被Excel转成了科学计数法，数字已经丢失，请将该列设置为文本格式后重新导出"

// RegionCode checks a division code (行政区划代码) against the tree and returns it in canonical
// form: a 6-digit county, a 9-digit township, or a 12-digit village. A 12-digit village code is
// accepted when its first nine digits are a known township (villages are not in the national
// table). Codes padded with zeros to 12 or 9 digits, the NBS way, mean the level above:
// 622921100000 is township 622921100 and 622921000000 is county 622921. Codes that exist in the
// tree as they are (441900 东莞市, 350527000 金门县) are never shortened.
//
// Problems: REGION_FORMAT (not 2, 4, 6, 9 or 12 digits, or scientific notation), REGION_UNKNOWN
// (not a current division; a code abolished since is named in the message), and the warning
// REGION_LEVEL for a province or prefecture (62, 6229, 620000): accepted but too coarse to place
// a child. Blank input gives "" and no problem. tree must not be nil.
func RegionCode(raw string, tree *region.Tree) (string, *Problem) {
	s, sci := codeDigits(raw)
	switch {
	case sci:
		return "", fail(CodeRegionFormat, "行政区划代码“"+quote(s)+"”"+textColumnFix)
	case s == "" || isPlaceholder(s):
		return "", nil
	case !allDigits(s) || baoxue.LevelOfCode(s) == 0:
		return "", fail(CodeRegionFormat, "行政区划代码“"+quote(s)+"”应为6位（县）、9位（乡镇）或12位（村）数字")
	}
	code := s
	for {
		if _, ok := tree.Lookup(code); ok || tree.ValidVillageCode(code) {
			break
		}
		shorter := withoutZeroTail(code)
		if shorter == "" {
			return "", regionUnknown(s, tree)
		}
		code = shorter
	}
	if lvl := baoxue.LevelOfCode(code); lvl < baoxue.LevelCounty {
		return code, warn(CodeRegionLevel, "行政区划代码“"+s+"”是"+lvl.String()+"级代码，请填写到县（6位）、乡镇（9位）或村（12位）")
	}
	return code, nil
}

// withoutZeroTail drops the zero group that pads a code to the next level (622921100000 →
// 622921100), or returns "" when the last group is not zero.
func withoutZeroTail(code string) string {
	var cut int
	switch len(code) {
	case 12:
		cut = 9
	case 9:
		cut = 6
	case 6:
		cut = 4
	case 4:
		cut = 2
	default:
		return ""
	}
	for i := cut; i < len(code); i++ {
		if code[i] != '0' {
			return ""
		}
	}
	return code[:cut]
}

// regionUnknown names the deepest part of the code that is not a current division.
func regionUnknown(s string, tree *region.Tree) *Problem {
	var part string // the part that is unknown, when it is not the whole code
	switch {
	case len(s) == 12:
		if _, ok := tree.Lookup(s[:9]); !ok {
			part = s[:9]
		}
	case len(s) == 9:
		if _, ok := tree.Lookup(s[:6]); !ok {
			part = s[:6]
		}
	}
	msg := "行政区划代码“" + s + "”不是现行的区划代码"
	if part != "" {
		msg = "行政区划代码“" + s + "”的前" + strconv.Itoa(len(part)) + "位“" + part + "”不是现行的" +
			baoxue.LevelOfCode(part).String() + "代码"
	}
	if len(s) < 6 {
		return fail(CodeRegionUnknown, msg+"，请按2023年区划代码填写")
	}
	if n, err := strconv.Atoi(s[:6]); err == nil {
		if _, ok := tree.Lookup(s[:6]); !ok {
			if name, ok := tree.AddressName(uint32(n)); ok {
				msg += "（“" + s[:6] + "”曾是" + name + "，已撤销或变更）"
			}
		}
	}
	return fail(CodeRegionUnknown, msg+"，请按2023年区划代码填写")
}

// SchoolCode checks a 学校标识码: ten digits, as issued by the Ministry of Education. Problems:
// SCHOOL_CODE_FORMAT. Blank input gives "" and no problem.
func SchoolCode(raw string) (string, *Problem) {
	s, sci := codeDigits(raw)
	switch {
	case sci:
		return "", fail(CodeSchoolCodeFormat, "学校标识码“"+quote(s)+"”"+textColumnFix)
	case s == "" || isPlaceholder(s):
		return "", nil
	case len(s) != 10 || !allDigits(s):
		return "", fail(CodeSchoolCodeFormat, "学校标识码“"+quote(s)+"”应为10位数字，请核对")
	}
	return s, nil
}
