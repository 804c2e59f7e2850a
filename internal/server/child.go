package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/normalize"
	"github.com/baoxue/baoxue/internal/store"
)

// The child page (issue 5 item 4): one ledger entry with the records behind it — registry,
// 学籍, poverty and disability rows — the match and its reason, the review decision for `review`
// entries, and personal data masked, with unmask-with-reason for users who hold unmask_pii. It
// leads into case work: to the child's open case, or a button that opens one (POST /cases).

// field is one labelled value on the child page.
type field struct{ Label, Value string }

type childPage struct {
	Page
	Row        ledgerRowView
	Entry      *store.LedgerRow
	Run        *store.Run
	Person     []field
	Enrolls    [][]field
	Poverty    [][]field
	Disability [][]field
	Decision   *store.ReviewDecision
	OpenCase   *store.Case // the child's open case in the user's view
	CanCreate  bool        // no open case, and the user may open one here
	CanDecide  bool
	CanUnmask  bool
	Unmasked   bool
	Method     string
	Score      string
	Message    string
	Datasets   map[string]int64 // dataset id of each kind the run used
}

func (s *Server) entryOf(w http.ResponseWriter, r *http.Request) (*store.LedgerRow, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil, false
	}
	row, err := s.data().LedgerRowByID(r.Context(), scopeOf(r), id)
	if err != nil {
		s.storeFailure(w, r, err)
		return nil, false
	}
	return row, true
}

// handleChild shows one child, masked: GET /ledger/{id}.
func (s *Server) handleChild() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, ok := s.entryOf(w, r)
		if !ok {
			return
		}
		s.renderChild(w, r, row, false, "", http.StatusOK)
	})
}

// handleUnmask shows the child's page once with full personal data: POST /ledger/{id}/unmask with
// a reason, audited. Nothing is remembered: the next view is masked again.
func (s *Server) handleUnmask() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, ok := s.entryOf(w, r)
		if !ok {
			return
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if len([]rune(reason)) < 4 {
			s.renderChild(w, r, row, false, "查看完整信息须填写理由（至少4个字），理由将记入审计日志。", http.StatusBadRequest)
			return
		}
		if len([]rune(reason)) > 200 {
			reason = string([]rune(reason)[:200])
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "unmask", Object: "ledger_entry:" + num(row.ID), Result: "ok",
			Detail: "reason=" + reason}); err != nil {
			s.serverError(w, r, err) // no unmasking without its audit record
			return
		}
		s.renderChild(w, r, row, true, "", http.StatusOK)
	})
}

// handleReview records a review decision: POST /ledger/{id}/review, audited. A decision may be
// changed — a second look at the records, a visit — with a reason in the note: the page shows the
// decision in force, and the audit log keeps every decision with the one it replaced.
func (s *Server) handleReview() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, ok := s.entryOf(w, r)
		if !ok {
			return
		}
		decision := r.PostFormValue("decision")
		note := strings.TrimSpace(r.PostFormValue("note"))
		if len([]rune(note)) > 500 {
			note = string([]rune(note)[:500])
		}
		prev, err := s.data().ReviewDecisionOf(r.Context(), row.ID)
		switch {
		case errors.Is(err, baoxue.ErrNotFound):
			prev = nil
		case err != nil:
			s.serverError(w, r, err)
			return
		case prev.Decision != decision && len([]rune(note)) < 4:
			s.renderChild(w, r, row, false, "更改复核结论须在备注中说明理由（至少4个字），理由将记入审计日志。", http.StatusBadRequest)
			return
		}
		err = s.data().DecideReview(r.Context(), scopeOf(r), row.ID, decision, note, userOf(r).Username)
		if errors.Is(err, baoxue.ErrInvalid) {
			s.renderChild(w, r, row, false, "复核结论无效："+err.Error(), http.StatusBadRequest)
			return
		}
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		detail := "decision=" + decision
		if prev != nil {
			detail += " previous=" + prev.Decision + " note=" + note
		}
		_ = s.auditLog(r, baoxue.AuditRecord{Action: "review_decision", Object: "ledger_entry:" + num(row.ID),
			Result: "ok", Detail: detail})
		http.Redirect(w, r, "/ledger/"+num(row.ID), http.StatusSeeOther)
	})
}

func (s *Server) renderChild(w http.ResponseWriter, r *http.Request, row *store.LedgerRow, unmasked bool, msg string, status int) {
	ctx := r.Context()
	db := s.data()
	recs, err := db.ChildRecords(ctx, row)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	run, err := db.Run(ctx, row.RunID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	m := masker(revealIf(unmasked))
	a := userOf(r)
	p := childPage{Page: s.page(r, "学生详情"), Row: s.rowView(row, unmasked), Entry: row, Run: run,
		CanDecide: a.Can(auth.PermDecideReview) && row.Status == baoxue.StatusReview, CanUnmask: canUnmask(r),
		Unmasked: unmasked, Method: methodLabel(row.MatchMethod), Message: msg, Datasets: map[string]int64{}}
	for k, id := range recs.Kinds {
		p.Datasets[string(k)] = id
	}
	p.Row.IDNumber = m.id(row.IDNumber)
	if row.MatchMethod != baoxue.MatchNone && row.MatchMethod != "" {
		p.Score = fmt.Sprintf("%.2f", row.MatchScore)
	}
	if d, err := db.ReviewDecisionOf(ctx, row.ID); err == nil {
		p.Decision = d
	} else if !errors.Is(err, baoxue.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	switch c, err := db.OpenCaseOf(ctx, a.User, row.IDNumber); {
	case err == nil:
		p.OpenCase = c
	case !errors.Is(err, baoxue.ErrNotFound):
		s.serverError(w, r, err)
		return
	default:
		p.CanCreate = a.Can(auth.PermManageCases) && row.IDNumber != "" && len(row.RegionCode) >= 9 && a.Scope.Contains(row.RegionCode) &&
			casework.Allowed(casework.ActorOf(a.Role, a.Scope), casework.ActCreate) == nil
	}
	if pr := recs.Person; pr != nil {
		p.Person = []field{{"姓名", m.name(pr.Name)}, {"公民身份号码", m.id(pr.IDNumber)}, {"性别", pr.Sex.Label()},
			{"出生日期", m.birth(pr.BirthDate)}, {"民族", pr.Ethnicity}, {"与户主关系", pr.Relation},
			{"户籍地址", m.text(pr.Address)}, {"行政区划", s.placeLabel(pr.RegionCode)}, {"人员状态", pr.StatusRaw},
			{"监护人", m.name(pr.GuardianName)}, {"监护人身份证号", m.id(pr.GuardianID)}, {"联系电话", m.phone(pr.Phone)},
			{"户籍文件行号", num(int64(pr.SourceRow))}}
		if pr.IDError != "" {
			p.Person = append(p.Person, field{"身份证号问题", pr.IDError + "（原值 " + m.id(pr.IDRaw) + "）"})
		}
	}
	for _, e := range recs.Enrollments {
		src := "本地学籍"
		if e.National {
			src = "全国学籍（外省）"
		}
		home := ""
		if e.HomeTaught {
			home = "是"
		}
		p.Enrolls = append(p.Enrolls, []field{{"来源", src}, {"学籍号", m.studentNo(e.StudentNo)}, {"姓名", m.name(e.Name)},
			{"身份证件号", m.id(e.IDNumber)}, {"学校", e.SchoolName + " " + e.SchoolCode}, {"年级", normalize.GradeLabel(e.Grade)},
			{"学籍状态", e.StatusRaw}, {"送教上门", home}, {"文件行号", num(int64(e.SourceRow))}})
	}
	for _, pv := range recs.Poverty {
		p.Poverty = append(p.Poverty, []field{{"户编号", pv.HouseholdNo}, {"姓名", m.name(pv.Name)}, {"证件号码", m.id(pv.IDNumber)},
			{"与户主关系", pv.Relation}, {"类型", pv.Type}, {"文件行号", num(int64(pv.SourceRow))}})
	}
	for _, d := range recs.Disability {
		p.Disability = append(p.Disability, []field{{"姓名", m.name(d.Name)}, {"身份证号", m.id(d.IDNumber)},
			{"残疾人证号", m.studentNo(d.CertNo)}, {"类别", d.Category}, {"等级", strconv.Itoa(d.Level) + "级"}})
	}
	s.renderStatus(w, r, status, "child.html", p)
}
