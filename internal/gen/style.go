package gen

import (
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
)

// Output files, in the order Generate writes them.
const (
	outRegistry = iota
	outEnrollment
	outNational
	outPoverty
	outDisability
	outSchools
	outVillages
	outTruth
	numOutFiles
)

func outName(f int) string {
	switch f {
	case outSchools:
		return "schools"
	case outVillages:
		return "villages"
	case outTruth:
		return "truth"
	}
	return dataFileName(f)
}

// fileStyle is how one output file looks: its header, preamble and the codings of its columns.
// Officials' files differ from county to county, so the profiles differ here too; the importers
// must take all of them.
type fileStyle struct {
	header   []string
	title    []string // rows above the header (the first is the sheet's title)
	blank    int      // blank rows between the title and the header
	trailing int      // blank rows after the data
	numbered bool     // a leading 序号 column
	dateFmt  int      // the column's usual date format
	sexNum   bool     // 1/2 instead of 男/女
	flagNum  bool     // 1/0 instead of 是/否
	grade    int      // 0: 3; 1: 三年级; 2: mixed 三年级 / 初一 / 3
	inSchool string   // 在读 or 在校
	catLong  bool     // 肢体残疾 instead of 肢体
	levelCN  bool     // 一级 instead of 1
	bom      bool
	crlf     bool
	gbk      bool
	rates    [numDamageKinds]uint32
}

// styles returns the look of every output file under the options.
func styles(o Options, areaTitle string) [numOutFiles]fileStyle {
	var s [numOutFiles]fileStyle
	rates := ratesFor(o.Profile)
	y := baoxue.DefaultAgeRule().SchoolYear(o.AsOf)
	term := strconv.Itoa(y) + "年秋季学期"
	if o.AsOf.Month() >= 3 && o.AsOf.Month() < 9 {
		term = strconv.Itoa(y+1) + "年春季学期"
	}
	exported := "导出时间：" + o.AsOf.String()
	for f := range s {
		s[f].inSchool = "在读"
		if f < numDataFiles {
			s[f].rates = rates[f]
		}
		s[f].gbk = o.Encoding == "gbk" && f != outTruth
	}
	switch o.Profile {
	case ProfileClean:
		s[outRegistry].header = strings.Split("姓名,公民身份号码,性别,出生日期,民族,户号,与户主关系,户籍地址,行政区划代码,人员状态,监护人姓名,监护人公民身份号码,联系电话", ",")
		s[outEnrollment].header = strings.Split("全国学籍号,姓名,身份证件号,性别,出生日期,学校标识码,学校名称,年级,学籍状态,是否送教上门", ",")
		s[outPoverty].header = strings.Split("户编号,姓名,证件号码,与户主关系,监测对象类型,行政区划代码", ",")
		s[outDisability].header = strings.Split("姓名,身份证号,残疾类别,残疾等级,残疾人证号", ",")
	case ProfileRealistic:
		s[outRegistry].header = strings.Split("姓名,身份证号,性别,出生日期,民族,户号,与户主关系,户籍地址,村(社区)代码,户口状态,监护人姓名,监护人身份证号,联系电话", ",")
		s[outEnrollment].header = strings.Split("学籍号,姓名,身份证号,性别,出生日期,学校标识码,学校名称,年级,学籍状态,是否送教上门", ",")
		s[outPoverty].header = strings.Split("户编号,姓名,身份证号,与户主关系,脱贫属性,行政区划代码", ",")
		s[outDisability].header = strings.Split("姓名,身份证号,残疾类别,残疾等级,残疾人证号", ",")
		s[outRegistry].dateFmt = fmtCompact
		s[outEnrollment].grade = 1
		s[outDisability].catLong, s[outDisability].levelCN = true, true
		for _, f := range []int{outRegistry, outEnrollment, outPoverty} {
			s[f].blank = 1
		}
		s[outRegistry].title = []string{areaTitle + term + "户籍人口信息表"}
		s[outEnrollment].title = []string{areaTitle + term + "义务教育阶段学生学籍信息表"}
		s[outPoverty].title = []string{areaTitle + "脱贫人口和监测对象信息表"}
	case ProfileHard:
		s[outRegistry].header = strings.Split("人员姓名,身份证号码,性别,出生日期,民族,户编号,与户主关系,住址,区划代码,户口状态,监护人姓名,监护人身份证号,手机号码", ",")
		s[outEnrollment].header = strings.Split("学籍号,姓名,公民身份号码,性别,出生日期,学校标识码,学校名称,年级,学籍状态,是否送教上门", ",")
		s[outPoverty].header = strings.Split("户号,姓名,证件号码,与户主关系,人口类型,行政区划代码", ",")
		s[outDisability].header = strings.Split("姓名,残疾人证号,残疾类别,残疾等级", ",")
		s[outRegistry].dateFmt = fmtSlash
		s[outEnrollment].dateFmt = fmtChinese
		s[outNational].dateFmt = fmtCompact
		s[outEnrollment].sexNum, s[outEnrollment].flagNum, s[outNational].flagNum = true, true, true
		s[outEnrollment].grade = 2
		s[outEnrollment].inSchool = "在校"
		s[outDisability].levelCN = true
		titles := []string{
			areaTitle + term + "户籍人口信息表", areaTitle + term + "义务教育阶段学生学籍信息表",
			"全国中小学生学籍信息管理系统 外省在读学生比对结果", areaTitle + "脱贫人口和监测对象信息表",
			areaTitle + "持证残疾人信息表",
		}
		for f := range numDataFiles {
			s[f].title = []string{titles[f], "填报单位：" + areaTitle + "教育局    " + exported}
			s[f].blank = 1 + f%2
			s[f].trailing = 2
			s[f].numbered = f == outPoverty || f == outDisability || f == outRegistry
		}
	}
	if o.Profile != ProfileClean {
		for f := range numDataFiles {
			s[f].crlf = true
			s[f].bom = !s[f].gbk
		}
	}
	s[outNational].header = s[outEnrollment].header
	if s[outNational].header[0] == "学籍号" {
		s[outNational].header = append([]string{"全国学籍号"}, s[outNational].header[1:]...)
	}
	s[outSchools].header = strings.Split("学校标识码,学校名称,行政区划代码,办学类型,是否寄宿", ",")
	s[outVillages].header = strings.Split("村(社区)代码,村(社区)名称", ",")
	s[outTruth].header = strings.Split(truthHeader, ",")
	for f := range numDataFiles {
		if s[f].numbered {
			s[f].header = append([]string{"序号"}, s[f].header...)
		}
	}
	return s
}

// truthHeader is the header of truth.csv (see the package documentation for the columns).
const truthHeader = "registry_row,id_number,name,birth_date,sex,region_code,status,in_window,grade,student_no,enrollment_file,school_code,poverty,poverty_type,disability,disability_level,migrant,damage"

// appendField appends one CSV field, quoted when it must be (RFC 4180, and like encoding/csv
// when it starts with a space).
func appendField(b []byte, s []byte) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for _, c := range s {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

func appendFieldString(b []byte, s string) []byte {
	if !needsQuotesString(s) {
		return append(b, s...)
	}
	return appendField(b, []byte(s))
}

func needsQuotes(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || (len(s) >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) {
		return true
	}
	for _, c := range s {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

func needsQuotesString(s string) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || strings.HasPrefix(s, "\u3000") {
		return true
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

func (s *fileStyle) eol(b []byte) []byte {
	if s.crlf {
		return append(b, '\r', '\n')
	}
	return append(b, '\n')
}

// preamble is everything above the first data row: BOM, title rows, blank rows and the header.
func (s *fileStyle) preamble() []byte {
	var b []byte
	if s.bom {
		b = append(b, 0xEF, 0xBB, 0xBF)
	}
	for _, t := range s.title {
		b = appendFieldString(b, t)
		b = s.eol(b)
	}
	for range s.blank {
		b = s.eol(b)
	}
	for i, h := range s.header {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFieldString(b, h)
	}
	return s.eol(b)
}

func (s *fileStyle) postamble() []byte {
	var b []byte
	for range s.trailing {
		b = s.eol(b)
	}
	return b
}

func appendSex(b []byte, sex uint8, numeric bool) []byte {
	switch {
	case numeric && sex == 1:
		return append(b, '1')
	case numeric:
		return append(b, '2')
	case sex == 1:
		return append(b, "男"...)
	}
	return append(b, "女"...)
}

func gradeText(g int, style int, alt bool) string {
	cn := [...]string{"", "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级"}
	switch {
	case style == 1, style == 2 && !alt:
		return cn[g]
	case style == 2 && g >= 7:
		return [...]string{"初一", "初二", "初三"}[g-7]
	}
	return strconv.Itoa(g)
}

// Disability categories (残疾类别) of the national standard GB/T 26341, with their code digits.
func disabilityCategory(c uint8, long bool) string {
	names := [...]string{"", "视力", "听力", "言语", "肢体", "智力", "精神", "多重"}
	if long {
		return names[c] + "残疾"
	}
	return names[c]
}

func disabilityLevel(l uint8, cn bool) string {
	if cn {
		return [...]string{"", "一级", "二级", "三级", "四级"}[l]
	}
	return strconv.Itoa(int(l))
}
