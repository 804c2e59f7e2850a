package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/notice"
	"github.com/baoxue/baoxue/internal/store"
)

// Legal-ladder steps and their documents (issue 6 item 5). A document is generated on request
// from the case as it is, with the number the step was given when issued; it is served as a PDF
// or as a standalone print page under a Content-Security-Policy of its own (the page carries its
// style and the glyphs it uses inline, and nothing else).

// handleLegalIssue issues the next rung of the ladder: POST /cases/{id}/legal.
func (s *Server) handleLegalIssue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		c, err := s.data().Case(r.Context(), userOf(r).User, id)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		abbrev := casework.CountyAbbrev(s.regionName(c.CountyCode))
		extra := store.LegalExtra{ReturnTo: r.FormValue("return_to"), Basis: r.FormValue("basis"), Penalty: r.FormValue("penalty"),
			ReviewOrgan: r.FormValue("review_organ"), Court: r.FormValue("court")}
		_, err = s.data().IssueLegal(r.Context(), s.caseActor(r), id, formInt(r, "version"), r.FormValue("step"), r.FormValue("issuer"), abbrev, extra)
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "legal")
	})
}

// handleLegalServe records service: POST /cases/{id}/legal/{step}/serve.
func (s *Server) handleLegalServe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		step, ok := s.pathInt(w, r, "step")
		if !ok {
			return
		}
		if err := s.data().ServeLegal(r.Context(), s.caseActor(r), id, step, r.FormValue("served_to"), r.FormValue("how"), formDate(r, "date")); err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "serve")
	})
}

// handleLegalOutcome records compliance: POST /cases/{id}/legal/{step}/outcome.
//
// "逾期未改正" (not complied) states a fact that exists only once the step's deadline has passed,
// so it is refused for a date on or before the deadline; there is no override. A guardian who
// refuses outright within the term is recorded in a visit or the case's note; the next rung of the
// ladder may be issued as soon as the deadline has passed, with or without an outcome
// (casework.CanIssue), so nothing is gained by recording the refusal early.
func (s *Server) handleLegalOutcome() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.caseOf(w, r)
		if !ok {
			return
		}
		step, ok := s.pathInt(w, r, "step")
		if !ok {
			return
		}
		outcome, on := r.FormValue("outcome"), formDate(r, "date")
		if outcome == casework.OutcomeNotComplied {
			steps, err := s.data().LegalSteps(r.Context(), id)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, l := range steps {
				if l.ID == step && !l.Deadline.IsZero() && !on.IsZero() && on <= l.Deadline {
					s.caseFailure(w, r, id, fmt.Errorf("%w: %s的改正期限至 %s，期限届满前不能登记“逾期未改正”；监护人在期限内明确拒绝的，请在走访记录中说明，期限届满后再登记",
						baoxue.ErrInvalid, baoxue.Label(baoxue.LegalSteps, l.Step), l.Deadline))
					return
				}
			}
		}
		if err := s.data().LegalOutcome(r.Context(), s.caseActor(r), id, step, outcome, on, r.FormValue("note")); err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		s.done(w, r, id, "outcome")
	})
}

// documentData assembles what a step's document says from the case and its records.
func (s *Server) documentData(d *store.CaseDetail, l *store.LegalStep) notice.Data {
	c := d.Case
	data := notice.Data{Kind: notice.Kind(l.Step), Number: l.DocNo, Issuer: l.Issuer, Issued: l.Issued, Deadline: l.Deadline,
		ChildName: c.Name, ChildSex: c.Sex, ChildBirth: c.BirthDate, Guardian: c.Guardian, Relation: c.Relation,
		Address: c.Address, School: c.SchoolName, Grade: c.Grade, DropoutDate: c.DropoutDate, ReturnTo: l.Extra.ReturnTo,
		Visits: len(d.Visits), Basis: l.Extra.Basis, Penalty: l.Extra.Penalty, ReviewOrgan: l.Extra.ReviewOrgan, Court: l.Extra.Court}
	if data.ReturnTo == "" {
		data.ReturnTo = c.SchoolName
	}
	if data.Guardian == "" && l.ServedTo != "" {
		data.Guardian = l.ServedTo
	}
	if n := len(d.Visits); n > 0 {
		data.FirstVisit, data.LastVisit = d.Visits[0].Date, d.Visits[n-1].Date
	}
	for _, p := range d.Legal {
		if p.ID == l.ID {
			break
		}
		data.Priors = append(data.Priors, notice.Prior{Kind: notice.Kind(p.Step), Number: p.DocNo, Issued: p.Issued,
			Served: p.ServedOn, Deadline: p.Deadline})
	}
	return data
}

// handleDocument serves a legal step's document: GET /cases/{id}/legal/{step}/document?format=pdf
// (or html, the default). Only users who may see full personal data reach it (the route's
// permission); each generation is audited.
func (s *Server) handleDocument() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathInt(w, r, "id")
		if !ok {
			return
		}
		stepID, ok := s.pathInt(w, r, "step")
		if !ok {
			return
		}
		d, err := s.data().Detail(r.Context(), userOf(r).User, id)
		if err != nil {
			s.storeFailure(w, r, err)
			return
		}
		var step *store.LegalStep
		for i := range d.Legal {
			if d.Legal[i].ID == stepID {
				step = &d.Legal[i]
			}
		}
		if step == nil {
			s.notFound(w, r)
			return
		}
		doc, err := notice.Build(s.documentData(d, step))
		if err != nil {
			s.caseFailure(w, r, id, err)
			return
		}
		rd, err := s.docRenderer()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		format := r.URL.Query().Get("format")
		if err := s.auditLog(r, baoxue.AuditRecord{Action: "case_document", Object: fmt.Sprintf("case:%d/legal:%d", id, stepID),
			Result: "ok", Detail: step.DocNo + " " + format}); err != nil {
			s.serverError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		name := doc.Title + "（" + step.DocNo + "）"
		if format == "pdf" {
			b, err := rd.PDF(doc)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name+".pdf"))
			h.Set("Content-Length", strconv.Itoa(len(b)))
			_, _ = w.Write(b)
			return
		}
		page, csp, err := rd.HTML(doc)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", csp)
		_, _ = w.Write(page)
	})
}
