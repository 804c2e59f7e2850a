package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/baoxue/baoxue/internal/store"
)

// Comparison runs in the browser (issue 5 item 4): start one on the latest dataset of each kind,
// watch it, and read its result and the difference from the previous run, within the user's
// scope.

// startRun runs the comparison in database mode, as `baoxue compare --db` does (internal/cli,
// compareDB), and then counts the run for the dashboard. This is a small adapter of its own
// because the server cannot import the command-line package: the latest dataset of each kind
// goes in, the ledger is stored with store.SaveRun, and store.SummarizeRun makes the counts.
func startRun(ctx context.Context, db *store.DB, asOf baoxue.Date, stage func(string), rows func(int64)) (int64, error) {
	var in compare.Inputs
	var ids []int64
	for _, k := range []struct {
		kind     baoxue.DatasetKind
		required bool
	}{{baoxue.KindRegistry, true}, {baoxue.KindEnrollment, true}, {baoxue.KindNational, false},
		{baoxue.KindPoverty, false}, {baoxue.KindDisability, false}} {
		ds, err := db.LatestDataset(ctx, k.kind)
		if errors.Is(err, baoxue.ErrNotFound) {
			if k.required {
				return 0, fmt.Errorf("数据库中没有%s数据，请先导入: %w", baoxue.Label(baoxue.DatasetKinds, string(k.kind)), baoxue.ErrInvalid)
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		id := ds.ID
		ids = append(ids, id)
		switch k.kind {
		case baoxue.KindRegistry:
			var n int64
			in.Registry = func(ctx context.Context, fn func(*baoxue.Person) error) error {
				return db.Persons(ctx, id, func(p *baoxue.Person) error {
					if n++; n%4096 == 0 {
						rows(n)
					}
					return fn(p)
				})
			}
		case baoxue.KindEnrollment:
			in.Enrollment = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error { return db.Enrollments(ctx, id, fn) }
		case baoxue.KindNational:
			in.National = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error { return db.Enrollments(ctx, id, fn) }
		case baoxue.KindPoverty:
			in.Poverty = func(ctx context.Context, fn func(*baoxue.PovertyRecord) error) error { return db.Poverty(ctx, id, fn) }
		case baoxue.KindDisability:
			in.Disability = func(ctx context.Context, fn func(*baoxue.DisabilityRecord) error) error {
				return db.Disability(ctx, id, fn)
			}
		}
	}
	schools, err := db.Schools(ctx)
	if err != nil {
		return 0, err
	}
	if len(schools) > 0 {
		in.SchoolRegions = make(map[string]string, len(schools))
		for _, s := range schools {
			in.SchoolRegions[s.Code] = s.RegionCode
		}
	}
	rule, _ := json.Marshal(baoxue.DefaultAgeRule())
	run := &store.Run{AsOf: asOf, AgeRule: rule, DatasetIDs: ids}
	stage("正在比对")
	id, err := db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
		sum, err := compare.Run(ctx, in, compare.Options{AsOf: asOf}, w.Entry)
		if err == nil {
			run.Counts = sum.Statuses
			stage("正在保存台账")
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	stage("正在汇总统计")
	return id, db.SummarizeRun(ctx, id)
}

type runRow struct {
	store.Run
	Total, Suspected, Review, Enrolled int
}

type runsPage struct {
	Page
	Runs     []runRow
	Jobs     []jobView
	CanStart bool
	Today    string
	Error    string
}

func runRowOf(r store.Run) runRow {
	row := runRow{Run: r}
	for st, n := range r.Counts {
		row.Total += n
		switch baoxue.LedgerStatus(st) {
		case baoxue.StatusSuspected:
			row.Suspected += n
		case baoxue.StatusReview:
			row.Review += n
		case baoxue.StatusEnrolled, baoxue.StatusEnrolledElsewhere, baoxue.StatusHomeTaught:
			row.Enrolled += n
		}
	}
	return row
}

// handleRuns lists the comparison runs and, for those who may, the form to start one. The counts
// in the list are the whole run's; a run's own page shows the user's scope.
func (s *Server) handleRuns() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderRuns(w, r, http.StatusOK, "")
	})
}

func (s *Server) renderRuns(w http.ResponseWriter, r *http.Request, status int, msg string) {
	runs, err := s.data().Runs(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := runsPage{Page: s.page(r, "比对"), CanStart: userOf(r).Can("run_compare"),
		Today: baoxue.DateOf(time.Now()).String(), Error: msg}
	for _, run := range runs {
		p.Runs = append(p.Runs, runRowOf(run))
	}
	if p.CanStart {
		p.Jobs = s.jobs.list("compare", userOf(r))
	}
	s.renderStatus(w, r, status, "runs.html", p)
}

// handleStartRun starts a comparison in the background; one at a time.
func (s *Server) handleStartRun() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asOf, err := baoxue.ParseISODate(r.PostFormValue("as_of"))
		if err != nil {
			s.renderRuns(w, r, http.StatusBadRequest, "比对基准日期无效，请按 2025-09-01 的格式填写")
			return
		}
		if s.jobs.running("compare") {
			s.renderRuns(w, r, http.StatusConflict, "已有比对正在进行，请等它完成后再发起")
			return
		}
		j := &job{ID: newJobID(), Kind: "compare", Label: asOf.String(), Owner: userOf(r).Username, Scope: scopeOf(r)}
		s.jobs.add(j)
		_ = s.auditLog(r, baoxue.AuditRecord{Action: "compare_start", Object: "job:" + j.ID, Result: "ok", Detail: "as_of=" + asOf.String()})
		s.jobs.start(func(ctx context.Context) {
			id, err := startRun(ctx, s.data(), asOf, j.setStage, func(n int64) { j.progress(n, 0) })
			j.mu.Lock()
			j.runID = id
			j.mu.Unlock()
			if err != nil {
				s.cfg.Log.Error("comparison failed", "job", j.ID, "err", err)
				j.finish(err, "比对失败："+err.Error())
				return
			}
			j.finish(nil, "比对完成")
		})
		http.Redirect(w, r, "/runs", http.StatusSeeOther)
	})
}

// handleRunJob answers the progress fragment of a comparison in progress.
func (s *Server) handleRunJob() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j := s.jobs.get(r.PathValue("id"))
		if j == nil || j.Kind != "compare" || !j.visibleTo(userOf(r)) {
			s.notFound(w, r)
			return
		}
		s.render(w, r, "job", j.view())
	})
}

type statusCount struct {
	Status, Label string
	N             int64
	Href          string
}

type runPage struct {
	Page
	Run                              *store.Run
	Prev                             *store.Run
	Scope                            string
	Total                            int64
	Statuses                         []statusCount
	Changes                          *store.Changes
	Pending                          bool
	Datasets                         []baoxue.Dataset
	NewHref, StillHref, ResolvedHref string
}

// handleRun shows one run within the user's scope: counts by status and the change since the
// previous run, with links to the ledgers behind them.
func (s *Server) handleRun() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		db := s.data()
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			s.notFound(w, r)
			return
		}
		run, err := db.Run(ctx, id)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		scope := scopeOf(r)
		p := runPage{Page: s.page(r, fmt.Sprintf("比对结果 #%d", id)), Run: run}
		if scope.IsSchool() {
			p.Scope = "本校学生"
		} else {
			p.Scope = s.regionName(scope.RegionCode())
		}
		for _, dsID := range run.DatasetIDs {
			if ds, err := db.Dataset(ctx, dsID); err == nil {
				p.Datasets = append(p.Datasets, *ds)
			}
		}
		done, err := s.ensureSummary(r, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !done {
			p.Pending = true
			s.render(w, r, "run.html", p)
			return
		}
		var t *store.Tally
		if scope.IsSchool() {
			t, err = db.SchoolTally(ctx, scope, id)
		} else {
			t, err = db.RegionTally(ctx, scope, id, scope.RegionCode())
		}
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p.Total = t.Total
		base := "/ledger?run=" + num(id)
		for _, c := range baoxue.LedgerStatuses {
			p.Statuses = append(p.Statuses, statusCount{Status: c.ID, Label: c.Label, N: t.Status[baoxue.LedgerStatus(c.ID)],
				Href: base + "&status=" + c.ID})
		}
		if !scope.IsSchool() {
			if p.Changes, err = db.RegionChanges(ctx, scope, id, scope.RegionCode()); err != nil {
				s.storeFailure(w, r, err)
				return
			}
			if prev := p.Changes.PrevRunID; prev != 0 {
				if p.Prev, err = db.Run(ctx, prev); err != nil {
					s.storeFailure(w, r, err)
					return
				}
				p.NewHref = base + "&status=suspected&change=new"
				p.StillHref = base + "&status=suspected&change=still"
				p.ResolvedHref = "/ledger?run=" + num(prev) + "&status=suspected&change=resolved"
			}
		}
		s.render(w, r, "run.html", p)
	})
}
