package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// Access levels of a route besides the permissions of auth: who may reach it at all.
const (
	// Public routes answer anyone (sign-in pages, static files, health check).
	Public auth.Permission = "public"
	// SignedIn routes answer any user with a complete session who need not change the password.
	SignedIn auth.Permission = "signed_in"
	// OwnAccount routes answer any user with a complete session, even one who must change the
	// initial password first (the password page, the account page).
	OwnAccount auth.Permission = "own_account"
)

// Session cookie names. Under TLS the __Host- prefix makes the browser insist on Secure, Path=/
// and no Domain, so a sibling host cannot plant or read the cookie.
const (
	sessionCookie       = "baoxue_session"
	secureSessionCookie = "__Host-baoxue_session"
)

type userKey struct{}

// userOf returns the signed-in account of a request that passed requireUser; nil elsewhere.
// Handlers take the scope from here and pass it to the store, which filters every query by it.
func userOf(r *http.Request) *store.Account {
	a, _ := r.Context().Value(userKey{}).(*store.Account)
	return a
}

// scopeOf is the signed-in user's scope; the zero Scope (which contains nothing) when there is none.
func scopeOf(r *http.Request) auth.Scope {
	if a := userOf(r); a != nil {
		return a.Scope
	}
	return auth.Scope{}
}

func withUser(r *http.Request, a *store.Account) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), userKey{}, a))
}

// isAPI reports a request to the JSON API, which answers errors in JSON instead of pages and
// redirects.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// secure reports whether the browser talks to us over HTTPS.
func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

func (s *Server) cookieName(r *http.Request) string {
	if s.secure(r) {
		return secureSessionCookie
	}
	return sessionCookie
}

// setSessionCookie gives the browser a session token: HttpOnly (no script reads it), SameSite=Lax
// (not sent on cross-site POSTs), Path=/, Secure under TLS, and no expiry (gone when the browser
// closes; the server enforces the idle and absolute limits).
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// session finds the request's session and its account. A missing, expired or pending-but-stale
// session, or one of a disabled account, gives auth.ErrNoSession.
func (s *Server) session(r *http.Request) (auth.Session, *store.Account, error) {
	tok := s.sessionToken(r)
	if tok == "" {
		return auth.Session{}, nil, auth.ErrNoSession
	}
	sess, err := s.sessions.Lookup(r.Context(), tok)
	if err != nil {
		return auth.Session{}, nil, err
	}
	a, err := s.cfg.Accounts.AccountByID(r.Context(), sess.UserID)
	if errors.Is(err, baoxue.ErrNotFound) {
		return auth.Session{}, nil, auth.ErrNoSession
	}
	if err != nil {
		return auth.Session{}, nil, err
	}
	if a.Disabled {
		return auth.Session{}, nil, auth.ErrNoSession
	}
	return sess, &a, nil
}

// apiUser authenticates an Authorization: Bearer bx_… header. ok is false when the request has
// no such header (the session cookie may still apply).
func (s *Server) apiUser(r *http.Request) (a *store.Account, ok bool, err error) {
	h := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(h, "Bearer ")
	if !found {
		return nil, false, nil
	}
	hash, err := auth.ParseAPIToken(strings.TrimSpace(tok))
	if err != nil {
		return nil, true, auth.ErrBadAPIToken
	}
	t, err := s.cfg.Accounts.APITokenByHash(r.Context(), hash)
	if errors.Is(err, baoxue.ErrNotFound) {
		return nil, true, auth.ErrBadAPIToken
	}
	if err != nil {
		return nil, true, err
	}
	now := s.now()
	if !t.Valid(now) {
		return nil, true, auth.ErrBadAPIToken
	}
	acc, err := s.cfg.Accounts.AccountByID(r.Context(), t.UserID)
	if errors.Is(err, baoxue.ErrNotFound) || (err == nil && acc.Disabled) {
		return nil, true, auth.ErrBadAPIToken
	}
	if err != nil {
		return nil, true, err
	}
	if now.Sub(t.LastUsedAt) >= time.Minute { // like sessions: not a write per call
		if err := s.cfg.Accounts.TouchAPIToken(r.Context(), t.ID, now); err != nil {
			return nil, true, err
		}
	}
	return &acc, true, nil
}

// requireUser lets a request through to h only for a signed-in user who holds perm (or, for the
// pseudo-permissions SignedIn and OwnAccount, any signed-in user). Pages without a session
// redirect to the sign-in page; the API answers 401. A user lacking perm gets 403, and the denial
// is audited. The account is in the request's context for h (userOf, scopeOf).
func (s *Server) requireUser(perm auth.Permission, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a *store.Account
		var pending bool
		if isAPI(r) {
			acc, bearer, err := s.apiUser(r)
			switch {
			case bearer && errors.Is(err, auth.ErrBadAPIToken):
				writeJSON(w, http.StatusUnauthorized, apiError{Error: err.Error()})
				return
			case err != nil:
				s.serverError(w, r, err)
				return
			}
			a = acc
		}
		if a == nil {
			sess, acc, err := s.session(r)
			switch {
			case errors.Is(err, auth.ErrNoSession):
				s.unauthenticated(w, r)
				return
			case err != nil:
				s.serverError(w, r, err)
				return
			}
			a, pending = acc, sess.Pending
		}
		r = withUser(r, a)
		switch {
		case pending:
			// Password accepted, second factor owed: nothing but the second-factor page.
			if isAPI(r) {
				writeJSON(w, http.StatusUnauthorized, apiError{Error: "请先完成动态口令验证"})
				return
			}
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		case a.NeedsPasswordChange() && perm != OwnAccount:
			if isAPI(r) {
				writeJSON(w, http.StatusForbidden, apiError{Error: "须先登录网页修改初始密码"})
				return
			}
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		case perm != SignedIn && perm != OwnAccount && !a.Can(perm):
			s.forbidden(w, r, perm)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// unauthenticated sends a page to the sign-in form (coming back afterwards) and answers the API
// with 401.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="baoxue"`)
		writeJSON(w, http.StatusUnauthorized, apiError{Error: "未登录或登录已过期"})
		return
	}
	if s.sessionToken(r) != "" {
		s.clearSessionCookie(w, r)
	}
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") != "" { // htmx follows this instead of swapping in the form
		w.Header().Set("HX-Redirect", target)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// forbidden answers a signed-in user who lacks perm with 403 and writes the denial to the audit
// log.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, perm auth.Permission) {
	s.auditDenied(r, "forbidden", "permission="+string(perm))
	if isAPI(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "没有权限：需要“" + perm.Label() + "”"})
		return
	}
	s.renderError(w, r, http.StatusForbidden, "没有权限", "您的账号没有“"+perm.Label()+"”的权限。如需开通，请联系系统管理员。")
}

// notFound answers 404. Handlers call it when the store finds no object for the user's scope:
// since the store filters by scope, "no such object" and "not yours" look the same, as they must
// (an object of another county answers exactly like one that does not exist). For a signed-in
// user the miss is audited as a denied access, so that probing for other counties' children is
// on record.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if userOf(r) != nil {
		s.auditDenied(r, "not_found", "")
	}
	if isAPI(r) {
		writeJSON(w, http.StatusNotFound, apiError{Error: "未找到"})
		return
	}
	s.renderError(w, r, http.StatusNotFound, "未找到", "您要找的内容不存在，或不在您的管辖范围内。")
}

// errorPage is the data of error.html.
type errorPage struct {
	Page
	Message string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.renderStatus(w, r, status, "error.html", errorPage{Page: s.page(r, title), Message: msg})
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Audit actions written by this package.
const (
	actLogin          = "login"
	actLogout         = "logout"
	actTOTPEnrol      = "totp_enrol"
	actPasswordChange = "password_change"
	actAccessDenied   = "access_denied"
	actUserCreate     = "user_create"
	actUserDisable    = "user_disable"
	actUserEnable     = "user_enable"
	actUserReset      = "user_reset"
	actAuditVerify    = "audit_verify"
)

// auditLog appends one record for the request: the signed-in user (if any) as actor, the
// request id, the server's clock. A failure is logged (without personal data) and returned.
func (s *Server) auditLog(r *http.Request, rec baoxue.AuditRecord) error {
	if a := userOf(r); a != nil && rec.Actor == "" {
		rec.Actor, rec.Role, rec.Scope = a.Username, string(a.Role), a.Scope.String()
	}
	if rec.Time.IsZero() {
		rec.Time = s.now()
	}
	err := s.audit.Log(r.Context(), &rec)
	if err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "audit write failed", "action", rec.Action, "err", err,
			"request_id", requestID(r.Context()))
	}
	return err
}

// auditDenied records a refused access: the route's pattern and the path as the object.
func (s *Server) auditDenied(r *http.Request, result, detail string) {
	obj := r.Method + " " + r.URL.Path
	_ = s.auditLog(r, baoxue.AuditRecord{Action: actAccessDenied, Object: obj, Result: result, Detail: detail})
}

// localTarget returns next if it is a path on this site ("/ledger?x=1"), else "". Anything that
// could leave the site ("//evil", "/\evil", "https://…") is refused.
func localTarget(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// landing is where a user goes after signing in: the dashboard for business roles, the page of
// their power for the three powers.
func landing(a *store.Account) string {
	switch {
	case a.Can(auth.PermViewDashboard):
		return "/"
	case a.Can(auth.PermManageUsers):
		return "/admin/users"
	case a.Can(auth.PermManageSecurityPolicy):
		return "/security"
	case a.Can(auth.PermViewAudit):
		return "/audit"
	}
	return "/account"
}
