package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// The dashboard (issue 5 item 4): one region of the user's scope, from the province down to a
// village, in one comparison run. The numbers come from store.SummarizeRun's per-region counts;
// the charts fetch the same numbers as JSON from /api/v1/dashboard/{code} (static/app.js), because
// the CSP forbids inline script.

// storeFailure answers a store error: not found (or outside the scope) as 404, bad input as 400,
// anything else as 500.
func (s *Server) storeFailure(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, baoxue.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, baoxue.ErrInvalid):
		if isAPI(r) {
			writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
			return
		}
		s.renderError(w, r, http.StatusBadRequest, "请求有误", err.Error())
	default:
		s.serverError(w, r, err)
	}
}

// canUnmask reports whether the signed-in user may see full personal data (with a reason).
func canUnmask(r *http.Request) bool {
	a := userOf(r)
	return a != nil && a.Can(auth.PermUnmaskPII)
}

// runFor picks the run a page shows: ?run=N, else the newest. ok is false (and the answer written)
// when there is none or it cannot be read.
func (s *Server) runFor(w http.ResponseWriter, r *http.Request) (*store.Run, bool) {
	db := s.data()
	var run *store.Run
	var err error
	if v := r.URL.Query().Get("run"); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || id <= 0 {
			s.notFound(w, r)
			return nil, false
		}
		run, err = db.Run(r.Context(), id)
	} else {
		run, err = db.LatestRun(r.Context())
		if errors.Is(err, baoxue.ErrNotFound) {
			return nil, true
		}
	}
	if err != nil {
		s.storeFailure(w, r, err)
		return nil, false
	}
	return run, true
}

// crumb is one step of the region breadcrumb.
type crumb struct {
	Code, Name string
	Link       bool // inside the user's scope: may be opened
}

// regionName is the name of a division code, or the code itself when the tree does not know it.
func (s *Server) regionName(code string) string {
	if code == "" {
		return "未填写区划"
	}
	if reg, ok := s.cfg.Tree.Lookup(code); ok {
		return reg.Name
	}
	return code
}

func (s *Server) crumbs(scope auth.Scope, code string) []crumb {
	var out []crumb
	for _, n := range []int{2, 4, 6, 9, 12} {
		if len(code) < n {
			break
		}
		c := code[:n]
		out = append(out, crumb{Code: c, Name: s.regionName(c), Link: scope.Contains(c)})
	}
	return out
}

// cardView is one figure on the dashboard.
type cardView struct {
	Key   string // data-card: a stable name for tests and scripts (a ledger status where there is one)
	Label string
	Value int64
	Note  string // shown under the figure
	Href  string // the ledger behind the figure
	Empty string // shown instead of the value when set ("尚无个案数据")
	Alert bool
}

// areaRow is one child region in the table below the cards.
type areaRow struct {
	Code, Name                          string
	Total, Enrolled, Suspected, Dropped int64
	Review, Poor                        int64
	Zero                                bool // 动态清零: no suspect left
	DashHref, LedgerHref, SuspectsHref  string
}

type dashboardPage struct {
	Page
	Run       *store.Run
	Runs      []store.Run
	Code      string
	Name      string
	Crumbs    []crumb
	School    bool
	Pending   bool // the run's counts are still being summarized
	Cards     []cardView
	Changes   *store.Changes
	Areas     []areaRow
	AreaLabel string
	Counties  []areaRow // 动态清零 per county
	ChartSrc  string
	LedgerURL string
	Note      string
}

// childDepthLabel names the level below a depth.
func childDepthLabel(depth int) string {
	switch depth {
	case 1:
		return "市(州)"
	case 2:
		return "县(区)"
	case 3:
		return "乡镇(街道)"
	case 4:
		return "村(社区)"
	}
	return ""
}

// handleDashboardRoot shows the dashboard at the top of the user's scope: GET /.
func (s *Server) handleDashboardRoot() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.dashboard(w, r, scopeOf(r).RegionCode())
	})
}

// handleDashboard shows one region: GET /dash/{code}.
func (s *Server) handleDashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if scopeOf(r).IsSchool() || !scopeOf(r).Contains(code) {
			s.notFound(w, r)
			return
		}
		s.dashboard(w, r, code)
	})
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, code string) {
	ctx := r.Context()
	scope := scopeOf(r)
	db := s.data()
	run, ok := s.runFor(w, r)
	if !ok {
		return
	}
	p := dashboardPage{Page: s.page(r, "工作看板"), Run: run, Code: code, School: scope.IsSchool()}
	if code != "" {
		p.Name, p.Crumbs = s.regionName(code), s.crumbs(scope, code)
	} else {
		p.Name = "本校学生"
	}
	runs, err := db.Runs(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(runs) > 12 {
		runs = runs[:12]
	}
	p.Runs = runs
	if run == nil {
		s.render(w, r, "dashboard.html", p)
		return
	}
	done, err := s.ensureSummary(r, run.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !done {
		p.Pending = true
		s.render(w, r, "dashboard.html", p)
		return
	}
	runQ := "run=" + strconv.FormatInt(run.ID, 10)
	ledger := "/ledger?" + runQ
	if code != "" {
		ledger += "&region=" + code
	}
	p.LedgerURL = ledger
	var t *store.Tally
	if scope.IsSchool() {
		t, err = db.SchoolTally(ctx, scope, run.ID)
	} else {
		t, err = db.RegionTally(ctx, scope, run.ID, code)
	}
	if err != nil {
		s.storeFailure(w, r, err)
		return
	}
	suspects := t.Status[baoxue.StatusSuspected]
	p.Cards = []cardView{
		{Key: "total", Label: "适龄儿童少年", Value: t.Total, Href: ledger},
		{Key: "enrolled", Label: "在校（含外地就读、送教上门）", Value: t.Enrolled(), Note: "本地 " + num(t.Status[baoxue.StatusEnrolled]) +
			" · 外地 " + num(t.Status[baoxue.StatusEnrolledElsewhere]) + " · 送教 " + num(t.Status[baoxue.StatusHomeTaught])},
		{Key: "suspected", Label: "疑似失学辍学", Value: suspects, Href: ledger + "&status=suspected", Alert: suspects > 0,
			Note: "另有待人工确认 " + num(t.Status[baoxue.StatusReview]) + " 人"},
		{Key: "dropped", Label: "辍学未返校", Value: t.Category[store.CategoryDropped], Alert: t.Category[store.CategoryDropped] > 0,
			Href: ledger + "&status=suspected&category=dropped", Note: "暂按学籍状态为“辍学”的疑似对象统计；个案建档（核查确认）上线后按个案状态统计"},
		{Key: "returned", Label: "本学期已复学", Empty: "尚无个案数据", Note: "复学登记随个案管理上线"},
		{Key: "returned_poor", Label: "其中脱贫家庭", Empty: "尚无个案数据", Note: "疑似对象中脱贫家庭 " + num(t.Poor[baoxue.StatusSuspected]) + " 人"},
		{Key: "invalid_id", Label: "身份证号无效（待修正）", Value: t.Status[baoxue.StatusInvalidID], Href: ledger + "&status=invalid_id"},
	}
	if !scope.IsSchool() {
		if p.Changes, err = db.RegionChanges(ctx, scope, run.ID, code); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		if err := s.dashboardAreas(r, &p, run, code); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p.ChartSrc = "/api/v1/dashboard/" + code + "?" + runQ
	} else {
		p.ChartSrc = "/api/v1/dashboard?" + runQ
	}
	s.render(w, r, "dashboard.html", p)
}

func num(n int64) string { return strconv.FormatInt(n, 10) }

// dashboardAreas fills the table of child regions and the 动态清零 list of counties.
func (s *Server) dashboardAreas(r *http.Request, p *dashboardPage, run *store.Run, code string) error {
	ctx := r.Context()
	scope := scopeOf(r)
	db := s.data()
	depth := store.Depth(code)
	row := func(c string, t *store.Tally) areaRow {
		base := "/ledger?run=" + num(run.ID) + "&region=" + c
		return areaRow{Code: c, Name: s.regionName(c), Total: t.Total, Enrolled: t.Enrolled(),
			Suspected: t.Status[baoxue.StatusSuspected], Dropped: t.Category[store.CategoryDropped],
			Review: t.Status[baoxue.StatusReview], Poor: t.Poor[baoxue.StatusSuspected],
			Zero: t.Status[baoxue.StatusSuspected] == 0, DashHref: "/dash/" + c + "?run=" + num(run.ID),
			LedgerHref: base, SuspectsHref: base + "&status=suspected"}
	}
	if depth < 5 {
		subs, err := db.SubregionTallies(ctx, scope, run.ID, code, depth+1)
		if err != nil {
			return err
		}
		p.AreaLabel = childDepthLabel(depth)
		for _, c := range sortedKeys(subs) {
			ar := row(c, subs[c])
			if depth+1 == 5 {
				ar.DashHref = "/dash/" + c + "?run=" + num(run.ID)
			}
			p.Areas = append(p.Areas, ar)
		}
	}
	switch {
	case depth == 3:
		t, err := db.RegionTally(ctx, scope, run.ID, code)
		if err != nil {
			return err
		}
		p.Counties = []areaRow{row(code, t)}
	case depth < 3:
		counties, err := db.SubregionTallies(ctx, scope, run.ID, code, 3)
		if err != nil {
			return err
		}
		for _, c := range sortedKeys(counties) {
			p.Counties = append(p.Counties, row(c, counties[c]))
		}
	}
	return nil
}

// ensureSummary reports whether the run's dashboard counts exist, and starts counting them in the
// background when they do not (a run saved by `baoxue compare --db` of an older version, or
// one whose summary failed).
func (s *Server) ensureSummary(r *http.Request, runID int64) (bool, error) {
	done, err := s.data().Summarized(r.Context(), runID)
	if err != nil || done {
		return done, err
	}
	s.jobs.summarize(s.data(), runID, s.cfg.Log)
	return false, nil
}

// data is the business store. The business pages need the store itself (imports and comparison
// runs write through it, ingest and compare take it), which cli passes as Config.Accounts.
func (s *Server) data() *store.DB {
	db, _ := s.cfg.Accounts.(*store.DB)
	return db
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
