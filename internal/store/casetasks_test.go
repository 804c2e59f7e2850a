package store_test

import (
	"context"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// An officer assigned to a case as its verifier or 包抓 cadre finds it in 我的任务 in every open
// state, not only when it awaits an officer's step or is overdue; officers not assigned do not.
func TestTasksOfAssignedOfficer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.township, newChild("622921100201")))
		has := func(by store.CaseActor) (bool, string) {
			tasks, err := db.Tasks(ctx, by.User, baoxue.DateOf(caseDay))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range tasks {
				if k.CaseID == c.ID {
					return true, k.Action
				}
			}
			return false, ""
		}
		step := func(to baoxue.CaseState, in casework.Input) {
			t.Helper()
			c = must(db.TransitionCase(ctx, crew.township, c.ID, c.Version, to, in))
		}
		step(baoxue.CaseVerifying, casework.Input{Verifier: "hanji.office"})
		if ok, action := has(crew.township); !ok || action != "待登记核查结果" {
			t.Errorf("the verifying officer's tasks: %v %q", ok, action)
		}
		if ok, _ := has(crew.county); ok {
			t.Error("the county office has a verification within its deadline among its tasks")
		}
		step(baoxue.CaseConfirmed, casework.Input{DropoutDate: baoxue.DateOf(caseDay), Reasons: []string{"work"}, Note: "入户核实"})
		step(baoxue.CasePersuading, casework.Input{Cadre: "hanji.office"})
		if ok, action := has(crew.township); !ok || action != "劝返走访" {
			t.Errorf("the officer who is the case's 包抓 cadre: in tasks %v, %q", ok, action)
		}
		if ok, _ := has(crew.county); ok {
			t.Error("the county office has a persuasion within its deadline among its tasks")
		}
	})
}
