package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// The dashboard (issue 5 item 4): one region of the user's scope, from the province down to a
// village, in one comparison run. The comparison's numbers come from store.SummarizeRun's
// per-region counts; the charts fetch the same numbers as JSON from /api/v1/dashboard/{code}
// (static/app.js), because the CSP forbids inline script. The case figures — dropouts not yet
// back, children back this semester, 动态清零 per county — are live from the case store, from
// the same queries as the 动态清零 page (store.Zero, ZeroCounties, Returned).

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
	Href  string // the ledger or page behind the figure
	Alert bool
}

// areaRow is one child region in the table below the cards.
type areaRow struct {
	Code, Name                          string
	Total, Enrolled, Suspected, Dropped int64
	Review, Poor                        int64
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
	Counties  []zeroRow // 动态清零 per county, from the cases
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
	cf, err := s.caseFigures(r, code)
	if err != nil {
		s.storeFailure(w, r, err)
		return
	}
	zeroHref := ""
	if code != "" {
		zeroHref = "/zero?region=" + code
	}
	open := cf.zero.Open() - cf.zero.OverdueSuspects
	suspects := t.Status[baoxue.StatusSuspected]
	p.Cards = []cardView{
		{Key: "total", Label: "适龄儿童少年", Value: t.Total, Href: ledger},
		{Key: "enrolled", Label: "在校（含外地就读、送教上门）", Value: t.Enrolled(), Note: "本地 " + num(t.Status[baoxue.StatusEnrolled]) +
			" · 外地 " + num(t.Status[baoxue.StatusEnrolledElsewhere]) + " · 送教 " + num(t.Status[baoxue.StatusHomeTaught])},
		{Key: "suspected", Label: "疑似失学辍学", Value: suspects, Href: ledger + "&status=suspected", Alert: suspects > 0,
			Note: "另有待人工确认 " + num(t.Status[baoxue.StatusReview]) + " 人"},
		{Key: "dropped", Label: "辍学未返校", Value: int64(open), Alert: open > 0, Href: zeroHref,
			Note: fmt.Sprintf("确认辍学的个案：待劝返 %d · 劝返中 %d · 依法控辍 %d · 失联 %d；比对中学籍为辍学的疑似 %d 人", cf.zero.Confirmed,
				cf.zero.Persuading, cf.zero.Legal, cf.zero.Unreachable, t.Category[store.CategoryDropped])},
		{Key: "returned", Label: "本学期已复学", Value: int64(cf.returned),
			Note: "自 " + cf.semester.String() + " 起复学的个案，含巩固跟踪中和已销号的"},
		{Key: "returned_poor", Label: "其中脱贫家庭", Value: int64(cf.poor),
			Note: "脱贫户、监测户的子女；比对疑似对象中脱贫家庭 " + num(t.Poor[baoxue.StatusSuspected]) + " 人"},
		{Key: "invalid_id", Label: "身份证号无效（待修正）", Value: t.Status[baoxue.StatusInvalidID], Href: ledger + "&status=invalid_id"},
	}
	if !scope.IsSchool() {
		if p.Changes, err = db.RegionChanges(ctx, scope, run.ID, code); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		if err := s.dashboardAreas(r, &p, run, code, cf); err != nil {
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

// caseFigures are the dashboard's numbers from the case store for one region ("" for a school's
// pupils), on today.
type caseFigures struct {
	zero           store.ZeroCount   // 动态清零 of the region
	counties       []store.ZeroCount // by county, for a province or prefecture
	semester       baoxue.Date       // the first day of the current semester
	returned, poor int               // cases back at school since then, and of them poor-family
}

// semesterStart is the first day of the semester d falls in. The school year begins on
// 1 September (DESIGN §6) and its second semester on 1 March: from 1 September to the end of
// February is the autumn semester, from 1 March to 31 August the spring one (the summer holiday
// belongs to the semester before it, whose returns it still shows).
func semesterStart(d baoxue.Date) baoxue.Date {
	y, m := d.Year(), d.Month()
	switch {
	case m >= 9:
		return baoxue.MakeDate(y, 9, 1)
	case m >= 3:
		return baoxue.MakeDate(y, 3, 1)
	}
	return baoxue.MakeDate(y-1, 9, 1)
}

// caseFigures reads the case figures: at most two aggregate queries (store.Returned, and
// store.Zero or, above the county, store.ZeroCounties, which breaks the same figure down by county).
func (s *Server) caseFigures(r *http.Request, code string) (caseFigures, error) {
	ctx := r.Context()
	u := userOf(r).User
	db := s.data()
	today := s.today()
	cf := caseFigures{semester: semesterStart(today)}
	var err error
	if cf.returned, cf.poor, err = db.Returned(ctx, u, code, cf.semester, today); err != nil {
		return cf, err
	}
	if code != "" && store.Depth(code) < 3 {
		cf.zero, cf.counties, err = db.ZeroCounties(ctx, u, code, today)
	} else {
		cf.zero, _, err = db.Zero(ctx, u, code, today)
	}
	return cf, err
}

// dashboardAreas fills the table of child regions and the 动态清零 list of counties.
func (s *Server) dashboardAreas(r *http.Request, p *dashboardPage, run *store.Run, code string, cf caseFigures) error {
	ctx := r.Context()
	scope := scopeOf(r)
	db := s.data()
	depth := store.Depth(code)
	row := func(c string, t *store.Tally) areaRow {
		base := "/ledger?run=" + num(run.ID) + "&region=" + c
		return areaRow{Code: c, Name: s.regionName(c), Total: t.Total, Enrolled: t.Enrolled(),
			Suspected: t.Status[baoxue.StatusSuspected], Dropped: t.Category[store.CategoryDropped],
			Review: t.Status[baoxue.StatusReview], Poor: t.Poor[baoxue.StatusSuspected],
			DashHref:   "/dash/" + c + "?run=" + num(run.ID),
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
	zero := func(z store.ZeroCount) zeroRow {
		return zeroRow{ZeroCount: z, Name: s.regionName(z.Code), Open: z.Open(), AtZero: z.Open() == 0, Href: "/zero?region=" + z.Code}
	}
	switch {
	case depth == 3:
		z := cf.zero
		z.Code = code
		p.Counties = []zeroRow{zero(z)}
	case depth < 3:
		// Every county with comparison data or cases; one without open cases is at zero.
		counties, err := db.SubregionTallies(ctx, scope, run.ID, code, 3)
		if err != nil {
			return err
		}
		byCode := map[string]store.ZeroCount{}
		for c := range counties {
			byCode[c] = store.ZeroCount{Code: c}
		}
		for _, z := range cf.counties {
			byCode[z.Code] = z
		}
		for _, c := range sortedKeys(byCode) {
			p.Counties = append(p.Counties, zero(byCode[c]))
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
