package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/baoxue/baoxue/internal/region"
)

var (
	treeOnce sync.Once
	treeVal  *region.Tree
	treeErr  error
)

// testTree loads the division tree once for the whole test binary.
func testTree(t testing.TB) *region.Tree {
	t.Helper()
	treeOnce.Do(func() { treeVal, treeErr = region.Load() })
	if treeErr != nil {
		t.Fatal(treeErr)
	}
	return treeVal
}

// generate runs Generate into a fresh temporary directory.
func generate(t testing.TB, o Options) (string, Summary) {
	t.Helper()
	if o.Out == "" {
		o.Out = t.TempDir()
	}
	sum, err := Generate(context.Background(), o, testTree(t), nil)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return o.Out, sum
}

// table is a parsed output file: the header row, its position, and the data rows.
type table struct {
	pre    [][]string // records above the header (titles)
	header []string
	rows   [][]string
	col    map[string]int
	raw    []byte // the file as UTF-8
}

// readTable reads one output file as an importer would: decode GBK when asked, drop the BOM,
// find the header row by its names, keep every data row.
func readTable(t testing.TB, path string, gbk bool) *table {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if gbk {
		b, err = simplifiedchinese.GBK.NewDecoder().Bytes(b)
		if err != nil {
			t.Fatalf("%s: GBK decode: %v", path, err)
		}
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tb := &table{raw: b, col: map[string]int{}}
	for i, rec := range recs {
		if slices.Contains(rec, "姓名") || slices.Contains(rec, "人员姓名") || slices.Contains(rec, "学校标识码") ||
			slices.Contains(rec, "村(社区)代码") || slices.Contains(rec, "registry_row") {
			tb.pre, tb.header, tb.rows = recs[:i], rec, recs[i+1:]
			break
		}
	}
	if tb.header == nil {
		t.Fatalf("%s: no header row", path)
	}
	for i, h := range tb.header {
		tb.col[h] = i
	}
	return tb
}

// get returns the cell of the first of the given column names present in the header.
func (tb *table) get(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := tb.col[n]; ok {
			if i < len(row) {
				return row[i]
			}
			return ""
		}
	}
	panic("no column " + strings.Join(names, "/"))
}

func readAll(t testing.TB, dir string, gbk bool) map[string]*table {
	t.Helper()
	out := map[string]*table{}
	for f := range numOutFiles {
		out[outName(f)] = readTable(t, filepath.Join(dir, outName(f)+".csv"), gbk && f != outTruth)
	}
	return out
}

// Column synonyms, as DESIGN §7 lists them.
var (
	colName   = []string{"姓名", "人员姓名"}
	colRegID  = []string{"公民身份号码", "身份证号", "身份证号码", "证件号码"}
	colEnrID  = []string{"身份证件号", "身份证号", "公民身份号码"}
	colStuNo  = []string{"全国学籍号", "学籍号"}
	colStatus = []string{"学籍状态"}
)
