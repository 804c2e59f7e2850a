package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// Two counties (622921, 622922), two townships each (…100, …101), two villages each (…201, …202).
func ledgerRegion(i int) string {
	return []string{"622921", "622922"}[i%2] + []string{"100", "101"}[(i/2)%2] + []string{"201", "202"}[(i/4)%2]
}

var ledgerStatuses = []baoxue.LedgerStatus{baoxue.StatusEnrolled, baoxue.StatusSuspected, baoxue.StatusEnrolled,
	baoxue.StatusReview, baoxue.StatusEnrolledElsewhere, baoxue.StatusSuspected, baoxue.StatusInvalidID,
	baoxue.StatusHomeTaught, baoxue.StatusCompleted, baoxue.StatusExempt}

var suspectDetails = []string{"未找到学籍：本地学籍和外省学籍中均无该身份证号",
	"学籍状态为辍学（临夏县土桥镇中心小学，五年级，辍学）", "学籍已转出（某校，转出），未找到转入学籍",
	"学籍显示六年级毕业，未找到升学后的学籍", "户籍人员状态为“注销”"}

// ledgerEntry is entry i of the synthetic runs; shift moves which children are suspects, so
// that two runs differ.
func ledgerEntry(i, shift int) baoxue.LedgerEntry {
	st := ledgerStatuses[(i+i/8+shift)%len(ledgerStatuses)]
	e := baoxue.LedgerEntry{SourceRow: i + 2, IDNumber: testID(i), Name: []string{"马小龙", "张三", "李四", "王芳"}[i%4],
		Sex: baoxue.Female, BirthDate: "2014-03-05", RegionCode: ledgerRegion(i), Status: st,
		MatchMethod: baoxue.MatchIDExact, Poverty: i%5 == 0}
	if i%6 == 0 {
		e.Disability = "智力残疾二级"
	}
	switch st {
	case baoxue.StatusSuspected:
		e.Detail = suspectDetails[(i/3)%len(suspectDetails)]
		e.MatchMethod = baoxue.MatchNone
	case baoxue.StatusInvalidID:
		e.IDNumber = ""
	}
	if i == 7 {
		e.RegionCode = "622921100" // a child placed at a township only
	}
	return e
}

func saveLedger(t *testing.T, db *store.DB, n, shift int) (int64, []baoxue.LedgerEntry) {
	t.Helper()
	entries := make([]baoxue.LedgerEntry, n)
	for i := range entries {
		entries[i] = ledgerEntry(i, shift)
	}
	id, err := db.SaveRun(context.Background(), &store.Run{AsOf: baoxue.MakeDate(2025, 9, 1)}, func(w *store.LedgerWriter) error {
		for i := range entries {
			if err := w.Entry(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, entries
}

func ledgerScope(t *testing.T, s string) auth.Scope {
	t.Helper()
	sc, err := auth.ParseScope(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// pageAll pages through the filter with a small page size and returns the rows in page order.
func pageAll(t *testing.T, db *store.DB, scope auth.Scope, f store.LedgerFilter) []store.LedgerRow {
	t.Helper()
	var all []store.LedgerRow
	f.Limit = 7
	for pages := 0; ; pages++ {
		rows, more, err := db.LedgerPage(context.Background(), scope, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > f.Limit || (more && len(rows) != f.Limit) {
			t.Fatalf("page of %d rows, more=%v", len(rows), more)
		}
		all = append(all, rows...)
		if !more {
			return all
		}
		f.After = rows[len(rows)-1].ID
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

func TestLedgerKeysetPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		runID, entries := saveLedger(t, db, 300, 0)
		county := ledgerScope(t, "622921")
		cases := []struct {
			name   string
			scope  auth.Scope
			filter store.LedgerFilter
			want   func(e baoxue.LedgerEntry) bool
		}{
			{"county, every status", county, store.LedgerFilter{}, func(e baoxue.LedgerEntry) bool { return true }},
			{"county suspects by name", county, store.LedgerFilter{Status: baoxue.StatusSuspected, Sort: store.SortName},
				func(e baoxue.LedgerEntry) bool { return e.Status == baoxue.StatusSuspected }},
			{"province in file order", ledgerScope(t, "62"), store.LedgerFilter{Sort: store.SortRow}, func(e baoxue.LedgerEntry) bool { return true }},
			{"village, poor", county, store.LedgerFilter{Region: "622921101202", Poverty: "yes"},
				func(e baoxue.LedgerEntry) bool { return e.RegionCode == "622921101202" && e.Poverty }},
			{"township, not disabled", county, store.LedgerFilter{Region: "622921100", Disability: "no"},
				func(e baoxue.LedgerEntry) bool {
					return strings.HasPrefix(e.RegionCode, "622921100") && e.Disability == ""
				}},
			{"exact name", ledgerScope(t, "6229"), store.LedgerFilter{Name: "王芳", Sort: store.SortName},
				func(e baoxue.LedgerEntry) bool { return e.Name == "王芳" }},
			{"ID number", ledgerScope(t, "6229"), store.LedgerFilter{IDIndex: db.Keys().BlindIndex(testID(42))},
				func(e baoxue.LedgerEntry) bool { return e.IDNumber == testID(42) }},
			{"township scope", ledgerScope(t, "622922101"), store.LedgerFilter{Status: baoxue.StatusEnrolled},
				func(e baoxue.LedgerEntry) bool { return e.Status == baoxue.StatusEnrolled }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.filter
				f.RunID = runID
				got := pageAll(t, db, tc.scope, f)
				var want []string
				for _, e := range entries {
					if tc.scope.Contains(e.RegionCode) && tc.want(e) {
						want = append(want, fmt.Sprint(e.SourceRow))
					}
				}
				var gotRows []string
				seen := map[int64]bool{}
				for i, r := range got {
					if seen[r.ID] {
						t.Fatalf("entry %d appears twice", r.ID)
					}
					seen[r.ID] = true
					gotRows = append(gotRows, fmt.Sprint(r.SourceRow))
					if i == 0 {
						continue
					}
					p := got[i-1]
					var ordered bool
					switch f.Sort {
					case store.SortName:
						ordered = p.Name < r.Name || (p.Name == r.Name && p.ID < r.ID)
					case store.SortRow:
						ordered = p.ID < r.ID
					default:
						ordered = p.RegionCode < r.RegionCode || (p.RegionCode == r.RegionCode && p.ID < r.ID)
					}
					if !ordered {
						t.Fatalf("rows %d and %d out of order (%s)", p.ID, r.ID, f.Sort)
					}
				}
				if len(want) == 0 {
					t.Fatal("the case selects nothing; it would prove nothing")
				}
				slices.Sort(want)
				slices.Sort(gotRows)
				if !slices.Equal(gotRows, want) {
					t.Fatalf("got %d rows, want %d\n got %v\nwant %v", len(gotRows), len(want), gotRows, want)
				}
				n, err := db.CountLedger(ctx, tc.scope, f)
				if err != nil || n != int64(len(want)) {
					t.Fatalf("CountLedger = %d, %v; want %d", n, err, len(want))
				}
				var streamed int
				if err := db.EachLedgerRow(ctx, tc.scope, f, func(*store.LedgerRow) error { streamed++; return nil }); err != nil || streamed != len(want) {
					t.Fatalf("EachLedgerRow gave %d rows, %v; want %d", streamed, err, len(want))
				}
			})
		}
		// Decrypted fields come back.
		rows, _, err := db.LedgerPage(ctx, county, store.LedgerFilter{RunID: runID, IDIndex: db.Keys().BlindIndex(testID(42))})
		if err != nil || len(rows) != 1 || rows[0].IDNumber != testID(42) || rows[0].Name != entries[42].Name {
			t.Fatalf("ID lookup: %+v %v", rows, err)
		}
	})
}

func TestLedgerScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		runID, _ := saveLedger(t, db, 40, 0)
		countyA, countyB := ledgerScope(t, "622921"), ledgerScope(t, "622922")
		rows, _, err := db.LedgerPage(ctx, countyB, store.LedgerFilter{RunID: runID})
		if err != nil || len(rows) == 0 {
			t.Fatalf("county B sees %d rows, %v", len(rows), err)
		}
		for _, r := range rows {
			if !strings.HasPrefix(r.RegionCode, "622922") {
				t.Fatalf("county B sees %s", r.RegionCode)
			}
			if _, err := db.LedgerRowByID(ctx, countyA, r.ID); !errors.Is(err, baoxue.ErrNotFound) {
				t.Fatalf("county A opens county B's entry %d: %v", r.ID, err)
			}
			if got, err := db.LedgerRowByID(ctx, countyB, r.ID); err != nil || got.ID != r.ID {
				t.Fatalf("county B opens its own entry: %v", err)
			}
		}
		// Asking for a region of another county is not found, not an empty page.
		if _, _, err := db.LedgerPage(ctx, countyA, store.LedgerFilter{RunID: runID, Region: "622922100"}); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("foreign region filter: %v", err)
		}
		if _, _, err := db.LedgerPage(ctx, auth.Scope{}, store.LedgerFilter{RunID: runID}); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("zero scope: %v", err)
		}
		// A school scope sees the entries carrying its school code only.
		school := ledgerScope(t, "school:2162292101")
		rows, _, err = db.LedgerPage(ctx, school, store.LedgerFilter{RunID: runID})
		if err != nil || len(rows) != 0 {
			t.Fatalf("school sees %d rows, %v", len(rows), err)
		}
		// A LIKE wildcard in a region filter is not a wildcard.
		if _, _, err := db.LedgerPage(ctx, countyA, store.LedgerFilter{RunID: runID, Region: "6229%"}); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("wildcard region: %v", err)
		}
	})
}

func TestReviewDecisionAndChildRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// A registry dataset whose rows line up with the ledger's source rows.
		ds := dataset(baoxue.KindRegistry, "reg")
		if _, err := db.ImportDataset(ctx, ds, func(w *store.DatasetWriter) error {
			for i := range 20 {
				p := samplePerson(i)
				if err := w.Person(&p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		pov := dataset(baoxue.KindPoverty, "pov")
		if _, err := db.ImportDataset(ctx, pov, func(w *store.DatasetWriter) error {
			return w.Poverty(&baoxue.PovertyRecord{SourceRow: 2, IDNumber: "622921198001011234", Name: "马福", Type: "脱贫户"})
		}); err != nil {
			t.Fatal(err)
		}
		entries := []baoxue.LedgerEntry{ledgerEntry(3, 0), ledgerEntry(1, 0)}
		run := &store.Run{AsOf: 20250901, DatasetIDs: []int64{ds.ID, pov.ID}}
		runID, err := db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
			for i := range entries {
				if err := w.Entry(&entries[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		scope := ledgerScope(t, "622922")
		rows, _, err := db.LedgerPage(ctx, scope, store.LedgerFilter{RunID: runID, Status: baoxue.StatusReview})
		if err != nil || len(rows) != 1 {
			t.Fatalf("review rows %v %v", rows, err)
		}
		review := rows[0]
		if err := db.DecideReview(ctx, ledgerScope(t, "622921"), review.ID, store.DecisionLink, "", "u"); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("decision out of scope: %v", err)
		}
		if err := db.DecideReview(ctx, scope, review.ID, "maybe", "", "u"); !errors.Is(err, baoxue.ErrInvalid) {
			t.Fatalf("unknown decision: %v", err)
		}
		for _, d := range []string{store.DecisionLink, store.DecisionSeparate} {
			if err := db.DecideReview(ctx, scope, review.ID, d, "核实为同名", "zhang"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ReviewDecisionOf(ctx, review.ID)
		if err != nil || got.Decision != store.DecisionSeparate || got.DecidedBy != "zhang" || got.Note != "核实为同名" {
			t.Fatalf("decision %+v %v", got, err)
		}
		if r, _ := db.LedgerRowByID(ctx, scope, review.ID); r.Decision != store.DecisionSeparate {
			t.Fatalf("row decision %q", r.Decision)
		}
		other, _, _ := db.LedgerPage(ctx, scope, store.LedgerFilter{RunID: runID, Status: baoxue.StatusSuspected})
		if len(other) != 1 {
			t.Fatalf("suspects %d", len(other))
		}
		if err := db.DecideReview(ctx, scope, other[0].ID, store.DecisionLink, "", "u"); !errors.Is(err, baoxue.ErrInvalid) {
			t.Fatalf("decision on a suspect: %v", err)
		}
		recs, err := db.ChildRecords(ctx, &review)
		if err != nil {
			t.Fatal(err)
		}
		if recs.Person == nil || recs.Person.SourceRow != review.SourceRow || recs.Person.Phone != "13812345678" {
			t.Fatalf("registry row %+v", recs.Person)
		}
		if len(recs.Poverty) != 1 || recs.Poverty[0].Name != "马福" {
			t.Fatalf("poverty rows through the guardian: %+v", recs.Poverty)
		}
	})
}
