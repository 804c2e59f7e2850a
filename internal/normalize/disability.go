package normalize

import (
	"strings"
)

// Disability categories (残疾类别, GB/T 26341-2010), in the order of their codes 1–7, as stored in
// baoxue.DisabilityRecord.Category.
const (
	DisabilityVisual       = "视力"
	DisabilityHearing      = "听力"
	DisabilitySpeech       = "言语"
	DisabilityPhysical     = "肢体"
	DisabilityIntellectual = "智力"
	DisabilityMental       = "精神"
	DisabilityMultiple     = "多重"
)

// disabilityByCode returns the category with code n (1–7), or "".
func disabilityByCode(n int) string {
	switch n {
	case 1:
		return DisabilityVisual
	case 2:
		return DisabilityHearing
	case 3:
		return DisabilitySpeech
	case 4:
		return DisabilityPhysical
	case 5:
		return DisabilityIntellectual
	case 6:
		return DisabilityMental
	case 7:
		return DisabilityMultiple
	}
	return ""
}

// DisabilityCategory reads 残疾类别: 视力/听力/言语/肢体/智力/精神/多重, with or without 残疾 (视力残疾),
// common synonyms (盲, 低视力, 聋, 语言, 智障, 多重残疾), and the codes 1–7 of the 残疾人证号. The
// old combined 听力语言残疾 (before 2006) is read as 听力. Anything else is the warning
// DISABILITY_CATEGORY with "": the child stays in the disability registry, only the category is
// unclear. Blank input gives "" and no problem.
func DisabilityCategory(raw string) (string, *Problem) {
	k := vocabKey(raw)
	if k == "" || isPlaceholder(k) {
		return "", nil
	}
	k = strings.TrimSuffix(strings.TrimSuffix(k, "类"), "残疾")
	switch k {
	case "视力", "盲", "低视力", "视障", "1":
		return DisabilityVisual, nil
	case "听力", "聋", "听障", "听力语言", "听力言语", "2":
		return DisabilityHearing, nil
	case "言语", "语言", "3":
		return DisabilitySpeech, nil
	case "肢体", "4":
		return DisabilityPhysical, nil
	case "智力", "智障", "5":
		return DisabilityIntellectual, nil
	case "精神", "6":
		return DisabilityMental, nil
	case "多重", "综合", "7":
		return DisabilityMultiple, nil
	}
	return "", warn(CodeDisabilityCategory, "残疾类别“"+quote(Clean(raw))+"”无法识别，请填写 视力、听力、言语、肢体、智力、精神 或 多重")
}

// DisabilityLevel reads 残疾等级 1–4: 一级…四级, 1…4, 1级, Ⅰ级…Ⅳ级, and the degrees 极重度 (1), 重度
// (2), 中度 (3), 轻度 (4) of GB/T 26341. Anything else is the warning DISABILITY_LEVEL with 0.
// Blank input gives 0 and no problem.
func DisabilityLevel(raw string) (int, *Problem) {
	k := vocabKey(raw)
	if k == "" || isPlaceholder(k) {
		return 0, nil
	}
	k = strings.TrimSuffix(strings.TrimSuffix(k, "残疾"), "级")
	switch k {
	case "一", "1", "Ⅰ", "i", "极重度", "极重":
		return 1, nil
	case "二", "2", "Ⅱ", "ii", "重度", "重":
		return 2, nil
	case "三", "3", "Ⅲ", "iii", "中度", "中":
		return 3, nil
	case "四", "4", "Ⅳ", "iv", "轻度", "轻":
		return 4, nil
	}
	return 0, warn(CodeDisabilityLevel, "残疾等级“"+quote(Clean(raw))+"”无法识别，请填写 一级、二级、三级 或 四级")
}

// DisabilityCert splits a 残疾人证号 (第二代残疾人证): the holder's 18-character ID number, one digit
// for the category (1–7) and one for the level (1–4), 20 characters in all. A reissue suffix such
// as B1 is accepted and ignored. The ID part is returned as written (upper-cased); the importer
// validates it with idcard. Problems: the warning DISABILITY_CERT_FORMAT, with everything empty.
// Blank input gives empty results and no problem.
func DisabilityCert(raw string) (id, category string, level int, p *Problem) {
	s, sci := codeDigits(raw)
	if sci {
		return "", "", 0, warn(CodeDisabilityCertFormat, "残疾人证号"+textColumnFix)
	}
	if s == "" || isPlaceholder(s) {
		return "", "", 0, nil
	}
	s = upperASCII(removeBlanks(s))
	if len(s) == 22 && s[20] == 'B' && s[21] >= '0' && s[21] <= '9' {
		s = s[:20]
	}
	if len(s) == 20 && allDigits(s[:17]) && (s[17] == 'X' || s[17] >= '0' && s[17] <= '9') &&
		s[18] >= '1' && s[18] <= '7' && s[19] >= '1' && s[19] <= '4' {
		return s[:18], disabilityByCode(int(s[18] - '0')), int(s[19] - '0'), nil
	}
	return "", "", 0, warn(CodeDisabilityCertFormat, "残疾人证号应为20位：18位身份证号 + 残疾类别(1–7) + 残疾等级(1–4)，请核对")
}
