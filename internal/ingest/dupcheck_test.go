package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// dupProblems returns the DUPLICATE_ID_DATASET problems of a summary by row.
func dupProblems(s *Summary) map[int]Problem {
	out := map[int]Problem{}
	for _, p := range s.Problems {
		if p.Code == CodeDuplicateDataset {
			out[p.Row] = p
		}
	}
	return out
}

// TestImportDuplicatesAcrossDatasets: an ID number already in the previous dataset of the same
// kind is a warning naming it, its file and row, and a change of status; other kinds and older
// datasets do not count; the row is stored all the same.
func TestImportDuplicatesAcrossDatasets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opts := importOptions(t)
		c1, c2, c3 := testID("620102", "20140305", "123"), testID("620102", "20150718", "242"), testID("620102", "20120101", "015")
		c4 := testID("620102", "20130909", "033")
		imp := func(kind baoxue.DatasetKind, name, csv string) *Summary {
			t.Helper()
			o := opts
			if name != "b.csv" {
				o.Report = "-"
			}
			s, err := Import(ctx, db, writeTemp(t, name, []byte(csv)), kind, o)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return s
		}
		a := imp(baoxue.KindRegistry, "a.csv", "姓名,公民身份号码,人员状态\n张三,"+c1+",正常\n李四,"+c2+",正常\n赵六,"+c4+",正常\n")
		if a.ErrorsByCode[CodeDuplicateDataset] != 0 || a.Warnings != 0 {
			t.Fatalf("first import: %s", summaryJSON(t, a))
		}
		b := imp(baoxue.KindRegistry, "b.csv", "姓名,公民身份号码,人员状态\n王五,"+c3+",正常\n李四,"+c2+",正常\n张三,"+c1+",迁出\n")
		if b.ErrorsByCode[CodeDuplicateDataset] != 2 || b.Warnings != 2 || b.Accepted != 3 || b.Stored != 3 {
			t.Errorf("second import: %s", summaryJSON(t, b))
		}
		d := dupProblems(b)
		want3 := fmt.Sprintf("数据集 %d（a.csv 第 3 行）", a.DatasetID)
		if p := d[3]; p.Column != "公民身份号码" || !p.Warning || !strings.Contains(p.Message, want3) || strings.Contains(p.Message, "状态") {
			t.Errorf("row 3: %+v", p)
		}
		if p := d[4]; !strings.Contains(p.Message, fmt.Sprintf("数据集 %d（a.csv 第 2 行）", a.DatasetID)) ||
			!strings.Contains(p.Message, "状态由“正常”变为“迁出”") {
			t.Errorf("row 4: %+v", p)
		}
		// In the error report: the row whose status changed, not the unchanged person.
		f, err := excelize.OpenFile(b.Report)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("错误行")
		f.Close()
		if len(rows) != 2 || rows[1][0] != "4" || rows[1][2] != CodeDuplicateDataset {
			t.Errorf("report %q", rows)
		}
		// The previous dataset is named; the one it superseded is not consulted (赵六 was only there).
		c := imp(baoxue.KindRegistry, "c.csv", "姓名,公民身份号码\n张三,"+c1+"\n赵六,"+c4+"\n")
		if p := dupProblems(c)[2]; !strings.Contains(p.Message, fmt.Sprintf("数据集 %d（b.csv 第 4 行）", b.DatasetID)) ||
			c.ErrorsByCode[CodeDuplicateDataset] != 1 {
			t.Errorf("third import: %+v %s", p, summaryJSON(t, c))
		}
		var n int
		db.Persons(ctx, b.DatasetID, func(*baoxue.Person) error { n++; return nil })
		if n != 3 {
			t.Errorf("%d persons stored", n)
		}

		// 学籍: the registry's datasets are another kind; national files share the table but
		// not the kind; a status change is spelled out.
		head := "学籍号,姓名,身份证件号,学籍状态\n"
		e1 := imp(baoxue.KindEnrollment, "e1.csv", head+"G"+c1+",张三,"+c1+",在读\n")
		if e1.ErrorsByCode[CodeDuplicateDataset] != 0 {
			t.Errorf("enrollment after registry: %s", summaryJSON(t, e1))
		}
		n1 := imp(baoxue.KindNational, "n1.csv", head+"G"+c1+",张三,"+c1+",在读\n")
		if n1.ErrorsByCode[CodeDuplicateDataset] != 0 {
			t.Errorf("national after enrollment: %s", summaryJSON(t, n1))
		}
		e2 := imp(baoxue.KindEnrollment, "e2.csv", head+"G"+c1+",张三,"+c1+",在校\nG"+c1+",张三,"+c1+",转出\n")
		d = dupProblems(e2)
		if e2.ErrorsByCode[CodeDuplicateDataset] != 2 || strings.Contains(d[2].Message, "状态") ||
			!strings.Contains(d[3].Message, "状态由“在读”变为“转出”") || e2.ErrorsByCode[CodeDuplicateID] != 1 {
			t.Errorf("second enrollment: %s %+v", summaryJSON(t, e2), d)
		}
	})
}

// TestImportDuplicatesAcrossDatasetsMany crosses the lookup's batch boundaries (256 IDs a query,
// 1,024 a flush): 1,800 children of whom 600 were in the earlier file, interleaved with adults
// that are not looked up.
func TestImportDuplicatesAcrossDatasetsMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opts := importOptions(t)
		opts.Report = "-"
		child := func(i int) string {
			birth := baoxue.MakeDate(2012, 1, 1).AddDays(i % 1500).String()
			return testID("620102", strings.ReplaceAll(birth, "-", ""), fmt.Sprintf("%03d", 100+i/1500))
		}
		adult := func(i int) string {
			birth := baoxue.MakeDate(1980, 1, 1).AddDays(i).String()
			return testID("620102", strings.ReplaceAll(birth, "-", ""), "011")
		}
		file := func(name string, from, to int) string {
			var b strings.Builder
			b.WriteString("姓名,公民身份号码\n")
			for i := from; i < to; i++ {
				fmt.Fprintf(&b, "张三,%s\n李四,%s\n", child(i), adult(i))
			}
			return writeTemp(t, name, []byte(b.String()))
		}
		first, err := Import(ctx, db, file("first.csv", 0, 1200), baoxue.KindRegistry, opts)
		if err != nil {
			t.Fatal(err)
		}
		second, err := Import(ctx, db, file("second.csv", 600, 2400), baoxue.KindRegistry, opts)
		if err != nil {
			t.Fatal(err)
		}
		if first.Stored != 1200 || second.Rows != 3600 || second.Stored != 1800 || second.ErrorsByCode[CodeDuplicateDataset] != 600 {
			t.Errorf("first %s\nsecond %s", summaryJSON(t, first), summaryJSON(t, second))
		}
		// Rows come out in file order: the first warning is on the first data row.
		if len(second.Problems) == 0 || second.Problems[0].Row != 2 ||
			!strings.Contains(second.Problems[0].Message, fmt.Sprintf("数据集 %d（first.csv 第 1202 行）", first.DatasetID)) {
			t.Errorf("first problem %+v", second.Problems[:min(1, len(second.Problems))])
		}
		var rows []int
		db.Persons(ctx, second.DatasetID, func(p *baoxue.Person) error { rows = append(rows, p.SourceRow); return nil })
		for i, r := range rows {
			if r != 2+2*i {
				t.Fatalf("stored row %d is file row %d", i, r)
			}
		}
	})
}

// TestCheckSameAsImport: Check counts, reports and converts exactly as Import does.
func TestCheckSameAsImport(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)[0]
	path := copyFixture(t, "registry_gbk.csv")
	opts := importOptions(t)
	var checked []baoxue.Person
	c, err := Check(ctx, path, baoxue.KindRegistry, opts, Records{OnPerson: func(p *baoxue.Person) error {
		checked = append(checked, *p)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Report != ReportPath(path) {
		t.Errorf("check wrote no report: %s", summaryJSON(t, c))
	}
	s, err := Import(ctx, db, path, baoxue.KindRegistry, opts)
	if err != nil {
		t.Fatal(err)
	}
	c.DatasetID, c.Seconds, s.Seconds = s.DatasetID, 0, 0
	if summaryJSON(t, c) != summaryJSON(t, s) {
		t.Errorf("check %s\nimport %s", summaryJSON(t, c), summaryJSON(t, s))
	}
	var stored []baoxue.Person
	db.Persons(ctx, s.DatasetID, func(p *baoxue.Person) error { stored = append(stored, *p); return nil })
	if fmt.Sprint(stored) != fmt.Sprint(checked) || len(stored) != 5 {
		t.Errorf("stored %+v\nchecked %+v", stored, checked)
	}
}
