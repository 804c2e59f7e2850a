package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
)

func TestHeaderKeys(t *testing.T) {
	tests := []struct{ in, k1, k2 string }{
		{"姓名", "姓名", "姓名"},
		{" 姓 名 ", "姓名", "姓名"},
		{"姓名*", "姓名", "姓名"},
		{"*姓名", "姓名", "姓名"},
		{"出生日期(YYYY-MM-DD)", "出生日期yyyy-mm-dd", "出生日期"},
		{"出生日期（yyyymmdd）", "出生日期yyyymmdd", "出生日期"},
		{"村(社区)代码", "村社区代码", "村代码"},
		{"村（社区）代码", "村社区代码", "村代码"},
		{"身份证号\n(18位)", "身份证号18位", "身份证号"},
		{"身份证号【必填】", "身份证号必填", "身份证号"},
		{"ＩＤ：", "id", "id"},
		{"\ufeff序号", "序号", "序号"},
		{"公民身份号码\u3000", "公民身份号码", "公民身份号码"},
		{"", "", ""},
	}
	for _, tt := range tests {
		k1, k2 := headerKeys(tt.in)
		if k1 != tt.k1 || k2 != tt.k2 {
			t.Errorf("headerKeys(%q) = %q, %q; want %q, %q", tt.in, k1, k2, tt.k1, tt.k2)
		}
	}
}

// rowsOf builds rows from lines of "|"-separated cells, numbered from 1; an empty line is a
// blank row that a source would have skipped, so it only advances the number.
func rowsOf(lines ...string) []Row {
	var rows []Row
	for i, l := range lines {
		if l == "" {
			continue
		}
		var cells []Cell
		for _, v := range strings.Split(l, "|") {
			cells = append(cells, Cell{Value: v})
		}
		rows = append(rows, Row{Number: i + 1, Cells: cells})
	}
	return rows
}

func TestDetectHeader(t *testing.T) {
	tests := []struct {
		name       string
		kind       baoxue.DatasetKind
		rows       []Row
		overrides  map[string]string
		err        error
		msg        string // the error text contains this
		row        int
		cols       map[Field]int
		unknown    []string
		duplicates []string
	}{
		{
			name: "title, blank and unit rows above the header",
			kind: baoxue.KindRegistry,
			rows: rowsOf("2024年户籍人口花名册||||", "", "填报单位：城关区|||", "序号|姓名|公民身份号码|性别|出生日期", "1|张三|620102201403051238|男|2014-03-05"),
			row:  4, cols: map[Field]int{FieldName: 1, FieldIDNumber: 2, FieldSex: 3, FieldBirthDate: 4},
		},
		{
			name: "decorated names",
			kind: baoxue.KindRegistry,
			rows: rowsOf("姓名*|身份证号码\n(18位)|出生日期(YYYY-MM-DD)|村（社区）代码|联系电话："),
			row:  1, cols: map[Field]int{FieldName: 0, FieldIDNumber: 1, FieldBirthDate: 2, FieldRegionCode: 3, FieldPhone: 4},
		},
		{
			name: "full-width and spaces",
			kind: baoxue.KindEnrollment,
			rows: rowsOf("全国学籍号|姓　名|身份证件号|学校标识码|年级|学籍状态"),
			row:  1, cols: map[Field]int{FieldStudentNo: 0, FieldName: 1, FieldIDNumber: 2, FieldSchoolCode: 3, FieldGrade: 4, FieldStatus: 5},
		},
		{
			name:    "unknown columns are reported, 序号 is not",
			kind:    baoxue.KindRegistry,
			rows:    rowsOf("序号|姓名|身份证号|宗教信仰|文化程度|"),
			row:     1,
			cols:    map[Field]int{FieldName: 1, FieldIDNumber: 2},
			unknown: []string{"宗教信仰", "文化程度"},
		},
		{
			name:       "a second column for the same field: the first wins",
			kind:       baoxue.KindRegistry,
			rows:       rowsOf("姓名|身份证号|公民身份号码"),
			row:        1,
			cols:       map[Field]int{FieldName: 0, FieldIDNumber: 1},
			duplicates: []string{"公民身份号码"},
		},
		{
			name:      "--map names an unknown column",
			kind:      baoxue.KindRegistry,
			rows:      rowsOf("姓名|证照号|家长"),
			overrides: map[string]string{"证照号": "id_number", "家长": "监护人姓名"},
			row:       1,
			cols:      map[Field]int{FieldName: 0, FieldIDNumber: 1, FieldGuardianName: 2},
		},
		{
			name:      "--map moves a recognised column and ignores another",
			kind:      baoxue.KindRegistry,
			rows:      rowsOf("姓名|身份证号|公民身份号码"),
			overrides: map[string]string{"身份证号": "-", "公民身份号码": "id_number"},
			row:       1,
			cols:      map[Field]int{FieldName: 0, FieldIDNumber: 2},
		},
		{
			name: "disability file identified by certificate number alone",
			kind: baoxue.KindDisability,
			rows: rowsOf("姓名|残疾人证号|残疾类别|残疾等级"),
			row:  1, cols: map[Field]int{FieldName: 0, FieldCertNo: 1, FieldDisabilityCategory: 2, FieldDisabilityLevel: 3},
		},
		{
			name: "villages",
			kind: baoxue.KindVillages,
			rows: rowsOf("村（社区）代码|村（社区）名称"),
			row:  1, cols: map[Field]int{FieldRegionCode: 0, FieldName: 1},
		},
		{
			name: "missing required column",
			kind: baoxue.KindRegistry,
			rows: rowsOf("姓名|性别|出生日期"),
			err:  ErrMissingColumns,
			msg:  "缺少必需的列：公民身份号码（可用列名：公民身份号码/身份证号/身份证号码/证件号码/证件号/身份证件号/身份证件号码/公民身份证号/公民身份证号码/身份号码/身份证）；表头在第 1 行：姓名、性别、出生日期",
		},
		{
			name: "missing one of a group",
			kind: baoxue.KindDisability,
			rows: rowsOf("姓名|残疾类别|残疾等级"),
			err:  ErrMissingColumns,
			msg:  "身份证号或残疾人证号（可用列名：",
		},
		{
			name: "enrollment file imported as registry",
			kind: baoxue.KindRegistry,
			rows: rowsOf("学籍号|姓名|身份证件号|学校标识码|学校名称|年级|学籍状态"),
			err:  ErrWrongKind,
			msg:  "此文件看起来是学籍数据，而不是户籍数据",
		},
		{
			name: "registry file imported as enrollment",
			kind: baoxue.KindEnrollment,
			rows: rowsOf("姓名|公民身份号码|户号|与户主关系|人员状态|监护人姓名|监护人公民身份号码"),
			err:  ErrWrongKind,
			msg:  "此文件看起来是户籍数据，而不是学籍数据",
		},
		{
			name: "village list imported as registry",
			kind: baoxue.KindRegistry,
			rows: rowsOf("村（社区）代码|村（社区）名称"),
			err:  ErrWrongKind,
			msg:  "此文件看起来是村(社区)数据，而不是户籍数据",
		},
		{
			name: "enrollment and national are one layout",
			kind: baoxue.KindNational,
			rows: rowsOf("学籍号|姓名|身份证件号|学校标识码|学校名称|年级|学籍状态"),
			row:  1, cols: map[Field]int{FieldStudentNo: 0, FieldName: 1, FieldIDNumber: 2, FieldSchoolCode: 3, FieldSchoolName: 4, FieldGrade: 5, FieldStatus: 6},
		},
		{
			name:      "a mapped file is not second-guessed",
			kind:      baoxue.KindPoverty,
			rows:      rowsOf("姓名|公民身份号码|人员状态|监护人姓名|监护人公民身份号码|类别"),
			overrides: map[string]string{"类别": "poverty_type"},
			row:       1,
			cols:      map[Field]int{FieldName: 0, FieldIDNumber: 1, FieldPovertyType: 5},
			unknown:   []string{"人员状态", "监护人姓名", "监护人公民身份号码"},
		},
		{
			name: "no header at all",
			kind: baoxue.KindRegistry,
			rows: rowsOf("a|b|c", "1|2|3"),
			err:  ErrNoHeader,
			msg:  "前 20 行中没有户籍数据的列名（例如 姓名、公民身份号码）",
		},
		{
			name: "header below the window",
			kind: baoxue.KindRegistry,
			rows: rowsOf(strings.Split(strings.Repeat("说明|||\n", 20)+"姓名|身份证号", "\n")...),
			err:  ErrNoHeader,
		},
		{
			name:      "--map to an unknown field",
			kind:      baoxue.KindRegistry,
			rows:      rowsOf("姓名|身份证号"),
			overrides: map[string]string{"身份证号": "学号"},
			err:       ErrBadMap,
			msg:       "“学号”不是户籍数据的字段",
		},
		{
			name:      "--map of a column the header lacks",
			kind:      baoxue.KindRegistry,
			rows:      rowsOf("姓名|身份证号"),
			overrides: map[string]string{"证件号": "id_number"},
			err:       ErrBadMap,
			msg:       "第 1 行的表头中没有“证件号”列",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := DetectHeader(tt.kind, tt.rows, tt.overrides)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("got %v, want %v containing %q", err, tt.err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Row != tt.row {
				t.Errorf("row %d, want %d", h.Row, tt.row)
			}
			if len(h.Columns) != len(tt.cols) {
				t.Errorf("columns %v, want %v", h.Columns, tt.cols)
			}
			for f, i := range tt.cols {
				if h.Index(f) != i {
					t.Errorf("%s at %d, want %d (%v)", f, h.Index(f), i, h.Columns)
				}
			}
			if strings.Join(h.Unknown, ",") != strings.Join(tt.unknown, ",") {
				t.Errorf("unknown %q, want %q", h.Unknown, tt.unknown)
			}
			if strings.Join(h.Duplicates, ",") != strings.Join(tt.duplicates, ",") {
				t.Errorf("duplicates %q, want %q", h.Duplicates, tt.duplicates)
			}
		})
	}
}

// TestSchemasConsistent guards the synonym tables: within a kind no header text may mean two
// fields, and every required field exists.
func TestSchemasConsistent(t *testing.T) {
	for _, s := range schemas {
		seen := map[string]Field{}
		for _, c := range s.Columns {
			for _, syn := range append([]string{c.Label}, c.Synonyms...) {
				k, _ := headerKeys(syn)
				if f, ok := seen[k]; ok && f != c.Field {
					t.Errorf("%s: %q means both %s and %s", s.Kind, syn, f, c.Field)
				}
				seen[k] = c.Field
			}
		}
		for _, g := range s.Required {
			for _, f := range g {
				if _, ok := s.Column(f); !ok {
					t.Errorf("%s: required %s has no column", s.Kind, f)
				}
			}
		}
	}
	for _, k := range baoxue.DatasetKinds {
		if _, ok := SchemaOf(baoxue.DatasetKind(k.ID)); !ok {
			t.Errorf("no schema for kind %s", k.ID)
		}
	}
}

func FuzzDetectHeader(f *testing.F) {
	f.Add("registry", "标题||\n\n序号|姓名|公民身份号码|性别\n1|张三|620102201403051238|男", "")
	f.Add("enrollment", "学籍号|姓名|身份证件号|学校标识码|年级", "证件=id_number")
	f.Add("disability", "姓名（必填）|残疾人证号【20位】|残疾类别", "")
	f.Add("villages", "村(社区)代码|名称\n620102001001|东岗村", "名称=-")
	f.Add("registry", "(|)|【】|*|\x00|\xff\xfe", "(=)")
	f.Fuzz(func(t *testing.T, kind, table, mapping string) {
		var rows []Row
		for i, line := range strings.Split(table, "\n") {
			var cells []Cell
			for _, v := range strings.Split(line, "|") {
				cells = append(cells, Cell{Value: v})
			}
			rows = append(rows, Row{Number: i + 1, Cells: cells})
		}
		overrides := map[string]string{}
		for _, kv := range strings.Split(mapping, ";") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				overrides[k] = v
			}
		}
		h, err := DetectHeader(baoxue.DatasetKind(kind), rows, overrides)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		// A header found must point inside its row and satisfy the kind's requirements.
		schema, _ := SchemaOf(baoxue.DatasetKind(kind))
		for f, i := range h.Columns {
			if i < 0 || i >= len(h.Names) {
				t.Errorf("field %s at column %d of %d", f, i, len(h.Names))
			}
		}
		for _, g := range schema.Required {
			ok := false
			for _, f := range g {
				ok = ok || h.Index(f) >= 0
			}
			if !ok {
				t.Errorf("header %v lacks required %v", h.Columns, g)
			}
		}
	})
}
