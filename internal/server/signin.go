package server

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// Sign-in, second factor, password change and sign-out. The flow:
//
//	POST /login (name, password) ── wrong ──▶ the same page, "用户名或密码错误" (or locked)
//	     │ right, no second factor owed ──▶ full session ──▶ next page / landing
//	     │ right, second factor owed (three powers, scope above county) ──▶ pending session
//	GET  /login/totp: enrol (first time: secret and otpauth URI) or ask for the code
//	POST /login/totp ── right ──▶ pending session replaced by a full one (new token)
//	a full session whose account must change its password reaches only /account/password
//
// Every outcome is one audit record; a failure's record says why (auth.FailureReason), the user
// only ever sees the same message for an unknown name, a wrong password and a disabled account.

// totpIssuer names baoxue in authenticator apps.
const totpIssuer = "保学"

type loginPage struct {
	Page
	Username string
	Next     string
	Error    string
	Notice   string
}

type totpPage struct {
	Page
	Enrol  bool
	Secret string // grouped by four for reading
	URI    string
	QR     template.HTML // inline SVG of the URI, "" if it does not fit
	Error  string
}

type passwordPage struct {
	Page
	Forced   bool
	Errors   []string
	MinLen   int
	Username string
}

// actor fills the actor fields of an audit record with an account, for records written before
// the account is in the request's context (sign-in).
func actor(a *store.Account, rec baoxue.AuditRecord) baoxue.AuditRecord {
	rec.Actor, rec.Role, rec.Scope = a.Username, string(a.Role), a.Scope.String()
	return rec
}

func (s *Server) handleLoginForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sess, a, err := s.session(r); err == nil {
			if sess.Pending {
				http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			} else {
				http.Redirect(w, r, landing(a), http.StatusSeeOther)
			}
			return
		}
		p := loginPage{Page: s.page(r, "登录"), Next: localTarget(r.URL.Query().Get("next"))}
		if r.URL.Query().Get("signed_out") != "" {
			p.Notice = "您已安全退出。"
		}
		s.render(w, r, "login.html", p)
	})
}

func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		name := strings.TrimSpace(r.PostFormValue("username"))
		password := r.PostFormValue("password")
		p := loginPage{Page: s.page(r, "登录"), Username: name, Next: localTarget(r.PostFormValue("next"))}
		now := s.now()
		if _, locked, err := s.cfg.Accounts.LoginLocked(ctx, name, now); err != nil {
			s.serverError(w, r, err)
			return
		} else if locked {
			s.loginFailed(w, r, p, auth.ReasonLocked, auth.ErrLocked)
			return
		}
		in, err := s.authn.CheckPassword(ctx, name, password)
		if err != nil {
			reason := auth.FailureReason(err)
			if reason == "" {
				s.serverError(w, r, err)
				return
			}
			msg := auth.ErrBadCredentials
			if errors.Is(err, auth.ErrLocked) {
				msg = auth.ErrLocked
			}
			if reason != auth.ReasonLocked {
				_, locked, err := s.cfg.Accounts.RecordLoginFailure(ctx, name, now)
				if err != nil {
					s.serverError(w, r, err)
					return
				}
				if locked {
					msg = auth.ErrLocked
				}
			}
			s.loginFailed(w, r, p, reason, msg)
			return
		}
		a, err := s.cfg.Accounts.AccountByID(ctx, in.User.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if in.NewHash != "" {
			if err := s.cfg.Accounts.RehashPassword(ctx, a.ID, a.PasswordHash, in.NewHash); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		// A new session id at every sign-in: whatever token the browser had is ended, never promoted.
		if old := s.sessionToken(r); old != "" {
			if err := s.sessions.End(ctx, old); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		if _, err := s.cfg.Accounts.DeleteExpiredSessions(ctx, now); err != nil {
			s.serverError(w, r, err)
			return
		}
		if a.NeedsTOTP() {
			tok, _, err := s.sessions.Start(ctx, a.ID, true)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if err := s.auditLog(r, actor(&a, baoxue.AuditRecord{Action: actLogin, Result: "second_factor_required"})); err != nil {
				s.serverError(w, r, err)
				return
			}
			s.setSessionCookie(w, r, tok)
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		}
		s.lockout.Reset(a.Username)
		if err := s.cfg.Accounts.ClearLoginFailures(ctx, a.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		tok, _, err := s.sessions.Start(ctx, a.ID, false)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		detail := "password"
		if a.Demo {
			detail = "password (demo account)"
		}
		// No audit record, no session: sign-ins must never go unrecorded.
		if err := s.auditLog(r, actor(&a, baoxue.AuditRecord{Action: actLogin, Result: "ok", Detail: detail})); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setSessionCookie(w, r, tok)
		s.afterSignIn(w, r, &a, p.Next)
	})
}

// afterSignIn sends a freshly signed-in user on: to the forced password change, to where they
// were going, or to their landing page.
func (s *Server) afterSignIn(w http.ResponseWriter, r *http.Request, a *store.Account, next string) {
	switch {
	case a.NeedsPasswordChange():
		next = "/account/password"
	case next == "":
		next = landing(a)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// loginFailed writes the failure's audit record (with the real reason) and shows the form again
// with msg, which is the same for every reason but the lock.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, p loginPage, reason string, msg error) {
	rec := baoxue.AuditRecord{Action: actLogin, Result: "failed", Detail: reason}
	// The name typed is recorded only when it is a well-formed user name: people type passwords
	// into the name field, and a malformed name is more likely one.
	if name, err := auth.NormalizeUsername(p.Username); err == nil {
		rec.Actor = name
	} else {
		rec.Detail += " (malformed name)"
	}
	if err := s.auditLog(r, rec); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Error = msg.Error()
	s.render(w, r, "login.html", p)
}

// pendingSession returns the session waiting for a second factor, or sends the browser back to
// the sign-in page.
func (s *Server) pendingSession(w http.ResponseWriter, r *http.Request) (*store.Account, bool) {
	sess, a, err := s.session(r)
	switch {
	case errors.Is(err, auth.ErrNoSession):
	case err != nil:
		s.serverError(w, r, err)
		return nil, false
	case sess.Pending:
		return a, true
	default: // a full session has nothing to do here
		http.Redirect(w, r, landing(a), http.StatusSeeOther)
		return nil, false
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil, false
}

func (s *Server) handleTOTPForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.pendingSession(w, r)
		if !ok {
			return
		}
		p, err := s.totpData(r, a)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, "totp.html", p)
	})
}

// totpData prepares the second-factor page; a user who has not enrolled gets a secret (kept,
// unconfirmed, until a code from it is accepted, so a reload shows the same one).
func (s *Server) totpData(r *http.Request, a *store.Account) (totpPage, error) {
	p := totpPage{Page: s.page(r, "动态口令验证")}
	if a.TOTPConfirmed && a.TOTPSecret != "" {
		return p, nil
	}
	if a.TOTPSecret == "" {
		secret, err := auth.GenerateTOTPSecret()
		if err != nil {
			return p, err
		}
		if err := s.cfg.Accounts.StartTOTPEnrolment(r.Context(), a.ID, secret, s.now()); err != nil {
			return p, err
		}
		a.TOTPSecret = secret
	}
	p.Title, p.Enrol = "绑定动态口令", true
	p.URI = auth.TOTPURI(totpIssuer, a.Username, a.TOTPSecret)
	var groups []string
	for i := 0; i < len(a.TOTPSecret); i += 4 {
		groups = append(groups, a.TOTPSecret[i:min(i+4, len(a.TOTPSecret))])
	}
	p.Secret = strings.Join(groups, " ")
	p.QR = qrSVG(p.URI)
	return p, nil
}

func (s *Server) handleTOTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a, ok := s.pendingSession(w, r)
		if !ok {
			return
		}
		now := s.now()
		fail := func(reason string, msg error) {
			_, locked, err := s.cfg.Accounts.RecordLoginFailure(ctx, a.Username, now)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if err := s.auditLog(r, actor(a, baoxue.AuditRecord{Action: actLogin, Result: "failed", Detail: reason})); err != nil {
				s.serverError(w, r, err)
				return
			}
			if locked || errors.Is(msg, auth.ErrLocked) {
				// Start again from the password once the lock has passed.
				_ = s.sessions.End(ctx, s.sessionToken(r))
				s.clearSessionCookie(w, r)
				s.render(w, r, "login.html", loginPage{Page: s.page(r, "登录"), Username: a.Username, Error: auth.ErrLocked.Error()})
				return
			}
			p, err := s.totpData(r, a)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			p.Error = msg.Error()
			s.render(w, r, "totp.html", p)
		}
		if _, locked, err := s.cfg.Accounts.LoginLocked(ctx, a.Username, now); err != nil {
			s.serverError(w, r, err)
			return
		} else if locked {
			fail(auth.ReasonLocked, auth.ErrLocked)
			return
		}
		if a.TOTPSecret == "" { // enrolment page never shown (a reset meanwhile)
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		}
		step, err := s.authn.CheckTOTP(a.User, r.PostFormValue("code"))
		if err != nil {
			reason := auth.FailureReason(err)
			if reason == "" {
				s.serverError(w, r, err)
				return
			}
			fail(reason, err)
			return
		}
		if err := s.cfg.Accounts.AcceptTOTP(ctx, a.ID, step); errors.Is(err, baoxue.ErrConflict) {
			fail(auth.ReasonTOTPReplay, auth.ErrTOTPReplay) // used meanwhile by another request
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.cfg.Accounts.ClearLoginFailures(ctx, a.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		tok, _, err := s.sessions.Promote(ctx, s.sessionToken(r))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !a.TOTPConfirmed {
			if err := s.auditLog(r, actor(a, baoxue.AuditRecord{Action: actTOTPEnrol, Result: "ok"})); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		if err := s.auditLog(r, actor(a, baoxue.AuditRecord{Action: actLogin, Result: "ok", Detail: "password+totp"})); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setSessionCookie(w, r, tok)
		s.afterSignIn(w, r, a, "")
	})
}

func (s *Server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := s.sessionToken(r); tok != "" {
			if _, a, err := s.session(r); err == nil {
				_ = s.auditLog(r, actor(a, baoxue.AuditRecord{Action: actLogout, Result: "ok"}))
			}
			if err := s.sessions.End(r.Context(), tok); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	})
}

func (s *Server) handlePasswordForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := userOf(r)
		s.render(w, r, "password.html", passwordPage{Page: s.page(r, "修改密码"), Forced: a.NeedsPasswordChange(),
			MinLen: auth.MinPasswordLen, Username: a.Username})
	})
}

func (s *Server) handlePassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a := userOf(r)
		now := s.now()
		p := passwordPage{Page: s.page(r, "修改密码"), Forced: a.NeedsPasswordChange(), MinLen: auth.MinPasswordLen,
			Username: a.Username}
		cur, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
		ok, _, err := auth.VerifyPassword(a.PasswordHash, cur)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			// Guessing through a borrowed session counts like guessing at the sign-in form.
			_, locked, err := s.cfg.Accounts.RecordLoginFailure(ctx, a.Username, now)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			_ = s.auditLog(r, baoxue.AuditRecord{Action: actPasswordChange, Result: "failed", Detail: auth.ReasonBadPassword})
			if locked {
				_ = s.sessions.End(ctx, s.sessionToken(r))
				s.clearSessionCookie(w, r)
				s.render(w, r, "login.html", loginPage{Page: s.page(r, "登录"), Username: a.Username, Error: auth.ErrLocked.Error()})
				return
			}
			p.Errors = []string{"当前密码不正确"}
			s.renderStatus(w, r, http.StatusUnprocessableEntity, "password.html", p)
			return
		}
		switch {
		case next != again:
			p.Errors = []string{"两次输入的新密码不一致"}
		case next == cur:
			p.Errors = []string{"新密码不能与当前密码相同"}
		default:
			var pe *auth.PolicyError
			if err := auth.CheckPasswordPolicy(a.Username, next); errors.As(err, &pe) {
				p.Errors = pe.Problems
			} else if err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		if len(p.Errors) > 0 {
			s.renderStatus(w, r, http.StatusUnprocessableEntity, "password.html", p)
			return
		}
		hash, err := auth.HashPassword(next)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// SetPassword signs the account out everywhere; this browser gets a new session.
		if err := s.cfg.Accounts.SetPassword(ctx, a.ID, hash, false, now); err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.cfg.Accounts.ClearLoginFailures(ctx, a.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		tok, _, err := s.sessions.Start(ctx, a.ID, false)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.auditLog(r, baoxue.AuditRecord{Action: actPasswordChange, Result: "ok", Object: "user:" + a.Username}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setSessionCookie(w, r, tok)
		a.MustChangePassword = false
		http.Redirect(w, r, landing(a), http.StatusSeeOther)
	})
}

type accountPage struct {
	Page
	ScopeLabel  string
	Permissions []auth.Permission
	Tokens      []auth.APIToken
}

func (s *Server) handleAccount() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := userOf(r)
		p := accountPage{Page: s.page(r, "我的账号"), ScopeLabel: s.scopeLabel(a.Scope)}
		for _, perm := range auth.Permissions() {
			if a.Can(perm) {
				p.Permissions = append(p.Permissions, perm)
			}
		}
		toks, err := s.cfg.Accounts.APITokens(r.Context(), a.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Tokens = toks
		s.render(w, r, "account.html", p)
	})
}

// meJSON is GET /api/v1/me: who the token or session belongs to and what it may do.
type meJSON struct {
	Username    string            `json:"username"`
	DisplayName string            `json:"display_name"`
	Role        auth.Role         `json:"role"`
	Scope       string            `json:"scope"`
	Permissions []auth.Permission `json:"permissions"`
}

func (s *Server) handleAPIMe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := userOf(r)
		me := meJSON{Username: a.Username, DisplayName: a.DisplayName, Role: a.Role, Scope: a.Scope.String(),
			Permissions: []auth.Permission{}}
		for _, perm := range auth.Permissions() {
			if a.Can(perm) {
				me.Permissions = append(me.Permissions, perm)
			}
		}
		writeJSON(w, http.StatusOK, me)
	})
}

// scopeLabel names a scope for people: "甘肃省 / 临夏回族自治州 / 临夏县", or the school's code.
func (s *Server) scopeLabel(sc auth.Scope) string {
	switch {
	case sc.IsZero():
		return "（无）"
	case sc.IsSchool():
		return "学校 " + sc.SchoolCode()
	}
	if p := s.cfg.Tree.Path(sc.RegionCode()); p != "" {
		return p + "（" + sc.RegionCode() + "）"
	}
	return sc.RegionCode()
}
