package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// caseDay is the fixed "today" of the case tests.
var caseDay = time.Date(2025, time.March, 10, 9, 0, 0, 0, time.UTC)

// caseUsers creates the people of one county's case work and returns them as actors.
type caseCrew struct {
	county, township, cadre, school, other, province store.CaseActor
}

func newCaseCrew(t *testing.T, db *store.DB) caseCrew {
	t.Helper()
	ctx := context.Background()
	mk := func(name string, role auth.Role, scope string) store.CaseActor {
		a := newAccount(t, name, role, scope)
		if err := db.CreateUser(ctx, a); err != nil {
			t.Fatal(err)
		}
		return store.CaseActor{User: a.User, Now: caseDay}
	}
	return caseCrew{
		county:   mk("county.office", auth.RoleOfficer, "622921"),
		township: mk("hanji.office", auth.RoleOfficer, "622921100"),
		cadre:    mk("ma.cadre", auth.RoleCadre, "622921100"),
		school:   mk("hanji.school", auth.RoleSchool, "school:6229210001"),
		other:    mk("other.county", auth.RoleOfficer, "622922"),
		province: mk("gansu.office", auth.RoleOfficer, "62"),
	}
}

func at(a store.CaseActor, days int) store.CaseActor {
	a.Now = caseDay.AddDate(0, 0, days)
	return a
}

const childID = "622921201103051234"

func newChild(region string) store.NewCase {
	return store.NewCase{IDNumber: childID, Name: "马小花", Sex: baoxue.Female, BirthDate: baoxue.MakeDate(2011, time.March, 5),
		RegionCode: region, SchoolCode: "6229210001", SchoolName: "韩集初级中学", Grade: 7, Guardian: "马德福",
		Relation: "父亲", Phone: "13912345678", Address: "韩集镇阳洼山村三社"}
}

// must and must2 unwrap a call's results; an error panics, which fails the test with the
// stack of the call (a helper cannot take t alongside a multi-value call).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func zeroOf(t *testing.T, db *store.DB, u auth.User, day time.Time) int {
	t.Helper()
	z, _, err := db.Zero(context.Background(), u, "622921", baoxue.DateOf(day))
	if err != nil {
		t.Fatal(err)
	}
	return z.Open()
}

// A child's whole way through case work, on both engines: every step is checked against the
// state, the history, 动态清零 and the audit log.
func TestCaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		county := crew.county.User
		c := must(db.CreateCase(ctx, crew.township, newChild("622921100201")))
		if c.State != baoxue.CaseSuspected || c.Due != baoxue.DateOf(caseDay).AddDays(7) || c.CountyCode != "622921" {
			t.Fatalf("new case %+v", c)
		}
		if n := zeroOf(t, db, county, caseDay); n != 0 {
			t.Errorf("a suspect within its deadline counts against zero: %d", n)
		}
		if n := zeroOf(t, db, county, caseDay.AddDate(0, 0, 8)); n != 1 {
			t.Errorf("a suspect past its deadline does not count: %d", n)
		}
		step := func(by store.CaseActor, to baoxue.CaseState, in casework.Input) {
			t.Helper()
			cur := must(db.Case(ctx, county, c.ID))
			c = must(db.TransitionCase(ctx, by, c.ID, cur.Version, to, in))
			if c.State != to {
				t.Fatalf("state %s, want %s", c.State, to)
			}
		}
		step(crew.township, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"})
		// The cadre now sees it, and has a notification.
		if _, err := db.Case(ctx, crew.cadre.User, c.ID); err != nil {
			t.Fatalf("verifier cannot see the case: %v", err)
		}
		if n, _ := db.UnreadNotifications(ctx, "ma.cadre"); n != 1 {
			t.Errorf("verifier has %d notifications", n)
		}
		step(at(crew.cadre, 2), baoxue.CaseConfirmed, casework.Input{DropoutDate: baoxue.MakeDate(2025, time.March, 3),
			Reasons: []string{"work", "guardian_attitude"}, Note: "入户核实，在外务工"})
		if n := zeroOf(t, db, county, caseDay.AddDate(0, 0, 2)); n != 1 {
			t.Errorf("a confirmed dropout: zero %d", n)
		}
		// The legal ladder needs a visit first.
		_, err := db.TransitionCase(ctx, crew.township, c.ID, c.Version, baoxue.CaseLegal, casework.Input{Note: "拒绝"})
		if !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("confirmed → legal: %v", err)
		}
		step(at(crew.township, 2), baoxue.CasePersuading, casework.Input{Cadre: "ma.cadre"})
		_, err = db.TransitionCase(ctx, crew.township, c.ID, c.Version, baoxue.CaseLegal, casework.Input{Note: "拒绝"})
		if err == nil || !strings.Contains(err.Error(), "至少登记一次劝返走访") {
			t.Errorf("legal without a visit: %v", err)
		}
		v := must(db.AddVisit(ctx, at(crew.cadre, 3), c.ID, store.Visit{Date: baoxue.DateOf(caseDay).AddDays(3),
			Visitors: "马干部、李老师", Method: "home", Result: "refused", Place: "家中", Notes: "家长坚持让孩子务工"}))
		if v.ID == 0 {
			t.Fatal("visit has no id")
		}
		step(at(crew.township, 4), baoxue.CaseLegal, casework.Input{Note: "监护人拒不送学"})
		notice := must(db.IssueLegal(ctx, at(crew.township, 4), c.ID, c.Version, casework.StepNotice, "韩集镇人民政府", "临",
			store.LegalExtra{ReturnTo: "韩集初级中学"}))
		if notice.DocNo != "临教劝〔2025〕1号" || notice.Deadline != baoxue.DateOf(caseDay).AddDays(11) {
			t.Errorf("notice %+v", notice)
		}
		if err := db.ServeLegal(ctx, at(crew.township, 5), c.ID, notice.ID, "马德福", "direct", baoxue.DateOf(caseDay).AddDays(5)); err != nil {
			t.Fatal(err)
		}
		c = must(db.Case(ctx, county, c.ID))
		if c.Due != baoxue.DateOf(caseDay).AddDays(12) {
			t.Errorf("due after service %s", c.Due)
		}
		_, err = db.IssueLegal(ctx, at(crew.township, 6), c.ID, c.Version, casework.StepOrder, "韩集镇人民政府", "临", store.LegalExtra{})
		if err == nil || !strings.Contains(err.Error(), "未届满") {
			t.Errorf("order before the notice's deadline: %v", err)
		}
		order := must(db.IssueLegal(ctx, at(crew.county, 13), c.ID, c.Version, casework.StepOrder, "临夏县教育局", "临", store.LegalExtra{}))
		if order.DocNo != "临教责〔2025〕1号" {
			t.Errorf("order number %s", order.DocNo)
		}
		steps := must(db.LegalSteps(ctx, c.ID))
		if len(steps) != 2 || steps[0].ServedTo != "马德福" {
			t.Errorf("legal steps %+v", steps)
		}
		if n := zeroOf(t, db, county, caseDay.AddDate(0, 0, 13)); n != 1 {
			t.Errorf("legal: zero %d", n)
		}
		step(at(crew.school, 15), baoxue.CaseReturned, casework.Input{ReturnDate: baoxue.DateOf(caseDay).AddDays(15),
			ReturnSchool: "韩集初级中学", ReturnGrade: 7})
		if n := zeroOf(t, db, county, caseDay.AddDate(0, 0, 15)); n != 0 {
			t.Errorf("returned: zero %d", n)
		}
		rec := store.Recommendation(c)
		// Overriding the recommendation needs a reason.
		other := "vocational"
		if rec.Code == other {
			other = "regular_class"
		}
		_, err = db.TransitionCase(ctx, at(crew.school, 16), c.ID, c.Version, baoxue.CaseMonitoring, casework.Input{Placement: other})
		if err == nil || !strings.Contains(err.Error(), "未采用推荐安置方式的理由") {
			t.Errorf("override without reason: %v", err)
		}
		step(at(crew.school, 16), baoxue.CaseMonitoring, casework.Input{Placement: rec.Code})
		plan := store.Plan{Goals: "三个月内跟上初一进度", Measures: "每周两次课后辅导", Teacher: "李老师",
			ReviewDates: []baoxue.Date{baoxue.DateOf(caseDay).AddDays(60), baoxue.DateOf(caseDay).AddDays(30)}}
		c = must(db.SavePlan(ctx, at(crew.school, 16), c.ID, c.Version, plan))
		cps := must(db.Checkpoints(ctx, c.ID))
		if len(cps) != 3 || cps[0].Due != baoxue.DateOf(caseDay).AddDays(45) || c.Due != cps[0].Due {
			t.Fatalf("checkpoints %+v, due %s", cps, c.Due)
		}
		_, err = db.TransitionCase(ctx, at(crew.county, 46), c.ID, c.Version, baoxue.CaseClosed, casework.Input{Note: "销号"})
		if err == nil || !strings.Contains(err.Error(), "已通过 0/3") {
			t.Errorf("close before checkpoints: %v", err)
		}
		for _, cp := range cps {
			day := int(cp.Due.Time().Sub(baoxue.DateOf(caseDay).Time()).Hours() / 24)
			c = must(db.RecordCheckpoint(ctx, at(crew.school, day), c.ID, c.Version, cp.Seq, casework.CheckpointInSchool,
				cp.Due, "在校", casework.Input{}))
		}
		step(at(crew.county, 200), baoxue.CaseClosed, casework.Input{Note: "跟踪期满，销号"})
		// Re-dropout reopens it with its history.
		step(at(crew.school, 230), baoxue.CaseConfirmed, casework.Input{DropoutDate: baoxue.DateOf(caseDay).AddDays(228),
			Reasons: []string{"learning_difficulty"}, Note: "再次辍学"})
		if c.Reopened != 1 || c.ReturnDate != 0 || c.ConfirmedOn != baoxue.DateOf(caseDay).AddDays(2) {
			t.Errorf("reopened case %+v", c)
		}
		if n := zeroOf(t, db, county, caseDay.AddDate(0, 0, 230)); n != 1 {
			t.Errorf("re-dropout: zero %d", n)
		}
		events := must(db.CaseEvents(ctx, c.ID, 0))
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, ","); !strings.HasPrefix(got, "create,transition,transition,transition,visit,transition,legal,serve,legal,transition,transition,plan,checkpoint,checkpoint,checkpoint,transition,transition") {
			t.Errorf("history %s", got)
		}
		// Every event is in the audit log, whose chain still verifies.
		recs, err := db.SearchAudit(ctx, store.AuditFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		caseRecs := 0
		for _, r := range recs {
			if r.Object == fmt.Sprintf("case:%d", c.ID) {
				caseRecs++
			}
		}
		if caseRecs != len(events) {
			t.Errorf("%d audit records for %d events", caseRecs, len(events))
		}
	})
}

// Roles take only their own transitions, with a clear message.
func TestCaseTransitionRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		_, err := db.TransitionCase(ctx, crew.school, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"})
		if !errors.Is(err, baoxue.ErrDenied) || !strings.Contains(err.Error(), "学校不能执行“派发核查”") {
			t.Errorf("the child's school dispatching: %v", err)
		}
		_, err = db.TransitionCase(ctx, crew.province, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"})
		if !errors.Is(err, baoxue.ErrDenied) {
			t.Errorf("province officer dispatching: %v", err)
		}
		_, err = db.TransitionCase(ctx, crew.county, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "other.county"})
		if !errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), "不负责该儿童所在地区") {
			t.Errorf("verifier from another county: %v", err)
		}
		_, err = db.TransitionCase(ctx, crew.county, c.ID, c.Version, baoxue.CaseReturned, casework.Input{})
		if !errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), "不能从“疑似”变为“已复学”") {
			t.Errorf("suspected → returned: %v", err)
		}
		if _, err := db.Case(ctx, crew.other.User, c.ID); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("another county sees the case: %v", err)
		}
		if _, err := db.Case(ctx, crew.cadre.User, c.ID); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("an unassigned cadre sees the case: %v", err)
		}
		if _, err := db.CreateCase(ctx, crew.county, newChild("622921100201")); !errors.Is(err, baoxue.ErrExists) {
			t.Errorf("second open case for the child: %v", err)
		}
		if _, err := db.CreateCase(ctx, crew.cadre, newChild("622921100202")); !errors.Is(err, baoxue.ErrDenied) {
			t.Errorf("cadre opening a case: %v", err)
		}
	})
}

// Two people edit one case from the same version: the second is told (ErrConflict with the
// case as it is now and what changed), retries, and neither change is lost.
func TestCaseOptimisticLocking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		seen := c.Version
		if _, err := db.AssignCase(ctx, crew.county, c.ID, seen, "ma.cadre", ""); err != nil {
			t.Fatal(err)
		}
		_, err := db.SetReasons(ctx, crew.township, c.ID, seen, []string{"poverty"}, []string{"aid"})
		var conflict *store.ConflictError
		if !errors.Is(err, baoxue.ErrConflict) || !errors.As(err, &conflict) || conflict.Current.Verifier != "ma.cadre" {
			t.Fatalf("stale write: %v", err)
		}
		changed := must(db.CaseEvents(ctx, c.ID, seen))
		if len(changed) != 1 || changed[0].Actor != "county.office" || !strings.Contains(changed[0].Summary, "ma.cadre") {
			t.Errorf("what changed: %+v", changed)
		}
		c2 := must(db.SetReasons(ctx, crew.township, c.ID, conflict.Current.Version, []string{"poverty"}, []string{"aid"}))
		if c2.Verifier != "ma.cadre" || len(c2.Reasons) != 1 || c2.Version != seen+2 {
			t.Errorf("after retry %+v", c2)
		}
	})
}

// Concurrent writers on one case and one document series: every write either lands or is told
// to retry; 文号 are never repeated.
func TestCaseConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		var wg sync.WaitGroup
		var mu sync.Mutex
		landed, conflicts := 0, 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				reasons := []string{baoxue.DropoutReasons[i].ID}
				for {
					cur, err := db.Case(ctx, crew.county.User, c.ID)
					if err != nil {
						t.Error(err)
						return
					}
					_, err = db.SetReasons(ctx, crew.county, c.ID, cur.Version, reasons, nil)
					mu.Lock()
					if err == nil {
						landed++
						mu.Unlock()
						return
					}
					conflicts++
					mu.Unlock()
					if !errors.Is(err, baoxue.ErrConflict) {
						t.Error(err)
						return
					}
				}
			}(i)
		}
		wg.Wait()
		final := must(db.Case(ctx, crew.county.User, c.ID))
		if landed != 8 || final.Version != 9 {
			t.Errorf("landed %d, version %d (conflicts %d)", landed, final.Version, conflicts)
		}
		if evs := must(db.CaseEvents(ctx, c.ID, 0)); len(evs) != 9 {
			t.Errorf("%d events", len(evs))
		}
	})
}

// A comparison run's suspects become cases once; a second sync creates nothing; a child
// cleared recently is not reopened.
func TestSyncCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		ids := []string{"622921201103051234", "62292120110306123X", "622921201203071236"}
		run := &store.Run{AsOf: baoxue.DateOf(caseDay)}
		_, err := db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
			for i, id := range ids {
				if err := w.Entry(&baoxue.LedgerEntry{SourceRow: i + 2, IDNumber: id, Name: "学生" + id[16:], Sex: baoxue.Male,
					BirthDate: "2011-03-05", RegionCode: "622921100201", Status: baoxue.StatusSuspected, Disability: "肢体残疾三级"}); err != nil {
					return err
				}
			}
			return errors.Join(
				w.Entry(&baoxue.LedgerEntry{SourceRow: 9, Name: "无号", RegionCode: "622921100201", Status: baoxue.StatusSuspected}),
				w.Entry(&baoxue.LedgerEntry{SourceRow: 10, IDNumber: "622921201103051111", Status: baoxue.StatusEnrolled}))
		})
		if err != nil {
			t.Fatal(err)
		}
		res := must(db.SyncCases(ctx, crew.county, run.ID))
		if res.Created != 3 || res.NoID != 1 || res.Suspects != 4 {
			t.Errorf("first sync %+v", res)
		}
		res = must(db.SyncCases(ctx, crew.county, run.ID))
		if res.Created != 0 || res.AlreadyOpen != 3 {
			t.Errorf("second sync %+v", res)
		}
		list, _ := must2(db.CaseList(ctx, crew.county.User, store.CaseFilter{}))
		if len(list) != 3 || list[0].Source != casework.SourceComparison || list[0].Disability != "肢体残疾三级" {
			t.Fatalf("cases %+v", list)
		}
		// Clear one; a sync the next day leaves it alone, one after 90 days reopens it.
		c := list[0]
		c = *must(db.TransitionCase(ctx, crew.county, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"}))
		c = *must(db.TransitionCase(ctx, crew.cadre, c.ID, c.Version, baoxue.CaseCleared, casework.Input{Outcome: "in_school_elsewhere", Note: "在外地就读"}))
		res = must(db.SyncCases(ctx, at(crew.county, 1), run.ID))
		if res.RecentlyCleared != 1 || res.Created != 0 {
			t.Errorf("sync after clearing %+v", res)
		}
		res = must(db.SyncCases(ctx, at(crew.county, 100), run.ID))
		if res.Reopened != 1 {
			t.Errorf("sync 100 days later %+v", res)
		}
		if c2 := must(db.Case(ctx, crew.county.User, c.ID)); c2.State != baoxue.CaseVerifying || c2.Verifier != "ma.cadre" {
			t.Errorf("reopened %+v", c2)
		}
	})
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return a, b
}

// Evidence files: type sniffed, size limited, content encrypted at rest, downloads only in scope.
func TestCaseFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("secret-photo"), 100)...)
		f := must(db.AddCaseFile(ctx, crew.county, c.ID, "verification", 0, `C:\相册\家.png`, png))
		if f.ContentType != "image/png" || f.Name != "家.png" || len(f.SHA256) != 64 {
			t.Errorf("file %+v", f)
		}
		if _, err := db.AddCaseFile(ctx, crew.county, c.ID, "verification", 0, "x.exe", []byte("MZ\x90\x00")); !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("executable accepted: %v", err)
		}
		if _, err := db.AddCaseFile(ctx, crew.county, c.ID, "verification", 0, "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, store.MaxCaseFile)...)); !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("oversized file accepted: %v", err)
		}
		got := must(db.CaseFileData(ctx, crew.county.User, c.ID, f.ID))
		if !bytes.Equal(got.Data, png) {
			t.Error("content differs")
		}
		if _, err := db.CaseFileData(ctx, crew.other.User, c.ID, f.ID); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("another county downloads: %v", err)
		}
		if db.Dialect() == "sqlite" {
			var raw []byte
			if err := db.SQL().QueryRowContext(ctx, `SELECT data FROM case_files`).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte("secret-photo")) {
				t.Error("file stored in clear")
			}
		}
	})
}

// A transfer is accepted or rejected by the receiving county only.
func TestCaseTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		c = must(db.TransitionCase(ctx, crew.county, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"}))
		tr := must(db.RequestTransfer(ctx, crew.county, c.ID, c.Version, "622922", "已随父母迁居"))
		if tr.Due != baoxue.DateOf(caseDay).AddDays(15) {
			t.Errorf("transfer due %s", tr.Due)
		}
		if n, _ := db.UnreadNotifications(ctx, "other.county"); n != 1 {
			t.Errorf("receiving county has %d notifications", n)
		}
		if _, err := db.DecideTransfer(ctx, crew.county, tr.ID, true, ""); !errors.Is(err, baoxue.ErrNotFound) {
			t.Errorf("the sending county accepts its own transfer: %v", err)
		}
		got := must(db.Transfers(ctx, crew.other.User))
		if len(got) != 1 || got[0].Status != casework.TransferPending {
			t.Fatalf("incoming %+v", got)
		}
		if _, err := db.DecideTransfer(ctx, crew.other, tr.ID, false, ""); !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("rejection without reason: %v", err)
		}
		done := must(db.DecideTransfer(ctx, crew.other, tr.ID, true, "已接收"))
		if done.Status != casework.TransferAccepted || done.NewCaseID == 0 {
			t.Fatalf("decision %+v", done)
		}
		old := must(db.Case(ctx, crew.county.User, c.ID))
		if old.State != baoxue.CaseTransferred {
			t.Errorf("old case %s", old.State)
		}
		fresh := must(db.Case(ctx, crew.other.User, done.NewCaseID))
		if fresh.State != baoxue.CaseSuspected || fresh.CountyCode != "622922" || fresh.IDNumber != childID {
			t.Errorf("new case %+v", fresh)
		}
	})
}

// Overdue lists, escalation and the 动态清零 history.
func TestOverdueEscalationZero(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crew := newCaseCrew(t, db)
		county := crew.county.User
		c := must(db.CreateCase(ctx, crew.county, newChild("622921100201")))
		c = must(db.TransitionCase(ctx, crew.county, c.ID, c.Version, baoxue.CaseVerifying, casework.Input{Verifier: "ma.cadre"}))
		day := baoxue.DateOf(caseDay)
		persons, units := must2(db.Overdue(ctx, county, day.AddDays(10)))
		if len(persons) != 1 || persons[0].Key != "ma.cadre" || persons[0].MaxDays != 3 || len(units) != 1 || units[0].Key != "622921100" {
			t.Errorf("overdue %+v %+v", persons, units)
		}
		tasks := must(db.Tasks(ctx, crew.cadre.User, day))
		if len(tasks) != 1 || tasks[0].Name != "马*" || tasks[0].Action != "待登记核查结果" {
			t.Errorf("cadre tasks %+v", tasks)
		}
		if tasks := must(db.Tasks(ctx, crew.province.User, day)); len(tasks) != 0 {
			t.Errorf("province officer has tasks %+v", tasks)
		}
		// 7 days overdue (due +7, today +14): escalated once, to the township's officers.
		notes := must(db.EscalateOverdue(ctx, at(crew.county, 14)))
		if len(notes) != 1 || notes[0].Username != "hanji.office" || notes[0].Kind != "escalated" {
			t.Errorf("escalation %+v", notes)
		}
		if again := must(db.EscalateOverdue(ctx, at(crew.county, 15))); len(again) != 0 {
			t.Errorf("escalated twice at one level: %+v", again)
		}
		if next := must(db.EscalateOverdue(ctx, at(crew.county, 21))); len(next) != 1 || next[0].Username != "county.office" {
			t.Errorf("second level %+v", next)
		}
		// History: open on day +14, cleared on +22; days at zero counts from the day after.
		must(db.RecordZeroDay(ctx, day.AddDays(14)))
		c = must(db.Case(ctx, county, c.ID))
		must(db.TransitionCase(ctx, at(crew.cadre, 22), c.ID, c.Version, baoxue.CaseCleared, casework.Input{Outcome: "deceased", Note: "死亡"}))
		must(db.RecordZeroDay(ctx, day.AddDays(22)))
		must(db.RecordZeroDay(ctx, day.AddDays(25)))
		n, known := must2(db.DaysAtZero(ctx, "622921", day.AddDays(25)))
		if !known || n != 11 {
			t.Errorf("days at zero %d %v", n, known)
		}
		trend := must(db.ZeroTrend(ctx, county, "622921", day, day.AddDays(30)))
		if len(trend) != 3 || trend[0].OverdueSuspects != 1 || trend[1].OverdueSuspects != 0 {
			t.Errorf("trend %+v", trend)
		}
		total, children := must2(db.Zero(ctx, crew.province.User, "62", day.AddDays(25)))
		if total.Open() != 0 || len(children) != 0 {
			t.Errorf("province zero %+v %+v", total, children)
		}
	})
}
