package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/store"
)

// The JSON API for the business pages (issue 5 item 6), under /api/v1: the same permissions and
// scope as the pages (requireUser accepts a session cookie or an API token), and the same
// masking — names and ID numbers never leave the server in full here (the API has no unmask).

// apiTally is a Tally in JSON.
type apiTally struct {
	Code      string           `json:"code,omitempty"`
	Name      string           `json:"name,omitempty"`
	Total     int64            `json:"total"`
	Enrolled  int64            `json:"enrolled"`
	Suspected int64            `json:"suspected"`
	Dropped   int64            `json:"dropped"` // suspects whose 学籍 says 辍学 (until case files exist)
	Review    int64            `json:"review"`
	Zero      bool             `json:"zero"` // no comparison suspect left (动态清零 from cases: /api/v1/zero/{code})
	Statuses  map[string]int64 `json:"statuses"`
	Reasons   map[string]int64 `json:"reasons"` // suspects per category (store.SuspectCategories)
	Poor      map[string]int64 `json:"poor"`    // poverty-flagged entries per status
}

func tallyJSON(code, name string, t *store.Tally) apiTally {
	a := apiTally{Code: code, Name: name, Total: t.Total, Enrolled: t.Enrolled(), Suspected: t.Status[baoxue.StatusSuspected],
		Dropped: t.Category[store.CategoryDropped], Review: t.Status[baoxue.StatusReview],
		Statuses: map[string]int64{}, Reasons: map[string]int64{}, Poor: map[string]int64{}}
	a.Zero = a.Suspected == 0
	for k, v := range t.Status {
		a.Statuses[string(k)] = v
	}
	for k, v := range t.Category {
		a.Reasons[k] = v
	}
	for k, v := range t.Poor {
		a.Poor[string(k)] = v
	}
	return a
}

type apiTrendPoint struct {
	RunID     int64  `json:"run_id"`
	AsOf      string `json:"as_of"`
	Total     int64  `json:"total"`
	Suspected int64  `json:"suspected"`
	Dropped   int64  `json:"dropped"`
	Review    int64  `json:"review"`
}

type apiDashboard struct {
	RunID   int64           `json:"run_id"`
	AsOf    string          `json:"as_of"`
	Region  apiTally        `json:"region"`
	Areas   []apiTally      `json:"areas,omitempty"`
	Changes *store.Changes  `json:"changes,omitempty"`
	Trend   []apiTrendPoint `json:"trend,omitempty"`
	Labels  labelsJSON      `json:"labels"`
	Pending bool            `json:"pending,omitempty"`
}

// labelsJSON gives the charts their Chinese labels.
type labelsJSON struct {
	Statuses map[string]string `json:"statuses"`
	Reasons  map[string]string `json:"reasons"`
}

func chartLabels() labelsJSON {
	l := labelsJSON{Statuses: map[string]string{}, Reasons: map[string]string{}}
	for _, c := range baoxue.LedgerStatuses {
		l.Statuses[c.ID] = c.Label
	}
	for _, c := range store.SuspectCategories {
		l.Reasons[c.ID] = c.Label
	}
	return l
}

// handleAPIDashboard answers the dashboard numbers of a region (GET /api/v1/dashboard/{code}) or
// of the user's whole scope (GET /api/v1/dashboard), for a run (?run=N, default the newest).
func (s *Server) handleAPIDashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		db := s.data()
		scope := scopeOf(r)
		code := r.PathValue("code")
		if code == "" {
			code = scope.RegionCode()
		}
		if !scope.IsSchool() && !scope.Contains(code) {
			s.notFound(w, r)
			return
		}
		run, ok := s.runFor(w, r)
		if !ok {
			return
		}
		if run == nil {
			s.notFound(w, r)
			return
		}
		out := apiDashboard{RunID: run.ID, AsOf: run.AsOf.String(), Labels: chartLabels()}
		done, err := s.ensureSummary(r, run.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !done {
			out.Pending = true
			writeJSON(w, http.StatusAccepted, out)
			return
		}
		if scope.IsSchool() {
			t, err := db.SchoolTally(ctx, scope, run.ID)
			if err != nil {
				s.storeFailure(w, r, err)
				return
			}
			out.Region = tallyJSON("", "本校学生", t)
			writeJSON(w, http.StatusOK, out)
			return
		}
		t, err := db.RegionTally(ctx, scope, run.ID, code)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		out.Region = tallyJSON(code, s.regionName(code), t)
		if d := store.Depth(code); d < 5 {
			subs, err := db.SubregionTallies(ctx, scope, run.ID, code, d+1)
			if err != nil {
				s.storeFailure(w, r, err)
				return
			}
			for _, c := range sortedKeys(subs) {
				out.Areas = append(out.Areas, tallyJSON(c, s.regionName(c), subs[c]))
			}
		}
		if out.Changes, err = db.RegionChanges(ctx, scope, run.ID, code); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		trend, err := db.RegionTrend(ctx, scope, code, 12)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		for _, p := range trend {
			out.Trend = append(out.Trend, apiTrendPoint{RunID: p.Run.ID, AsOf: p.Run.AsOf.String(), Total: p.Tally.Total,
				Suspected: p.Tally.Status[baoxue.StatusSuspected], Dropped: p.Tally.Category[store.CategoryDropped],
				Review: p.Tally.Status[baoxue.StatusReview]})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

type apiRun struct {
	ID         int64          `json:"id"`
	AsOf       string         `json:"as_of"`
	CreatedAt  time.Time      `json:"created_at"`
	DatasetIDs []int64        `json:"dataset_ids"`
	Counts     map[string]int `json:"counts,omitempty"` // the whole run (list only)
	Scope      *apiTally      `json:"scope,omitempty"`  // the user's scope (one run)
	Changes    *store.Changes `json:"changes,omitempty"`
}

func runJSON(r *store.Run) apiRun {
	return apiRun{ID: r.ID, AsOf: r.AsOf.String(), CreatedAt: r.CreatedAt, DatasetIDs: r.DatasetIDs, Counts: r.Counts}
}

// handleAPIRuns lists the comparison runs: GET /api/v1/runs.
func (s *Server) handleAPIRuns() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs, err := s.data().Runs(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		out := make([]apiRun, len(runs))
		for i := range runs {
			out[i] = runJSON(&runs[i])
		}
		writeJSON(w, http.StatusOK, map[string]any{"runs": out})
	})
}

// handleAPIRun answers one run with the counts of the user's scope: GET /api/v1/runs/{id}.
func (s *Server) handleAPIRun() http.Handler {
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
		out := runJSON(run)
		out.Counts = nil
		done, err := s.ensureSummary(r, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if done {
			scope := scopeOf(r)
			var t *store.Tally
			if scope.IsSchool() {
				t, err = db.SchoolTally(ctx, scope, id)
			} else {
				t, err = db.RegionTally(ctx, scope, id, scope.RegionCode())
				if err == nil {
					out.Changes, err = db.RegionChanges(ctx, scope, id, scope.RegionCode())
				}
			}
			if err != nil {
				s.storeFailure(w, r, err)
				return
			}
			tj := tallyJSON(scope.RegionCode(), "", t)
			out.Scope = &tj
		}
		writeJSON(w, http.StatusOK, out)
	})
}

type apiLedgerPage struct {
	RunID   int64           `json:"run_id"`
	Entries []ledgerRowView `json:"entries"`
	Next    string          `json:"next,omitempty"` // the URL of the next page
}

// handleAPILedger answers one page of a ledger: GET /api/v1/ledger with the filters of the page
// (status, region, poverty, disability, name, idx, category, change, sort, after, limit ≤ 500).
// A full ID number is searched by POSTing nothing: send idx, its blind index, as the page does.
func (s *Server) handleAPILedger() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := parseLedgerQuery(r.URL.Query())
		f, err := s.ledgerFilter(r, &q)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		f.Limit = ledgerPageSize
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
			f.Limit = min(n, store.MaxPage)
		}
		rows, more, err := s.data().LedgerPage(r.Context(), scopeOf(r), f)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		out := apiLedgerPage{RunID: q.Run, Entries: []ledgerRowView{}}
		for i := range rows {
			out.Entries = append(out.Entries, s.rowView(&rows[i], false)) // the API never unmasks
		}
		if more {
			v := q.values(rows[len(rows)-1].ID)
			if l := r.URL.Query().Get("limit"); l != "" {
				v.Set("limit", l)
			}
			out.Next = "/api/v1/ledger?" + v.Encode()
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleAPIEntry answers one ledger entry, masked: GET /api/v1/ledger/{id}.
func (s *Server) handleAPIEntry() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, ok := s.entryOf(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, s.rowView(row, false))
	})
}
