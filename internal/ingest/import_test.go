package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

func importOptions(t testing.TB) ImportOptions {
	t.Helper()
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ImportOptions{Tree: tree, Today: baoxue.MakeDate(2024, 9, 1), Importer: "test"}
}

// copyFixture copies a testdata file into a temporary directory, so that the error report is
// written there.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, name, data)
}

func summaryJSON(t testing.TB, s *Summary) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := copyFixture(t, "registry_gbk.csv")
		opts := importOptions(t)
		s, err := Import(ctx, db, path, baoxue.KindRegistry, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(summaryJSON(t, s))
		if s.Rows != 5 || s.Accepted != 4 || s.Rejected != 1 || s.Stored != 5 || s.HeaderRow != 4 {
			t.Errorf("summary %s", summaryJSON(t, s))
		}
		if s.ErrorsByCode["ID_FORMAT"] != 1 {
			t.Errorf("errors by code %v", s.ErrorsByCode)
		}
		// The log carries masked values only.
		for _, p := range s.Problems {
			if p.Code == "ID_FORMAT" && (p.Row != 9 || p.Column != "公民身份号码" || p.Value != "**************") {
				t.Errorf("problem %+v", p)
			}
		}
		ds, err := db.Dataset(ctx, s.DatasetID)
		if err != nil {
			t.Fatal(err)
		}
		if ds.RowsRead != 5 || ds.Accepted != 4 || ds.Rejected != 1 || ds.Kind != baoxue.KindRegistry || ds.Importer != "test" || ds.Sheet != "" {
			t.Errorf("dataset %+v", ds)
		}
		var persons []baoxue.Person
		if err := db.Persons(ctx, s.DatasetID, func(p *baoxue.Person) error { persons = append(persons, *p); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(persons, func(a, b baoxue.Person) int { return a.SourceRow - b.SourceRow })
		if len(persons) != 5 {
			t.Fatalf("%d persons", len(persons))
		}
		p := persons[1]
		if p.SourceRow != 6 || p.Name != "古丽·阿不都" || p.IDNumber != testID("620102", "20150718", "242") || p.Sex != baoxue.Female ||
			p.BirthDate != baoxue.MakeDate(2015, 7, 18) || p.GuardianName != "阿不都·热合曼" || p.Phone != "13912345678" || p.Status != baoxue.RegistryNormal {
			t.Errorf("person %+v", p)
		}
		if p := persons[2]; p.Status != baoxue.RegistryMovedOut || p.StatusRaw != "迁出" || !strings.Contains(p.Address, "\n") {
			t.Errorf("person %+v", p)
		}
		// The row whose ID is unusable is kept for repair, with the evidence.
		if p := persons[4]; p.SourceRow != 9 || p.IDNumber != "" || p.IDRaw != "62010220130909" || p.IDError != "ID_FORMAT" || p.Name != "赵六" {
			t.Errorf("person %+v", p)
		}
		// The error report has that row, unmasked, under the original header.
		f, err := excelize.OpenFile(s.Report, excelizeOptions)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("错误行")
		f.Close()
		if s.Report != path+".errors.xlsx" || len(rows) != 2 || rows[1][0] != "9" || rows[1][2] != "ID_FORMAT" || rows[1][3+2] != "62010220130909" {
			t.Errorf("report %s: %q", s.Report, rows)
		}

		// The same file again is a no-op.
		again, err := Import(ctx, db, path, baoxue.KindRegistry, opts)
		if !errors.Is(err, baoxue.ErrExists) || !again.AlreadyImported || again.DatasetID != s.DatasetID {
			t.Errorf("second import: %v %+v", err, again)
		}
		if all, _ := db.Datasets(ctx); len(all) != 1 {
			t.Errorf("%d datasets", len(all))
		}
	})
}

func TestImportEnrollmentXLSX(t *testing.T) {
	db := storetest.Open(t)[0]
	ctx := context.Background()
	path := copyFixture(t, "enrollment_titled.xlsx")
	s, err := Import(ctx, db, path, baoxue.KindEnrollment, importOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(summaryJSON(t, s))
	// Rows 6 and 7 hold IDs that Excel stored as numbers; row 8 has a name that is a formula-like
	// text. All four are stored (a pupil with a damaged ID can still be matched by name).
	if s.Rows != 4 || s.Rejected != 3 || s.Stored != 4 || s.ErrorsByCode["ID_PRECISION_LOST"] != 2 || s.Sheet != "学籍" {
		t.Errorf("summary %s", summaryJSON(t, s))
	}
	var got []baoxue.Enrollment
	db.Enrollments(ctx, s.DatasetID, func(e *baoxue.Enrollment) error { got = append(got, *e); return nil })
	slices.SortFunc(got, func(a, b baoxue.Enrollment) int { return a.SourceRow - b.SourceRow })
	if len(got) != 4 || got[0].Grade != 3 || got[0].Status != baoxue.EnrollActive || got[1].IDError != "ID_PRECISION_LOST" ||
		got[1].IDRaw != "622921201403051000" || got[1].Grade != 2 || got[2].Grade != 7 || !got[3].HomeTaught {
		t.Errorf("enrollments %+v", got)
	}
}

func TestImportPlaces(t *testing.T) {
	db := storetest.Open(t)[0]
	ctx := context.Background()
	opts := importOptions(t)
	schools := writeTemp(t, "schools.csv", []byte("学校标识码,学校名称,所在地区划代码,办学类型,是否寄宿制\n"+
		"2162010001,城关区第一小学,620102001,小学,否\n"+
		"216201,坏代码小学,620102,小学,否\n"+
		"2162010002,城关区第二中学,620102,初中,是\n"))
	s, err := Import(ctx, db, schools, baoxue.KindSchools, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 3 || s.Rejected != 1 || s.Stored != 2 || s.ErrorsByCode["SCHOOL_CODE_FORMAT"] != 1 {
		t.Errorf("schools %s", summaryJSON(t, s))
	}
	list, _ := db.Schools(ctx)
	if len(list) != 2 || !list[1].Boarding || list[0].RegionCode != "620102001" {
		t.Errorf("schools %+v", list)
	}
	villages := writeTemp(t, "villages.csv", []byte("村（社区）代码,村（社区）名称\n620102001001,东岗村\n620102001,东岗镇\n,无码村\n"))
	s, err = Import(ctx, db, villages, baoxue.KindVillages, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 3 || s.Rejected != 2 || s.Stored != 1 || s.ErrorsByCode[CodeVillageCode] != 1 || s.ErrorsByCode[CodeValueEmpty] != 1 {
		t.Errorf("villages %s", summaryJSON(t, s))
	}
}

// TestImportCancelled: an import stopped half-way leaves no dataset and no report.
func TestImportCancelled(t *testing.T) {
	db := storetest.Open(t)[0]
	var b strings.Builder
	b.WriteString(strings.Join(registryHeader, ",") + "\n")
	for range 6000 {
		b.WriteString(strings.Join(registryRecords()[4], ",") + "\n") // every row has an error
	}
	path := writeTemp(t, "big.csv", []byte(b.String()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := importOptions(t)
	calls := 0
	opts.Progress = func(done, total int64) {
		if calls++; calls == 2 { // progress comes every 4096 rows
			cancel()
		}
	}
	_, err := Import(ctx, db, path, baoxue.KindRegistry, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if all, _ := db.Datasets(context.Background()); len(all) != 0 {
		t.Errorf("%d datasets after a cancelled import", len(all))
	}
	if _, err := os.Stat(ReportPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("report left behind: %v", err)
	}
	// And it can be run again.
	opts.Progress, opts.Report = nil, "-"
	s, err := Import(context.Background(), db, path, baoxue.KindRegistry, opts)
	if err != nil || s.Rows != 6000 || s.Stored != 6000 || s.Rejected != 6000 || s.Report != "" {
		t.Errorf("re-run: %v %s", err, summaryJSON(t, s))
	}
}

func TestMaskValue(t *testing.T) {
	tests := []struct {
		f    Field
		v    string
		want string
	}{
		{FieldIDNumber, "620102201403051238", "620***********1238"},
		{FieldIDNumber, "6.22921201403051E+17", strings.Repeat("*", 20)},
		{FieldName, "张三", "张*"},
		{FieldPhone, "13800138000", "138****8000"},
		{FieldStudentNo, "G620102201403051238", "***************1238"},
		{FieldGrade, "三年级", "三年级"},
	}
	for _, tt := range tests {
		if got := maskValue(tt.f, tt.v); got != tt.want {
			t.Errorf("maskValue(%s, %q) = %q, want %q", tt.f, tt.v, got, tt.want)
		}
	}
}

// TestImportGeneratedCounty: a clean synthetic county imports without a single problem, and the
// stored school-age children carry exactly the values the generator's truth file has.
func TestImportGeneratedCounty(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := gen.GenerateCounty(ctx, dir, 3000, 11, gen.ProfileClean); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)[0]
	opts := importOptions(t)
	opts.Today = gen.DefaultAsOfValue
	ids := map[baoxue.DatasetKind]int64{}
	for _, k := range []baoxue.DatasetKind{baoxue.KindVillages, baoxue.KindSchools, baoxue.KindRegistry, baoxue.KindEnrollment,
		baoxue.KindNational, baoxue.KindPoverty, baoxue.KindDisability} {
		s, err := Import(ctx, db, filepath.Join(dir, string(k)+".csv"), k, opts)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if s.Rows == 0 || s.Rejected != 0 || s.Warnings != 0 || len(s.UnknownColumns) != 0 || s.Report != "" {
			t.Errorf("%s: %s", k, summaryJSON(t, s))
		}
		ids[k] = s.DatasetID
	}
	stored := map[string]baoxue.Person{}
	db.Persons(ctx, ids[baoxue.KindRegistry], func(p *baoxue.Person) error { stored[p.IDNumber] = *p; return nil })
	truth, err := os.ReadFile(filepath.Join(dir, "truth.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(truth)), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], ",") {
		col[h] = i
	}
	children := 0
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		if f[col["in_window"]] != "1" || f[col["registry_row"]] == "0" { // 0: a migrant child, not in the registry
			continue
		}
		children++
		p, ok := stored[f[col["id_number"]]]
		birth, _ := baoxue.ParseISODate(f[col["birth_date"]])
		if !ok || p.Name != f[col["name"]] || p.BirthDate != birth || string(p.Sex) != f[col["sex"]] || p.RegionCode != f[col["region_code"]] {
			t.Errorf("truth %q, stored %+v", line, p)
		}
	}
	if children == 0 || len(stored) < children {
		t.Errorf("%d children in the window, %d persons stored", children, len(stored))
	}
}

// TestImportRegistryWindowAndDuplicates: adults are counted, not stored; a child listed twice is
// stored once; a row without a usable ID or birth date is stored for repair.
func TestImportRegistryWindowAndDuplicates(t *testing.T) {
	db := storetest.Open(t)[0]
	child := testID("620102", "20140305", "123")
	adult := testID("620102", "19800101", "011")
	csv := "姓名,公民身份号码,出生日期,联系电话\n" +
		"张三," + child + ",2014-03-05,13800138000\n" + // 2: stored
		"张大山," + adult + ",1980-01-01,1380013800\n" + // 3: adult, a phone warning
		"张三," + child + ",,\n" + // 4: duplicate
		"李四,6201021980010100,1980-01-01,\n" + // 5: bad ID, an adult by the birth column
		"王五,62010220140305,,\n" + // 6: bad ID, age unknown: stored
		"," + testID("620102", "20150718", "242") + ",,\n" // 7: no name: rejected, stored by ID
	s, err := Import(context.Background(), db, writeTemp(t, "r.csv", []byte(csv)), baoxue.KindRegistry, importOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"PHONE_FORMAT": 1, CodeDuplicateID: 1, "ID_FORMAT": 2, "NAME_EMPTY": 1}
	if s.Rows != 6 || s.Stored != 3 || s.Rejected != 3 || s.Accepted != 3 || s.Warnings != 2 || len(s.ErrorsByCode) != len(want) {
		t.Errorf("summary %s", summaryJSON(t, s))
	}
	for code, n := range want {
		if s.ErrorsByCode[code] != n {
			t.Errorf("%s: %d, want %d", code, s.ErrorsByCode[code], n)
		}
	}
	var rows []int
	db.Persons(context.Background(), s.DatasetID, func(p *baoxue.Person) error { rows = append(rows, p.SourceRow); return nil })
	slices.Sort(rows)
	if !slices.Equal(rows, []int{2, 6, 7}) {
		t.Errorf("stored rows %v", rows)
	}
	for _, p := range s.Problems {
		if p.Code == CodeDuplicateID && (p.Row != 4 || !strings.Contains(p.Message, "第 2 行")) {
			t.Errorf("duplicate %+v", p)
		}
	}
}
