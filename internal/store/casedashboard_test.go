package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// The dashboard's case figures: children back at school in a period (and of them poor-family),
// and 动态清零 by county, for each level of scope.
func TestCaseDashboardFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		// state, return date, poverty, county's creator, village
		for i, c := range []struct {
			state   baoxue.CaseState
			ret     baoxue.Date
			poor    bool
			by      store.CaseActor
			village string
		}{
			{baoxue.CaseReturned, baoxue.MakeDate(2025, 3, 3), true, crew.county, "622921100201"},
			{baoxue.CaseMonitoring, baoxue.MakeDate(2025, 3, 5), false, crew.county, "622921100201"},
			{baoxue.CaseClosed, baoxue.MakeDate(2025, 3, 1), true, crew.county, "622921101201"},
			{baoxue.CaseClosed, baoxue.MakeDate(2025, 2, 28), true, crew.county, "622921100201"}, // last semester
			{baoxue.CaseConfirmed, 0, true, crew.county, "622921100201"},
			{baoxue.CasePersuading, 0, false, crew.county, "622921101201"},
			{baoxue.CaseReturned, baoxue.MakeDate(2025, 3, 9), true, crew.other, "622922100201"},
			{baoxue.CaseLegal, 0, false, crew.other, "622922100201"},
		} {
			n := newChild(c.village)
			n.IDNumber = fmt.Sprintf("62292%d20110305%03d", i%2, i)
			n.IDNumber += string(idcard.CheckDigit([]byte(n.IDNumber)))
			n.Poverty = c.poor
			created := must(db.CreateCase(ctx, c.by, n))
			if _, err := db.SQL().ExecContext(ctx, `UPDATE cases SET state = $1, return_date = $2 WHERE id = $3`,
				string(c.state), int64(c.ret), created.ID); err != nil {
				t.Fatal(err)
			}
		}
		from, to := baoxue.MakeDate(2025, 3, 1), baoxue.DateOf(caseDay)
		for _, tc := range []struct {
			who         string
			u           auth.User
			code        string
			total, poor int
		}{
			{"county", crew.county.User, "622921", 3, 2},
			{"county, one township", crew.county.User, "622921100", 2, 1},
			{"township officer", crew.township.User, "622921100", 2, 1},
			{"province", crew.province.User, "62", 4, 3},
			{"province, one county", crew.province.User, "622922", 1, 1},
			{"other county", crew.other.User, "622922", 1, 1},
			{"a cadre with no cases", crew.cadre.User, "622921100", 0, 0},
		} {
			total, poor, err := db.Returned(ctx, tc.u, tc.code, from, to)
			if err != nil || total != tc.total || poor != tc.poor {
				t.Errorf("%s: returned %d (poor %d) %v, want %d (%d)", tc.who, total, poor, err, tc.total, tc.poor)
			}
		}
		if _, _, err := db.Returned(ctx, crew.other.User, "622921", from, to); err == nil {
			t.Error("another county's figure is answered")
		}
		total, counties, err := db.ZeroCounties(ctx, crew.province.User, "62", baoxue.DateOf(caseDay))
		if err != nil || total.Open() != 3 || len(counties) != 2 || counties[0].Code != "622921" || counties[0].Open() != 2 ||
			counties[0].Persuading != 1 || counties[1].Code != "622922" || counties[1].Legal != 1 {
			t.Errorf("province by county: %+v %+v %v", total, counties, err)
		}
		// The same figures as Zero's, county by county.
		for _, c := range counties {
			z, _, err := db.Zero(ctx, crew.province.User, c.Code, baoxue.DateOf(caseDay))
			if err != nil || z.Open() != c.Open() {
				t.Errorf("Zero(%s) = %d, ZeroCounties %d (%v)", c.Code, z.Open(), c.Open(), err)
			}
		}
		if _, counties, err := db.ZeroCounties(ctx, crew.county.User, "622921", baoxue.DateOf(caseDay)); err != nil ||
			len(counties) != 1 || counties[0].Open() != 2 {
			t.Errorf("county: %+v %v", counties, err)
		}
	})
}
