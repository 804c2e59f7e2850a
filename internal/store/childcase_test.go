package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// OpenCaseOf finds a child's open case by ID number for those who may see it, and nothing once
// it is cleared.
func TestOpenCaseOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.township, newChild("622921100201")))
		for _, tc := range []struct {
			who   string
			actor store.CaseActor
			id    string
			found bool
		}{
			{"county", crew.county, childID, true},
			{"township", crew.township, childID, true},
			{"province", crew.province, childID, true},
			{"another county", crew.other, childID, false},
			{"a cadre not assigned", crew.cadre, childID, false},
			{"another child", crew.county, "622921201103051251", false},
			{"no ID", crew.county, "", false},
		} {
			got, err := db.OpenCaseOf(ctx, tc.actor.User, tc.id)
			switch {
			case tc.found && (err != nil || got.ID != c.ID || got.State != baoxue.CaseSuspected):
				t.Errorf("%s: %+v %v, want case %d", tc.who, got, err, c.ID)
			case !tc.found && !errors.Is(err, baoxue.ErrNotFound):
				t.Errorf("%s: %+v %v, want not found", tc.who, got, err)
			}
		}
		c = must(db.TransitionCase(ctx, crew.township, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"}))
		if got, err := db.OpenCaseOf(ctx, crew.cadre.User, childID); err != nil || got.ID != c.ID {
			t.Errorf("the verifier does not find the case: %v", err)
		}
		must(db.TransitionCase(ctx, crew.cadre, c.ID, c.Version, baoxue.CaseCleared, casework.Input{Outcome: "deceased", Note: "已核实"}))
		if _, err := db.OpenCaseOf(ctx, crew.county.User, childID); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("a cleared case is still open: %v", err)
		}
	})
}
