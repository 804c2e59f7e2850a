package ingest

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue"
)

var reportHeader = []string{"姓名", "公民身份号码", "性别", "出生日期", "联系电话"}

var reportRows = []ReportRow{
	{Number: 5, Cells: []string{"张三", "6.22921201403051E+17", "男", "2014-03-05", "13800138000"},
		Problems: []ReportProblem{{Column: 1, Code: "ID_PRECISION_LOST", Message: "身份证号被 Excel 变成了科学计数法，末尾几位已丢失；将该列设置为文本格式后重新导出"}}},
	{Number: 9, Cells: []string{"=HYPERLINK(\"http://x\",\"点我\")", "+620102201403051238", "-", "@SUM(A1)", "\t13800138000"},
		Problems: []ReportProblem{
			{Column: 0, Code: "NAME_INVALID", Message: "姓名含有非法字符"},
			{Column: 2, Code: "SEX_INVALID", Message: "性别无法识别"},
			{Column: 2, Code: "SEX_MISMATCH", Message: "与身份证号不符", Warning: true},
			{Column: 4, Code: "PHONE_FORMAT", Message: "号码格式不对", Warning: true},
		}},
	{Number: 12, Cells: []string{"李四", "620102201201010155", "男", "2012-01-01"}, // shorter than the header
		Problems: []ReportProblem{{Column: -1, Code: "DUPLICATE_ID", Message: "与第 7 行身份证号重复"}}},
	{Number: 13, Cells: []string{"王五", "620102201201010155", "男", "2012-01-01", "\r=1+1", "多出的列"},
		Problems: []ReportProblem{{Column: 5, Code: "X", Message: "多余"}}},
}

func TestErrorReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "名单.csv.errors.xlsx")
	if err := WriteErrorReport(path, reportHeader, reportRows); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("report file %v, %v: want mode 0600 (it holds unmasked IDs)", fi.Mode(), err)
	}
	f, err := excelize.OpenFile(path, excelizeOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"错误行"}) {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("错误行")
	if err != nil {
		t.Fatal(err)
	}
	wantHead := append([]string{"行号", "错误说明", "错误代码"}, reportHeader...)
	if !slices.Equal(rows[0], wantHead) {
		t.Errorf("header %q", rows[0])
	}
	if len(rows) != 1+len(reportRows) {
		t.Fatalf("%d rows", len(rows))
	}
	wantNotes := []struct{ msg, codes string }{
		{"公民身份号码：身份证号被 Excel 变成了科学计数法，末尾几位已丢失；将该列设置为文本格式后重新导出", "ID_PRECISION_LOST"},
		{"姓名：姓名含有非法字符；性别：性别无法识别；性别（警告）：与身份证号不符；联系电话（警告）：号码格式不对", "NAME_INVALID, SEX_INVALID, SEX_MISMATCH, PHONE_FORMAT"},
		{"与第 7 行身份证号重复", "DUPLICATE_ID"},
		{"第6列：多余", "X"},
	}
	styles, fills := readStyles(t, path)
	for i, rr := range reportRows {
		got := rows[i+1]
		if got[0] != strconv.Itoa(rr.Number) || got[1] != wantNotes[i].msg || got[2] != wantNotes[i].codes {
			t.Errorf("row %d: %q", rr.Number, got[:3])
		}
		for j, v := range rr.Cells {
			ref, _ := excelize.CoordinatesToCellName(4+j, i+2)
			// The original value, unchanged (the raw value: no number format applied).
			raw, _ := f.GetCellValue("错误行", ref, excelize.Options{RawCellValue: true})
			if raw != v {
				t.Errorf("%s = %q, want %q", ref, raw, v)
			}
			// Never a formula, always text.
			if formula, _ := f.GetCellFormula("错误行", ref); formula != "" {
				t.Errorf("%s holds formula %q", ref, formula)
			}
			if typ, _ := f.GetCellType("错误行", ref); v != "" && typ != excelize.CellTypeInlineString {
				t.Errorf("%s has type %v", ref, typ)
			}
			id, _ := f.GetCellStyle("错误行", ref)
			xf := styles[id]
			fill := "none"
			for _, p := range rr.Problems {
				switch {
				case p.Column == j && !p.Warning:
					fill = "error"
				case p.Column == j && fill == "none":
					fill = "warning"
				}
			}
			if got := fills[xf.FillID]; got != fill {
				t.Errorf("%s filled %q, want %q", ref, got, fill)
			}
			if xf.QuotePrefix != needsQuote(v) {
				t.Errorf("%s %q quotePrefix=%v", ref, v, xf.QuotePrefix)
			}
			if xf.NumFmtID != "49" {
				t.Errorf("%s number format %s, want 49 (text)", ref, xf.NumFmtID)
			}
		}
	}
	// The report reads back with this package as a registry file: the report's own columns are
	// ignored, the original columns are found by name, and the values come back unchanged.
	tab, err := OpenTable(path, Options{Kind: baoxue.KindRegistry})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if len(tab.Header.Unknown) != 0 || tab.Header.Index(FieldIDNumber) != 4 {
		t.Errorf("re-import header %+v", tab.Header)
	}
	back := readAll(t, tab)
	for i, r := range back {
		if got := values(r)[3:]; !slices.Equal(got, reportRows[i].Cells) {
			t.Errorf("re-import row %d: %q", r.Number, got)
		}
	}
}

type xfAttrs struct {
	NumFmtID    string `xml:"numFmtId,attr"`
	FillID      string `xml:"fillId,attr"`
	QuotePrefix bool   `xml:"quotePrefix,attr"`
}

// readStyles reads the cell formats of a written workbook straight from its styles part, since
// excelize's Style has no quote-prefix field, and names the fills by colour.
func readStyles(t *testing.T, path string) ([]xfAttrs, map[string]string) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	var st struct {
		Fills []struct {
			Color struct {
				RGB string `xml:"rgb,attr"`
			} `xml:"patternFill>fgColor"`
		} `xml:"fills>fill"`
		Xfs []xfAttrs `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	fills := map[string]string{}
	for i, f := range st.Fills {
		name := "none"
		switch f.Color.RGB {
		case "FFFFC7CE":
			name = "error"
		case "FFFFEB9C":
			name = "warning"
		}
		fills[strconv.Itoa(i)] = name
	}
	fills[""] = "none"
	return st.Xfs, fills
}

func TestErrorReportOmitsBeyondLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xlsx")
	w, err := NewReportWriter(path, reportHeader)
	if err != nil {
		t.Fatal(err)
	}
	w.maxRows = 2
	for i := range 5 {
		if err := w.Add(ReportRow{Number: i + 2, Cells: []string{"x"}, Problems: []ReportProblem{{Column: 0, Code: "C", Message: "m"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if w.Rows() != 2 {
		t.Errorf("rows %d", w.Rows())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path, excelizeOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("错误行")
	if len(rows) != 4 || !strings.Contains(strings.Join(rows[3], ""), "另有 3 行有问题") {
		t.Errorf("rows %q", rows)
	}
}

func TestNeedsQuote(t *testing.T) {
	for v, want := range map[string]bool{"=1": true, "+1": true, "-1": true, "@x": true, "\tx": true, "\rx": true,
		"＝1": true, "张三": false, "": false, "1=1": false, " =1": false} {
		if needsQuote(v) != want {
			t.Errorf("needsQuote(%q) != %v", v, want)
		}
	}
}
