package ingest

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue"
)

// excelizeOptions are the limits any use of excelize on untrusted input must set.
var excelizeOptions = excelize.Options{UnzipSizeLimit: DefaultLimits.MaxUnpackedSize, UnzipXMLSizeLimit: 16 << 20}

// compareWithExcelize reads every sheet of a workbook with this package and with excelize
// (raw values and cell types) and reports any difference. Date-formatted numbers are compared
// through serialToText, since this package renders them as dates.
func compareWithExcelize(t *testing.T, path string) {
	t.Helper()
	f, err := excelize.OpenFile(path, excelizeOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, sheet := range f.GetSheetList() {
		want, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		src, err := Open(path, Options{Sheet: strconv.Itoa(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		if src.Sheet() != sheet {
			t.Errorf("sheet %d is %q, want %q", i+1, src.Sheet(), sheet)
		}
		got := map[int]Row{}
		for _, r := range readAll(t, src) {
			got[r.Number] = r
		}
		src.Close()
		for n, wrow := range want {
			num := n + 1
			r, read := got[num]
			delete(got, num)
			if !read && strings.TrimSpace(strings.Join(wrow, "")) == "" {
				continue // a row of blanks is no row
			}
			blank := true
			for col, wv := range wrow {
				if strings.TrimSpace(wv) != "" {
					blank = false
				}
				c := r.Cell(col)
				ref, _ := excelize.CoordinatesToCellName(col+1, num)
				typ, err := f.GetCellType(sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				numeric := typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && wv != ""
				if c.Value == wv && c.Numeric == numeric {
					continue
				}
				if fl, err := strconv.ParseFloat(wv, 64); err == nil && numeric && !c.Numeric {
					if d, ok := serialToText(fl, false); ok && d == c.Value {
						continue // a date cell
					}
				}
				if typ == excelize.CellTypeBool && (wv == "1" && c.Value == "TRUE" || wv == "0" && c.Value == "FALSE") {
					continue
				}
				t.Errorf("%s!%s: got %q numeric=%v, excelize %q type %v", sheet, ref, c.Value, c.Numeric, wv, typ)
			}
			if blank && len(r.Cells) > 0 {
				t.Errorf("%s row %d: blank for excelize, got %q", sheet, num, values(r))
			}
		}
		for num, r := range got {
			t.Errorf("%s row %d: not in excelize's rows: %q", sheet, num, values(r))
		}
	}
}

func TestXLSXAgainstExcelize(t *testing.T) {
	for _, name := range []string{"enrollment_titled.xlsx", "registry_stream.xlsx", "registry_libreoffice.xlsx"} {
		t.Run(name, func(t *testing.T) { compareWithExcelize(t, filepath.Join("testdata", name)) })
	}
}

// TestXLSXRandomAgainstExcelize writes random cells — text with XML specials, line breaks,
// surrounding spaces, OOXML escapes, long text; numbers; booleans — through both excelize
// writers (shared strings, and inline strings from the stream writer) and compares.
func TestXLSXRandomAgainstExcelize(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"张", "a", "&", "<", ">", "\"", "'", "&amp;", "\n", "\r\n", "\t", " ", "_x000D_", "_x005F_x000D_", "·", "𠀀", "]]>", "=1+1", "0", "1E+17"}
	text := func() string {
		var b strings.Builder
		b.WriteString("t")
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if rng.IntN(50) == 0 {
			b.WriteString(strings.Repeat("长", 5000))
		}
		return b.String()
	}
	value := func() any {
		switch rng.IntN(6) {
		case 0:
			return rng.Float64() * 1e6
		case 1:
			return rng.Int64N(1e18)
		case 2:
			return rng.IntN(2) == 0
		case 3:
			return nil
		}
		return text()
	}
	dir := t.TempDir()
	for round := range 3 {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.NewSheet("Shared"); err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= 200; r++ {
			row := make([]any, 1+rng.IntN(30))
			for i := range row {
				row[i] = value()
			}
			if rng.IntN(10) == 0 {
				continue // a missing row
			}
			cell, _ := excelize.CoordinatesToCellName(1+rng.IntN(3), r)
			if err := sw.SetRow(cell, row); err != nil {
				t.Fatal(err)
			}
			if err := f.SetSheetRow("Shared", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("random%d.xlsx", round))
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		f.Close()
		compareWithExcelize(t, p)
	}
}

func TestXLSXFixture(t *testing.T) {
	tab, err := OpenTable(filepath.Join("testdata", "enrollment_titled.xlsx"), Options{Kind: baoxue.KindEnrollment})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	// The notes sheet comes first; the data sheet is chosen by its header, below a merged title,
	// a blank row and a merged unit line.
	if tab.Sheet() != "学籍" || tab.Header.Row != 4 {
		t.Fatalf("sheet %q header row %d", tab.Sheet(), tab.Header.Row)
	}
	rows := readAll(t, tab)
	// Four data rows; the styled empty rows 20–25 and the row of spaces (30) are not rows.
	if len(rows) != 4 || rows[0].Number != 5 || rows[3].Number != 8 {
		t.Fatalf("rows %v", rows)
	}
	id := tab.Header.Index(FieldIDNumber)
	birth := tab.Header.Index(FieldBirthDate)
	tests := []struct {
		row           int
		id            string
		numeric       bool
		birth, grade  string
		gradeNumeric  bool
		name, student string
	}{
		{0, "620102201403051238", false, "2014-03-05", "三年级", false, "张三", "G620102201403051238"},
		{1, "622921201403051000", true, "2015-07-18", "2", true, "古丽·阿不都", "G620102201507182427"},
		{2, "622921201403051000", true, "2012-01-01", "初一", false, "李四", "G620102201201010151"},
		{3, "'620102201602290282", false, "2016-02-29", "五年级", false, "=王小妹", ""},
	}
	for _, tt := range tests {
		r := rows[tt.row]
		if c := r.Cell(id); c.Value != tt.id || c.Numeric != tt.numeric {
			t.Errorf("row %d id %+v, want %q numeric=%v", r.Number, c, tt.id, tt.numeric)
		}
		if v := r.Value(birth); v != tt.birth {
			t.Errorf("row %d birth %q, want %q", r.Number, v, tt.birth)
		}
		if c := r.Cell(tab.Header.Index(FieldGrade)); c.Value != tt.grade || c.Numeric != tt.gradeNumeric {
			t.Errorf("row %d grade %+v", r.Number, c)
		}
		if r.Value(tab.Header.Index(FieldName)) != tt.name || r.Value(tab.Header.Index(FieldStudentNo)) != tt.student {
			t.Errorf("row %d: %q", r.Number, values(r))
		}
	}
	if v := rows[3].Value(tab.Header.Index(FieldHomeTaught)); v != "TRUE" {
		t.Errorf("boolean cell %q", v)
	}
}

// TestXLSXLibreOffice: LibreOffice, like Excel, stores an 18-digit ID typed into a CSV as a
// number with 15 significant digits. The reader hands the raw number on, marked numeric.
func TestXLSXLibreOffice(t *testing.T) {
	tab, err := OpenTable(filepath.Join("testdata", "registry_libreoffice.xlsx"), Options{Kind: baoxue.KindRegistry})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	rows := readAll(t, tab)
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	c := rows[0].Cell(tab.Header.Index(FieldIDNumber))
	if c.Value != "6.20102201403051E+017" || !c.Numeric {
		t.Errorf("damaged ID cell %+v", c)
	}
	if v := rows[0].Value(tab.Header.Index(FieldBirthDate)); v != "2014-03-05" {
		t.Errorf("date cell %q", v)
	}
	if c := rows[3].Cell(tab.Header.Index(FieldPhone)); c.Value != "0931-8888888" || c.Numeric {
		t.Errorf("phone kept as text %+v", c)
	}
}

func TestXLSXSheetChoice(t *testing.T) {
	path := filepath.Join("testdata", "enrollment_titled.xlsx")
	tests := []struct {
		opts  Options
		sheet string
		err   error
		msg   string
	}{
		{Options{}, "填表说明", nil, ""},
		{Options{Kind: baoxue.KindEnrollment}, "学籍", nil, ""},
		{Options{Sheet: "学籍"}, "学籍", nil, ""},
		{Options{Sheet: "2"}, "学籍", nil, ""},
		{Options{Sheet: " 填表说明 "}, "填表说明", nil, ""},
		{Options{Sheet: "3"}, "", ErrSheetNotFound, "找不到工作表“3”；文件中的工作表：“填表说明”、“学籍”"},
		{Options{Sheet: "户籍"}, "", ErrSheetNotFound, "“户籍”"},
		{Options{Kind: baoxue.KindRegistry}, "", ErrWrongKind, "工作表“学籍”"},
		{Options{Kind: baoxue.KindPoverty, Sheet: "1"}, "", ErrNoHeader, "工作表“填表说明”"},
	}
	for _, tt := range tests {
		var src Source
		var err error
		if tt.opts.Kind != "" {
			var tab *Table
			if tab, err = OpenTable(path, tt.opts); err == nil {
				src = tab
			}
		} else {
			src, err = Open(path, tt.opts)
		}
		if tt.err != nil {
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("%+v: got %v, want %v with %q", tt.opts, err, tt.err, tt.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", tt.opts, err)
			continue
		}
		if src.Sheet() != tt.sheet {
			t.Errorf("%+v: sheet %q, want %q", tt.opts, src.Sheet(), tt.sheet)
		}
		src.Close()
	}
}

func TestSerialToText(t *testing.T) {
	tests := []struct {
		serial float64
		d1904  bool
		want   string
	}{
		{1, false, "1900-01-01"},
		{59, false, "1900-02-28"},
		{60, false, "1900-02-29"}, // Excel's fictitious day
		{61, false, "1900-03-01"},
		{41703, false, "2014-03-05"},
		{41703.5, false, "2014-03-05 12:00:00"},
		{0.75, false, "18:00:00"},
		{40241, true, "2014-03-05"},
		{45000.999994, false, "2023-03-15 23:59:59"}, // to the second
	}
	for _, tt := range tests {
		if got, ok := serialToText(tt.serial, tt.d1904); !ok || got != tt.want {
			t.Errorf("serialToText(%v, %v) = %q, want %q", tt.serial, tt.d1904, got, tt.want)
		}
	}
	for _, bad := range []float64{-1, 3e6} {
		if _, ok := serialToText(bad, false); ok {
			t.Errorf("serial %v accepted", bad)
		}
	}
}

func TestIsDateFormat(t *testing.T) {
	dates := []string{"yyyy-mm-dd", `yyyy"年"m"月"d"日"`, "yyyy/mm/dd;@", "[$-804]yyyy年m月d日", "m/d/yy h:mm", "h:mm:ss", "[h]:mm", "mmm-yy", "dd/mm/yyyy", "yyyy\\-mm\\-dd"}
	numbers := []string{"General", "0", "0.00", "#,##0", "0.00E+00", `0_);[Red](0)`, "@", `"年"0`, "0%", `#,##0.00 "元"`, `[Red]0.0`}
	for _, c := range dates {
		if !isDateFormat(c) {
			t.Errorf("%q not seen as a date format", c)
		}
	}
	for _, c := range numbers {
		if isDateFormat(c) {
			t.Errorf("%q taken for a date format", c)
		}
	}
	for id, want := range map[int]bool{0: false, 1: false, 14: true, 22: true, 31: true, 49: false, 57: true} {
		if isBuiltinDateFormat(id) != want {
			t.Errorf("built-in %d", id)
		}
	}
}

func TestColumnIndex(t *testing.T) {
	for ref, want := range map[string]int{"A1": 0, "Z9": 25, "AA1": 26, "ab12": 27, "XFD1048576": 16383} {
		if got, err := columnIndex([]byte(ref)); err != nil || got != want {
			t.Errorf("columnIndex(%q) = %d, %v", ref, got, err)
		}
	}
	for _, bad := range []string{"1", "", "XFE1", "AAAA1"} {
		if _, err := columnIndex([]byte(bad)); err == nil {
			t.Errorf("columnIndex(%q) accepted", bad)
		}
	}
}

// minimalXLSX is a workbook with the least a reader needs, for hand-written sheet XML.
func minimalXLSX(t testing.TB, sheetXML, sstXML string) []byte {
	files := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   sheetXML,
		"xl/sharedStrings.xml":       sstXML,
	}
	return zipBytes(t, files, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
}

// TestXLSXHandWritten covers what other writers produce: namespace prefixes (OpenXML SDK),
// cells and rows without references, CDATA, comments, rich text with phonetic guides,
// formulas with cached values, error cells.
func TestXLSXHandWritten(t *testing.T) {
	sst := `<?xml version="1.0"?><!-- written by hand --><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3">
<si><t>姓名</t></si>
<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r><rPh sb="0" eb="1"><t>zhang</t></rPh></si>
<si><t><![CDATA[a<b&c]]></t></si>
</sst>`
	sheet := `<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:D3"/>
<x:sheetData>
<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t>身份证号</x:t></x:is></x:c></x:row>
<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c><x:v>6.2292120140305101E+17</x:v></x:c><x:c t="str"><x:f>A2&amp;"x"</x:f><x:v>张三 x</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row r="7"><x:c r="C7" t="s"><x:v>2</x:v></x:c><!-- a comment --><x:c r="E7" t="inlineStr"><x:is><x:t>&#x4E00;&#20108;&lt;&unknown;</x:t></x:is></x:c></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>`
	src, err := Open(writeTemp(t, "hand.xlsx", minimalXLSX(t, sheet, sst)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows := readAll(t, src)
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = fmt.Sprintf("%d:%q", r.Number, values(r))
		for _, c := range r.Cells {
			if c.Numeric {
				got[i] += " #" + c.Value
			}
		}
	}
	want := []string{
		`1:["姓名" "身份证号"]`,
		`2:["张三 " "6.2292120140305101E+17" "张三 x" "#N/A"] #6.2292120140305101E+17`,
		`7:["" "" "a<b&c" "" "一二<&unknown;"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestXLSXCorrupt(t *testing.T) {
	good := `<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`
	sst := `<sst><si><t>姓名</t></si></sst>`
	tests := []struct {
		name       string
		sheet, sst string
		err        error
		msg        string
	}{
		{"shared string out of range", `<worksheet><sheetData><row><c t="s"><v>5</v></c></row></sheetData></worksheet>`, sst, ErrCorrupt, "共享字符串编号 5 超出范围"},
		{"truncated sheet", `<worksheet><sheetData><row><c t="s"><v>0</v>`, sst, ErrCorrupt, "XML 结构不完整"},
		{"no sheetData", `<worksheet></worksheet>`, sst, ErrCorrupt, "没有数据区"},
		{"bad row number", `<worksheet><sheetData><row r="x"/></sheetData></worksheet>`, sst, ErrCorrupt, "行号“x”无效"},
		{"bad cell reference", `<worksheet><sheetData><row><c r="1A"><v>1</v></c></row></sheetData></worksheet>`, sst, ErrCorrupt, "单元格引用“1A”无效"},
		{"too many columns", `<worksheet><sheetData><row><c r="ZZ1"><v>1</v></c></row></sheetData></worksheet>`, sst, ErrLimit, "第 1 行第 702 列有值"},
		{"good", good, sst, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(writeTemp(t, "c.xlsx", minimalXLSX(t, tt.sheet, tt.sst)), Options{Limits: Limits{MaxColumns: 100}})
			if err == nil {
				defer src.Close()
				for err == nil {
					_, err = src.Next()
				}
			}
			if tt.err == nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("got %v", err)
				}
				return
			}
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %v with %q", err, tt.err, tt.msg)
			}
		})
	}
	// Not a zip at all, though it starts like one.
	_, err := Open(writeTemp(t, "broken.xlsx", []byte("PK\x03\x04 not really a zip")), Options{})
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("broken zip: %v", err)
	}
	// A zip that is not a workbook.
	_, err = Open(writeTemp(t, "other.xlsx", zipBytes(t, map[string]string{"a.txt": "hello"}, "a.txt")), Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "没有工作簿") {
		t.Errorf("zip without workbook: %v", err)
	}
}
