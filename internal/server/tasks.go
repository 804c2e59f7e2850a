package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/notice"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/xuri/excelize/v2"
)

// 我的任务 (the task list for cadres, schools and officers, made for a phone), the overdue lists,
// 动态清零, transfers, notifications, the dropout-ledger export and the JSON API of case work.

type tasksPage struct {
	Page
	Tasks   []taskView
	Unread  int
	Pending int // incoming transfers awaiting an answer
}

type taskView struct {
	store.Task
	StateLabel, Place string
	Overdue           bool
	CanVisit          bool
}

// handleTasks is 我的任务: GET /tasks.
func (s *Server) handleTasks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		tasks, err := s.data().Tasks(r.Context(), u.User, s.today())
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p := tasksPage{Page: s.page(r, "我的任务")}
		for _, t := range tasks {
			p.Tasks = append(p.Tasks, taskView{Task: t, StateLabel: casework.StateLabel(t.State), Place: s.placeLabel(t.RegionCode),
				Overdue: t.DaysLate > 0, CanVisit: visitState(t.State)})
		}
		if p.Unread, err = s.data().UnreadNotifications(r.Context(), u.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		if u.Can(auth.PermManageCases) && u.Scope.Level() == baoxue.LevelCounty {
			ts, err := s.data().Transfers(r.Context(), u.User)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, t := range ts {
				if t.Status == casework.TransferPending && t.ToCounty == u.Scope.RegionCode() {
					p.Pending++
				}
			}
		}
		s.render(w, r, "tasks.html", p)
	})
}

type overduePage struct {
	Page
	Persons, Units []overdueRow
	Today          string
}

type overdueRow struct {
	store.OverdueGroup
	Href string
}

// handleOverdue lists overdue cases per responsible person and per unit: GET /overdue.
func (s *Server) handleOverdue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		persons, units, err := s.data().Overdue(r.Context(), userOf(r).User, s.today())
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p := overduePage{Page: s.page(r, "逾期清单"), Today: s.today().String()}
		for _, g := range persons {
			p.Persons = append(p.Persons, overdueRow{OverdueGroup: g})
		}
		for _, g := range units {
			if len(g.Key) == 9 {
				g.Label = s.placeLabel(g.Key)
			}
			p.Units = append(p.Units, overdueRow{OverdueGroup: g})
		}
		s.render(w, r, "case_overdue.html", p)
	})
}

type zeroPage struct {
	Page
	Code, Name string
	Total      zeroRow
	Children   []zeroRow
	Trend      []store.ZeroDay
	DaysAtZero int
	Known      bool
	Today      string
}

type zeroRow struct {
	store.ZeroCount
	Name   string
	Open   int
	Href   string
	AtZero bool
}

// zeroCode is the region a 动态清零 view is about: ?region= inside the scope, else the scope's
// own region. A school has none.
func zeroCode(r *http.Request) (string, bool) {
	sc := scopeOf(r)
	code := r.URL.Query().Get("region")
	if code == "" {
		code = r.PathValue("code")
	}
	if code == "" {
		code = sc.RegionCode()
	}
	return code, code != "" && sc.Contains(code)
}

// handleZero shows 动态清零 live for a region and the regions below it, with the trend and the
// days at zero of a county: GET /zero?region=CODE.
func (s *Server) handleZero() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := zeroCode(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		u := userOf(r)
		today := s.today()
		total, children, err := s.data().Zero(r.Context(), u.User, code, today)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p := zeroPage{Page: s.page(r, "动态清零"), Code: code, Name: s.regionName(code), Today: today.String(),
			Total: zeroRow{ZeroCount: total, Name: s.regionName(code), Open: total.Open(), AtZero: total.Open() == 0}}
		for _, z := range children {
			p.Children = append(p.Children, zeroRow{ZeroCount: z, Name: s.regionName(z.Code), Open: z.Open(), AtZero: z.Open() == 0,
				Href: "/zero?region=" + z.Code})
		}
		if p.Trend, err = s.data().ZeroTrend(r.Context(), u.User, code, today.AddDays(-90), today); err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(code) >= 6 {
			if p.DaysAtZero, p.Known, err = s.data().DaysAtZero(r.Context(), code[:6], today); err != nil {
				s.serverError(w, r, err)
				return
			}
			if total.Open() > 0 {
				p.DaysAtZero = 0
			}
		}
		s.render(w, r, "case_zero.html", p)
	})
}

type transfersPage struct {
	Page
	Rows   []transferRow
	County string
}

type transferRow struct {
	store.Transfer
	Name, From, To, StateLabel, StatusLabel string
	Incoming, Overdue                       bool
}

// handleTransfers lists transfers into and out of the user's county: GET /transfers.
func (s *Server) handleTransfers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		ts, err := s.data().Transfers(r.Context(), u.User)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p := transfersPage{Page: s.page(r, "案件移交"), County: u.Scope.RegionCode()}
		for _, t := range ts {
			p.Rows = append(p.Rows, transferRow{Transfer: t, Name: masker(revealNone).name(t.ChildName), From: s.regionName(t.FromCounty),
				To: s.regionName(t.ToCounty), StateLabel: casework.StateLabel(t.FromState), StatusLabel: baoxue.Label(transferStatuses, t.Status),
				Incoming: t.ToCounty == u.Scope.RegionCode() && t.Status == casework.TransferPending,
				Overdue:  t.Status == casework.TransferPending && t.Due < s.today()})
		}
		s.render(w, r, "case_transfers.html", p)
	})
}

// handleTransferDecision accepts or rejects a transfer: POST /transfers/{id} (decision, answer).
func (s *Server) handleTransferDecision() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		t, err := s.data().DecideTransfer(r.Context(), s.caseActor(r), id, r.FormValue("decision") == "accept", r.FormValue("answer"))
		if err != nil {
			switch {
			case errors.Is(err, baoxue.ErrDenied):
				s.auditDenied(r, "case_rule", firstLine(err))
				s.renderError(w, r, http.StatusForbidden, "无法处理移交", userMessage(err))
				return
			case errors.Is(err, baoxue.ErrInvalid):
				s.renderError(w, r, http.StatusUnprocessableEntity, "无法处理移交", userMessage(err))
				return
			}
			s.storeFailure(w, r, err)
			return
		}
		if t.NewCaseID != 0 {
			s.done(w, r, t.NewCaseID, "created")
			return
		}
		http.Redirect(w, r, "/transfers", http.StatusSeeOther)
	})
}

type notificationsPage struct {
	Page
	Rows []store.StoredNotification
}

// handleNotifications lists the user's notifications: GET /notifications.
func (s *Server) handleNotifications() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := s.data().Notifications(r.Context(), userOf(r).Username, 100)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, "case_notifications.html", notificationsPage{Page: s.page(r, "通知"), Rows: rows})
	})
}

// handleNotificationsRead marks notifications read: POST /notifications/read (id, or all).
func (s *Server) handleNotificationsRead() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.data().MarkNotificationsRead(r.Context(), userOf(r).Username, formInt(r, "id"), s.now()); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	})
}

// handleCaseExport downloads the 辍学学生台账 of the user's view: GET /cases/export.xlsx
// [?county=], names masked (张*), birth dates as the year, IDs masked; or POST with unmask=1 and a
// reason (users with unmask_pii) for the ledger by name, as it is reported upward. Every export
// is audited, the reason with it.
func (s *Server) handleCaseExport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		county := r.FormValue("county")
		if county != "" && (baoxue.LevelOfCode(county) != baoxue.LevelCounty || !u.Scope.Contains(county)) {
			s.notFound(w, r)
			return
		}
		unmasked := r.Method == http.MethodPost && r.PostFormValue("unmask") == "1"
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if unmasked && !canUnmask(r) {
			s.forbidden(w, r, "unmask_pii")
			return
		}
		if unmasked && len([]rune(reason)) < 4 {
			s.renderError(w, r, http.StatusBadRequest, "请说明理由", "导出完整姓名须填写理由（至少4个字），该理由将记入审计日志。")
			return
		}
		if len([]rune(reason)) > 200 {
			reason = string([]rune(reason)[:200])
		}
		title := "辍学学生台账"
		switch {
		case county != "":
			title = s.regionName(county) + title
		case u.Scope.RegionCode() != "":
			title = s.regionName(u.Scope.RegionCode()) + title
		}
		title += "（" + notice.ChineseDate(s.today()) + "导出）"
		var buf bytes.Buffer
		n, err := notice.ExportDropouts(r.Context(), s.data(), u.User, county, title, s.regionName, &buf)
		if err == nil && !unmasked {
			err = maskDropoutLedger(&buf)
		}
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		detail := fmt.Sprintf("county=%s rows=%d unmasked=%v", county, n, unmasked)
		if unmasked {
			detail += " reason=" + reason
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "case_export", Object: "dropout_ledger", Result: "ok",
			Detail: detail}); err != nil {
			s.serverError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(title+".xlsx"))
		h.Set("Cache-Control", "no-store")
		_, _ = buf.WriteTo(w)
	})
}

// maskDropoutLedger masks the names (张*) and birth dates (the year) of a dropout ledger that
// notice.ExportDropouts wrote — its IDs are masked already — finding the columns by their
// headings, so that the ledger's layout stays notice's alone.
func maskDropoutLedger(buf *bytes.Buffer) error {
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("mask dropout ledger: %w", err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		return fmt.Errorf("mask dropout ledger: %w", err)
	}
	nameCol, birthCol := -1, -1
	head := 0
	for i, row := range rows {
		for j, v := range row {
			switch v {
			case "姓名":
				nameCol, head = j, i
			case "出生日期":
				birthCol = j
			}
		}
		if nameCol >= 0 {
			break
		}
	}
	if nameCol < 0 || birthCol < 0 {
		return errors.New("mask dropout ledger: no 姓名 or 出生日期 column")
	}
	for i := head + 1; i < len(rows); i++ {
		for col, mask := range map[int]func(string) string{nameCol: pii.MaskName, birthCol: birthYear} {
			if col >= len(rows[i]) || rows[i][col] == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
			if err := f.SetCellStr(sheet, cell, mask(rows[i][col])); err != nil {
				return fmt.Errorf("mask dropout ledger: %w", err)
			}
		}
	}
	buf.Reset()
	_, err = f.WriteTo(buf)
	return err
}

// birthYear keeps the year of a printed date (2014-03-05 → 2014).
func birthYear(d string) string {
	if len(d) >= 4 {
		return d[:4]
	}
	return d
}

// JSON API of case work.

type apiCase struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"` // masked
	Sex         string   `json:"sex"`
	RegionCode  string   `json:"region_code"`
	County      string   `json:"county_code"`
	School      string   `json:"school_name"`
	State       string   `json:"state"`
	StateLabel  string   `json:"state_label"`
	Due         string   `json:"due"`
	DaysLate    int      `json:"days_late"`
	Source      string   `json:"source"`
	Verifier    string   `json:"verifier"`
	Cadre       string   `json:"cadre"`
	Outcome     string   `json:"outcome,omitempty"`
	Reasons     []string `json:"reasons,omitempty"`
	Supports    []string `json:"supports,omitempty"`
	DropoutDate string   `json:"dropout_date,omitempty"`
	ReturnDate  string   `json:"return_date,omitempty"`
	Placement   string   `json:"placement,omitempty"`
	Version     int64    `json:"version"`
	Next        []string `json:"next,omitempty"` // states the caller may move it to
}

func (s *Server) caseJSON(c *store.Case, actor casework.Actor) apiCase {
	today := s.today()
	a := apiCase{ID: c.ID, Name: masker(revealNone).name(c.Name), Sex: string(c.Sex), RegionCode: c.RegionCode, County: c.CountyCode,
		School: c.SchoolName, State: string(c.State), StateLabel: casework.StateLabel(c.State), Due: c.Due.String(),
		DaysLate: casework.DaysOverdue(c.Due, today), Source: c.Source, Verifier: c.Verifier, Cadre: c.Cadre, Outcome: c.Outcome,
		Reasons: c.Reasons, Supports: c.Supports, DropoutDate: c.DropoutDate.String(), ReturnDate: c.ReturnDate.String(),
		Placement: c.Placement, Version: c.Version}
	for _, r := range casework.Next(c.State, actor) {
		if r.To != baoxue.CaseTransferred {
			a.Next = append(a.Next, string(r.To))
		}
	}
	return a
}

type apiEvent struct {
	Version int64     `json:"version"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Summary string    `json:"summary"`
}

func eventsJSON(evs []store.CaseEvent) []apiEvent {
	out := make([]apiEvent, len(evs))
	for i, e := range evs {
		out[i] = apiEvent{e.Version, e.At, e.Actor, e.Kind, string(e.FromState), string(e.ToState), e.Summary}
	}
	return out
}

// apiConflict is the 409 answer: the current version and what changed since the caller's.
type apiConflict struct {
	Error   string     `json:"error"`
	Version int64      `json:"version"`
	Changes []apiEvent `json:"changes"`
}

// handleAPICases lists cases: GET /api/v1/cases?state=&overdue=1&after=.
func (s *Server) handleAPICases() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		q := r.URL.Query()
		rows, more, err := s.data().CaseList(r.Context(), u.User, store.CaseFilter{State: q.Get("state"), Overdue: q.Get("overdue") == "1",
			Today: s.today(), After: formInt(r, "after"), Limit: int(formInt(r, "limit"))})
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		actor := casework.ActorOf(u.Role, u.Scope)
		out := struct {
			Cases []apiCase `json:"cases"`
			More  bool      `json:"more"`
		}{Cases: []apiCase{}, More: more}
		for i := range rows {
			out.Cases = append(out.Cases, s.caseJSON(&rows[i], actor))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleAPICase returns one case with its history: GET /api/v1/cases/{id}.
func (s *Server) handleAPICase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		u := userOf(r)
		d, err := s.data().Detail(r.Context(), u.User, id)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			apiCase
			Events []apiEvent `json:"events"`
			Visits int        `json:"visits"`
		}{s.caseJSON(d.Case, casework.ActorOf(u.Role, u.Scope)), eventsJSON(d.Events), len(d.Visits)})
	})
}

// apiTransition is the body of POST /api/v1/cases/{id}/transition.
type apiTransition struct {
	To              string   `json:"to"`
	Version         int64    `json:"version"`
	Verifier        string   `json:"verifier"`
	Outcome         string   `json:"outcome"`
	Note            string   `json:"note"`
	DropoutDate     string   `json:"dropout_date"`
	Reasons         []string `json:"reasons"`
	Cadre           string   `json:"cadre"`
	ReturnDate      string   `json:"return_date"`
	ReturnSchool    string   `json:"return_school"`
	ReturnGrade     int      `json:"return_grade"`
	Placement       string   `json:"placement"`
	PlacementReason string   `json:"placement_reason"`
}

// handleAPITransition moves a case: POST /api/v1/cases/{id}/transition with a JSON body. 409
// carries the current version and the changes since the caller's.
func (s *Server) handleAPITransition() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		var body apiTransition
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "请求体应为 JSON"})
			return
		}
		date := func(s string) baoxue.Date {
			d, _ := baoxue.ParseISODate(s)
			return d
		}
		in := casework.Input{Verifier: body.Verifier, Outcome: body.Outcome, Note: body.Note, DropoutDate: date(body.DropoutDate),
			Reasons: body.Reasons, Cadre: body.Cadre, ReturnDate: date(body.ReturnDate), ReturnSchool: body.ReturnSchool,
			ReturnGrade: body.ReturnGrade, Placement: body.Placement, PlacementReason: body.PlacementReason}
		c, err := s.data().TransitionCase(r.Context(), s.caseActor(r), id, body.Version, baoxue.CaseState(body.To), in)
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		u := userOf(r)
		writeJSON(w, http.StatusOK, s.caseJSON(c, casework.ActorOf(u.Role, u.Scope)))
	})
}

// handleAPITasks is 我的任务 as JSON: GET /api/v1/tasks.
func (s *Server) handleAPITasks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tasks, err := s.data().Tasks(r.Context(), userOf(r).User, s.today())
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		type apiTask struct {
			CaseID   int64  `json:"case_id"`
			Name     string `json:"name"`
			State    string `json:"state"`
			Due      string `json:"due"`
			DaysLate int    `json:"days_late"`
			Region   string `json:"region_code"`
			School   string `json:"school"`
			Action   string `json:"action"`
		}
		out := []apiTask{}
		for _, t := range tasks {
			out = append(out, apiTask{t.CaseID, t.Name, string(t.State), t.Due.String(), t.DaysLate, t.RegionCode, t.School, t.Action})
		}
		writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
	})
}

// handleAPIZero is 动态清零 as JSON: GET /api/v1/zero/{code}.
func (s *Server) handleAPIZero() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := zeroCode(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		total, children, err := s.data().Zero(r.Context(), userOf(r).User, code, s.today())
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		type z struct {
			Code            string `json:"code"`
			Name            string `json:"name"`
			Open            int    `json:"open"`
			Confirmed       int    `json:"confirmed"`
			Persuading      int    `json:"persuading"`
			Legal           int    `json:"legal"`
			Unreachable     int    `json:"unreachable"`
			OverdueSuspects int    `json:"overdue_suspects"`
		}
		mk := func(c store.ZeroCount) z {
			return z{c.Code, s.regionName(c.Code), c.Open(), c.Confirmed, c.Persuading, c.Legal, c.Unreachable, c.OverdueSuspects}
		}
		out := struct {
			Date     string `json:"date"`
			Total    z      `json:"total"`
			Children []z    `json:"children"`
		}{Date: s.today().String(), Total: mk(total), Children: []z{}}
		for _, c := range children {
			out.Children = append(out.Children, mk(c))
		}
		writeJSON(w, http.StatusOK, out)
	})
}
