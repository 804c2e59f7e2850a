package normalize

import (
	"strings"

	"github.com/baoxue/baoxue"
)

// vocabKey is the form in which a cell is looked up in a vocabulary: folded (so （境） reads as
// (境)), trimmed, with inner blanks removed, a numeric cell's ".0" dropped (1.0 → 1) and ASCII
// letters lower-cased. It allocates only when
// the cell needs one of these changes.
func vocabKey(raw string) string {
	s := trimDecimalZero(removeBlanks(Clean(raw)))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// RegistryStatus maps a 户籍 人员状态 / 户口状态 to one of the baoxue.Registry* values:
//
//	normal     正常 户口正常 在册 在籍 有效 常住 现住
//	deceased   死亡 已死亡 死亡注销 已故 亡故
//	emigrated  出国 出境 出国(境) 出国(境)定居 出国定居 定居国外 出国注销
//	moved_out  迁出 已迁出 户口迁出 迁出注销 迁往外地
//	cancelled  注销 销户 已注销 户口注销 其他注销
//	other      其他 其它
//
// and the values themselves. Anything else gives baoxue.RegistryOtherState with the warning
// STATUS_UNKNOWN: the child stays in the count, and the raw text is kept by the importer in
// StatusRaw. Blank input gives "" and no problem (the importer decides the default).
func RegistryStatus(raw string) (string, *Problem) {
	k := vocabKey(raw)
	switch k {
	case "正常", "户口正常", "在册", "在籍", "有效", "常住", "现住", "正常户口", baoxue.RegistryNormal:
		return baoxue.RegistryNormal, nil
	case "死亡", "已死亡", "死亡注销", "已故", "亡故", "死亡销户", "注销(死亡)", baoxue.RegistryDeceased:
		return baoxue.RegistryDeceased, nil
	case "出国", "出境", "出国(境)", "出国(境)定居", "出国定居", "出境定居", "定居国外", "出国注销", "出国(境)注销",
		"注销(出国)", "注销(出国(境))", baoxue.RegistryEmigrated:
		return baoxue.RegistryEmigrated, nil
	case "迁出", "已迁出", "户口迁出", "迁出注销", "迁往外地", "迁出(注销)", "注销(迁出)", baoxue.RegistryMovedOut:
		return baoxue.RegistryMovedOut, nil
	case "注销", "销户", "已注销", "户口注销", "其他注销", baoxue.RegistryCancelled:
		return baoxue.RegistryCancelled, nil
	case "其他", "其它", baoxue.RegistryOtherState:
		return baoxue.RegistryOtherState, nil
	case "":
		return "", nil
	}
	if isPlaceholder(k) {
		return "", nil
	}
	return baoxue.RegistryOtherState, warn(CodeStatusUnknown, "人员状态“"+quote(Clean(raw))+"”无法识别，已按“其他”处理（仍计入适龄儿童）；请填写 正常、死亡、出国(境)、迁出 或 注销")
}

// EnrollmentStatus maps a 学籍状态 to one of the baoxue.Enroll* values:
//
//	active       在读 在校 正常 在籍 在学 在校生 正常在读 复学 借读 随班就读 送教上门
//	suspended    休学 停学 缓学
//	transferred  转出 转学 已转出 转走 转学出
//	graduated    毕业 已毕业 结业
//	dropped      辍学 失学 流失 退学 离校 中途辍学 辍学/失学
//
// and the values themselves. 送教上门 is a form of enrollment (the 是否送教上门 column sets the
// flag); 肄业 is deliberately not mapped, because it can mean either completion without a
// certificate or leaving early. Anything else is the error STATUS_UNKNOWN: guessing would decide
// whether a child is counted as out of school. Blank input gives "" and no problem.
func EnrollmentStatus(raw string) (string, *Problem) {
	k := vocabKey(raw)
	switch k {
	case "在读", "在校", "正常", "在籍", "在学", "在校生", "正常在读", "复学", "借读", "随班就读", "送教上门", baoxue.EnrollActive:
		return baoxue.EnrollActive, nil
	case "休学", "停学", "缓学", baoxue.EnrollSuspended:
		return baoxue.EnrollSuspended, nil
	case "转出", "转学", "已转出", "转走", "转学出", "转学(出)", baoxue.EnrollTransferred:
		return baoxue.EnrollTransferred, nil
	case "毕业", "已毕业", "结业", baoxue.EnrollGraduated:
		return baoxue.EnrollGraduated, nil
	case "辍学", "失学", "流失", "退学", "离校", "中途辍学", "辍学/失学", "失学/辍学", "失学辍学", baoxue.EnrollDropped:
		return baoxue.EnrollDropped, nil
	case "":
		return "", nil
	}
	if isPlaceholder(k) {
		return "", nil
	}
	return "", fail(CodeStatusUnknown, "学籍状态“"+quote(Clean(raw))+"”无法识别，请填写 在读、休学、转出、毕业 或 辍学")
}

// YesNo reads a yes/no column such as 是否送教上门: 是/否, 有/无, 1/0, Y/N, yes/no, true/false,
// √ ✓ ✔ / × ✗ ✘, 对/错. An empty cell means no. Anything else is the warning YESNO_INVALID with
// false: treating an unreadable mark as "no" keeps the child counted as enrolled.
func YesNo(raw string) (bool, *Problem) {
	k := vocabKey(raw)
	switch k {
	case "是", "有", "1", "y", "yes", "true", "√", "✓", "✔", "☑", "对", "是的":
		return true, nil
	case "否", "无", "0", "n", "no", "false", "×", "✗", "✘", "☐", "错", "不是", "":
		return false, nil
	}
	if isPlaceholder(k) {
		return false, nil
	}
	return false, warn(CodeYesNoInvalid, "“"+quote(Clean(raw))+"”不是“是”或“否”，已按“否”处理，请填写“是”或“否”")
}

// Poverty types after normalisation: the short list of the 防返贫 monitoring system. 脱贫不稳定户,
// 边缘易致贫户 and 突发严重困难户 are the three kinds of 监测对象; 监测对象 is used when a file
// does not say which.
const (
	PovertyLifted    = "脱贫户"     // 脱贫户, 已脱贫户, 脱贫人口, 建档立卡贫困户 and other pre-2021 registered-poor terms
	PovertyUnstable  = "脱贫不稳定户"  // 脱贫不稳定户
	PovertyMarginal  = "边缘易致贫户"  // 边缘易致贫户, 边缘户
	PovertyHardship  = "突发严重困难户" // 突发严重困难户, 严重困难户
	PovertyMonitored = "监测对象"    // 监测对象, 监测户, 防返贫监测对象
	PovertyDibao     = "低保户"     // 低保户, 低保, 农村低保, 城市低保, 低保对象
	PovertyTekun     = "特困供养"    // 特困人员, 特困供养, 五保户
	PovertyOther     = "其他"      // anything else, with POVERTY_TYPE_UNKNOWN
)

// PovertyType maps the 人口类型 / 脱贫属性 / 监测对象类型 column to the short list above. Anything
// else gives PovertyOther with the warning POVERTY_TYPE_UNKNOWN: the household is still in the
// registry, only its type is unclear. Blank input gives "" and no problem.
func PovertyType(raw string) (string, *Problem) {
	k := vocabKey(raw)
	switch k {
	case "脱贫户", "已脱贫户", "脱贫人口", "已脱贫", "脱贫", "稳定脱贫户", "脱贫享受政策户", "脱贫不享受政策户", "脱贫享受政策",
		"脱贫不享受政策", "建档立卡贫困户", "建档立卡户", "建档立卡脱贫户", "贫困户", "未脱贫户", "建档立卡":
		return PovertyLifted, nil
	case "脱贫不稳定户", "脱贫不稳定人口", "脱贫不稳定":
		return PovertyUnstable, nil
	case "边缘易致贫户", "边缘易致贫人口", "边缘易致贫", "边缘户":
		return PovertyMarginal, nil
	case "突发严重困难户", "突发严重困难人口", "突发严重困难", "严重困难户":
		return PovertyHardship, nil
	case "监测对象", "监测户", "防返贫监测对象", "监测帮扶对象":
		return PovertyMonitored, nil
	case "低保户", "低保", "农村低保", "城市低保", "低保对象", "最低生活保障", "低保家庭":
		return PovertyDibao, nil
	case "特困", "特困人员", "特困供养", "特困供养人员", "五保", "五保户":
		return PovertyTekun, nil
	case "其他", "其它":
		return PovertyOther, nil
	case "":
		return "", nil
	}
	if isPlaceholder(k) {
		return "", nil
	}
	return PovertyOther, warn(CodePovertyTypeUnknown, "人口类型“"+quote(Clean(raw))+"”无法识别，已按“其他”处理，请填写 脱贫户、脱贫不稳定户、边缘易致贫户、突发严重困难户、低保户 等")
}

// Relations after normalisation, in the wording of GB/T 4761 家庭关系代码, coarsened where the
// comparison does not need the detail (长子, 次子 and 养子 are all 子).
const (
	RelationHead                = "户主"
	RelationSpouse              = "配偶"
	RelationSon                 = "子"
	RelationDaughter            = "女"
	RelationGrandson            = "孙子"
	RelationGranddaughter       = "孙女"
	RelationDaughtersSon        = "外孙子"
	RelationDaughtersDaughter   = "外孙女"
	RelationFather              = "父亲"
	RelationMother              = "母亲"
	RelationGrandfather         = "祖父"
	RelationGrandmother         = "祖母"
	RelationMaternalGrandfather = "外祖父"
	RelationMaternalGrandmother = "外祖母"
	RelationSibling             = "兄弟姐妹"
	RelationSonInLaw            = "女婿"
	RelationDaughterInLaw       = "儿媳"
	RelationRelative            = "其他亲属"
	RelationOther               = "其他"
)

// Relation maps 与户主关系 to the list above. The poverty system's forms (之子, 之妻, …) and the
// ordinal forms (长子, 次女, 三子, …) are read; 本人 is 户主. Anything else gives RelationOther with
// the warning RELATION_UNKNOWN. Blank input gives "" and no problem.
func Relation(raw string) (string, *Problem) {
	k := strings.TrimPrefix(vocabKey(raw), "之")
	switch k {
	case "户主", "本人", "本人(户主)", "户主本人":
		return RelationHead, nil
	case "配偶", "妻", "妻子", "夫", "丈夫", "夫妻", "爱人":
		return RelationSpouse, nil
	case "孙子", "孙", "长孙", "次孙", "长孙子", "次孙子":
		return RelationGrandson, nil
	case "孙女", "长孙女", "次孙女":
		return RelationGranddaughter, nil
	case "外孙子", "外孙":
		return RelationDaughtersSon, nil
	case "外孙女":
		return RelationDaughtersDaughter, nil
	case "父亲", "父", "爸爸", "继父", "养父":
		return RelationFather, nil
	case "母亲", "母", "妈妈", "继母", "养母":
		return RelationMother, nil
	case "祖父", "爷爷":
		return RelationGrandfather, nil
	case "祖母", "奶奶":
		return RelationGrandmother, nil
	case "外祖父", "外公", "姥爷":
		return RelationMaternalGrandfather, nil
	case "外祖母", "外婆", "姥姥":
		return RelationMaternalGrandmother, nil
	case "兄弟姐妹", "兄", "哥哥", "弟", "弟弟", "兄弟", "姐", "姐姐", "妹", "妹妹", "姐妹":
		return RelationSibling, nil
	case "女婿":
		return RelationSonInLaw, nil
	case "儿媳", "儿媳妇", "媳妇":
		return RelationDaughterInLaw, nil
	case "其他亲属", "侄子", "侄女", "外甥", "外甥女", "叔叔", "伯父", "姑姑", "舅舅", "姨", "嫂子", "弟媳", "姐夫", "妹夫",
		"曾孙子", "曾孙女", "重孙子", "重孙女", "孙媳妇", "孙女婿":
		return RelationRelative, nil
	case "其他", "其它", "非亲属":
		return RelationOther, nil
	case "":
		return "", nil
	}
	if child := childRelation(k); child != "" {
		return child, nil
	}
	if isPlaceholder(k) {
		return "", nil
	}
	return RelationOther, warn(CodeRelationUnknown, "与户主关系“"+quote(Clean(raw))+"”无法识别，已按“其他”处理，请填写 户主、配偶、子、女、孙子、孙女 等")
}

// childRelation reads 子/女 with an ordinal or qualifier: 长子, 次女, 三子, 独生女, 养子, 继女, 儿子,
// 女儿.
func childRelation(k string) string {
	switch k {
	case "儿子", "男孩":
		return RelationSon
	case "女儿", "女孩":
		return RelationDaughter
	}
	var last string
	switch {
	case strings.HasSuffix(k, "子"):
		last = RelationSon
	case strings.HasSuffix(k, "女"):
		last = RelationDaughter
	default:
		return ""
	}
	switch strings.TrimSuffix(k, last) {
	case "", "长", "次", "二", "三", "四", "五", "六", "七", "八", "九", "幼", "小", "独生", "养", "继":
		return last
	}
	return ""
}
