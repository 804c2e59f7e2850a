package ingest

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// Benchmarks (docs/BENCHMARKS.md quotes them):
//
//	go test ./internal/ingest -run '^$' -bench . -benchmem
//
// rows/s is reported per benchmark; the xlsx pair compares this package's reader with
// excelize's own Rows()/Columns() loop on the same sheet (issue 3: ≤ 1.2× its time).

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰")
)

// registryRow returns a registry-like record: 14 columns, Chinese names and addresses, IDs.
func registryRow(rng *rand.Rand, i int) []string {
	name := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
	if rng.IntN(2) == 0 {
		name += string(given[rng.IntN(len(given))])
	}
	// Unique IDs: one birth day in 25,000 and a sequence number per pass over them.
	birth := baoxue.MakeDate(1950, 1, 1).AddDays(i % 25000).String()
	birth = birth[:4] + birth[5:7] + birth[8:]
	seq := (i / 25000) % 1000
	id := testID("620102", birth, fmt.Sprintf("%03d", seq))
	sex := "男"
	if seq%2 == 0 {
		sex = "女"
	}
	return []string{
		fmt.Sprint(i + 1), name, id, sex, birth[:4] + "-" + birth[4:6] + "-" + birth[6:], "汉族",
		fmt.Sprintf("620102%06d", i/4), "子", fmt.Sprintf("甘肃省兰州市城关区东岗街道%d号", rng.IntN(999)),
		fmt.Sprintf("620102001%03d", 1+rng.IntN(30)), "正常", "", "",
		fmt.Sprintf("138%08d", rng.IntN(1e8)),
	}
}

// benchCSV writes (once per benchmark) an n-row registry CSV in the given encoding.
func benchCSV(b *testing.B, n int, gbk bool) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "registry.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var w io.Writer = f
	if gbk {
		w = simplifiedchinese.GBK.NewEncoder().Writer(f)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(strings.Join(registryHeader, ",") + "\r\n")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range n {
		bw.WriteString(strings.Join(registryRow(rng, i), ",") + "\r\n")
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// rate reports rows/s (wall clock) and the CPU time of the whole process per row (user + system,
// every goroutine): on a shared machine the first depends on the neighbours, the second much less.
type rate struct {
	start time.Time
	cpu   time.Duration
}

func startRate() rate { return rate{time.Now(), processCPU()} }

func (r rate) report(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)/time.Since(r.start).Seconds(), "rows/s")
	b.ReportMetric(float64(processCPU()-r.cpu)/float64(rows), "cpu-ns/row")
}

func benchRead(b *testing.B, path string, rows int) {
	b.Helper()
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	r := startRate()
	n := 0
	for b.Loop() {
		src, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		src.Close()
	}
	if n != b.N*rows {
		b.Fatalf("%d rows, want %d", n, b.N*rows)
	}
	r.report(b, n)
}

func BenchmarkCSVRegistry200k(b *testing.B) {
	benchRead(b, benchCSV(b, 200_000, false), 200_001)
}

func BenchmarkCSVRegistry200kGBK(b *testing.B) {
	benchRead(b, benchCSV(b, 200_000, true), 200_001)
}

// benchXLSXShared writes an n-row registry sheet the way Excel does: text in the shared-string
// table, numbers (序号, 户号, 区划代码, 电话) as number cells, the header in row 1.
func benchXLSXShared(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "registry_shared.xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="户籍" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	strs := map[string]int{}
	var order []string
	sst := func(s string) int {
		if i, ok := strs[s]; ok {
			return i
		}
		strs[s] = len(order)
		order = append(order, s)
		return len(order) - 1
	}
	numeric := map[int]bool{0: true, 6: true, 9: true, 13: true}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	rng := rand.New(rand.NewPCG(5, 6))
	for r := 0; r <= n; r++ {
		rec := registryHeader
		if r > 0 {
			rec = registryRow(rng, r-1)
		}
		fmt.Fprintf(bw, `<row r="%d">`, r+1)
		for c, v := range rec {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if r > 0 && numeric[c] {
				fmt.Fprintf(bw, `<c r="%s"><v>%s</v></c>`, ref, v)
			} else {
				fmt.Fprintf(bw, `<c r="%s" t="s"><v>%d</v></c>`, ref, sst(v))
			}
		}
		bw.WriteString(`</row>`)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	bw.Flush()
	w, _ = zw.Create("xl/sharedStrings.xml")
	bw = bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(order), len(order))
	for _, s := range order {
		bw.WriteString("<si><t>")
		xml.EscapeText(bw, []byte(s))
		bw.WriteString("</t></si>")
	}
	bw.WriteString("</sst>")
	bw.Flush()
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchXLSXInline writes the sheet with excelize's stream writer (inline strings), as files
// exported by Go systems look.
func benchXLSXInline(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "registry_inline.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	row := make([]any, len(registryHeader))
	for r := 0; r <= n; r++ {
		rec := registryHeader
		if r > 0 {
			rec = registryRow(rng, r-1)
		}
		for i, v := range rec {
			row[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return path
}

func excelizeRead(b *testing.B, path string, rows int) {
	b.Helper()
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		f, err := excelize.OpenFile(path, excelizeOptions)
		if err != nil {
			b.Fatal(err)
		}
		it, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			b.Fatal(err)
		}
		for it.Next() {
			if _, err := it.Columns(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		it.Close()
		f.Close()
	}
	if n != b.N*rows {
		b.Fatalf("%d rows, want %d", n, b.N*rows)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

const benchXLSXRows = 50_000

func BenchmarkXLSXSharedBaoxue(b *testing.B) {
	benchRead(b, benchXLSXShared(b, benchXLSXRows), benchXLSXRows+1)
}

func BenchmarkXLSXSharedExcelize(b *testing.B) {
	excelizeRead(b, benchXLSXShared(b, benchXLSXRows), benchXLSXRows+1)
}

func BenchmarkXLSXInlineBaoxue(b *testing.B) {
	benchRead(b, benchXLSXInline(b, benchXLSXRows), benchXLSXRows+1)
}

func BenchmarkXLSXInlineExcelize(b *testing.B) {
	excelizeRead(b, benchXLSXInline(b, benchXLSXRows), benchXLSXRows+1)
}

func BenchmarkDetectHeader(b *testing.B) {
	rows := rowsOf("2024年户籍人口花名册||||", "", "填报单位：城关区|||", strings.Join(registryHeader, "|"), "1|张三|620102201403051238|男|2014-03-05")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DetectHeader("registry", rows, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseValidateRegistry200k is the "CSV parse + validate" figure: reading,
// header detection and the full conversion of every row (IDs, names, dates, codes, vocabularies),
// without a database.
func BenchmarkParseValidateRegistry200k(b *testing.B) {
	path := benchCSV(b, 200_000, false)
	opts := importOptions(b)
	opts.Today = baoxue.MakeDate(2026, 9, 1)
	b.ReportAllocs()
	r := startRate()
	n := 0
	for b.Loop() {
		tab, err := OpenTable(path, Options{Kind: baoxue.KindRegistry})
		if err != nil {
			b.Fatal(err)
		}
		cv := newConverter(baoxue.KindRegistry, &tab.Header, opts)
		rows := newReadAhead(tab)
		for {
			row, err := rows.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			cv.convert(row)
			if len(cv.problems) > 0 {
				b.Fatalf("row %d: %+v", row.Number, cv.problems)
			}
			n++
		}
		rows.Close()
		tab.Close()
	}
	r.report(b, n)
}

// BenchmarkCheckGeneratedRegistry is `baoxue import --dry-run` on a generated registry
// (realistic profile, 200,000 rows): read, header, conversion of every row, no database.
func BenchmarkCheckGeneratedRegistry(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.GenerateCounty(context.Background(), dir, 200_000, 1, gen.ProfileRealistic); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "registry.csv")
	opts := importOptions(b)
	opts.Today, opts.Report = gen.DefaultAsOfValue, "-"
	b.ReportAllocs()
	r := startRate()
	n := 0
	for b.Loop() {
		s, err := Check(context.Background(), path, baoxue.KindRegistry, opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		n += s.Rows
	}
	r.report(b, n)
}

// BenchmarkImportGeneratedRegistry imports a generated registry (realistic, 200,000 rows, of which
// about 40,000 in the school-age window are stored) into a fresh SQLite file, and into PostgreSQL
// when BAOXUE_TEST_POSTGRES_URL is set. rows/s counts rows read; cpu-ns/row is this process
// only (PostgreSQL's own work is not in it).
func BenchmarkImportGeneratedRegistry(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.GenerateCounty(context.Background(), dir, 200_000, 1, gen.ProfileRealistic); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "registry.csv")
	opts := importOptions(b)
	opts.Today, opts.Report = gen.DefaultAsOfValue, "-"
	for _, tg := range storetest.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			db := storetest.OpenURL(b, tg.URL)
			ctx := context.Background()
			b.ReportAllocs()
			var wall, cpu time.Duration
			n, stored := 0, 0
			for b.Loop() {
				b.StopTimer()
				if _, err := db.SQL().ExecContext(ctx, `DELETE FROM datasets`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				r := startRate()
				s, err := Import(ctx, db, path, baoxue.KindRegistry, opts)
				if err != nil {
					b.Fatal(err)
				}
				wall, cpu = wall+time.Since(r.start), cpu+processCPU()-r.cpu
				n, stored = n+s.Rows, stored+s.Stored
			}
			b.ReportMetric(float64(n)/wall.Seconds(), "rows/s")
			b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/row")
			b.ReportMetric(float64(stored)/float64(n), "stored/row")
		})
	}
}

// BenchmarkReimportGeneratedRegistry imports the generated registry once, then measures importing
// it again as a new file (one more line at the end): every stored row is looked up in the
// previous dataset (DUPLICATE_ID_DATASET).
func BenchmarkReimportGeneratedRegistry(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.GenerateCounty(context.Background(), dir, 200_000, 1, gen.ProfileRealistic); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "registry.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	again := filepath.Join(dir, "registry_again.csv")
	if err := os.WriteFile(again, append(data, '\n'), 0o644); err != nil {
		b.Fatal(err)
	}
	opts := importOptions(b)
	opts.Today, opts.Report = gen.DefaultAsOfValue, "-"
	for _, tg := range storetest.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			db := storetest.OpenURL(b, tg.URL)
			ctx := context.Background()
			if _, err := Import(ctx, db, path, baoxue.KindRegistry, opts); err != nil {
				b.Fatal(err)
			}
			var wall, cpu time.Duration
			n := 0
			for b.Loop() {
				b.StopTimer()
				if _, err := db.SQL().ExecContext(ctx, `DELETE FROM datasets WHERE file_name = 'registry_again.csv'`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				r := startRate()
				s, err := Import(ctx, db, again, baoxue.KindRegistry, opts)
				if err != nil || s.ErrorsByCode[CodeDuplicateDataset] == 0 {
					b.Fatal(err, s.ErrorsByCode)
				}
				wall, cpu = wall+time.Since(r.start), cpu+processCPU()-r.cpu
				n += s.Rows
			}
			b.ReportMetric(float64(n)/wall.Seconds(), "rows/s")
			b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/row")
		})
	}
}
