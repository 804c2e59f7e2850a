package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/store"
)

// The auditor's pages: the audit log, newest first, filtered by actor, action and dates, and the
// chain check of audit.Verify. Only the auditor role holds view_audit.

const auditPageSize = 50

type auditFilterForm struct {
	Actor, Action, From, To string
}

type auditPage struct {
	Page
	Filter  auditFilterForm
	Records []baoxue.AuditRecord
	Next    string // URL of the next (older) page, "" at the end
	Error   string
	Verify  *audit.Report
	Actions []string
}

// knownActions are offered in the action filter; any other text may be typed.
func knownActions() []string {
	return []string{actLogin, actLogout, actTOTPEnrol, actPasswordChange, actAccessDenied, actUserCreate,
		actUserDisable, actUserEnable, actUserReset, "token_create", actAuditVerify}
}

// parseDay reads a yyyy-mm-dd date as the start of that day, local time.
func parseDay(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", strings.TrimSpace(s), time.Local)
}

func (s *Server) auditData(r *http.Request) auditPage {
	q := r.URL.Query()
	p := auditPage{Page: s.page(r, "审计日志"), Actions: knownActions(),
		Filter: auditFilterForm{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
			From: q.Get("from"), To: q.Get("to")}}
	f := store.AuditFilter{Actor: p.Filter.Actor, Action: p.Filter.Action, Limit: auditPageSize}
	if p.Filter.From != "" {
		t, err := parseDay(p.Filter.From)
		if err != nil {
			p.Error = "起始日期应写成 2025-09-01 的形式"
			return p
		}
		f.From = t
	}
	if p.Filter.To != "" {
		t, err := parseDay(p.Filter.To)
		if err != nil {
			p.Error = "截止日期应写成 2025-09-30 的形式"
			return p
		}
		f.To = t.AddDate(0, 0, 1) // the whole last day
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	recs, err := s.cfg.Accounts.SearchAudit(r.Context(), f)
	if err != nil {
		p.Error = "读取审计日志失败（请求编号 " + requestID(r.Context()) + "）"
		s.cfg.Log.ErrorContext(r.Context(), "audit search failed", "err", err, "request_id", requestID(r.Context()))
		return p
	}
	p.Records = recs
	if len(recs) == auditPageSize {
		next := url.Values{}
		for k, v := range map[string]string{"actor": p.Filter.Actor, "action": p.Filter.Action, "from": p.Filter.From, "to": p.Filter.To} {
			if v != "" {
				next.Set(k, v)
			}
		}
		next.Set("before", strconv.FormatInt(recs[len(recs)-1].Seq, 10))
		p.Next = "/audit?" + next.Encode()
	}
	return p
}

func (s *Server) handleAudit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, "audit.html", s.auditData(r))
	})
}

// handleAuditVerify walks the whole chain and shows the outcome above the newest records. The
// check itself is audited, so that the auditor's own work is on record too.
func (s *Server) handleAuditVerify() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep, err := audit.Verify(r.Context(), s.cfg.Accounts)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		result, detail := "ok", "records="+strconv.FormatInt(rep.Records, 10)+" last_hash="+rep.LastHash
		if rep.Broken != nil {
			result, detail = "broken", rep.Broken.Message()
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: actAuditVerify, Result: result, Detail: detail}); err != nil {
			s.serverError(w, r, err)
			return
		}
		p := s.auditData(r)
		p.Verify = rep
		s.render(w, r, "audit.html", p)
	})
}
