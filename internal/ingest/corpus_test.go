package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/normalize"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// The import corpus (issue 3, "Done when", first point): files that import with exactly the
// accepted/rejected counts and problem codes pinned in testdata/golden/import/*.txt.
//
//   - testdata/corpus/hard: `baoxue gen --scale 1000 --seed 1 --profile hard --out DIR` (GBK,
//     title and blank rows above the header, header synonyms, Excel damage), committed as
//     generated (truth.csv left out).
//   - testdata/corpus/xlsx: registry and 学籍 of `baoxue gen --scale 1000 --seed 3 --profile hard
//     --format xlsx`: title rows in a sheet, IDs Excel turned into numbers.
//   - testdata/corpus/edge: hand-made cases, written by TestWriteCorpus (-update) from the tables
//     below: every problem code of internal/normalize, internal/idcard and this package at least
//     once (TestCorpusCoversEveryCode checks it), and the ID forms that must be accepted.
//   - testdata/registry_libreoffice.xlsx: written by LibreOffice from CSV (see fixtures_test.go),
//     with the 18-digit IDs it turned into numbers.
//
// The files are imported in this order into one store (SQLite, and PostgreSQL when configured);
// registry_update.csv comes after registry_edge.csv so that DUPLICATE_ID_DATASET is exercised.
// go test ./internal/ingest -run TestCorpus -update rewrites the golden files; review the diff.
var corpus = []struct {
	file string
	kind baoxue.DatasetKind
}{
	{"corpus/hard/villages.csv", baoxue.KindVillages},
	{"corpus/hard/schools.csv", baoxue.KindSchools},
	{"corpus/hard/registry.csv", baoxue.KindRegistry},
	{"corpus/hard/enrollment.csv", baoxue.KindEnrollment},
	{"corpus/hard/national.csv", baoxue.KindNational},
	{"corpus/hard/poverty.csv", baoxue.KindPoverty},
	{"corpus/hard/disability.csv", baoxue.KindDisability},
	{"corpus/xlsx/registry.xlsx", baoxue.KindRegistry},
	{"corpus/xlsx/enrollment.xlsx", baoxue.KindEnrollment},
	{"registry_libreoffice.xlsx", baoxue.KindRegistry},
	{"corpus/edge/registry_edge.csv", baoxue.KindRegistry},
	{"corpus/edge/registry_update.csv", baoxue.KindRegistry},
	{"corpus/edge/enrollment_edge.csv", baoxue.KindEnrollment},
	{"corpus/edge/poverty_edge.csv", baoxue.KindPoverty},
	{"corpus/edge/disability_edge.csv", baoxue.KindDisability},
	{"corpus/edge/disability_certonly.csv", baoxue.KindDisability},
	{"corpus/edge/schools_edge.csv", baoxue.KindSchools},
	{"corpus/edge/villages_edge.csv", baoxue.KindVillages},
}

// corpusToday is the date the corpus is imported on (the generator's as-of date).
var corpusToday = baoxue.MakeDate(2026, 9, 1)

// goldenSummary renders what an import found: the counts, the codes, and every problem with its
// row, column, severity, code and masked value (messages are left out: their wording may
// improve without changing what was found).
func goldenSummary(kind baoxue.DatasetKind, s *Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind %s\nheader_row %d\nrows %d\naccepted %d\nrejected %d\nwarnings %d\nstored %d\n",
		kind, s.HeaderRow, s.Rows, s.Accepted, s.Rejected, s.Warnings, s.Stored)
	codes := make([]string, 0, len(s.ErrorsByCode))
	for c := range s.ErrorsByCode {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(&b, "code %s %d\n", c, s.ErrorsByCode[c])
	}
	if len(s.UnknownColumns) > 0 {
		fmt.Fprintf(&b, "unknown_columns %s\n", strings.Join(s.UnknownColumns, " | "))
	}
	for _, p := range s.Problems {
		sev := "error"
		if p.Warning {
			sev = "warning"
		}
		fmt.Fprintf(&b, "row %d | %s | %s %s | %s\n", p.Row, p.Column, sev, p.Code, p.Value)
	}
	return b.String()
}

func goldenName(file string) string {
	return filepath.Join("testdata", "golden", "import", strings.ReplaceAll(file, "/", "_")+".txt")
}

// TestCorpus imports the corpus and compares each summary with its golden file.
func TestCorpus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opts := importOptions(t)
		opts.Today, opts.Report, opts.MaxProblems = corpusToday, "-", 1_000_000
		for _, c := range corpus {
			s, err := Import(ctx, db, filepath.Join("testdata", c.file), c.kind, opts)
			if err != nil {
				t.Fatalf("%s: %v", c.file, err)
			}
			got := goldenSummary(c.kind, s)
			golden := goldenName(c.file)
			if *update && db.Dialect() == "sqlite" {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", c.file, golden, lineDiff(string(want), got))
			}
		}
	})
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestCorpusCoversEveryCode: every problem code the parsers and the importer can produce
// appears in at least one golden file, so the corpus pins each of them.
func TestCorpusCoversEveryCode(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range corpus {
		data, err := os.ReadFile(goldenName(c.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "code" {
				seen[f[1]] = true
			}
		}
	}
	var codes []string
	for _, ci := range normalize.Codes() {
		codes = append(codes, ci.Code)
	}
	for c := idcard.ErrEmpty; c <= idcard.ErrPrecisionLost; c++ {
		codes = append(codes, c.String())
	}
	codes = append(codes, CodeDuplicateID, CodeBirthMismatch, CodeValueEmpty, CodeVillageCode, CodeDuplicateDataset)
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("no corpus file produces %s", c)
		}
	}
}

// Hand-made edge cases. Each row's comment says what it exercises. IDs are built with a valid
// check digit unless the row is about the ID.
func edgeID(birth, seq string) string { return testID("622921", birth, seq) }

// badCheck returns id with a wrong check character.
func badCheck(id string) string {
	c := byte('0')
	if id[17] == '0' {
		c = '1'
	}
	return id[:17] + string(c)
}

// idEndingInX returns a valid ID born on birth whose check character is X.
func idEndingInX(birth string) string {
	for seq := 100; ; seq++ {
		if id := edgeID(birth, fmt.Sprint(seq)); id[17] == 'X' {
			return id
		}
	}
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == 'X' {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func registryEdge() [][]string {
	h := []string{"序号", "姓名", "公民身份号码", "性别", "出生日期", "民族", "户号", "与户主关系", "户籍地址", "行政区划代码", "人员状态", "监护人姓名", "监护人公民身份号码", "联系电话"}
	g := edgeID("19850612", "031")
	row := func(name, id, sex, birth string) []string {
		return []string{"", name, id, sex, birth, "汉族", "292110000001", "子", "临夏县韩集镇1号", "622921100001", "正常", "张大山", g, "13800138000"}
	}
	set := func(r []string, col int, v string) []string { r[col] = v; return r }
	rows := [][]string{
		row("张三", edgeID("20150305", "123"), "男", "2015-03-05"),                    // clean
		row("无", edgeID("20150306", "123"), "男", "2015-03-06"),                     // NAME_EMPTY
		row("张3", edgeID("20150307", "123"), "男", "2015-03-07"),                    // NAME_DIGITS
		row(strings.Repeat("张", 31), edgeID("20150308", "123"), "男", "2015-03-08"), // NAME_LENGTH
		row("张(三)", edgeID("20150309", "123"), "男", "2015-03-09"),                  // NAME_CHARS
		row("Zhang San", edgeID("20150310", "123"), "男", "2015-03-10"),             // NAME_LATIN
		row("ئەخمەت", edgeID("20150311", "123"), "男", "2015-03-11"),                // NAME_SCRIPT
		row("阿卜杜拉?买买提", edgeID("20150312", "123"), "男", "2015-03-12"),              // NAME_LOST_DOT
		row("古丽•艾合买提", edgeID("20150313", "222"), "女", "2015-03-13"),               // middle dot unified, no problem
		row("李四", edgeID("20150314", "123"), "3", "2015-03-14"),                    // SEX_INVALID
		row("李五", edgeID("20150315", "123"), "女", "2015-03-15"),                    // SEX_MISMATCH
		row("李六", edgeID("20150316", "123"), "1", "20150316"),                      // sex as 1, date compact
		row("王一", edgeID("20150317", "123"), "男", "2015-02-30"),                    // DATE_INVALID
		row("王二", edgeID("20150318", "123"), "男", "2031-03-18"),                    // DATE_FUTURE
		row("王三", edgeID("20150319", "123"), "男", "1899-03-19"),                    // DATE_RANGE
		row("王四", edgeID("20150320", "123"), "男", "2015-03-21"),                    // BIRTH_MISMATCH
		row("王五", edgeID("20150321", "123"), "男", "2015年3月21日"),                    // date in Chinese
		row("王六", edgeID("20150322", "123"), "男", "42085"),                         // Excel serial 2015-03-22
		set(row("赵一", edgeID("20150323", "123"), "男", "2015/3/23"), 9, "62292110"), // REGION_FORMAT
		set(row("赵二", edgeID("20150324", "123"), "男", ""), 9, "622921999001"),      // REGION_UNKNOWN
		set(row("赵三", edgeID("20150325", "123"), "男", ""), 9, "620000"),            // REGION_LEVEL
		set(row("赵四", edgeID("20150326", "123"), "男", ""), 13, "1380013800"),       // PHONE_FORMAT
		set(row("赵五", edgeID("20150327", "123"), "男", ""), 10, "待核"),               // STATUS_UNKNOWN (warning)
		set(row("赵六", edgeID("20150328", "123"), "男", ""), 7, "邻居家孩子"),             // RELATION_UNKNOWN
		set(row("钱一", edgeID("20150329", "123"), "男", ""), 5, "火星族"),               // ETHNICITY_UNKNOWN
		set(row("钱二", edgeID("20150330", "123"), "男", ""), 12, badCheck(g)),        // guardian ID_CHECKSUM (warning)
		row("孙一", "", "男", "2015-04-01"),                                           // ID_EMPTY, kept
		row("孙二", "62292120150402", "男", "2015-04-02"),                             // ID_FORMAT
		row("孙三", badCheck(edgeID("20150403", "123")), "男", "2015-04-03"),          // ID_CHECKSUM
		row("孙四", testID("622921", "20150231", "123"), "男", ""),                    // ID_BIRTHDATE
		row("孙五", testID("990101", "20150405", "123"), "男", "2015-04-05"),          // ID_REGION
		row("孙六", "6.22921201504061E+17", "男", "2015-04-06"),                       // ID_PRECISION_LOST
		row("周一", " '"+edgeID("20150407", "123")+" ", "男", ""),                     // apostrophe and blanks: accepted
		row("周二", fullWidth(edgeID("20150408", "123")), "男", ""),                   // full-width digits: accepted
		row("周三", strings.ToLower(idEndingInX("20150409")), "男", ""),               // lower-case x: accepted
		row("周四", "622921800101123", "男", "1980-01-01"),                            // 15-digit legacy ID, an adult
		row("张三", edgeID("20150305", "123"), "男", "2015-03-05"),                    // DUPLICATE_ID (row 1)
		row("吴老大", edgeID("19700101", "011"), "男", "1970-01-01"),                   // an adult: counted, not stored
		{"", "", "", "", "", "", "", "", "", "", "", "", "", ""},                   // blank row: not counted
	}
	for i := range rows {
		if rows[i][1] != "" || rows[i][2] != "" {
			rows[i][0] = fmt.Sprint(i + 1)
		}
	}
	return append([][]string{{"边界用例：户籍（每行一种问题）"}, h}, rows...)
}

func registryUpdate() [][]string {
	h := []string{"姓名", "公民身份号码", "人员状态"}
	return [][]string{h,
		{"张三", edgeID("20150305", "123"), "迁出"}, // DUPLICATE_ID_DATASET, status changed
		{"李六", edgeID("20150316", "123"), "正常"}, // DUPLICATE_ID_DATASET
		{"新生", edgeID("20160101", "123"), "正常"}, // new
		{"孙一", "", "正常"},                        // no ID: nothing to look up
	}
}

func enrollmentEdge() [][]string {
	h := []string{"学籍号", "姓名", "身份证件号", "性别", "出生日期", "学校标识码", "学校名称", "年级", "学籍状态", "是否送教上门"}
	id := func(d string) string { return edgeID(d, "123") }
	row := func(d, grade, status, home string) []string {
		day := int(d[6]-'0')*10 + int(d[7]-'0')
		name := "学" + string([]rune("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸")[day%20])
		return []string{"G" + id(d), name, id(d), "男", "", "2622921001", "韩集镇中心小学", grade, status, home}
	}
	set := func(r []string, col int, v string) []string { r[col] = v; return r }
	return [][]string{{"边界用例：学籍"}, {}, h,
		row("20150305", "三年级", "在读", "否"),                              // clean
		row("20150306", "初一", "在校", "是"),                               // grade 初一, 在校, home taught
		row("20150307", "七年级", "转出", "0"),                              // 七年级, 转出
		row("20150308", "3", "休学", ""),                                 // digit grade
		set(row("20150309", "二年级", "在读", "否"), 0, "X123"),              // STUDENT_NO_FORMAT
		set(row("20150310", "二年级", "在读", "否"), 5, "262292100"),         // SCHOOL_CODE_FORMAT
		row("20150311", "十年级", "在读", "否"),                              // GRADE_INVALID
		row("20150312", "二年级", "待定中", "否"),                             // STATUS_UNKNOWN (error)
		row("20150313", "二年级", "", "否"),                                // VALUE_EMPTY
		row("20150314", "二年级", "在读", "偶尔"),                             // YESNO_INVALID
		set(row("20150315", "二年级", "在读", "否"), 2, ""),                  // ID_EMPTY with a student number: warning
		set(set(row("20150316", "二年级", "在读", "否"), 2, ""), 0, ""),      // ID_EMPTY without one: error
		row("20150305", "四年级", "在读", "否"),                              // DUPLICATE_ID: transferred pupil, kept
		set(row("20150317", "二年级", "毕业", "否"), 4, "2015-03-18"),        // BIRTH_MISMATCH
		set(row("20150318", "二年级", "辍学", "否"), 1, "=HYPERLINK(\"x\")"), // NAME_CHARS, formula-like
	}
}

func povertyEdge() [][]string {
	h := []string{"户编号", "姓名", "证件号码", "与户主关系", "人口类型", "行政区划代码"}
	return [][]string{h,
		{"P001", "马一", edgeID("19800101", "011"), "户主", "脱贫户", "622921100001"},
		{"P001", "马二", edgeID("20150305", "124"), "之子", "脱贫户", "622921100001"},
		{"P002", "马三", edgeID("20150306", "124"), "长女", "一般户", "622921100001"},      // POVERTY_TYPE_UNKNOWN
		{"P002", "马四", edgeID("20150307", "124"), "孙子", "边缘户", "6.22921100001E+11"}, // REGION_FORMAT (scientific)
		{"P002", "马四", edgeID("20150307", "124"), "孙子", "边缘户", "622921100001"},      // DUPLICATE_ID: not stored
	}
}

func disabilityEdge() [][]string {
	h := []string{"姓名", "身份证号", "残疾人证号", "残疾类别", "残疾等级"}
	a, b := edgeID("20150305", "125"), edgeID("20150306", "125")
	return [][]string{h,
		{"韩一", a, a + "43", "智力", "三级"},
		{"韩二", b, b + "11", "8", "五级"},                          // DISABILITY_CATEGORY, DISABILITY_LEVEL
		{"韩三", edgeID("20150307", "125"), "123", "肢体", "二级"},    // DISABILITY_CERT_FORMAT
		{"韩四", edgeID("20150308", "125"), a + "42", "肢体", "二级"}, // cert of another person: DISABILITY_CERT_FORMAT
		{"韩五", "", edgeID("20150309", "125") + "21", "", ""},    // ID from the certificate
	}
}

func disabilityCertOnly() [][]string {
	h := []string{"姓名", "残疾人证号", "残疾类别"}
	return [][]string{h,
		{"韩六", edgeID("20150310", "125") + "14", ""},             // category and level from the certificate
		{"韩七", "", "视力"},                                         // VALUE_EMPTY
		{"韩八", "62292120150311", "视力"},                           // DISABILITY_CERT_FORMAT as an error
		{"韩九", badCheck(edgeID("20150312", "125")) + "14", "视力"}, // ID_CHECKSUM inside the certificate
	}
}

func schoolsEdge() [][]string {
	h := []string{"学校标识码", "学校名称", "行政区划代码", "办学类型", "是否寄宿制"}
	return [][]string{h,
		{"2622921001", "韩集镇中心小学", "622921100", "小学", "否"},
		{"262292100", "坏代码小学", "622921100", "小学", "否"},   // SCHOOL_CODE_FORMAT
		{"", "无代码小学", "622921100", "小学", "否"},            // VALUE_EMPTY
		{"2622921002", "", "622921100", "初中", "是"},       // VALUE_EMPTY
		{"2622921003", "某寄宿学校", "622921100", "初中", "偶尔"}, // YESNO_INVALID
	}
}

func villagesEdge() [][]string {
	h := []string{"村(社区)代码", "村(社区)名称"}
	return [][]string{h,
		{"622921100001", "建设社区"},
		{"622921100", "韩集镇"}, // VILLAGE_CODE
		{"", "无码村"},          // VALUE_EMPTY
		{"622921100201", ""}, // VALUE_EMPTY
	}
}

// TestWriteCorpus writes the hand-made corpus files (with -update).
func TestWriteCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the corpus")
	}
	dir := filepath.Join("testdata", "corpus", "edge")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, recs := range map[string][][]string{
		"registry_edge.csv": registryEdge(), "registry_update.csv": registryUpdate(), "enrollment_edge.csv": enrollmentEdge(),
		"poverty_edge.csv": povertyEdge(), "disability_edge.csv": disabilityEdge(), "disability_certonly.csv": disabilityCertOnly(),
		"schools_edge.csv": schoolsEdge(), "villages_edge.csv": villagesEdge(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(csvText(recs, ",", "\r\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
