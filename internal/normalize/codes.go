package normalize

// Problem codes. They are stable: the importer counts them (errors_by_code), stores them with
// each dataset and writes them to the error report. Codes lists them with their meaning.
const (
	CodeNameEmpty   = "NAME_EMPTY"    // error: blank or a placeholder such as 无, 不详
	CodeNameDigits  = "NAME_DIGITS"   // error: digits in a name
	CodeNameLength  = "NAME_LENGTH"   // error: more than MaxNameRunes characters
	CodeNameChars   = "NAME_CHARS"    // error: symbols, brackets, mixed scripts, broken encoding
	CodeNameLatin   = "NAME_LATIN"    // warning: written in Latin letters
	CodeNameScript  = "NAME_SCRIPT"   // warning: written in another non-Han script
	CodeNameLostDot = "NAME_LOST_DOT" // warning: a '?' read as the middle dot lost in GBK
	CodeSexInvalid  = "SEX_INVALID"   // error: not a recognisable sex
	CodeSexMismatch = "SEX_MISMATCH"  // warning: differs from the sex the ID encodes

	CodeDateInvalid = "DATE_INVALID" // error: not a date, or not a calendar day
	CodeDateFuture  = "DATE_FUTURE"  // error: after today
	CodeDateRange   = "DATE_RANGE"   // error: before 1900 (or after 2200)

	CodeRegionFormat     = "REGION_FORMAT"      // error: not 6/9/12 digits, or scientific notation
	CodeRegionUnknown    = "REGION_UNKNOWN"     // error: not a current division
	CodeRegionLevel      = "REGION_LEVEL"       // warning: a province or prefecture, too coarse
	CodeSchoolCodeFormat = "SCHOOL_CODE_FORMAT" // error: not 10 digits
	CodeGradeInvalid     = "GRADE_INVALID"      // error: not a grade of compulsory education
	CodeStudentNoFormat  = "STUDENT_NO_FORMAT"  // warning: not G/J/L + 18
	CodePhoneFormat      = "PHONE_FORMAT"       // warning: not a mobile or landline number

	CodeStatusUnknown        = "STATUS_UNKNOWN"         // warning for 人员状态, error for 学籍状态
	CodeYesNoInvalid         = "YESNO_INVALID"          // warning: neither yes nor no
	CodePovertyTypeUnknown   = "POVERTY_TYPE_UNKNOWN"   // warning: unknown 人口类型
	CodeDisabilityCategory   = "DISABILITY_CATEGORY"    // warning: unknown 残疾类别
	CodeDisabilityLevel      = "DISABILITY_LEVEL"       // warning: unknown 残疾等级
	CodeDisabilityCertFormat = "DISABILITY_CERT_FORMAT" // warning: 残疾人证号 not ID + 2 digits
	CodeRelationUnknown      = "RELATION_UNKNOWN"       // warning: unknown 与户主关系
	CodeEthnicityUnknown     = "ETHNICITY_UNKNOWN"      // warning: unknown 民族
)

// CodeInfo documents one problem code: where it arises, how severe it is, and a typical message.
type CodeInfo struct {
	Code     string
	Severity Severity
	Field    string // the column it concerns
	Example  string // a typical message (values in messages are the user's)
}

// Codes lists every problem code the parsers produce, with a typical message. STATUS_UNKNOWN
// appears twice: it is a warning for 人员状态 (the child stays, status "other") and an error for
// 学籍状态 (guessing would decide whether a child counts as out of school).
func Codes() []CodeInfo {
	return []CodeInfo{
		{CodeNameEmpty, Error, "姓名", "姓名为空，请填写姓名"},
		{CodeNameDigits, Error, "姓名", "姓名中含有数字，请删除数字，只保留姓名（误填的证件号、编号请移到对应列）"},
		{CodeNameLength, Error, "姓名", "姓名超过30个字，请只填写姓名，备注、地址等请移到其他列"},
		{CodeNameChars, Error, "姓名", "姓名中含有不允许的字符“(”，请删除括号、标点和符号，只保留姓名（少数民族姓名各部分之间用“·”分隔）"},
		{CodeNameLatin, Warning, "姓名", "姓名用拉丁字母书写，请核对是否与户籍、学籍中登记的汉字姓名一致"},
		{CodeNameScript, Warning, "姓名", "姓名用少数民族文字或其他文字书写，比对时无法与汉字姓名匹配，请核对并补充汉字姓名"},
		{CodeNameLostDot, Warning, "姓名", "姓名中的“?”已按“·”处理（GBK编码的文件存不下“•”“・”，导出时变成了“?”），请核对"},
		{CodeSexInvalid, Error, "性别", "性别“未知”无法识别，请填写“男”或“女”"},
		{CodeSexMismatch, Warning, "性别", "性别填写为“女”，身份证号码显示为“男”，请核对性别或身份证号码"},
		{CodeDateInvalid, Error, "日期", "日期“2014-02-30”不是有效日期，请按 2014-03-05 格式填写"},
		{CodeDateFuture, Error, "日期", "日期“2031-03-05”晚于今天（2025-09-01），请核对年份"},
		{CodeDateRange, Error, "日期", "日期“1899-03-05”早于1900年，请核对年份"},
		{CodeRegionFormat, Error, "行政区划代码", "行政区划代码“62292110”应为6位（县）、9位（乡镇）或12位（村）数字"},
		{CodeRegionUnknown, Error, "行政区划代码", "行政区划代码“622921999001”的前9位“622921999”不是现行的乡(镇)代码，请按2023年区划代码填写"},
		{CodeRegionLevel, Warning, "行政区划代码", "行政区划代码“620000”是省级代码，请填写到县（6位）、乡镇（9位）或村（12位）"},
		{CodeSchoolCodeFormat, Error, "学校标识码", "学校标识码“213456789”应为10位数字，请核对"},
		{CodeGradeInvalid, Error, "年级", "年级“十年级”无法识别，请填写 一年级…九年级、初一…初三 或 1…9"},
		{CodeStudentNoFormat, Warning, "学籍号", "学籍号不是全国学籍号格式（G、J或L加18位，如 G加身份证号），请核对"},
		{CodePhoneFormat, Warning, "联系电话", "联系电话不是有效的手机号（11位，以13–19开头）或固定电话（如 0931-8123456），请核对"},
		{CodeStatusUnknown, Warning, "人员状态", "人员状态“待核”无法识别，已按“其他”处理（仍计入适龄儿童）；请填写 正常、死亡、出国(境)、迁出 或 注销"},
		{CodeStatusUnknown, Error, "学籍状态", "学籍状态“待定中”无法识别，请填写 在读、休学、转出、毕业 或 辍学"},
		{CodeYesNoInvalid, Warning, "是否送教上门", "“偶尔”不是“是”或“否”，已按“否”处理，请填写“是”或“否”"},
		{CodePovertyTypeUnknown, Warning, "人口类型", "人口类型“一般户”无法识别，已按“其他”处理，请填写 脱贫户、脱贫不稳定户、边缘易致贫户、突发严重困难户、低保户 等"},
		{CodeDisabilityCategory, Warning, "残疾类别", "残疾类别“8”无法识别，请填写 视力、听力、言语、肢体、智力、精神 或 多重"},
		{CodeDisabilityLevel, Warning, "残疾等级", "残疾等级“五级”无法识别，请填写 一级、二级、三级 或 四级"},
		{CodeDisabilityCertFormat, Warning, "残疾人证号", "残疾人证号应为20位：18位身份证号 + 残疾类别(1–7) + 残疾等级(1–4)，请核对"},
		{CodeRelationUnknown, Warning, "与户主关系", "与户主关系“邻居家孩子”无法识别，已按“其他”处理，请填写 户主、配偶、子、女、孙子、孙女 等"},
		{CodeEthnicityUnknown, Warning, "民族", "民族“火星族”无法识别，请填写56个民族的名称，如 汉族、回族、东乡族"},
	}
}
