package ingest

import (
	"strconv"

	"github.com/baoxue/baoxue"
)

// Field is a column's meaning, independent of how a file names it. Its String is the identifier
// used by --map and in messages ("id_number"); being a small integer, it indexes arrays on the
// per-row path.
type Field uint8

// Fields of the input files (DESIGN §7). One field can carry a different Chinese name per kind
// (FieldStatus is 人员状态 in the registry, 学籍状态 in an enrollment file).
const (
	FieldName Field = iota + 1
	FieldIDNumber
	FieldSex
	FieldBirthDate
	FieldEthnicity
	FieldHouseholdNo
	FieldRelation
	FieldAddress
	FieldRegionCode
	FieldStatus
	FieldGuardianName
	FieldGuardianID
	FieldPhone
	FieldStudentNo
	FieldSchoolCode
	FieldSchoolName
	FieldGrade
	FieldHomeTaught
	FieldPovertyType
	FieldCertNo
	FieldDisabilityCategory
	FieldDisabilityLevel
	FieldSchoolKind
	FieldBoarding
	numFields
)

var fieldNames = [numFields]string{"", "name", "id_number", "sex", "birth_date", "ethnicity", "household_no",
	"relation", "address", "region_code", "status", "guardian_name", "guardian_id", "phone", "student_no",
	"school_code", "school_name", "grade", "home_taught", "poverty_type", "cert_no", "disability_category",
	"disability_level", "school_kind", "boarding"}

// String returns the field's identifier.
func (f Field) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// FieldByName returns the field with this identifier.
func FieldByName(name string) (Field, bool) {
	for f := FieldName; f < numFields; f++ {
		if fieldNames[f] == name {
			return f, true
		}
	}
	return 0, false
}

// Column describes one field of a kind: its name in messages, the header texts that mean it
// (compared after normaliseHeader), and whether it is characteristic of the kind — present in
// its files and rare in the others — which is how a file of the wrong kind is recognised.
type Column struct {
	Field    Field
	Label    string
	Synonyms []string
	Typical  bool
}

// Schema is what a file of one kind must and may contain.
type Schema struct {
	Kind    baoxue.DatasetKind
	Label   string // 户籍, 学籍, … for messages
	Columns []Column
	// Required lists groups of fields; each group needs at least one of its fields present
	// (a disability file may identify people by 身份证号 or by 残疾人证号).
	Required [][]Field
}

// Column returns the column of a field, and whether the kind has it.
func (s *Schema) Column(f Field) (Column, bool) {
	for _, c := range s.Columns {
		if c.Field == f {
			return c, true
		}
	}
	return Column{}, false
}

// Synonym lists shared by several kinds.
var (
	synName       = []string{"姓名", "人员姓名", "名字"}
	synIDNumber   = []string{"公民身份号码", "身份证号", "身份证号码", "证件号码", "证件号", "身份证件号", "身份证件号码", "公民身份证号", "公民身份证号码", "身份号码", "身份证"}
	synSex        = []string{"性别"}
	synBirth      = []string{"出生日期", "出生年月日", "出生年月", "生日"}
	synRegionCode = []string{"行政区划代码", "区划代码", "村(社区)代码", "村代码", "社区代码", "统计用区划代码", "户籍地区划代码", "行政区划"}
	synRelation   = []string{"与户主关系", "与户主的关系", "家庭关系", "关系"}
	synHousehold  = []string{"户号", "户编号", "户码"}
)

// ignoredHeaders are columns every Chinese table has and nobody imports, and the columns the
// error report adds (so a corrected report can be imported as it is): they are neither
// mapped nor reported as unknown.
var ignoredHeaders = []string{"序号", ReportColRow, ReportColMessage, ReportColCode}

// schemas are the input kinds (DESIGN §7), in the order kinds are compared.
var schemas = []Schema{
	{
		Kind: baoxue.KindRegistry, Label: "户籍",
		Required: [][]Field{{FieldName}, {FieldIDNumber}},
		Columns: []Column{
			{Field: FieldName, Label: "姓名", Synonyms: synName},
			{Field: FieldIDNumber, Label: "公民身份号码", Synonyms: synIDNumber},
			{Field: FieldSex, Label: "性别", Synonyms: synSex},
			{Field: FieldBirthDate, Label: "出生日期", Synonyms: synBirth},
			{Field: FieldEthnicity, Label: "民族", Synonyms: []string{"民族"}},
			{Field: FieldHouseholdNo, Label: "户号", Synonyms: synHousehold},
			{Field: FieldRelation, Label: "与户主关系", Synonyms: synRelation},
			{Field: FieldAddress, Label: "户籍地址", Synonyms: []string{"户籍地址", "住址", "户籍地详址", "户籍详址", "家庭住址", "详细地址", "地址"}},
			{Field: FieldRegionCode, Label: "行政区划代码", Synonyms: synRegionCode},
			{Field: FieldStatus, Label: "人员状态", Synonyms: []string{"人员状态", "户口状态", "户籍状态"}, Typical: true},
			{Field: FieldGuardianName, Label: "监护人姓名", Synonyms: []string{"监护人姓名", "监护人"}, Typical: true},
			{Field: FieldGuardianID, Label: "监护人公民身份号码", Synonyms: []string{"监护人公民身份号码", "监护人身份证号", "监护人身份证号码", "监护人证件号码"}, Typical: true},
			{Field: FieldPhone, Label: "联系电话", Synonyms: []string{"联系电话", "手机号码", "手机号", "联系方式", "电话", "电话号码", "监护人联系电话", "监护人电话"}},
		},
	},
	enrollmentSchema(baoxue.KindEnrollment, "学籍"),
	enrollmentSchema(baoxue.KindNational, "全国学籍"),
	{
		Kind: baoxue.KindPoverty, Label: "脱贫户/监测对象",
		Required: [][]Field{{FieldName}, {FieldIDNumber}},
		Columns: []Column{
			{Field: FieldHouseholdNo, Label: "户编号", Synonyms: synHousehold},
			{Field: FieldName, Label: "姓名", Synonyms: synName},
			{Field: FieldIDNumber, Label: "证件号码", Synonyms: synIDNumber},
			{Field: FieldRelation, Label: "与户主关系", Synonyms: synRelation},
			{Field: FieldPovertyType, Label: "人口类型", Synonyms: []string{"人口类型", "脱贫属性", "监测对象类型", "户类型", "贫困户属性", "脱贫户属性", "监测对象类别"}, Typical: true},
			{Field: FieldRegionCode, Label: "行政区划代码", Synonyms: synRegionCode},
		},
	},
	{
		Kind: baoxue.KindDisability, Label: "残疾人",
		Required: [][]Field{{FieldName}, {FieldIDNumber, FieldCertNo}},
		Columns: []Column{
			{Field: FieldName, Label: "姓名", Synonyms: synName},
			{Field: FieldIDNumber, Label: "身份证号", Synonyms: synIDNumber},
			{Field: FieldCertNo, Label: "残疾人证号", Synonyms: []string{"残疾人证号", "残疾证号", "残疾人证号码", "残疾证号码"}, Typical: true},
			{Field: FieldDisabilityCategory, Label: "残疾类别", Synonyms: []string{"残疾类别", "残疾类型", "残疾种类"}, Typical: true},
			{Field: FieldDisabilityLevel, Label: "残疾等级", Synonyms: []string{"残疾等级", "残疾级别"}, Typical: true},
		},
	},
	{
		Kind: baoxue.KindSchools, Label: "学校",
		Required: [][]Field{{FieldSchoolCode}, {FieldName}},
		Columns: []Column{
			{Field: FieldSchoolCode, Label: "学校标识码", Synonyms: []string{"学校标识码", "学校代码", "学校识别码", "标识码"}},
			{Field: FieldName, Label: "学校名称", Synonyms: []string{"学校名称", "学校", "名称"}},
			{Field: FieldRegionCode, Label: "行政区划代码", Synonyms: []string{"行政区划代码", "区划代码", "所在地区划代码", "所属区划代码", "学校所在地区划代码"}},
			{Field: FieldSchoolKind, Label: "办学类型", Synonyms: []string{"办学类型", "学校类型", "学校类别", "类型"}, Typical: true},
			{Field: FieldBoarding, Label: "是否寄宿制", Synonyms: []string{"是否寄宿制", "是否寄宿", "寄宿制", "寄宿制学校"}, Typical: true},
		},
	},
	{
		Kind: baoxue.KindVillages, Label: "村(社区)",
		Required: [][]Field{{FieldRegionCode}, {FieldName}},
		Columns: []Column{
			{Field: FieldRegionCode, Label: "村(社区)代码", Synonyms: []string{"村(社区)代码", "村代码", "社区代码", "行政区划代码", "区划代码", "统计用区划代码", "代码"}},
			{Field: FieldName, Label: "村(社区)名称", Synonyms: []string{"村(社区)名称", "村名称", "村名", "社区名称", "村(社区)", "名称"}},
		},
	},
}

func enrollmentSchema(kind baoxue.DatasetKind, label string) Schema {
	return Schema{
		Kind: kind, Label: label,
		Required: [][]Field{{FieldName}, {FieldIDNumber}},
		Columns: []Column{
			{Field: FieldStudentNo, Label: "学籍号", Synonyms: []string{"学籍号", "全国学籍号", "全国学籍号码", "学籍号码", "学号"}, Typical: true},
			{Field: FieldName, Label: "姓名", Synonyms: append([]string{"学生姓名"}, synName...)},
			{Field: FieldIDNumber, Label: "身份证件号", Synonyms: synIDNumber},
			{Field: FieldSex, Label: "性别", Synonyms: synSex},
			{Field: FieldBirthDate, Label: "出生日期", Synonyms: synBirth},
			{Field: FieldSchoolCode, Label: "学校标识码", Synonyms: []string{"学校标识码", "学校代码", "学校识别码"}, Typical: true},
			{Field: FieldSchoolName, Label: "学校名称", Synonyms: []string{"学校名称", "就读学校", "学校"}, Typical: true},
			{Field: FieldGrade, Label: "年级", Synonyms: []string{"年级", "年级名称", "所在年级", "就读年级"}, Typical: true},
			{Field: FieldStatus, Label: "学籍状态", Synonyms: []string{"学籍状态", "学生状态", "在校状态", "就读状态"}, Typical: true},
			{Field: FieldHomeTaught, Label: "是否送教上门", Synonyms: []string{"是否送教上门", "送教上门"}, Typical: true},
		},
	}
}

// SchemaOf returns the schema of a kind.
func SchemaOf(kind baoxue.DatasetKind) (*Schema, bool) {
	for i := range schemas {
		if schemas[i].Kind == kind {
			return &schemas[i], true
		}
	}
	return nil, false
}

// siblings are kinds with the same layout, never mistaken for one another.
func siblings(a, b baoxue.DatasetKind) bool {
	en := func(k baoxue.DatasetKind) bool { return k == baoxue.KindEnrollment || k == baoxue.KindNational }
	return a == b || en(a) && en(b)
}
