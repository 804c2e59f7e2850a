package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// expectTally counts the entries under prefix the slow way.
func expectTally(entries []baoxue.LedgerEntry, prefix string) *store.Tally {
	t := &store.Tally{Status: map[baoxue.LedgerStatus]int64{}, Category: map[string]int64{}, Poor: map[baoxue.LedgerStatus]int64{}}
	for _, e := range entries {
		if !strings.HasPrefix(e.RegionCode, prefix) {
			continue
		}
		t.Total++
		t.Status[e.Status]++
		if e.Status == baoxue.StatusSuspected {
			t.Category[store.SuspectCategory(e.Detail)]++
		}
		if e.Poverty {
			t.Poor[e.Status]++
		}
	}
	return t
}

func sameTally(a, b *store.Tally) bool {
	eq := func(x, y map[baoxue.LedgerStatus]int64) bool {
		for k, v := range x {
			if y[k] != v {
				return false
			}
		}
		for k, v := range y {
			if x[k] != v {
				return false
			}
		}
		return true
	}
	if a.Total != b.Total || !eq(a.Status, b.Status) || !eq(a.Poor, b.Poor) || len(a.Category) != len(b.Category) {
		return false
	}
	for k, v := range a.Category {
		if b.Category[k] != v {
			return false
		}
	}
	return true
}

func TestSuspectCategory(t *testing.T) {
	for detail, want := range map[string]string{
		suspectDetails[0]: "no_record", suspectDetails[1]: "dropped", suspectDetails[2]: "transferred",
		suspectDetails[3]: "graduated", suspectDetails[4]: "other",
	} {
		if got := store.SuspectCategory(detail); got != want {
			t.Errorf("SuspectCategory(%q) = %q, want %q", detail, got, want)
		}
	}
}

func TestSummarizeRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		run1, entries1 := saveLedger(t, db, 400, 0)
		run2, entries2 := saveLedger(t, db, 400, 1)
		for _, id := range []int64{run1, run2} {
			if ok, _ := db.Summarized(ctx, id); ok {
				t.Fatal("summarized before SummarizeRun")
			}
			if err := db.SummarizeRun(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SummarizeRun(ctx, run2); err != nil { // again: replaces, does not add
			t.Fatal(err)
		}
		if ok, err := db.Summarized(ctx, run2); !ok || err != nil {
			t.Fatalf("Summarized = %v, %v", ok, err)
		}
		province := ledgerScope(t, "62")
		for _, code := range []string{"62", "6229", "622921", "622922", "622921100", "622921100201", "622922101202"} {
			got, err := db.RegionTally(ctx, province, run2, code)
			if err != nil {
				t.Fatal(err)
			}
			if want := expectTally(entries2, code); !sameTally(got, want) {
				t.Errorf("%s: got %+v, want %+v", code, got, want)
			}
		}
		if got, _ := db.RegionTally(ctx, province, run2, "622921100"); got.Total == 0 || got.Category["dropped"] == 0 {
			t.Fatalf("township tally is empty: %+v", got)
		}
		// Children of a county: its townships; counties of the province.
		subs, err := db.SubregionTallies(ctx, province, run2, "622921", 4)
		if err != nil || len(subs) != 2 {
			t.Fatalf("townships: %v %v", subs, err)
		}
		for code, got := range subs {
			if want := expectTally(entries2, code); !sameTally(got, want) {
				t.Errorf("township %s: got %+v, want %+v", code, got, want)
			}
		}
		counties, err := db.SubregionTallies(ctx, province, run2, "62", 3)
		if err != nil || len(counties) != 2 || counties["622922"].Total != expectTally(entries2, "622922").Total {
			t.Fatalf("counties: %v %v", counties, err)
		}
		villages, _ := db.SubregionTallies(ctx, province, run2, "622921100", 5)
		var sum int64
		for _, v := range villages {
			sum += v.Total
		}
		if township := expectTally(entries2, "622921100").Total; sum != township-1 { // one child sits at the township itself
			t.Fatalf("villages sum to %d, township has %d", sum, township)
		}
		// Scope: a county cannot read the other county or the province.
		county := ledgerScope(t, "622921")
		for _, code := range []string{"622922", "62", "622922101"} {
			if _, err := db.RegionTally(ctx, county, run2, code); !errors.Is(err, baoxue.ErrNotFound) {
				t.Errorf("county reads %s: %v", code, err)
			}
		}
		// Changes since run 1, matched by ID number.
		prev, cur := map[string]bool{}, map[string]bool{}
		for _, e := range entries1 {
			if e.Status == baoxue.StatusSuspected && strings.HasPrefix(e.RegionCode, "622921") {
				prev[e.IDNumber] = true
			}
		}
		var want store.Changes
		for _, e := range entries2 {
			if e.Status == baoxue.StatusSuspected && strings.HasPrefix(e.RegionCode, "622921") {
				cur[e.IDNumber] = true
				if prev[e.IDNumber] {
					want.StillOpen++
				} else {
					want.New++
				}
			}
		}
		for id := range prev {
			if !cur[id] {
				want.Resolved++
			}
		}
		want.PrevRunID = run1
		got, err := db.RegionChanges(ctx, county, run2, "622921")
		if err != nil || *got != want || want.New == 0 || want.Resolved == 0 {
			t.Fatalf("changes %+v, %v; want %+v", got, err, want)
		}
		first, err := db.RegionChanges(ctx, county, run1, "622921")
		if err != nil || first.PrevRunID != 0 || first.New != 0 {
			t.Fatalf("first run changes %+v %v", first, err)
		}
		// The ledger filters that list those changes agree with the counts.
		newRows := pageAll(t, db, county, store.LedgerFilter{RunID: run2, Status: baoxue.StatusSuspected, NotSuspectIn: run1})
		resolved := pageAll(t, db, county, store.LedgerFilter{RunID: run1, Status: baoxue.StatusSuspected, NotSuspectIn: run2})
		still := pageAll(t, db, county, store.LedgerFilter{RunID: run2, Status: baoxue.StatusSuspected, SuspectIn: run1})
		if int64(len(newRows)) != want.New || int64(len(resolved)) != want.Resolved || int64(len(still)) != want.StillOpen {
			t.Fatalf("listed new %d resolved %d still %d; counted %+v", len(newRows), len(resolved), len(still), want)
		}
		// Trend: both runs, oldest first.
		trend, err := db.RegionTrend(ctx, county, "622921", 12)
		if err != nil || len(trend) != 2 || trend[0].Run.ID != run1 || trend[1].Tally.Total != expectTally(entries2, "622921").Total {
			t.Fatalf("trend %+v %v", trend, err)
		}
		if trend[0].Tally.Status[baoxue.StatusSuspected] != expectTally(entries1, "622921").Status[baoxue.StatusSuspected] {
			t.Fatalf("trend run 1 suspects %d", trend[0].Tally.Status[baoxue.StatusSuspected])
		}
	})
}
