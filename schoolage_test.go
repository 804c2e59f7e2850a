package baoxue

import (
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestSchoolYear(t *testing.T) {
	r := DefaultAgeRule()
	tests := []struct {
		asOf string
		want int
	}{
		{"2026-08-31", 2025},
		{"2026-09-01", 2026},
		{"2026-01-01", 2025},
		{"2026-12-31", 2026},
		{"2024-02-29", 2023},
	}
	for _, tc := range tests {
		if got := r.SchoolYear(d(tc.asOf)); got != tc.want {
			t.Errorf("SchoolYear(%s) = %d, want %d", tc.asOf, got, tc.want)
		}
	}
}

func TestWindowBoundaries(t *testing.T) {
	r := DefaultAgeRule()
	tests := []struct {
		asOf, birth string
		in          bool
	}{
		// as-of 1 Sep 2026: Y=2026, born 2010-09-01 … 2020-08-31.
		{"2026-09-01", "2020-08-31", true},  // just six on the cut-off day
		{"2026-09-01", "2020-09-01", false}, // one day too young: next year's entrant
		{"2026-09-01", "2010-09-01", true},  // fifteen on the cut-off day
		{"2026-09-01", "2010-08-31", false}, // sixteen on the cut-off day
		// as-of 31 Aug 2026 is still school year 2025: born 2009-09-01 … 2019-08-31.
		{"2026-08-31", "2019-08-31", true},
		{"2026-08-31", "2019-09-01", false},
		{"2026-08-31", "2020-08-31", false},
		{"2026-08-31", "2009-09-01", true},
		{"2026-08-31", "2009-08-31", false},
		{"2026-11-28", "2016-02-29", true},
	}
	for _, tc := range tests {
		if got := r.InWindow(d(tc.birth), d(tc.asOf)); got != tc.in {
			t.Errorf("InWindow(birth %s, asOf %s) = %v, want %v", tc.birth, tc.asOf, got, tc.in)
		}
	}
	first, last := r.Window(d("2026-09-01"))
	if first != d("2010-09-01") || last != d("2020-08-31") {
		t.Errorf("Window = %s…%s", first, last)
	}
	first, last = r.WindowWidened(d("2026-09-01"), 2)
	if first != d("2008-09-01") || last != d("2022-08-31") {
		t.Errorf("WindowWidened = %s…%s", first, last)
	}
}

func TestAgeRuleSettings(t *testing.T) {
	// A province that counts age on 31 December and enrols at 7.
	r := AgeRule{EntryAge: 7, MaxAge: 15, CutoffMonth: time.December, CutoffDay: 31}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	// as-of 2026-11-28 is before 31 Dec 2026, so Y = 2025: born 2010-01-01 … 2018-12-31.
	first, last := r.Window(d("2026-11-28"))
	if first != d("2010-01-01") || last != d("2018-12-31") {
		t.Errorf("Window = %s…%s", first, last)
	}
	bad := []AgeRule{
		{EntryAge: 6, MaxAge: 5, CutoffMonth: 8, CutoffDay: 31},
		{EntryAge: 6, MaxAge: 15, CutoffMonth: 2, CutoffDay: 30},
		{EntryAge: 0, MaxAge: 15, CutoffMonth: 8, CutoffDay: 31},
	}
	for _, b := range bad {
		if b.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want error", b)
		}
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		birth, day string
		want       int
	}{
		{"2014-03-05", "2020-03-04", 5},
		{"2014-03-05", "2020-03-05", 6},
		{"2012-02-29", "2018-02-28", 5},
		{"2012-02-29", "2018-03-01", 6},
	}
	for _, tc := range tests {
		if got := AgeOn(d(tc.birth), d(tc.day)); got != tc.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tc.birth, tc.day, got, tc.want)
		}
	}
}

func TestCaseTransitions(t *testing.T) {
	if !CanTransition(CaseVerifying, CaseConfirmed) || CanTransition(CaseSuspected, CaseClosed) {
		t.Fatal("transition table wrong")
	}
	if CanTransition(CaseTransferred, CaseVerifying) {
		t.Fatal("transferred is terminal here")
	}
	for _, c := range CaseStates {
		if _, ok := caseNext[CaseState(c.ID)]; !ok {
			t.Errorf("state %s has no row in the transition table", c.ID)
		}
	}
}
