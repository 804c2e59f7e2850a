package normalize

import (
	"strconv"
	"strings"
)

// ethnicGroups lists the 56 ethnic groups in the order of their GB/T 3304 codes 01–56, then 97
// and 98, separated by spaces. A constant string rather than a slice keeps it immutable.
const ethnicGroups = "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 " +
	"哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 " +
	"仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 " +
	"德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"

// Ethnicity values outside the 56 groups (GB/T 3304 codes 97 and 98).
const (
	EthnicityOther   = "其他"
	EthnicityForeign = "外国血统中国籍人士"
)

// EthnicityName returns the name of GB/T 3304 code n (1 汉族 … 56 基诺族, 97, 98), or "".
func EthnicityName(n int) string {
	switch n {
	case 97:
		return EthnicityOther
	case 98:
		return EthnicityForeign
	}
	if n < 1 || n > 56 {
		return ""
	}
	s := ethnicGroups
	for ; n > 1; n-- {
		s = s[strings.IndexByte(s, ' ')+1:]
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return s
}

// Ethnicity reads 民族: the name with or without 族 (汉, 汉族, 回, 蒙古), the GB/T 3304 code with or
// without its leading zero (01, 1, 03), common short forms (蒙族, 维族) and the names used before
// the renamings of the 1980s (僮族, 崩龙族, 毛难族). It returns the full name (汉族). 97 and
// 未识别民族 give EthnicityOther; 98 and 外国血统 give EthnicityForeign. Anything else is the
// warning ETHNICITY_UNKNOWN with "". Blank input gives "" and no problem.
func Ethnicity(raw string) (string, *Problem) {
	k := vocabKey(raw)
	if k == "" || isPlaceholder(k) {
		return "", nil
	}
	if len(k) <= 2 && allDigits(k) {
		n, _ := strconv.Atoi(k)
		if name := EthnicityName(n); name != "" {
			return name, nil
		}
	}
	switch k {
	case "其他", "其它", "未识别", "未识别民族", "其他民族", "其他未识别民族":
		return EthnicityOther, nil
	case "外国血统", "外国血统中国籍人士", "外国人入籍", "入籍":
		return EthnicityForeign, nil
	case "蒙族":
		return "蒙古族", nil
	case "维族", "维吾尔":
		return "维吾尔族", nil
	case "僮族":
		return "壮族", nil
	case "崩龙族":
		return "德昂族", nil
	case "毛难族":
		return "毛南族", nil
	}
	if name := ethnicByBase(strings.TrimSuffix(k, "族")); name != "" {
		return name, nil
	}
	return "", ethnicityUnknown(raw)
}

// ethnicByBase returns the full name of an ethnic group named without 族 (汉 → 汉族), or "". A
// switch, rather than a scan of ethnicGroups, because it runs on every registry row;
// TestEthnicityCodes checks that the two agree.
func ethnicByBase(base string) string {
	switch base {
	case "汉":
		return "汉族"
	case "蒙古":
		return "蒙古族"
	case "回":
		return "回族"
	case "藏":
		return "藏族"
	case "维吾尔":
		return "维吾尔族"
	case "苗":
		return "苗族"
	case "彝":
		return "彝族"
	case "壮":
		return "壮族"
	case "布依":
		return "布依族"
	case "朝鲜":
		return "朝鲜族"
	case "满":
		return "满族"
	case "侗":
		return "侗族"
	case "瑶":
		return "瑶族"
	case "白":
		return "白族"
	case "土家":
		return "土家族"
	case "哈尼":
		return "哈尼族"
	case "哈萨克":
		return "哈萨克族"
	case "傣":
		return "傣族"
	case "黎":
		return "黎族"
	case "傈僳":
		return "傈僳族"
	case "佤":
		return "佤族"
	case "畲":
		return "畲族"
	case "高山":
		return "高山族"
	case "拉祜":
		return "拉祜族"
	case "水":
		return "水族"
	case "东乡":
		return "东乡族"
	case "纳西":
		return "纳西族"
	case "景颇":
		return "景颇族"
	case "柯尔克孜":
		return "柯尔克孜族"
	case "土":
		return "土族"
	case "达斡尔":
		return "达斡尔族"
	case "仫佬":
		return "仫佬族"
	case "羌":
		return "羌族"
	case "布朗":
		return "布朗族"
	case "撒拉":
		return "撒拉族"
	case "毛南":
		return "毛南族"
	case "仡佬":
		return "仡佬族"
	case "锡伯":
		return "锡伯族"
	case "阿昌":
		return "阿昌族"
	case "普米":
		return "普米族"
	case "塔吉克":
		return "塔吉克族"
	case "怒":
		return "怒族"
	case "乌孜别克":
		return "乌孜别克族"
	case "俄罗斯":
		return "俄罗斯族"
	case "鄂温克":
		return "鄂温克族"
	case "德昂":
		return "德昂族"
	case "保安":
		return "保安族"
	case "裕固":
		return "裕固族"
	case "京":
		return "京族"
	case "塔塔尔":
		return "塔塔尔族"
	case "独龙":
		return "独龙族"
	case "鄂伦春":
		return "鄂伦春族"
	case "赫哲":
		return "赫哲族"
	case "门巴":
		return "门巴族"
	case "珞巴":
		return "珞巴族"
	case "基诺":
		return "基诺族"
	}
	return ""
}

func ethnicityUnknown(raw string) *Problem {
	return warn(CodeEthnicityUnknown, "民族“"+quote(Clean(raw))+"”无法识别，请填写56个民族的名称，如 汉族、回族、东乡族")
}
