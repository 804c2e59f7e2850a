package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/baoxue/baoxue"
)

// readAll returns every row of a source, cloned.
func readAll(t testing.TB, src Source) []Row {
	t.Helper()
	var rows []Row
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("Next after %d rows: %v", len(rows), err)
		}
		rows = append(rows, r.clone())
	}
}

func values(r Row) []string {
	out := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		out[i] = c.Value
	}
	return out
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTextFixtures reads the registry in every text form a county sends and checks that each
// yields the same header and the same data, under the row numbers a spreadsheet shows.
func TestTextFixtures(t *testing.T) {
	want := registryRecords()
	tests := []struct {
		file      string
		encoding  string
		delim     byte
		headerRow int
	}{
		{"registry_utf8.csv", EncUTF8, ',', 1},
		{"registry_utf8_bom_crlf.csv", EncUTF8BOM, ',', 4},
		{"registry_gbk.csv", EncGB18030, ',', 4},
		{"registry_semicolon.csv", EncUTF8, ';', 4},
		{"registry_tab.txt", EncUTF8, '\t', 4},
		{"registry_utf16le.txt", EncUTF16LE, '\t', 4},
		{"registry_trailing_blank.csv", EncUTF8, ',', 4},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tab, err := OpenTable(filepath.Join("testdata", tt.file), Options{Kind: baoxue.KindRegistry})
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			ts := tab.Source.(*peeked).Source.(*textSource)
			if ts.Encoding() != tt.encoding || ts.Delimiter() != tt.delim {
				t.Errorf("encoding %s delimiter %q, want %s %q", ts.Encoding(), ts.Delimiter(), tt.encoding, tt.delim)
			}
			h := tab.Header
			if h.Row != tt.headerRow {
				t.Errorf("header row %d, want %d", h.Row, tt.headerRow)
			}
			if !slices.Equal(h.Names, registryHeader) || len(h.Unknown) != 0 || len(h.Duplicates) != 0 {
				t.Errorf("header %+v", h)
			}
			if h.Index(FieldIDNumber) != 2 || h.Index(FieldGuardianID) != 12 || h.Index(FieldPhone) != 13 {
				t.Errorf("columns %v", h.Columns)
			}
			rows := readAll(t, tab)
			if len(rows) != len(want) {
				t.Fatalf("%d data rows, want %d", len(rows), len(want))
			}
			for i, r := range rows {
				// The third record's address spans two physical lines: still one row.
				if r.Number != tt.headerRow+1+i {
					t.Errorf("row %d has number %d, want %d", i, r.Number, tt.headerRow+1+i)
				}
				got := values(r)
				for len(got) < len(want[i]) {
					got = append(got, "")
				}
				if !slices.Equal(got, want[i]) {
					t.Errorf("row %d:\n got %q\nwant %q", r.Number, got, want[i])
				}
			}
			if done, total := tab.Progress(); total == 0 || done != total {
				t.Errorf("progress %d/%d at the end", done, total)
			}
		})
	}
}

// TestCSVQuoting pins the record splitting on small inputs: quotes, escaped quotes, delimiters
// and line breaks inside quotes, Excel's leniency, blank lines and the numbering.
func TestCSVQuoting(t *testing.T) {
	type rec struct {
		n     int
		cells []string
	}
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "a,b\nc,d\n", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"no final newline", "a,b\nc,d", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"crlf", "a,b\r\nc,d\r\n", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"lone cr lines", "a,b\rc,d\r", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"blank lines count", "a,b\n\n\nc,d\n", []rec{{1, []string{"a", "b"}}, {4, []string{"c", "d"}}}},
		{"quoted delimiter", `"a,1",b` + "\n", []rec{{1, []string{"a,1", "b"}}}},
		{"escaped quote", `"say ""hi""",b` + "\n", []rec{{1, []string{`say "hi"`, "b"}}}},
		{"newline in quotes", "\"l1\nl2\",b\nc,d\n", []rec{{1, []string{"l1\nl2", "b"}}, {2, []string{"c", "d"}}}},
		{"crlf in quotes", "\"l1\r\nl2\",b\r\nc,d\r\n", []rec{{1, []string{"l1\r\nl2", "b"}}, {2, []string{"c", "d"}}}},
		{"bare quote inside field", `ab"c,d` + "\n", []rec{{1, []string{`ab"c`, "d"}}}},
		{"text after closing quote", `"ab"c,d` + "\n", []rec{{1, []string{`abc`, "d"}}}},
		{"empty quoted", `"",x` + "\n", []rec{{1, []string{"", "x"}}}},
		{"quote at end", "a,\"b\"", []rec{{1, []string{"a", "b"}}}},
		{"trailing empty fields", "a,,\n", []rec{{1, []string{"a", "", ""}}}},
		{"whitespace row skipped", "a,b\n , \nc,d\n", []rec{{1, []string{"a", "b"}}, {3, []string{"c", "d"}}}},
		{"cr inside unquoted", "a\rb,c\nd,e\n", []rec{{1, []string{"a\rb", "c"}}, {2, []string{"d", "e"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(writeTemp(t, "t.csv", []byte(tt.in)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var got []rec
			for _, r := range readAll(t, src) {
				got = append(got, rec{r.Number, values(r)})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].n != tt.want[i].n || !slices.Equal(got[i].cells, tt.want[i].cells) {
					t.Errorf("record %d: got %d %q, want %d %q", i, got[i].n, got[i].cells, tt.want[i].n, tt.want[i].cells)
				}
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	t.Run("unclosed quote names the row", func(t *testing.T) {
		src, err := Open(writeTemp(t, "q.csv", []byte("姓名,身份证号\n张三,1\n\"李四,2\n王五,3\n")), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		var last error
		for last == nil {
			_, last = src.Next()
		}
		if !errors.Is(last, ErrCorrupt) || !strings.Contains(last.Error(), "第 3 行的双引号没有闭合") {
			t.Errorf("got %v", last)
		}
	})
	t.Run("record longer than the limit", func(t *testing.T) {
		data := "a,b\n" + strings.Repeat("x", 300<<10) + "\n"
		src, err := Open(writeTemp(t, "long.csv", []byte(data)), Options{Limits: Limits{MaxTokenSize: 256 << 10}})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if _, err := src.Next(); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Next(); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "第 2 行") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("too many columns", func(t *testing.T) {
		src, err := Open(writeTemp(t, "wide.csv", []byte(strings.Repeat("x,", 40)+"\n")), Options{Limits: Limits{MaxColumns: 30}})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if _, err := src.Next(); !errors.Is(err, ErrLimit) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("file over the size limit", func(t *testing.T) {
		_, err := Open(writeTemp(t, "big.csv", bytes.Repeat([]byte("a,b\n"), 1000)), Options{Limits: Limits{MaxTextSize: 1000}})
		if !errors.Is(err, ErrLimit) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		_, err := OpenTable(writeTemp(t, "empty.csv", nil), Options{Kind: baoxue.KindRegistry})
		if !errors.Is(err, ErrNoHeader) {
			t.Errorf("got %v", err)
		}
	})
}

// TestCSVLongQuotedRecord makes a quoted field cross several buffer refills.
func TestCSVLongQuotedRecord(t *testing.T) {
	long := strings.Repeat("长\"\"文本,\n", 60000) // ~700 KB with escaped quotes and newlines
	data := "a,b\n\"" + long + "\",end\nx,y\n"
	src, err := Open(writeTemp(t, "lq.csv", []byte(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows := readAll(t, src)
	if len(rows) != 3 || rows[1].Number != 2 || rows[2].Number != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if want := strings.ReplaceAll(long, `""`, `"`); rows[1].Value(0) != want || rows[1].Value(1) != "end" {
		t.Errorf("long field has %d bytes, want %d", len(rows[1].Value(0)), len(want))
	}
}

// TestCSVRoundTrip writes random records with encoding/csv and reads them back.
func TestCSVRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "张", "·", ",", ";", "\t", "\"", "\n", "\r\n", " ", "0", "=", "'", "é", "𠀀"}
	for _, comma := range []rune{',', ';', '\t'} {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = comma
		w.UseCRLF = comma == ';'
		var want [][]string
		for range 300 {
			rec := make([]string, 6)
			for j := range rec {
				var b strings.Builder
				b.WriteString("v") // a non-blank start: blank records are skipped by design
				for range rng.IntN(8) {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				rec[j] = b.String()
			}
			want = append(want, rec)
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		src, err := Open(writeTemp(t, "rt.csv", buf.Bytes()), Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows := readAll(t, src)
		src.Close()
		if len(rows) != len(want) {
			t.Fatalf("delimiter %q: %d rows, want %d", comma, len(rows), len(want))
		}
		for i, r := range rows {
			exp := want[i]
			if w.UseCRLF { // encoding/csv writes \n inside quotes as \r\n in CRLF mode
				exp = slices.Clone(exp)
				for j := range exp {
					exp[j] = strings.ReplaceAll(strings.ReplaceAll(exp[j], "\r\n", "\n"), "\n", "\r\n")
				}
			}
			if r.Number != i+1 || !slices.Equal(values(r), exp) {
				t.Fatalf("delimiter %q row %d (#%d):\n got %q\nwant %q", comma, i, r.Number, values(r), exp)
			}
		}
	}
}

// TestCSVMixedEncoding: the encoding is decided from the first 64 KiB; a UTF-8 file with a later
// line pasted from a GBK export keeps that line's Chinese, quoted or not. A file whose sample is
// not UTF-8 is GB18030 throughout.
func TestCSVMixedEncoding(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("李四,女\n\"李,五\",女\n")
	data := "姓名,性别\n" + strings.Repeat("张三,男\n", 10000) + gbk + "王五,男\n"
	src, err := Open(writeTemp(t, "mixed.csv", []byte(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows := readAll(t, src)
	n := len(rows)
	if n != 10004 || rows[n-3].Value(0) != "李四" || rows[n-3].Value(1) != "女" || rows[n-2].Value(0) != "李,五" || rows[n-1].Value(0) != "王五" {
		t.Errorf("%d rows, last %v", n, rows[n-3:])
	}
	small, _ := simplifiedchinese.GBK.NewEncoder().String("姓名,性别\n李四,女\n\"李,五\",女\n")
	src, err = Open(writeTemp(t, "gbk.csv", []byte(small)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if rows := readAll(t, src); len(rows) != 3 || rows[0].Value(0) != "姓名" || rows[1].Value(0) != "李四" {
		t.Errorf("rows %v", rows)
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a;b;c\n1;2;3\n", ';'},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"标题\n\na;b;c\n1;2,5;3\n4;5;6\n", ';'},  // a decimal comma does not win
		{"\"x,y\";b\n\"1,2\";3\n", ';'},         // commas inside quotes do not count
		{"a,b\tc\n1,2\t3\n4,5\t6\n", ','},       // tie: equal frequency, equal count
		{"name\nzhang\n", ','},                  // one column: any choice works
		{"a\tb\tc\td\n1\t2\t3\t4\nx,y\n", '\t'}, // a stray comma line
		{"姓名,身份证号,地址\n张三,1,\"甘肃;兰州\"\n", ','},   // semicolons inside quotes
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.in), '\n'); got != tt.want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidUTF8Prefix(t *testing.T) {
	s := []byte("姓名张三")
	for cut := 1; cut < len(s); cut++ {
		if !validUTF8Prefix(s[:cut], false) {
			t.Errorf("cut at %d: a rune cut by the sample end must not make it invalid", cut)
		}
	}
	if validUTF8Prefix(s[:4], true) {
		t.Error("a whole file ending in half a rune is not valid UTF-8")
	}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("姓名,身份证号\n张三,1\n")
	if validUTF8Prefix([]byte(gbk), true) {
		t.Error("GBK text taken for UTF-8")
	}
}

// TestFormats: every kind of file a user might pick, with the message they get.
func TestFormats(t *testing.T) {
	tests := []struct {
		file string
		err  error
		msg  string
	}{
		{"minimal_ole2.xls", ErrXLS, "minimal_ole2.xls：不支持 .xls（Excel 97-2003）格式：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新导入"},
		{"registry_libreoffice.xls", ErrXLS, "不支持 .xls（Excel 97-2003）格式：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新导入"},
		{"encrypted.xlsx", ErrEncrypted, "设置了打开密码"},
		{"html_table.xls", ErrUnsupported, "网页（HTML）"},
		{"spreadsheetml_2003.xls", ErrUnsupported, "Excel 2003 XML"},
		{"binary.dat", ErrUnsupported, "binary.dat：不支持的文件格式"},
	}
	for _, tt := range tests {
		_, err := Open(filepath.Join("testdata", tt.file), Options{})
		if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: got %v, want %v containing %q", tt.file, err, tt.err, tt.msg)
		}
	}
	// A misnamed file is read for what it is.
	data, err := os.ReadFile(filepath.Join("testdata", "minimal_ole2.xls"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(writeTemp(t, "名单.csv", data), Options{}); !errors.Is(err, ErrXLS) {
		t.Errorf(".xls named .csv: %v", err)
	}
	data, err = os.ReadFile(filepath.Join("testdata", "registry_utf8.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := OpenTable(writeTemp(t, "名单.xls", data), Options{Kind: baoxue.KindRegistry})
	if err != nil {
		t.Fatalf("CSV named .xls: %v", err)
	}
	tab.Close()
	if _, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestGolden pins every row of every readable fixture (go test -run TestGolden -update rewrites
// testdata/golden after a deliberate change; review the diff).
func TestGolden(t *testing.T) {
	files := []string{"registry_utf8.csv", "registry_utf8_bom_crlf.csv", "registry_gbk.csv", "registry_semicolon.csv",
		"registry_tab.txt", "registry_utf16le.txt", "registry_trailing_blank.csv", "enrollment_titled.xlsx",
		"registry_stream.xlsx", "registry_libreoffice.xlsx"}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			sheets := []string{""}
			if strings.HasSuffix(name, ".xlsx") {
				sheets = []string{"1", "2"}
			}
			for _, sheet := range sheets {
				src, err := Open(filepath.Join("testdata", name), Options{Sheet: sheet})
				if errors.Is(err, ErrSheetNotFound) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				text, err := dump(src)
				src.Close()
				if err != nil {
					t.Fatal(err)
				}
				if src.Sheet() != "" {
					b.WriteString("== " + src.Sheet() + "\n")
				}
				b.WriteString(text)
			}
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("rows differ from %s:\n%s", golden, b.String())
			}
		})
	}
}
