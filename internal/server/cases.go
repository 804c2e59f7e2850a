package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
)

// Case pages (issue 6): the case list, the case page with a form for every step the user may
// take, and the POST handlers behind those forms. The store checks scope, the transition table
// and the version the form was rendered with; a stale version answers 409 with the case as it
// is now and the list of changes since, and the user retries on the fresh page.

// caseActor is the signed-in user acting now.
func (s *Server) caseActor(r *http.Request) store.CaseActor {
	a := userOf(r)
	notifier := casework.LogNotifier{Log: s.cfg.Log}
	return store.CaseActor{User: a.User, Now: s.now(), Notify: func(n casework.Notification) {
		_ = notifier.Notify(r.Context(), n)
	}}
}

func (s *Server) today() baoxue.Date { return baoxue.DateOf(s.now()) }

// pathInt reads a numeric path segment; ok is false (and 404 written) when it is not one.
func (s *Server) pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return 0, false
	}
	return id, true
}

// caseOf reads the case named by the path for the signed-in user: 404 (written) when it is not
// in their view. POST handlers call it first, so that a case outside the scope answers 404
// whatever else is wrong with the request.
func (s *Server) caseOf(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := s.pathInt(w, r, "id")
	if !ok {
		return 0, false
	}
	if _, err := s.data().Case(r.Context(), userOf(r).User, id); err != nil {
		s.storeFailure(w, r, err)
		return 0, false
	}
	return id, true
}

func formDate(r *http.Request, name string) baoxue.Date {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return 0
	}
	d, err := baoxue.ParseISODate(v)
	if err != nil {
		return 0
	}
	return d
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

// codeView is a code with whether the case has it, for checkboxes and selects.
type codeView struct {
	ID, Label string
	On        bool
}

func codeViews(codes []baoxue.Code, on ...string) []codeView {
	out := make([]codeView, len(codes))
	for i, c := range codes {
		out[i] = codeView{ID: c.ID, Label: c.Label}
		for _, o := range on {
			out[i].On = out[i].On || o == c.ID
		}
	}
	return out
}

// transferStatuses label the states of a transfer between counties.
var transferStatuses = []baoxue.Code{
	{ID: casework.TransferPending, Label: "待接收"},
	{ID: casework.TransferAccepted, Label: "已接收"},
	{ID: casework.TransferRejected, Label: "已退回"},
}

// codeLists are the code lists templates label with codeLabel, by the name a template uses.
var codeLists = map[string][]baoxue.Code{
	"state": baoxue.CaseStates, "outcome": baoxue.VerificationOutcomes, "reason": baoxue.DropoutReasons,
	"placement": baoxue.Placements, "legal": baoxue.LegalSteps, "source": casework.Sources,
	"visit_method": casework.VisitMethods, "visit_result": casework.VisitResults, "support": casework.SupportMeasures,
	"serve": casework.ServeMethods, "legal_outcome": casework.LegalOutcomes, "referral": casework.ReferralStatuses,
	"checkpoint": casework.CheckpointResults, "transfer": transferStatuses,
}

// codeLabel is the Chinese label of a stored code, for templates: {{codeLabel "referral" .Status}}.
// An unknown list is a template bug and panics when the templates are checked; an unknown code is
// shown as it is (data written by a newer version).
func codeLabel(list, id string) string {
	codes, ok := codeLists[list]
	if !ok {
		panic("codeLabel: no code list " + list)
	}
	return baoxue.Label(codes, id)
}

func labelList(codes []baoxue.Code, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = baoxue.Label(codes, id)
	}
	return strings.Join(out, "、")
}

// transitionForm is one state change the user may take, with the fields it asks for.
type transitionForm struct {
	To     string
	Label  string
	Fields map[string]bool
}

func (t transitionForm) Has(f string) bool { return t.Fields[f] }

// caseView is the case as the page shows it: personal values masked unless unmasked.
type caseView struct {
	ID                                   int64
	Name, Sex, IDNumber, Birth           string
	Place, School, Grade                 string
	State, StateLabel, Due, DaysLate     string
	Source, Verifier, Cadre              string
	Outcome, Reasons, Supports, Dropout  string
	Return, ReturnSchool, Placement      string
	Recommended, PlacementWhy, Note      string
	Guardian, Relation, Phone, Address   string
	Poverty, Disability, Groups, Version string
	Overdue                              bool
	VersionNum                           int64
}

func (s *Server) caseViewOf(c *store.Case, m masker, today baoxue.Date) caseView {
	v := caseView{ID: c.ID, Name: m.name(c.Name), Sex: c.Sex.Label(), IDNumber: m.id(c.IDNumber), Birth: m.birth(c.BirthDate),
		Place: s.placeLabel(c.RegionCode), School: c.SchoolName, State: string(c.State), StateLabel: casework.StateLabel(c.State),
		Due: c.Due.String(), Source: baoxue.Label(casework.Sources, c.Source), Verifier: c.Verifier, Cadre: c.Cadre,
		Outcome: baoxue.Label(baoxue.VerificationOutcomes, c.Outcome), Reasons: labelList(baoxue.DropoutReasons, c.Reasons),
		Supports: labelList(casework.SupportMeasures, c.Supports), Dropout: c.DropoutDate.String(), Return: c.ReturnDate.String(),
		ReturnSchool: c.ReturnSchool, Placement: baoxue.Label(baoxue.Placements, c.Placement),
		Recommended: baoxue.Label(baoxue.Placements, c.Recommended), PlacementWhy: c.PlacementWhy, Note: c.Note,
		Guardian: m.name(c.Guardian), Relation: c.Relation, Phone: m.phone(c.GuardianPhone), Address: m.text(c.Address),
		Disability: c.Disability, Groups: labelList(baoxue.PriorityGroups, c.PriorityGroups),
		Version: strconv.FormatInt(c.Version, 10), VersionNum: c.Version}
	if c.Outcome == "" {
		v.Outcome = ""
	}
	if c.Placement == "" {
		v.Placement = ""
	}
	if c.Recommended == "" {
		v.Recommended = ""
	}
	if c.Grade > 0 {
		v.Grade = strconv.Itoa(c.Grade) + " 年级"
	}
	if c.ReturnGrade > 0 {
		v.ReturnSchool += " " + strconv.Itoa(c.ReturnGrade) + " 年级"
	}
	if c.Poverty {
		v.Poverty = "是"
		if c.PovertyType != "" {
			v.Poverty += "（" + c.PovertyType + "）"
		}
	}
	if n := casework.DaysOverdue(c.Due, today); n > 0 && casework.Open(c.State) {
		v.Overdue, v.DaysLate = true, strconv.Itoa(n)
	}
	return v
}

// casePage is the data of case.html.
type casePage struct {
	Page
	C           caseView
	D           *store.CaseDetail
	Unmasked    bool   // everything shown, after a reason
	Contacts    bool   // names, phones and address shown (unmasked, or the user works the case)
	AssignedAs  string // "核查责任人" or "包抓责任人" when the user is assigned to the case
	CanUnmask   bool
	Message     string
	OK          string
	Conflict    []store.CaseEvent
	Transitions []transitionForm
	Actor       string

	CanAssign, CanChain, CanVisit, CanReasons, CanEvidence bool
	CanReferral, CanPlan, CanCheckpoint, CanTransfer       bool
	WorkReason                                             bool // reasons include work: referral possible
	LegalNext, LegalNextLabel                              string
	CanIssue, CanServe                                     bool
	Recommend                                              casework.Placement
	NextCheckpoint                                         int
	Workers                                                []store.Account
	Chain                                                  []chainRow
	Legal                                                  []legalView
	Visits                                                 []visitView
	Today                                                  string

	Outcomes, Reasons, Placements, Supports []codeView
	Methods, Results, ServeMethods          []codeView
	LegalOutcomes, RefStatuses, CPResults   []codeView
}

type chainRow struct {
	Position, Label, Username, Name, Phone string
}

type legalView struct {
	store.LegalStep
	Label, Served, OutcomeLabel string
	Lapsed                      bool // the deadline has passed: 逾期未改正 may be recorded
}

type visitView struct {
	store.Visit
	MethodLabel, ResultLabel string
}

func (p casePage) Title2() string { return p.C.Name }

// assignedAs names the user's part in a case: "核查责任人" (its verifier) or "包抓责任人" (its
// responsible cadre), "" for anyone else.
func assignedAs(u *store.Account, c *store.Case) string {
	switch {
	case u == nil || u.Username == "":
		return ""
	case u.Username == c.Cadre:
		return "包抓责任人"
	case u.Username == c.Verifier:
		return "核查责任人"
	}
	return ""
}

// revealFor decides how much of a case's personal data the signed-in user sees (doc.go): all
// when unmasked (the caller has audited the reason), the contact details a visit needs when the
// user is the case's verifier or 包抓 cadre — each such view writes a view_assigned audit record
// first — and masked otherwise.
func (s *Server) revealFor(r *http.Request, c *store.Case, unmasked bool) (reveal, error) {
	if unmasked {
		return revealAll, nil
	}
	as := assignedAs(userOf(r), c)
	if as == "" {
		return revealNone, nil
	}
	if err := s.auditLog(r, baoxue.AuditRecord{Action: "view_assigned", Object: "case:" + num(c.ID), Result: "ok",
		Detail: "as=" + as}); err != nil {
		return revealNone, err
	}
	return revealContact, nil
}

// renderCase writes the case page; unmasked shows full personal data (audited by the caller).
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, id int64, unmasked bool, status int, msg string, conflict []store.CaseEvent) {
	db := s.data()
	u := userOf(r)
	d, err := db.Detail(r.Context(), u.User, id)
	if err != nil {
		s.storeFailure(w, r, err)
		return
	}
	c := d.Case
	level, err := s.revealFor(r, c, unmasked)
	if err != nil {
		s.serverError(w, r, err) // no personal data without its audit record
		return
	}
	m := masker(level)
	today := s.today()
	actor := casework.ActorOf(u.Role, u.Scope)
	p := casePage{Page: s.page(r, "案件 "+strconv.FormatInt(id, 10)), C: s.caseViewOf(c, m, today), D: d,
		Unmasked: m.all(), Contacts: m.contacts(), AssignedAs: assignedAs(u, c), CanUnmask: canUnmask(r), Message: msg,
		Conflict: conflict, Actor: actor.Label(), Today: today.String(), OK: okMessage(r.URL.Query().Get("ok"))}
	for _, rule := range casework.Next(c.State, actor) {
		if rule.To == baoxue.CaseTransferred {
			continue // taken by the receiving county on /transfers
		}
		tf := transitionForm{To: string(rule.To), Label: rule.Name, Fields: map[string]bool{}}
		for _, f := range rule.Fields {
			tf.Fields[string(f)] = true
		}
		p.Transitions = append(p.Transitions, tf)
	}
	allowed := func(act casework.Action) bool { return casework.Allowed(actor, act) == nil }
	open := casework.Open(c.State)
	p.CanAssign = allowed(casework.ActAssign) && open
	p.CanChain = allowed(casework.ActResponsible)
	p.CanReasons = allowed(casework.ActReasons) && open
	p.CanEvidence = allowed(casework.ActEvidence)
	p.CanVisit = allowed(casework.ActVisit) && visitState(c.State)
	p.CanReferral = allowed(casework.ActReferral)
	p.CanPlan = allowed(casework.ActPlacement) && (c.State == baoxue.CaseReturned || c.State == baoxue.CaseMonitoring)
	p.CanCheckpoint = allowed(casework.ActCheckpoint) && c.State == baoxue.CaseMonitoring
	p.CanTransfer = allowed(casework.ActTransfer) && baoxue.CanTransition(c.State, baoxue.CaseTransferred)
	for _, r := range c.Reasons {
		p.WorkReason = p.WorkReason || r == "work"
	}
	if c.State == baoxue.CaseLegal {
		var recs []casework.LegalRecord
		for _, l := range d.Legal {
			recs = append(recs, casework.LegalRecord{Step: l.Step, Served: l.ServedOn, Deadline: l.Deadline, Outcome: l.Outcome})
		}
		p.LegalNext = casework.NextStep(recs)
		p.LegalNextLabel = baoxue.Label(baoxue.LegalSteps, p.LegalNext)
		p.CanIssue = p.LegalNext != "" && casework.CanIssue(actor, p.LegalNext, recs, today) == nil
	}
	for _, l := range d.Legal {
		lv := legalView{LegalStep: l, Label: baoxue.Label(baoxue.LegalSteps, l.Step), OutcomeLabel: baoxue.Label(casework.LegalOutcomes, l.Outcome),
			Lapsed: l.Deadline.IsZero() || today > l.Deadline}
		if !l.ServedOn.IsZero() {
			lv.Served = fmt.Sprintf("%s %s送达 %s", l.ServedOn, baoxue.Label(casework.ServeMethods, l.ServedHow), m.name(l.ServedTo))
		}
		p.CanServe = p.CanServe || casework.MayIssue(actor, l.Step)
		p.Legal = append(p.Legal, lv)
	}
	for _, v := range d.Visits {
		v.Place, v.Notes = m.text(v.Place), m.text(v.Notes)
		p.Visits = append(p.Visits, visitView{Visit: v, MethodLabel: baoxue.Label(casework.VisitMethods, v.Method),
			ResultLabel: baoxue.Label(casework.VisitResults, v.Result)})
	}
	have := map[string]store.Responsible{}
	for _, rp := range d.Responsibles {
		have[rp.Position] = rp
	}
	for _, pos := range casework.Positions {
		rp := have[pos.ID]
		name := rp.Name // officials of the chain are named in full; the guardian is the family
		if pos.ID == "guardian" {
			name = m.name(name)
		}
		p.Chain = append(p.Chain, chainRow{Position: pos.ID, Label: pos.Label, Username: rp.Username, Name: name, Phone: m.phone(rp.Phone)})
	}
	if c.State == baoxue.CaseReturned || c.State == baoxue.CaseMonitoring {
		p.Recommend = store.Recommendation(c)
	}
	for _, cp := range d.Checkpoints {
		if cp.Round == c.WatchRound && cp.Result == "" && p.NextCheckpoint == 0 {
			p.NextCheckpoint = cp.Seq
		}
	}
	if p.CanAssign || len(p.Transitions) > 0 {
		if p.Workers, err = db.CaseWorkers(r.Context(), c.RegionCode); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p.Outcomes = codeViews(baoxue.VerificationOutcomes)
	p.Reasons = codeViews(baoxue.DropoutReasons, c.Reasons...)
	p.Placements = codeViews(baoxue.Placements, p.Recommend.Code)
	p.Supports = codeViews(casework.SupportMeasures, c.Supports...)
	p.Methods = codeViews(casework.VisitMethods)
	p.Results = codeViews(casework.VisitResults)
	p.ServeMethods = codeViews(casework.ServeMethods)
	p.LegalOutcomes = codeViews(casework.LegalOutcomes)
	p.RefStatuses = codeViews(casework.ReferralStatuses)
	p.CPResults = codeViews(casework.CheckpointResults)
	s.renderStatus(w, r, status, "case.html", p)
}

func visitState(st baoxue.CaseState) bool {
	switch st {
	case baoxue.CaseVerifying, baoxue.CaseConfirmed, baoxue.CasePersuading, baoxue.CaseLegal, baoxue.CaseUnreachable:
		return true
	}
	return false
}

// okMessages are the confirmations shown after a successful POST (the redirect carries a code,
// never text from the request).
var okMessages = map[string]string{
	"transition": "状态已更新。", "assign": "已指派。", "chain": "责任链已保存。", "reasons": "辍学原因和帮扶措施已保存。",
	"visit": "走访记录已登记。", "file": "材料已上传。", "referral": "已移送童工专项查处。", "referral_update": "查处进度已更新。",
	"legal": "文书已制发，文号已生成。", "serve": "送达情况已登记。", "outcome": "执行结果已登记。", "plan": "个别化方案已保存。",
	"checkpoint": "跟踪回访已登记。", "transfer": "移交申请已发出，等待接收县答复。", "created": "案件已建立。",
}

func okMessage(code string) string { return okMessages[code] }

// done sends the browser back to the case page after a successful change.
func (s *Server) done(w http.ResponseWriter, r *http.Request, id int64, code string) {
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"?ok="+url.QueryEscape(code), http.StatusSeeOther)
}

// caseFailure answers a failed change: a stale version 409 with the changes since; a refused or
// invalid step 403 or 422 on the case page with the store's Chinese message; not found 404.
func (s *Server) caseFailure(w http.ResponseWriter, r *http.Request, id int64, err error) {
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		changes, cerr := s.data().CaseEvents(r.Context(), id, conflict.Seen)
		if cerr != nil {
			s.serverError(w, r, cerr)
			return
		}
		if isAPI(r) {
			writeJSON(w, http.StatusConflict, apiConflict{Error: conflict.Error(), Version: conflict.Current.Version, Changes: eventsJSON(changes)})
			return
		}
		s.renderCase(w, r, id, false, http.StatusConflict, conflict.Error(), changes)
	case errors.Is(err, baoxue.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, baoxue.ErrDenied):
		s.auditDenied(r, "case_rule", firstLine(err))
		if isAPI(r) {
			writeJSON(w, http.StatusForbidden, apiError{Error: userMessage(err)})
			return
		}
		s.renderCase(w, r, id, false, http.StatusForbidden, userMessage(err), nil)
	case errors.Is(err, baoxue.ErrInvalid), errors.Is(err, baoxue.ErrExists):
		if isAPI(r) {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: userMessage(err)})
			return
		}
		s.renderCase(w, r, id, false, http.StatusUnprocessableEntity, userMessage(err), nil)
	default:
		s.serverError(w, r, err)
	}
}

// userMessage strips the sentinel's English prefix ("invalid input: ") from a store error: what
// is left is the Chinese sentence written for the user.
func userMessage(err error) string {
	msg := err.Error()
	for _, sentinel := range []error{baoxue.ErrInvalid, baoxue.ErrDenied, baoxue.ErrExists, baoxue.ErrNotFound} {
		msg = strings.ReplaceAll(msg, sentinel.Error()+": ", "")
	}
	return msg
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// casesPage is the data of cases.html.
type casesPage struct {
	Page
	Rows      []caseRow
	State     string
	States    []codeView
	Overdue   bool
	NextHref  string
	CanSync   bool
	CanExport bool
	CanUnmask bool
}

type caseRow struct {
	ID                                  int64
	Name, Place, State, StateLabel, Due string
	Cadre, Source, DaysLate             string
	Overdue                             bool
}

// handleCases lists the cases in the user's view: GET /cases?state=&overdue=1&after=.
func (s *Server) handleCases() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		q := r.URL.Query()
		f := store.CaseFilter{State: q.Get("state"), Overdue: q.Get("overdue") == "1", Today: s.today(), After: formInt(r, "after"), Limit: 100}
		rows, more, err := s.data().CaseList(r.Context(), u.User, f)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		p := casesPage{Page: s.page(r, "个案管理"), State: f.State, Overdue: f.Overdue, CanSync: u.Can(auth.PermManageCases),
			CanExport: u.Can(auth.PermExportLedger), CanUnmask: u.Can(auth.PermUnmaskPII)}
		p.States = append([]codeView{{ID: "open", Label: "未结案件"}, {ID: "all", Label: "全部"}}, codeViews(baoxue.CaseStates)...)
		for i := range p.States {
			p.States[i].On = p.States[i].ID == f.State || (f.State == "" && p.States[i].ID == "open")
		}
		for _, c := range rows {
			v := s.caseViewOf(&c, masker(revealNone), f.Today)
			p.Rows = append(p.Rows, caseRow{ID: c.ID, Name: v.Name, Place: v.Place, State: v.State, StateLabel: v.StateLabel,
				Due: v.Due, Cadre: c.Cadre, Source: v.Source, DaysLate: v.DaysLate, Overdue: v.Overdue})
		}
		if more && len(rows) > 0 {
			nq := url.Values{"after": {strconv.FormatInt(rows[len(rows)-1].ID, 10)}, "state": {f.State}}
			if f.Overdue {
				nq.Set("overdue", "1")
			}
			p.NextHref = "/cases?" + nq.Encode()
		}
		s.render(w, r, "cases.html", p)
	})
}

// handleCase shows one case: GET /cases/{id}.
func (s *Server) handleCase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		s.renderCase(w, r, id, false, http.StatusOK, "", nil)
	})
}

// handleCaseUnmask shows the case with full personal data after a stated reason, audited:
// POST /cases/{id}/unmask.
func (s *Server) handleCaseUnmask() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		if _, err := s.data().Case(r.Context(), userOf(r).User, id); err != nil {
			s.storeFailure(w, r, err)
			return
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if len([]rune(reason)) < 4 {
			s.renderCase(w, r, id, false, http.StatusBadRequest, "查看完整信息须填写理由（至少4个字），理由将记入审计日志。", nil)
			return
		}
		if len([]rune(reason)) > 200 {
			reason = string([]rune(reason)[:200])
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "unmask", Object: "case:" + num(id), Result: "ok", Detail: "reason=" + reason}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderCase(w, r, id, true, http.StatusOK, "", nil)
	})
}

// handleCaseCreate opens a case by hand for a ledger entry: POST /cases (entry=ID).
func (s *Server) handleCaseCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entry := formInt(r, "entry")
		if entry <= 0 {
			s.renderError(w, r, http.StatusBadRequest, "请求有误", "请从台账中的儿童页面建立案件。")
			return
		}
		c, err := s.data().CaseFromEntry(r.Context(), s.caseActor(r), entry)
		if err != nil {
			if isAPI(r) || !errors.Is(err, baoxue.ErrExists) {
				s.storeFailure(w, r, err)
				return
			}
			s.renderError(w, r, http.StatusConflict, "已有案件", userMessage(err))
			return
		}
		s.done(w, r, c.ID, "created")
	})
}

// handleCaseSync opens cases for the latest comparison run's suspects: POST /cases/sync.
func (s *Server) handleCaseSync() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, err := s.data().LatestRun(r.Context())
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		res, err := s.data().SyncCases(r.Context(), s.caseActor(r), run.ID)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		_ = s.auditLog(r, baoxue.AuditRecord{Action: "case_sync", Object: "run:" + num(run.ID), Result: "ok",
			Detail: fmt.Sprintf("created=%d open=%d reopened=%d", res.Created, res.AlreadyOpen, res.Reopened)})
		http.Redirect(w, r, "/cases?state=suspected", http.StatusSeeOther)
	})
}

// transitionInput reads a transition form (page or API form post).
func transitionInput(r *http.Request) casework.Input {
	return casework.Input{
		Verifier: strings.TrimSpace(r.FormValue("verifier")), Outcome: r.FormValue("outcome"), Note: strings.TrimSpace(r.FormValue("note")),
		DropoutDate: formDate(r, "dropout_date"), Reasons: r.Form["reasons"], Cadre: strings.TrimSpace(r.FormValue("cadre")),
		ReturnDate: formDate(r, "return_date"), ReturnSchool: strings.TrimSpace(r.FormValue("return_school")),
		ReturnGrade: int(formInt(r, "return_grade")), Placement: r.FormValue("placement"),
		PlacementReason: strings.TrimSpace(r.FormValue("placement_reason")),
	}
}

// handleCaseTransition takes a state change: POST /cases/{id}/transition (to, version, fields).
func (s *Server) handleCaseTransition() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			s.caseFailure(w, r, id, fmt.Errorf("%w: 表单无法读取", baoxue.ErrInvalid))
			return
		}
		to := baoxue.CaseState(r.FormValue("to"))
		_, err := s.data().TransitionCase(r.Context(), s.caseActor(r), id, formInt(r, "version"), to, transitionInput(r))
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "transition")
	})
}

func (s *Server) handleCaseAssign() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		_, err := s.data().AssignCase(r.Context(), s.caseActor(r), id, formInt(r, "version"), r.FormValue("verifier"), r.FormValue("cadre"))
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "assign")
	})
}

func (s *Server) handleCaseChain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		var chain []store.Responsible
		for _, pos := range casework.Positions {
			chain = append(chain, store.Responsible{Position: pos.ID, Username: r.FormValue(pos.ID + "_user"),
				Name: r.FormValue(pos.ID + "_name"), Phone: r.FormValue(pos.ID + "_phone")})
		}
		if _, err := s.data().SetResponsibles(r.Context(), s.caseActor(r), id, formInt(r, "version"), chain); err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "chain")
	})
}

func (s *Server) handleCaseReasons() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			s.caseFailure(w, r, id, fmt.Errorf("%w: 表单无法读取", baoxue.ErrInvalid))
			return
		}
		if _, err := s.data().SetReasons(r.Context(), s.caseActor(r), id, formInt(r, "version"), r.Form["reasons"], r.Form["supports"]); err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "reasons")
	})
}

// maxCaseUpload bounds a multipart request: one visit with a few photos.
const maxCaseUpload = 4*store.MaxCaseFile + 1<<20

// uploads reads the files of a multipart field, each at most store.MaxCaseFile.
func uploads(r *http.Request, field string) ([]upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []upload
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size > store.MaxCaseFile {
			return nil, fmt.Errorf("%w: 文件“%s”超过 %d MB", baoxue.ErrInvalid, fh.Filename, store.MaxCaseFile>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, store.MaxCaseFile+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			continue
		}
		out = append(out, upload{fh.Filename, b})
	}
	return out, nil
}

type upload struct {
	name string
	data []byte
}

// parseMultipart reads a form that may carry files; too large is a 422 on the case page.
func (s *Server) parseMultipart(w http.ResponseWriter, r *http.Request, id int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxCaseUpload)
	err := r.ParseMultipartForm(8 << 20)
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.caseFailure(w, r, id, fmt.Errorf("%w: 上传内容过大或无法读取（单个文件不超过 %d MB，每次最多约 %d MB）", baoxue.ErrInvalid,
			store.MaxCaseFile>>20, maxCaseUpload>>20))
		return false
	}
	return true
}

// handleVisit logs a visit with its photos: POST /cases/{id}/visits (multipart).
func (s *Server) handleVisit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok || !s.parseMultipart(w, r, id) {
			return
		}
		files, err := uploads(r, "files")
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		for _, f := range files { // check every file before writing anything
			if _, err := store.SniffCaseFile(f.data); err != nil {
				s.caseFailure(w, r, id, fmt.Errorf("%w（%s）", err, f.name))
				return
			}
		}
		by := s.caseActor(r)
		v, err := s.data().AddVisit(r.Context(), by, id, store.Visit{Date: formDate(r, "date"), Visitors: r.FormValue("visitors"),
			Method: r.FormValue("method"), Result: r.FormValue("result"), Place: r.FormValue("place"), Notes: r.FormValue("notes")})
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		for _, f := range files {
			if _, err := s.data().AddCaseFile(r.Context(), by, id, "visit", v.ID, f.name, f.data); err != nil {
				s.caseFailure(w, r, id, err)
				return
			}
		}
		if isAPI(r) {
			writeJSON(w, http.StatusCreated, map[string]any{"id": v.ID, "files": len(files)})
			return
		}
		s.done(w, r, id, "visit")
	})
}

// visitPage is the data of case_visit.html, the phone form.
type visitPage struct {
	Page
	C       caseView
	Today   string
	Methods []codeView
	Results []codeView
	Me      string
}

// handleVisitForm is the mobile-first visit form: GET /cases/{id}/visit.
func (s *Server) handleVisitForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		u := userOf(r)
		c, err := s.data().Case(r.Context(), u.User, id)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		level, err := s.revealFor(r, c, false)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		me := u.DisplayName
		if me == "" {
			me = u.Username
		}
		s.render(w, r, "case_visit.html", visitPage{Page: s.page(r, "登记走访"), C: s.caseViewOf(c, masker(level), s.today()),
			Today: s.today().String(), Methods: codeViews(casework.VisitMethods, "home"), Results: codeViews(casework.VisitResults), Me: me})
	})
}

// handleCaseUpload attaches evidence: POST /cases/{id}/files (multipart: purpose, files).
func (s *Server) handleCaseUpload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok || !s.parseMultipart(w, r, id) {
			return
		}
		files, err := uploads(r, "files")
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("%w: 请选择文件", baoxue.ErrInvalid)
		}
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		purpose := r.FormValue("purpose")
		if purpose == "" {
			purpose = "other"
		}
		for _, f := range files {
			if _, err := s.data().AddCaseFile(r.Context(), s.caseActor(r), id, purpose, 0, f.name, f.data); err != nil {
				s.caseFailure(w, r, id, err)
				return
			}
		}
		s.done(w, r, id, "file")
	})
}

// handleCaseFile downloads an evidence file, for users who may see the case: GET
// /cases/{id}/files/{file}. Served as an attachment with its sniffed type, audited.
func (s *Server) handleCaseFile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		fid, ok := s.pathInt(w, r, "file")
		if !ok {
			return
		}
		f, err := s.data().CaseFileData(r.Context(), userOf(r).User, id, fid)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "case_file_download", Object: fmt.Sprintf("case:%d/file:%d", id, fid),
			Result: "ok", Detail: "sha256=" + f.SHA256}); err != nil {
			s.serverError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Content-Length", strconv.Itoa(len(f.Data)))
		_, _ = w.Write(f.Data)
	})
}

func (s *Server) handleReferral() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		_, err := s.data().AddReferral(r.Context(), s.caseActor(r), id, store.Referral{ReferredOn: formDate(r, "date"),
			Agency: r.FormValue("agency"), Employer: r.FormValue("employer"), Address: r.FormValue("address"),
			Contact: r.FormValue("contact"), Phone: r.FormValue("phone")})
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "referral")
	})
}

func (s *Server) handleReferralUpdate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		ref, ok := s.pathInt(w, r, "ref")
		if !ok {
			return
		}
		if err := s.data().UpdateReferral(r.Context(), s.caseActor(r), id, ref, r.FormValue("status"), r.FormValue("outcome"), formDate(r, "date")); err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "referral_update")
	})
}

func (s *Server) handlePlan() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		var dates []baoxue.Date
		for _, f := range strings.FieldsFunc(r.FormValue("review_dates"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' }) {
			d, err := baoxue.ParseISODate(f)
			if err != nil {
				s.caseFailure(w, r, id, err)
				return
			}
			dates = append(dates, d)
		}
		_, err := s.data().SavePlan(r.Context(), s.caseActor(r), id, formInt(r, "version"), store.Plan{Goals: r.FormValue("goals"),
			Measures: r.FormValue("measures"), Teacher: r.FormValue("teacher"), ReviewDates: dates})
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "plan")
	})
}

func (s *Server) handleCheckpoint() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		seq, ok := s.pathInt(w, r, "seq")
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			s.caseFailure(w, r, id, fmt.Errorf("%w: 表单无法读取", baoxue.ErrInvalid))
			return
		}
		redrop := transitionInput(r)
		_, err := s.data().RecordCheckpoint(r.Context(), s.caseActor(r), id, formInt(r, "version"), int(seq), r.FormValue("result"),
			formDate(r, "date"), r.FormValue("note"), redrop)
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "checkpoint")
	})
}

func (s *Server) handleTransfer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		_, err := s.data().RequestTransfer(r.Context(), s.caseActor(r), id, formInt(r, "version"), strings.TrimSpace(r.FormValue("to_county")), r.FormValue("reason"))
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "transfer")
	})
}
