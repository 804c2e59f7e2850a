package normalize

import (
	"strings"

	"github.com/baoxue/baoxue"
)

// Sex reads 男/女, 男性/女性, 1/2 (GB/T 2261.1), M/F and male/female in any case, and the
// normalised values themselves. 0 and 9 (GB/T 2261.1 "unknown", "not stated") and anything else
// are SEX_INVALID; the importer can then take the sex from the ID number. Blank input gives "" and
// no problem.
func Sex(raw string) (baoxue.Sex, *Problem) {
	s := trimDecimalZero(Clean(raw))
	switch s {
	case "男", "男性", "男生", "男孩", "1", "M", "m":
		return baoxue.Male, nil
	case "女", "女性", "女生", "女孩", "2", "F", "f":
		return baoxue.Female, nil
	}
	switch {
	case s == "" || isPlaceholder(s):
		return "", nil
	case strings.EqualFold(s, "male"):
		return baoxue.Male, nil
	case strings.EqualFold(s, "female"):
		return baoxue.Female, nil
	}
	return "", fail(CodeSexInvalid, "性别“"+s+"”无法识别，请填写“男”或“女”")
}

// SexMismatch compares the sex in the sex column with the one the ID number encodes. It warns
// (SEX_MISMATCH) when both are known and differ: one of the two was typed wrong, and the ID is
// the more likely to be right.
func SexMismatch(declared, fromID baoxue.Sex) *Problem {
	if declared == "" || fromID == "" || declared == fromID {
		return nil
	}
	return warn(CodeSexMismatch, "性别填写为“"+declared.Label()+"”，身份证号码显示为“"+fromID.Label()+"”，请核对性别或身份证号码")
}
