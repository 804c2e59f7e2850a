package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/baoxue/baoxue/internal/idcard"
)

// go test ./internal/ingest -run TestWriteFixtures -update rewrites the files in testdata (the
// LibreOffice ones only where soffice is installed) and the golden files of TestGolden.
var update = flag.Bool("update", false, "rewrite testdata fixtures and golden files")

// testID builds a valid 18-digit ID from a 6-digit region, a yyyymmdd birth date and a
// 3-digit sequence.
func testID(region, birth, seq string) string {
	first := region + birth + seq
	return first + string(idcard.CheckDigit([]byte(first)))
}

// registryHeader is a registry export as a public-security system writes it.
var registryHeader = []string{"序号", "姓名", "公民身份号码", "性别", "出生日期", "民族", "户号", "与户主关系", "户籍地址", "行政区划代码", "人员状态", "监护人姓名", "监护人公民身份号码", "联系电话"}

func registryRecords() [][]string {
	return [][]string{
		{"1", "张三", testID("620102", "20140305", "123"), "男", "2014-03-05", "汉族", "620102000001", "子", "甘肃省兰州市城关区张苏滩1号", "620102001001", "正常", "张大山", testID("620102", "19850612", "031"), "13800138000"},
		{"2", "古丽·阿不都", testID("620102", "20150718", "242"), "女", "2015/7/18", "维吾尔族", "620102000002", "女", "甘肃省兰州市城关区雁滩路2号", "620102001002", "正常", "阿不都·热合曼", testID("620102", "19800101", "011"), "13912345678"},
		{"3", "李四", testID("620102", "20120101", "015"), "男", "20120101", "回族", "620102000003", "孙子", "甘肃省兰州市城关区\n团结新村3号", "620102001001", "迁出", "李老汉", testID("620102", "19600202", "053"), ""},
		{"4", "王小妹", testID("620102", "20160229", "028"), "女", "2016年2月29日", "汉族", "620102000004", "女", "兰州市\"红山根\"4号, 2单元", "620102001003", "正常", "王建国", testID("620102", "19880808", "075"), "0931-8888888"},
		{"5", "赵 六", "62010220130909", "男", "2013-09-09", "汉族", "620102000005", "子", "城关区5号", "620102001003", "正常", "", "", "13800000000"},
	}
}

// csvText renders records as CSV (RFC 4180 quoting) with the given delimiter and line end.
func csvText(records [][]string, delim, eol string) string {
	var b strings.Builder
	for _, rec := range records {
		for i, f := range rec {
			if i > 0 {
				b.WriteString(delim)
			}
			if strings.ContainsAny(f, delim+"\"\r\n") {
				f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
			b.WriteString(f)
		}
		b.WriteString(eol)
	}
	return b.String()
}

// titled puts the title rows a county export has above the header: a title, a blank row, a
// unit line, and (for CSV) the trailing separators Excel writes for merged cells.
func titled(delim string, width int) [][]string {
	pad := func(s string) []string {
		r := make([]string, width)
		r[0] = s
		return r
	}
	return [][]string{pad("2024年城关区户籍人口花名册"), make([]string, width), pad("填报单位：城关区派出所")}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fixtures")
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	recs := registryRecords()
	w := len(registryHeader)
	all := append(append(titled(",", w), registryHeader), recs...)

	writeFile(t, "registry_utf8.csv", []byte(csvText(append([][]string{registryHeader}, recs...), ",", "\n")))
	writeFile(t, "registry_utf8_bom_crlf.csv", []byte("\xef\xbb\xbf"+csvText(all, ",", "\r\n")))
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csvText(all, ",", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, "registry_gbk.csv", []byte(gbk))
	writeFile(t, "registry_semicolon.csv", []byte(csvText(all, ";", "\n")))
	writeFile(t, "registry_tab.txt", []byte(csvText(all, "\t", "\n")))
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(csvText(all, "\t", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, "registry_utf16le.txt", []byte(u16))
	// Trailing blank lines and rows of bare separators, as Excel leaves after deleted rows.
	trailing := csvText(all, ",", "\n") + strings.Repeat(",", w-1) + "\n\n" + strings.Repeat(",", w-1) + "\n\n"
	writeFile(t, "registry_trailing_blank.csv", []byte(trailing))

	writeXLSXFixtures(t)
	writeOLE2Fixtures(t)
	writeFile(t, "html_table.xls", []byte("<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>姓名</td><td>身份证号</td></tr></table></body></html>\n"))
	writeFile(t, "spreadsheetml_2003.xls", []byte(`<?xml version="1.0"?>`+"\n"+`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">姓名</Data></Cell></Row></Table></Worksheet></Workbook>`+"\n"))
	writeFile(t, "binary.dat", []byte{0x00, 0x01, 0x02, 0x03, 0x89, 'P', 'N', 'G', 0x00, 0x00})
	writeLibreOfficeFixtures(t)
}

// writeXLSXFixtures writes workbooks the way officials' files look: a merged title, blank rows
// and a unit line above the header, IDs as text and as (damaged) numbers, dates as date cells,
// a formula, styled but empty rows below the data, and a notes sheet before the data sheet.
func writeXLSXFixtures(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "填表说明"))
	must(f.SetCellStr("填表说明", "A1", "本表由学校填报，身份证件号请设置为文本格式。"))
	_, err := f.NewSheet("学籍")
	must(err)
	s := "学籍"
	header := []string{"序号", "学籍号", "姓名", "身份证件号", "性别", "出生日期", "学校标识码", "学校名称", "年级", "学籍状态", "是否送教上门"}
	must(f.SetCellStr(s, "A1", "2024年秋季学期城关区义务教育学籍花名册"))
	must(f.MergeCell(s, "A1", "K1"))
	must(f.SetCellStr(s, "A3", "填报单位：城关区第一小学"))
	must(f.MergeCell(s, "A3", "F3"))
	must(f.SetSheetRow(s, "A4", &header))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	cnDateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 31}) // yyyy"年"m"月"d"日"
	must(err)
	customDate, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`yyyy/mm/dd;@`)})
	must(err)
	id1 := testID("620102", "20140305", "123")
	id2 := testID("620102", "20150718", "242")
	rows := []struct {
		cells []any
		id    any
		birth any
		style int
	}{
		{[]any{1, "G" + id1, "张三"}, id1, time.Date(2014, 3, 5, 0, 0, 0, 0, time.UTC), dateStyle},
		{[]any{2, "G" + id2, "古丽·阿不都"}, 622921201403051234.0, time.Date(2015, 7, 18, 0, 0, 0, 0, time.UTC), cnDateStyle},
		{[]any{3, "G620102201201010151", "李四"}, int64(622921201403051000), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), customDate},
		{[]any{4, "", "=王小妹"}, "'" + testID("620102", "20160229", "028"), "2016-02-29", 0},
	}
	for i, r := range rows {
		n := 5 + i
		cell := func(col string) string { return fmt.Sprintf("%s%d", col, n) }
		must(f.SetSheetRow(s, cell("A"), &r.cells))
		must(f.SetCellValue(s, cell("D"), r.id))
		must(f.SetCellValue(s, cell("E"), []string{"男", "女", "男", "女"}[i]))
		must(f.SetCellValue(s, cell("F"), r.birth))
		if r.style != 0 {
			must(f.SetCellStyle(s, cell("F"), cell("F"), r.style))
		}
		must(f.SetCellValue(s, cell("G"), "2162010001"))
		must(f.SetCellValue(s, cell("H"), "城关区第一小学"))
		must(f.SetCellValue(s, cell("I"), []any{"三年级", 2, "初一", "五年级"}[i]))
		must(f.SetCellValue(s, cell("J"), "在读"))
		must(f.SetCellValue(s, cell("K"), i == 3))
	}
	must(f.SetCellFormula(s, "L5", "1+1"))
	// Styled empty rows below the data, as after deleting rows in Excel.
	yellow, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must(err)
	must(f.SetCellStyle(s, "A20", "K25", yellow))
	must(f.SetCellStr(s, "C30", "   "))
	must(f.SaveAs(filepath.Join("testdata", "enrollment_titled.xlsx")))

	// A workbook written by the streaming writer (inline strings, no shared strings), with the
	// header in the first row and a registry sheet.
	g := excelize.NewFile()
	defer g.Close()
	sw, err := g.NewStreamWriter("Sheet1")
	must(err)
	head := make([]any, len(registryHeader))
	for i, h := range registryHeader {
		head[i] = h
	}
	must(sw.SetRow("A1", head))
	for i, rec := range registryRecords() {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		must(sw.SetRow(fmt.Sprintf("A%d", i+2), row))
	}
	must(sw.Flush())
	must(g.SaveAs(filepath.Join("testdata", "registry_stream.xlsx")))
}

func ptr[T any](v T) *T { return &v }

// writeOLE2Fixtures writes two minimal compound files (MS-CFB): one whose directory holds a
// "Workbook" stream like an .xls, one with "EncryptionInfo" like a password-protected .xlsx.
func writeOLE2Fixtures(t *testing.T) {
	writeFile(t, "minimal_ole2.xls", buildCFB("Workbook"))
	writeFile(t, "encrypted.xlsx", buildCFB("EncryptionInfo"))
}

// buildCFB builds a version-3 compound file: header, one FAT sector, one directory sector with
// the root entry and one stream entry, and one data sector.
func buildCFB(stream string) []byte {
	const sector = 512
	const endOfChain, fatSect, free = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
	buf := make([]byte, sector*4)
	h := buf[:sector]
	copy(h, ole2Magic)
	le := binary.LittleEndian
	le.PutUint16(h[0x18:], 0x003E) // minor version
	le.PutUint16(h[0x1A:], 0x0003) // major version 3
	le.PutUint16(h[0x1C:], 0xFFFE) // little-endian
	le.PutUint16(h[0x1E:], 9)      // sector shift: 512
	le.PutUint16(h[0x20:], 6)      // mini sector shift
	le.PutUint32(h[0x2C:], 1)      // number of FAT sectors
	le.PutUint32(h[0x30:], 1)      // first directory sector
	le.PutUint32(h[0x38:], 0x1000) // mini stream cutoff
	le.PutUint32(h[0x3C:], endOfChain)
	le.PutUint32(h[0x44:], endOfChain)
	le.PutUint32(h[0x4C:], 0) // DIFAT[0]: FAT is sector 0
	for i := 1; i < 109; i++ {
		le.PutUint32(h[0x4C+4*i:], free)
	}
	fat := buf[sector : 2*sector]
	for i := range sector / 4 {
		le.PutUint32(fat[4*i:], free)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	le.PutUint32(fat[8:], endOfChain)
	dir := buf[2*sector : 3*sector]
	entry := func(i int, name string, typ byte, child, start, size uint32) {
		e := dir[128*i : 128*(i+1)]
		n := utf16le(name)
		copy(e, n)
		le.PutUint16(e[0x40:], uint16(len(n)+2))
		e[0x42] = typ
		e[0x43] = 1 // black
		le.PutUint32(e[0x44:], free)
		le.PutUint32(e[0x48:], free)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], start)
		le.PutUint32(e[0x78:], size)
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, free, 2, 4096)
	for i := 2; i < 4; i++ {
		le.PutUint32(dir[128*i+0x44:], free)
		le.PutUint32(dir[128*i+0x48:], free)
		le.PutUint32(dir[128*i+0x4C:], free)
	}
	copy(buf[3*sector:], "data")
	return buf
}

// writeLibreOfficeFixtures converts a registry CSV with LibreOffice, which (like Excel) turns
// 18-digit IDs into numbers and keeps 15 significant digits, and saves the same data as .xls.
func writeLibreOfficeFixtures(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Log("soffice not installed: LibreOffice fixtures left as they are")
		return
	}
	dir := t.TempDir()
	recs := registryRecords()
	src := filepath.Join(dir, "registry_libreoffice.csv")
	if err := os.WriteFile(src, []byte(csvText(append([][]string{registryHeader}, recs...), ",", "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"xlsx", "xls"} {
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--infilter=CSV:44,34,76,1", "--convert-to", to, "--outdir", dir, src)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		data, err := os.ReadFile(strings.TrimSuffix(src, ".csv") + "." + to)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, "registry_libreoffice."+to, data)
	}
}

// zipBytes builds a zip in memory from name → content.
func zipBytes(t testing.TB, files map[string]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
