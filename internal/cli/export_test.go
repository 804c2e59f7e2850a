package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/ingest"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
)

// exportKinds are the generator's files in the order they are imported.
var exportKinds = []baoxue.DatasetKind{baoxue.KindVillages, baoxue.KindSchools, baoxue.KindRegistry,
	baoxue.KindEnrollment, baoxue.KindNational, baoxue.KindPoverty, baoxue.KindDisability}

// fileRecords converts a file the way an import does (ingest.Check) and returns its records in
// file order, as comparable values with the source row cleared, and the source rows.
func fileRecords(t *testing.T, path string, kind baoxue.DatasetKind) (recs []any, rows []int) {
	t.Helper()
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	opts := ingest.ImportOptions{Tree: tree, Today: gen.DefaultAsOfValue, Report: "-"}
	add := func(row int, v any) { recs, rows = append(recs, v), append(rows, row) }
	_, err = ingest.Check(context.Background(), path, kind, opts, ingest.Records{
		OnPerson:     func(p *baoxue.Person) error { r := *p; r.SourceRow = 0; add(p.SourceRow, r); return nil },
		OnEnrollment: func(e *baoxue.Enrollment) error { r := *e; r.SourceRow = 0; add(e.SourceRow, r); return nil },
		OnPoverty:    func(p *baoxue.PovertyRecord) error { r := *p; r.SourceRow = 0; add(p.SourceRow, r); return nil },
		OnDisability: func(d *baoxue.DisabilityRecord) error { r := *d; r.SourceRow = 0; add(d.SourceRow, r); return nil },
		OnSchool:     func(s *baoxue.School) error { add(0, *s); return nil },
		OnVillage:    func(v *baoxue.Village) error { add(0, *v); return nil },
	})
	if err != nil {
		t.Fatalf("check %s: %v", path, err)
	}
	return recs, rows
}

// rawTable reads a file's cells as they are, the header first.
func rawTable(t *testing.T, path string) [][]ingest.Cell {
	t.Helper()
	src, err := ingest.Open(path, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out [][]ingest.Cell
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]ingest.Cell(nil), r.Cells...))
	}
}

func column(header []ingest.Cell, name string) int {
	for i, c := range header {
		if c.Value == name {
			return i
		}
	}
	return -1
}

// TestExportRoundTrip: generate a county (clean and realistic), import every file, export every
// dataset as .csv and .xlsx, and check that the exported files hold the same normalised values
// as a direct conversion of the input rows — and, for registry children, the generator's truth.
func TestExportRoundTrip(t *testing.T) {
	for _, profile := range []string{gen.ProfileClean, gen.ProfileRealistic} {
		t.Run(profile, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			if _, err := gen.GenerateCounty(ctx, dir, 3000, 21, profile); err != nil {
				t.Fatal(err)
			}
			dbPath := filepath.Join(dir, "county.db")
			ids := map[baoxue.DatasetKind]int64{}
			headerRow := 0
			for _, k := range exportKinds {
				out, errs, code := runCmd(t, map[string]string{"USER": "tester"}, "import", "--db", dbPath, "--kind", string(k),
					"--as-of", gen.DefaultAsOfValue.String(), "--report", "-", "--json", filepath.Join(dir, string(k)+".csv"))
				if code != 0 {
					t.Fatalf("import %s: exit %d %s", k, code, errs)
				}
				var sum struct {
					DatasetID int64 `json:"dataset_id"`
					HeaderRow int   `json:"header_row"`
				}
				if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.DatasetID == 0 {
					t.Fatalf("import %s: %q %v", k, out, err)
				}
				ids[k] = sum.DatasetID
				if k == baoxue.KindRegistry {
					headerRow = sum.HeaderRow
				}
			}
			exports := 0
			for _, k := range exportKinds {
				input := filepath.Join(dir, string(k)+".csv")
				want, wantRows := fileRecords(t, input, k)
				if len(want) == 0 {
					t.Fatalf("%s: nothing to compare", k)
				}
				for _, ext := range []string{".csv", ".xlsx"} {
					path := filepath.Join(dir, "export_"+string(k)+ext)
					out, errs, code := runCmd(t, map[string]string{"USER": "tester"}, "export", "--db", dbPath,
						"--dataset", strconv.FormatInt(ids[k], 10), "--out", path, "--json")
					if code != 0 {
						t.Fatalf("export %s: exit %d %s", k, code, errs)
					}
					exports++
					if !strings.Contains(out, fmt.Sprintf(`"rows":%d`, len(want))) {
						t.Errorf("export %s%s: %s, want %d rows", k, ext, out, len(want))
					}
					if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
						t.Errorf("export %s: %v %v", path, st.Mode(), err)
					}
					got, _ := fileRecords(t, path, k)
					if len(got) != len(want) {
						t.Fatalf("%s%s: %d records exported, %d from the input", k, ext, len(got), len(want))
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s%s record %d (input row %d):\nexported %+v\ninput    %+v", k, ext, i, wantRows[i], got[i], want[i])
						}
					}
					checkExportCells(t, path, ext, k, wantRows)
				}
			}
			checkTruth(t, dir, filepath.Join(dir, "export_registry.csv"), profile, headerRow)
			checkExportAudit(t, dbPath, exports)
		})
	}
}

// checkExportCells: the 行号 column is the input row; ID numbers are text, not numbers.
func checkExportCells(t *testing.T, path, ext string, k baoxue.DatasetKind, wantRows []int) {
	t.Helper()
	if k == baoxue.KindSchools || k == baoxue.KindVillages {
		return
	}
	rows := rawTable(t, path)
	row, id := column(rows[0], "行号"), -1
	for i, c := range rows[0] {
		if f, ok := idColumn(k); ok && c.Value == f {
			id = i
		}
	}
	if row != 0 || id < 0 || len(rows)-1 != len(wantRows) {
		t.Fatalf("%s: header %v", path, rows[0])
	}
	ids := 0
	for i, r := range rows[1:] {
		if r[row].Value != strconv.Itoa(wantRows[i]) {
			t.Fatalf("%s row %d: 行号 %q, want %d", path, i+2, r[row].Value, wantRows[i])
		}
		v := r[id]
		if v.Numeric || ext == ".csv" && len(v.Value) == 19 && v.Value[0] != '\t' {
			t.Fatalf("%s row %d: ID cell %+v not kept as text", path, i+2, v)
		}
		if len(strings.TrimSpace(v.Value)) == 18 {
			ids++
		}
	}
	if ids == 0 {
		t.Errorf("%s: no ID numbers", path)
	}
}

func idColumn(k baoxue.DatasetKind) (string, bool) {
	s, _ := ingest.SchemaOf(k)
	c, ok := s.Column(ingest.FieldIDNumber)
	return c.Label, ok
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// checkTruth: every registry child of the truth file whose registry row was not damaged is in
// the exported registry with its true name, birth date, sex and village, and its 行号 is the row
// of the generated file (truth counts data rows, the importer sheet rows).
func checkTruth(t *testing.T, dir, export, profile string, headerRow int) {
	t.Helper()
	rows := rawTable(t, export)
	col := func(name string) int { return column(rows[0], name) }
	byID := map[string][]ingest.Cell{}
	for _, r := range rows[1:] {
		byID[strings.TrimSpace(r[col("公民身份号码")].Value)] = r
	}
	f, err := os.Open(filepath.Join(dir, "truth.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tc := map[string]int{}
	for i, h := range truth[0] {
		tc[h] = i
	}
	checked := 0
	for _, rec := range truth[1:] {
		if rec[tc["in_window"]] != "1" || rec[tc["registry_row"]] == "0" || strings.Contains(rec[tc["damage"]], "registry.") {
			continue
		}
		checked++
		r, ok := byID[rec[tc["id_number"]]]
		sex := map[string]string{"M": "男", "F": "女"}[rec[tc["sex"]]]
		if !ok || r[col("姓名")].Value != rec[tc["name"]] || r[col("出生日期")].Value != rec[tc["birth_date"]] ||
			r[col("性别")].Value != sex || strings.TrimSpace(r[col("行政区划代码")].Value) != rec[tc["region_code"]] ||
			r[col("行号")].Value != strconv.Itoa(headerRow+atoi(rec[tc["registry_row"]])) {
			t.Errorf("%s: truth %v, exported %v", profile, rec, r)
		}
	}
	if checked < 300 {
		t.Errorf("%s: only %d children checked against the truth", profile, checked)
	}
}

// checkExportAudit: every export left one audit record by the command line.
func checkExportAudit(t *testing.T, dbPath string, want int) {
	t.Helper()
	ctx := context.Background()
	keys, err := pii.LoadOrCreateKey(dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = db.AuditRecords(ctx, 0, func(r *baoxue.AuditRecord) error {
		if r.Action == "export" {
			n++
			if r.Actor != "cli" || !strings.HasPrefix(r.Object, "dataset:") || !strings.Contains(r.Detail, "os_user=tester") ||
				!strings.Contains(r.Detail, "unmasked=true") {
				t.Errorf("audit %+v", r)
			}
		}
		return nil
	})
	if err != nil || n != want {
		t.Errorf("%d export audit records, want %d (%v)", n, want, err)
	}
}

func TestExportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "county.db")
	csvPath := filepath.Join(dir, "r.csv")
	os.WriteFile(csvPath, []byte("姓名,公民身份号码,户籍地址\n张三,620102201403051238,=1+1\n"), 0o644)
	if _, errs, code := runCmd(t, nil, "import", "--db", db, "--kind", "registry", "--report", "-", csvPath); code != 0 {
		t.Fatal(errs)
	}
	for _, args := range [][]string{
		{"export", "--db", db, "--out", filepath.Join(dir, "x.csv")},
		{"export", "--db", db, "--dataset", "1", "--out", filepath.Join(dir, "x.txt")},
		{"export", "--db", db, "--dataset", "1"},
	} {
		if _, _, code := runCmd(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	out := filepath.Join(dir, "x.csv")
	if _, errs, code := runCmd(t, nil, "export", "--db", db, "--dataset", "9", "--out", out); code != 1 || !strings.Contains(errs, "数据集 9 不存在") {
		t.Errorf("missing dataset: exit %d %q", code, errs)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file written for a missing dataset: %v", err)
	}
	// A formula-like value is escaped, and the text summary warns about personal data.
	text, errs, code := runCmd(t, nil, "export", "--db", db, "--dataset", "1", "--out", out)
	if code != 0 || !strings.Contains(text, "个人信息") {
		t.Fatalf("export: exit %d %q %q", code, text, errs)
	}
	data, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(data), "\uFEFF行号,姓名,") || !strings.Contains(string(data), "\r\n2,张三,\"\t620102201403051238\",男,2014-03-05,,,,'=1+1,,正常,") {
		t.Errorf("csv %q", data)
	}
}
