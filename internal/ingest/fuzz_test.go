package ingest

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baoxue/baoxue/internal/idcard"
)

// fuzzLimits keep a fuzzed file from spending the fuzzer's time on legitimate but huge work.
var fuzzLimits = Limits{MaxTokenSize: 64 << 10, MaxColumns: 200}

// checkSource reads a source to its end and checks what must hold for any input: row numbers
// increase, no row is blank, no row is wider than the limit.
func checkSource(t *testing.T, src Source) {
	t.Helper()
	last := 0
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		if r.Number <= last {
			t.Fatalf("row number %d after %d", r.Number, last)
		}
		last = r.Number
		if r.blank() {
			t.Fatalf("blank row %d returned", r.Number)
		}
		n := len(r.Cells)
		for n > 0 && r.Cells[n-1].Value == "" {
			n--
		}
		if n > fuzzLimits.MaxColumns {
			t.Fatalf("row %d has %d cells", r.Number, n)
		}
		if done, total := src.Progress(); done < 0 || total < 0 {
			t.Fatalf("progress %d/%d", done, total)
		}
	}
}

func addFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func fuzzOpen(t *testing.T, name string, data []byte) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Open(path, Options{Limits: fuzzLimits})
	if err != nil {
		if err.Error() == "" {
			t.Error("empty error message")
		}
		return
	}
	defer src.Close()
	checkSource(t, src)
}

// FuzzCSV: the text reader never panics and keeps its invariants on arbitrary bytes.
func FuzzCSV(f *testing.F) {
	addFixtures(f, "registry_utf8.csv", "registry_gbk.csv", "registry_semicolon.csv", "registry_tab.txt", "registry_utf16le.txt", "registry_trailing_blank.csv")
	for _, s := range []string{"", "\n", "\r", "\"", "\"\"\"", "a,\"b\nc\"\"d\",e\r\n", "\xef\xbb\xbf\"", "\xff\xfe\x00", "\xfe\xff\x00a", "a\rb\r\"c\r", ",,,\n,,,", "\x81\x30\x81\x30,\x81"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzOpen(t, "f.csv", data) })
}

// FuzzXLSXOpen: arbitrary bytes named .xlsx give an error or rows, never a panic.
func FuzzXLSXOpen(f *testing.F) {
	addFixtures(f, "enrollment_titled.xlsx", "registry_stream.xlsx", "registry_libreoffice.xlsx", "encrypted.xlsx", "minimal_ole2.xls")
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzOpen(t, "f.xlsx", data) })
}

// FuzzXLSXSheet fuzzes the worksheet and shared-string XML inside a valid package, where the
// fuzzer gets much further than through the zip layer.
func FuzzXLSXSheet(f *testing.F) {
	f.Add(`<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row><row><c s="0"><v>1.5E+17</v></c></row></sheetData></worksheet>`,
		`<sst><si><t>姓名</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>`)
	f.Add(`<x:worksheet><x:sheetData><x:row><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="d"><x:v>2014-03-05T00:00:00</x:v></x:c></x:row></x:sheetData></x:worksheet>`, `<sst/>`)
	f.Add(`<worksheet><sheetData><row><c><f>1+1</f><v><![CDATA[2]]></v></c><!-- c --><?pi x?></row></sheetData></worksheet>`, `<sst><si><t>&#x4e00;&amp;&bogus;_x000D_</t></si></sst>`)
	f.Add(`<worksheet><sheetData><row r="1048577"/></sheetData></worksheet>`, `<!DOCTYPE x [<!ENTITY a "b">]><sst/>`)
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		fuzzOpen(t, "s.xlsx", minimalXLSX(t, sheet, sst))
	})
}

// FuzzConvertRow feeds arbitrary rows through the converter of every kind: no panic, every
// problem has a code and a message, the row is rejected exactly when it has an error, and a
// stored record never carries an ID number that is not valid.
func FuzzConvertRow(f *testing.F) {
	for _, rec := range registryRecords() {
		f.Add(uint8(0), strings.Join(rec[1:], "\x1f"), uint16(0))
	}
	f.Add(uint8(1), "G620102201403051238\x1f张三\x1f620102201403051238\x1f男\x1f2014-03-05\x1f2162010001\x1f一小\x1f三年级\x1f在读\x1f否", uint16(0))
	f.Add(uint8(1), "\x1f\x1f6.22921201403051E+17\x1f\x1f41000\x1f\x1f\x1f初一\x1f转学\x1f1", uint16(1<<2|1<<4))
	f.Add(uint8(3), "P1\x1f马一\x1f622921198001010112\x1f之子\x1f边缘户\x1f622921100001", uint16(0))
	f.Add(uint8(4), "韩一\x1f\x1f62010220140305123843\x1f\x1f", uint16(0))
	f.Add(uint8(5), "2162010001\x1f小学\x1f620102\x1f小学\x1f是", uint16(1))
	f.Add(uint8(6), "622921100001\x1f建设社区", uint16(1))
	opts := importOptions(f)
	f.Fuzz(func(t *testing.T, k uint8, cells string, numeric uint16) {
		schema := &schemas[int(k)%len(schemas)]
		head := make([]Cell, len(schema.Columns))
		for i, c := range schema.Columns {
			head[i] = Cell{Value: c.Label}
		}
		h, err := DetectHeader(schema.Kind, []Row{{Number: 1, Cells: head}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", schema.Kind, err)
		}
		cv := newConverter(schema.Kind, &h, opts)
		row := Row{Number: 2}
		for i, v := range strings.Split(cells, "\x1f") {
			row.Cells = append(row.Cells, Cell{Value: v, Numeric: numeric&(1<<(i%16)) != 0})
		}
		for range 2 { // twice: the second time through the memos and as a duplicate
			rec := cv.convert(row)
			errs := 0
			for _, p := range cv.problems {
				if p.code == "" || p.msg == "" {
					t.Fatalf("problem without code or message: %+v", p)
				}
				if !p.warning {
					errs++
				}
			}
			if cv.rejected() != (errs > 0) {
				t.Fatalf("rejected %v with %d errors", cv.rejected(), errs)
			}
			var ids []string
			switch {
			case rec.person != nil:
				ids = []string{rec.person.IDNumber, rec.person.GuardianID}
			case rec.enrollment != nil:
				ids = []string{rec.enrollment.IDNumber}
			case rec.poverty != nil:
				ids = []string{rec.poverty.IDNumber}
			case rec.disability != nil:
				ids = []string{rec.disability.IDNumber}
			}
			for _, id := range ids {
				if _, code := cv.ids.Check(id); id != "" && code != idcard.OK {
					t.Fatalf("stored ID %q is %s", id, code)
				}
			}
		}
	})
}
