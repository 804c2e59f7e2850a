package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/xuri/excelize/v2"
)

func sampleEntries() []baoxue.LedgerEntry {
	return []baoxue.LedgerEntry{
		{SourceRow: 3, IDNumber: "622921201403050011", Name: "马小龙", Sex: baoxue.Male, BirthDate: "2014-03-05",
			RegionCode: "622921101201", Status: baoxue.StatusEnrolled, MatchMethod: baoxue.MatchIDExact, MatchScore: 1,
			MatchedStudentNo: "G622921201403050011", SchoolCode: "2622921001", SchoolName: "临夏县第一小学", PriorityGroups: []string{}},
		{SourceRow: 5, IDNumber: "622921201205060022", Name: "=HYPERLINK(\"x\")", Sex: baoxue.Female, BirthDate: "2012-05-06",
			RegionCode: "622921100201", Status: baoxue.StatusSuspected, Detail: "学籍状态为辍学（临夏县第一初级中学，七年级，辍学）",
			MatchMethod: baoxue.MatchIDExact, MatchScore: 1, MatchedStudentNo: "G622921201205060022", SchoolCode: "2622921003",
			SchoolName: "临夏县第一初级中学", Poverty: true, PovertyType: "脱贫户", PriorityGroups: []string{"poor"}},
		{SourceRow: 8, IDNumber: "6.22921201103051E+17", Name: "古丽·艾合买提", Sex: baoxue.Female, BirthDate: "2011-03-05",
			RegionCode: "622921101202", Status: baoxue.StatusInvalidID, Detail: "户籍身份证号无效：…", MatchMethod: baoxue.MatchNone,
			Disability: "智力残疾二级", PriorityGroups: []string{"disabled"}},
		{SourceRow: 9, IDNumber: "622921201509090033", Name: "张伟", Sex: baoxue.Male, BirthDate: "2015-09-09",
			RegionCode: "622921100202", Status: baoxue.StatusReview, Detail: "疑似学籍记录…", MatchMethod: baoxue.MatchFuzzy,
			MatchScore: 0.87, MatchedStudentNo: "L201509090001", PriorityGroups: []string{}},
		{SourceRow: 12, IDNumber: "622921201601010044", Name: "李娜", Sex: baoxue.Female, BirthDate: "2016-01-01",
			RegionCode: "", Status: baoxue.StatusSuspected, Detail: "未找到学籍", MatchMethod: baoxue.MatchNone, PriorityGroups: []string{}},
	}
}

func writeAll(t *testing.T, path string, opts Options, entries []baoxue.LedgerEntry) {
	t.Helper()
	w, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if err := w.Add(&entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists before Commit", path)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Abort() // harmless after Commit
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func places(code string) string {
	return map[string]string{"622921": "临夏县", "622921100": "城关镇", "622921101": "尹集镇", "622921101201": "大庄村"}[code]
}

func TestJSONL(t *testing.T) {
	dir := t.TempDir()
	entries := sampleEntries()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	writeAll(t, a, Options{}, entries)
	writeAll(t, b, Options{}, entries)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if !bytes.Equal(da, db) {
		t.Fatal("same entries, different bytes")
	}
	sc := bufio.NewScanner(bytes.NewReader(da))
	var got []baoxue.LedgerEntry
	for sc.Scan() {
		var e baoxue.LedgerEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if !reflect.DeepEqual(got, entries) {
		t.Fatalf("round trip:\n%+v\n%+v", got, entries)
	}
	// Field names and order are the contract of DESIGN §8.
	first := strings.SplitN(string(da), "\n", 2)[0]
	var keys []string
	dec := json.NewDecoder(strings.NewReader(first))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		dec.Decode(&v)
	}
	want := "source_row id_number name sex birth_date region_code status detail match_method match_score matched_student_no school_code school_name poverty poverty_type disability priority_groups"
	if strings.Join(keys, " ") != want {
		t.Errorf("fields %v", keys)
	}
	if !strings.Contains(first, `"priority_groups":[]`) {
		t.Errorf("empty priority groups not an array: %s", first)
	}
	if !strings.Contains(string(da), `"name":"=HYPERLINK(\"x\")"`) {
		t.Errorf("jsonl must keep values verbatim")
	}
}

func TestCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.csv")
	writeAll(t, path, Options{}, sampleEntries())
	data, _ := os.ReadFile(path)
	if !bytes.HasPrefix(data, []byte("\uFEFF户籍行号,公民身份号码,姓名,")) {
		t.Fatalf("no BOM and Chinese header: %q", data[:40])
	}
	lines := strings.Split(string(data), "\r\n")
	if len(lines) != 7 || lines[6] != "" {
		t.Fatalf("want 6 CRLF lines, got %q", lines)
	}
	for _, want := range []string{
		"3,\"\t622921201403050011\",马小龙,男,2014-03-05,\"\t622921101201\",本地在读,,身份证号一致,1,G622921201403050011,\"\t2622921001\",临夏县第一小学,否,,,\r\n",
		`5,"	622921201205060022","'=HYPERLINK(""x"")",女,`,
		"8,\"\t6.22921201103051E+17\",古丽·艾合买提,女,2011-03-05,\"\t622921101202\",身份证号无效,户籍身份证号无效：…,未匹配,,,,,否,,智力残疾二级,残疾\r\n",
		"待人工确认,疑似学籍记录…,姓名等信息比对,0.87,",
		",脱贫户,,脱贫户/监测户",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("csv lacks %q:\n%s", want, data)
		}
	}
	masked := filepath.Join(t.TempDir(), "m.csv")
	writeAll(t, masked, Options{MaskIDs: true, MaskID: func(s string) string { return s[:3] + "***" }}, sampleEntries())
	data, _ = os.ReadFile(masked)
	if strings.Contains(string(data), "\t622921201403050011") || !strings.Contains(string(data), "3,\"\t622***\",马小龙") {
		t.Errorf("IDs not masked")
	}
	if strings.Contains(string(data), "G622921201403050011") || !strings.Contains(string(data), ",G622***,") {
		t.Errorf("student numbers not masked")
	}
}

func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l.xlsx")
	opts := Options{AsOf: baoxue.Date(20260901), PlaceName: places}
	writeAll(t, path, opts, sampleEntries())
	again := filepath.Join(dir, "again.xlsx")
	writeAll(t, again, opts, sampleEntries())
	da, _ := os.ReadFile(path)
	db, _ := os.ReadFile(again)
	if !bytes.Equal(da, db) {
		t.Error("same entries, different .xlsx bytes")
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "适龄儿童台账,疑似失学辍学台账,辍学学生台账" {
		t.Fatalf("sheets %s", got)
	}
	rows, _ := f.GetRows("适龄儿童台账")
	if rows[0][0] != "临夏县适龄儿童少年台账（截至2026年9月1日）" {
		t.Errorf("title %q", rows[0][0])
	}
	if strings.Join(rows[1], ",") != strings.Join(xlsxHeader, ",") {
		t.Errorf("header %v", rows[1])
	}
	// Township 城关镇 (100) first, with rows 5 and 9 in registry order, then 尹集镇 (101), then
	// the child without a region code, each followed by its subtotal, then the total.
	var layout []string
	for _, r := range rows[2:] {
		r = append(r, make([]string, len(xlsxHeader))...)
		layout = append(layout, r[0]+"|"+r[1]+"|"+r[3]+"|"+r[16])
	}
	want := []string{
		"1|城关镇|=HYPERLINK(\"x\")|5", "2|城关镇|张伟|9", "小计|城关镇|2 人|",
		"3|尹集镇|马小龙|3", "4|尹集镇|古丽·艾合买提|8", "小计|尹集镇|2 人|",
		"5||李娜|12", "小计|乡镇不详|1 人|", "合计||5 人|",
	}
	if !reflect.DeepEqual(layout, want) {
		t.Errorf("layout\n%q\nwant\n%q", layout, want)
	}
	if v, _ := f.GetCellValue("适龄儿童台账", "C6"); v != "大庄村" {
		t.Errorf("village name %q", v)
	}
	if v, _ := f.GetCellValue("适龄儿童台账", "K11"); v != "本地在读 1 人，待人工确认 1 人，疑似失学辍学 2 人，身份证号无效 1 人" {
		t.Errorf("total breakdown %q", v)
	}
	// The formula-looking name is text with the quote prefix, not a formula.
	if fm, _ := f.GetCellFormula("适龄儿童台账", "D3"); fm != "" {
		t.Errorf("D3 is a formula %q", fm)
	}
	sid, _ := f.GetCellStyle("适龄儿童台账", "D3")
	if qp := f.Styles.CellXfs.Xf[sid].QuotePrefix; qp == nil || !*qp {
		t.Errorf("D3 lacks the quote prefix")
	}
	sus, _ := f.GetRows("疑似失学辍学台账")
	if len(sus) != 2+3+2+1 || sus[0][0] != "临夏县疑似失学辍学儿童少年台账（截至2026年9月1日）" {
		t.Errorf("suspects sheet %q", sus)
	}
	drop, _ := f.GetRows("辍学学生台账")
	if len(drop) != 2+1+1+1 || drop[2][3] != "=HYPERLINK(\"x\")" || drop[0][0] != "临夏县辍学学生台账（截至2026年9月1日）" {
		t.Errorf("dropout sheet %q", drop)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(filepath.Join(dir, "l.txt"), Options{}); !errors.Is(err, ErrFormat) {
		t.Errorf("txt: %v", err)
	}
	if _, err := Create(filepath.Join(dir, "no", "such", "l.csv"), Options{}); err == nil {
		t.Errorf("missing directory accepted")
	}
	w, err := Create(filepath.Join(dir, "l.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEntries()[0]
	w.Add(&e)
	w.Abort()
	if ls, _ := os.ReadDir(dir); len(ls) != 0 {
		t.Errorf("Abort left %v", ls)
	}
}
