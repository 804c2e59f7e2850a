package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

func sessionCookieOf(t *testing.T, r result) *http.Cookie {
	t.Helper()
	for _, c := range r.resp.Cookies() {
		if c.Name == sessionCookie || c.Name == secureSessionCookie {
			return c
		}
	}
	t.Fatalf("no session cookie set; headers %v", r.header)
	return nil
}

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("county", auth.RoleOfficer, "622921")
	c := e.client()

	if r := e.get(c, "/"); r.status != http.StatusSeeOther || r.loc != "/login" {
		t.Fatalf("anonymous / = %d %q", r.status, r.loc)
	}
	if r := e.get(c, "/login"); r.status != 200 || !strings.Contains(r.body, `name="password"`) || !strings.Contains(r.body, "登录") {
		t.Fatalf("sign-in page = %d", r.status)
	}
	// A session id planted before sign-in is ended, never promoted.
	planted, _, _ := e.srv.sessions.Start(context.Background(), 1, false)
	u, _ := url.Parse(e.ts.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})

	r := e.login(c, "County", testPassword)
	if r.status != http.StatusSeeOther || r.loc != "/" {
		t.Fatalf("sign-in = %d %q: %s", r.status, r.loc, r.body)
	}
	ck := sessionCookieOf(t, r)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.Name != sessionCookie ||
		ck.Value == planted || ck.MaxAge != 0 || !ck.Expires.IsZero() {
		t.Errorf("session cookie %+v", ck)
	}
	if _, err := e.srv.sessions.Lookup(context.Background(), planted); err == nil {
		t.Error("the planted session survived sign-in")
	}
	if r := e.get(c, "/"); r.status != 200 || !strings.Contains(r.body, "测试county") || !strings.Contains(r.body, `action="/logout"`) {
		t.Fatalf("dashboard after sign-in = %d", r.status)
	}
	rec := e.lastAudit(actLogin)
	if rec.Actor != "county" || rec.Result != "ok" || rec.Role != "officer" || rec.Scope != "622921" || len(rec.RequestID) != 16 {
		t.Errorf("login audit %+v", rec)
	}
	// The password was stored with test parameters; sign-in upgraded it.
	a, _ := e.db.AccountByName(context.Background(), "county")
	if !strings.Contains(a.PasswordHash, "m=19456,t=2,p=1") {
		t.Errorf("hash not upgraded: %s", a.PasswordHash)
	}
	// Signed in, the sign-in page sends the user on.
	if r := e.get(c, "/login"); r.status != http.StatusSeeOther || r.loc != "/" {
		t.Errorf("GET /login when signed in = %d %q", r.status, r.loc)
	}

	r = e.post(c, "/logout")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/login") {
		t.Fatalf("logout = %d %q", r.status, r.loc)
	}
	if rec := e.lastAudit(actLogout); rec.Actor != "county" || rec.RequestID == "" {
		t.Errorf("logout audit %+v", rec)
	}
	if r := e.get(c, "/"); r.status != http.StatusSeeOther {
		t.Fatalf("after logout / = %d", r.status)
	}
	if n, _ := e.db.CountSessions(context.Background(), a.ID); n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
}

// TestSameAnswer: an unknown name, a wrong password and a disabled account get the same page;
// only the audit log knows which it was.
func TestSameAnswer(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("county", auth.RoleOfficer, "622921")
	e.addUser("retired", auth.RoleOfficer, "622921", func(a *store.Account) { a.Disabled = true })
	cases := []struct{ name, password, reason string }{
		{"nobody", testPassword, auth.ReasonUnknownUser},
		{"county", "Wrong-password-1", auth.ReasonBadPassword},
		{"retired", testPassword, auth.ReasonDisabled},
	}
	var first string
	for _, tc := range cases {
		r := e.login(e.client(), tc.name, tc.password)
		if r.status != 200 || !strings.Contains(r.body, "用户名或密码错误") || len(r.resp.Cookies()) != 0 {
			t.Fatalf("%s: %d, cookies %v", tc.name, r.status, r.resp.Cookies())
		}
		page := strings.Replace(r.body, `value="`+tc.name+`"`, `value=""`, 1)
		if first == "" {
			first = page
		} else if page != first {
			t.Errorf("%s: the page differs from an unknown user's", tc.name)
		}
		rec := e.lastAudit(actLogin)
		if rec.Actor != tc.name || rec.Result != "failed" || rec.Detail != tc.reason {
			t.Errorf("%s: audit %+v", tc.name, rec)
		}
		if strings.Contains(rec.Detail+rec.Object, tc.password) {
			t.Errorf("%s: password in the audit log", tc.name)
		}
	}
	// A malformed name (possibly a password typed in the wrong field) is not recorded.
	e.login(e.client(), "My Password 123", "x")
	if rec := e.lastAudit(actLogin); rec.Actor != "" || strings.Contains(rec.Detail, "Password") {
		t.Errorf("malformed name recorded: %+v", rec)
	}
}

func TestLockout(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("county", auth.RoleOfficer, "622921")
	for i := 1; i <= auth.MaxFailures; i++ {
		r := e.login(e.client(), "county", "Wrong-password-1")
		locked := strings.Contains(r.body, "临时锁定")
		if locked != (i == auth.MaxFailures) {
			t.Fatalf("failure %d: locked=%v", i, locked)
		}
	}
	// The right password does not get in while locked, with the lock message.
	if r := e.login(e.client(), "county", testPassword); r.status != 200 || !strings.Contains(r.body, "临时锁定") {
		t.Fatalf("right password while locked: %d", r.status)
	}
	if rec := e.lastAudit(actLogin); rec.Detail != auth.ReasonLocked {
		t.Errorf("audit while locked: %+v", rec)
	}
	// A restart (new server, same database) keeps the lock.
	e2 := newEnvOn(t, nil, e.db, e.clock)
	if r := e2.login(e2.client(), "county", testPassword); !strings.Contains(r.body, "临时锁定") {
		t.Fatal("lock forgotten after restart")
	}
	e.clock.Advance(auth.LockDuration)
	if r := e2.login(e2.client(), "county", testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("after the lock: %d %s", r.status, r.body)
	}
	// Unknown names lock the same way, so the lock reveals nothing.
	var last result
	for range auth.MaxFailures {
		last = e.login(e.client(), "ghost", "Wrong-password-1")
	}
	if !strings.Contains(last.body, "临时锁定") {
		t.Fatal("unknown name not locked")
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("county", auth.RoleOfficer, "622921")
	c := e.client()
	if r := e.login(c, "county", testPassword); r.status != http.StatusSeeOther {
		t.Fatal(r.body)
	}
	e.clock.Advance(auth.IdleTimeout - time.Minute)
	if r := e.get(c, "/"); r.status != 200 {
		t.Fatalf("within the idle limit: %d", r.status)
	}
	e.clock.Advance(auth.IdleTimeout)
	if r := e.get(c, "/"); r.status != http.StatusSeeOther || r.loc != "/login" {
		t.Fatalf("after idling: %d %q", r.status, r.loc)
	}
	// Busy all day: the absolute limit still ends the session.
	if r := e.login(c, "county", testPassword); r.status != http.StatusSeeOther {
		t.Fatal(r.body)
	}
	for elapsed := time.Duration(0); elapsed < auth.AbsoluteTimeout-20*time.Minute; elapsed += 20 * time.Minute {
		e.clock.Advance(20 * time.Minute)
		if r := e.get(c, "/account"); r.status != 200 {
			t.Fatalf("busy session ended after %v", elapsed)
		}
	}
	e.clock.Advance(20 * time.Minute)
	if r := e.get(c, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("after %v: %d", auth.AbsoluteTimeout, r.status)
	}
}

func TestSecureCookies(t *testing.T) {
	// Behind a TLS proxy (serve --tls).
	e := newEnv(t, nil, func(c *Config) { c.SecureCookies = true })
	e.addUser("county", auth.RoleOfficer, "622921")
	r := e.login(e.client(), "county", testPassword)
	if ck := sessionCookieOf(t, r); ck.Name != secureSessionCookie || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
		t.Errorf("cookie behind TLS proxy: %+v", ck)
	}
	// Served over TLS directly.
	tlsServer := httptest.NewTLSServer(e.srv.Handler())
	defer tlsServer.Close()
	jar, _ := cookiejar.New(nil)
	c := tlsServer.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	req, _ := http.NewRequest("POST", tlsServer.URL+"/login", strings.NewReader(url.Values{"username": {"county"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		ck = k
	}
	if ck == nil || ck.Name != secureSessionCookie || !ck.Secure {
		t.Fatalf("cookie over TLS: %+v", ck)
	}
	// The cookie works for the next request.
	resp, err = c.Get(tlsServer.URL + "/account")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/account over TLS = %d", resp.StatusCode)
	}
}

// TestCrossOriginRefused: a form on another site posting to baoxue is refused (CSRF), and the
// refusal is audited; the same form from baoxue's own pages works.
func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.addUser("admin", auth.RoleSysadmin, "622921")
	target := e.addUser("county", auth.RoleOfficer, "622921")
	c := e.signedIn(admin)
	path := "/admin/users/" + itoa(target.ID) + "/disable"
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}, // older browsers: Origin only
	} {
		r := e.do(c, http.MethodPost, path, url.Values{}, h...)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "其他网站") {
			t.Fatalf("cross-origin POST %v = %d", h, r.status)
		}
	}
	a, _ := e.db.AccountByID(context.Background(), target.ID)
	if a.Disabled {
		t.Fatal("cross-origin POST took effect")
	}
	if rec := e.lastAudit(actAccessDenied); rec.Result != "cross_origin" || !strings.Contains(rec.Detail, "evil.example") {
		t.Errorf("audit %+v", rec)
	}
	// Cross-origin sign-in (login CSRF) is refused too.
	r := e.do(e.client(), http.MethodPost, "/login", url.Values{"username": {"county"}, "password": {testPassword}},
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.status != http.StatusForbidden {
		t.Errorf("cross-origin sign-in = %d", r.status)
	}
	if r := e.post(c, path); r.status != http.StatusSeeOther {
		t.Fatalf("same-origin POST = %d", r.status)
	}
	if a, _ := e.db.AccountByID(context.Background(), target.ID); !a.Disabled {
		t.Fatal("same-origin POST had no effect")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var passwordRE = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

// TestFirstAdmin walks the first administrator's first sign-in: password, TOTP enrolment, forced
// password change, then the admin pages; and the second factor at the next sign-in, with replay
// protection.
func TestFirstAdmin(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("admin", auth.RoleSysadmin, "622921", func(a *store.Account) { a.MustChangePassword = true })
	c := e.client()
	r := e.login(c, "admin", testPassword)
	if r.status != http.StatusSeeOther || r.loc != "/login/totp" {
		t.Fatalf("password step = %d %q", r.status, r.loc)
	}
	if rec := e.lastAudit(actLogin); rec.Result != "second_factor_required" {
		t.Errorf("audit %+v", rec)
	}
	// The pending session reaches nothing but the second-factor page.
	for _, p := range []string{"/admin/users", "/account", "/account/password"} {
		if r := e.get(c, p); r.status != http.StatusSeeOther || r.loc != "/login/totp" {
			t.Errorf("pending session, GET %s = %d %q", p, r.status, r.loc)
		}
	}
	if r := e.get(c, "/api/v1/me"); r.status != http.StatusUnauthorized {
		t.Errorf("pending session, API = %d", r.status)
	}
	r = e.get(c, "/login/totp")
	if r.status != 200 || !strings.Contains(r.body, "绑定动态口令") || !strings.Contains(r.body, "otpauth://totp/") {
		t.Fatalf("enrolment page = %d", r.status)
	}
	secret := totpSecret(t, r.body)
	if again := totpSecret(t, e.get(c, "/login/totp").body); again != secret {
		t.Fatal("reloading the enrolment page changed the secret")
	}
	if r := e.post(c, "/login/totp", "code", "000000"); r.status != 200 || !strings.Contains(r.body, auth.ErrTOTPInvalid.Error()) {
		t.Fatalf("wrong code = %d", r.status)
	}
	if rec := e.lastAudit(actLogin); rec.Result != "failed" || rec.Detail != auth.ReasonBadTOTP {
		t.Errorf("audit %+v", rec)
	}
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	pendingCookie := c.Jar.Cookies(mustURL(e.ts.URL))[0].Value
	r = e.post(c, "/login/totp", "code", code)
	if r.status != http.StatusSeeOther || r.loc != "/account/password" {
		t.Fatalf("code accepted = %d %q %s", r.status, r.loc, r.body)
	}
	if sessionCookieOf(t, r).Value == pendingCookie {
		t.Fatal("session token not renewed after the second factor")
	}
	if rec := e.lastAudit(actTOTPEnrol); rec.Actor != "admin" {
		t.Errorf("enrol audit %+v", rec)
	}
	// Must change the password before anything else.
	if r := e.get(c, "/admin/users"); r.status != http.StatusSeeOther || r.loc != "/account/password" {
		t.Fatalf("before the change: %d %q", r.status, r.loc)
	}
	if r := e.get(c, "/account/password"); r.status != 200 || !strings.Contains(r.body, "初始密码") {
		t.Fatalf("password page = %d", r.status)
	}
	bad := []struct{ cur, next, again, want string }{
		{"Wrong-password-1", "Gansu-Linxia-77", "Gansu-Linxia-77", "当前密码不正确"},
		{testPassword, "Gansu-Linxia-77", "Gansu-Linxia-78", "不一致"},
		{testPassword, "1234567890", "1234567890", "不能全部是数字"},
		{testPassword, testPassword, testPassword, "不能与当前密码相同"},
	}
	for _, b := range bad {
		r := e.post(c, "/account/password", "current", b.cur, "new", b.next, "confirm", b.again)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, b.want) {
			t.Errorf("%+v: %d", b, r.status)
		}
	}
	r = e.post(c, "/account/password", "current", testPassword, "new", "Gansu-Linxia-77", "confirm", "Gansu-Linxia-77")
	if r.status != http.StatusSeeOther || r.loc != "/admin/users" {
		t.Fatalf("password change = %d %q", r.status, r.loc)
	}
	if r := e.get(c, "/admin/users"); r.status != 200 || !strings.Contains(r.body, "admin") {
		t.Fatalf("admin page = %d", r.status)
	}
	if rec := e.lastAudit(actPasswordChange); rec.Actor != "admin" || rec.Result != "ok" {
		t.Errorf("audit %+v", rec)
	}

	// Next sign-in: the code form, and the code just used is refused (replay).
	c2 := e.client()
	if r := e.login(c2, "admin", "Gansu-Linxia-77"); r.loc != "/login/totp" {
		t.Fatalf("second sign-in = %d %q", r.status, r.loc)
	}
	if r := e.get(c2, "/login/totp"); strings.Contains(r.body, "otpauth://") {
		t.Fatal("enrolled user shown the secret again")
	}
	if r := e.post(c2, "/login/totp", "code", code); !strings.Contains(r.body, auth.ErrTOTPReplay.Error()) {
		t.Fatalf("replayed code: %d", r.status)
	}
	e.clock.Advance(auth.TOTPPeriod * time.Second)
	next, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := e.post(c2, "/login/totp", "code", next); r.status != http.StatusSeeOther || r.loc != "/admin/users" {
		t.Fatalf("fresh code = %d %q", r.status, r.loc)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestTOTPLockout: wrong codes count towards the lockout, and the lock sends the user back to the
// password form.
func TestTOTPLockout(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("auditor", auth.RoleAuditor, "622921")
	c := e.client()
	e.login(c, "auditor", testPassword)
	e.get(c, "/login/totp")
	var r result
	for range auth.MaxFailures {
		r = e.post(c, "/login/totp", "code", "000000")
	}
	if !strings.Contains(r.body, "临时锁定") || !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("after %d wrong codes: %s", auth.MaxFailures, r.body)
	}
	if r := e.get(c, "/login/totp"); r.status != http.StatusSeeOther || r.loc != "/login" {
		t.Errorf("pending session survived the lock: %d %q", r.status, r.loc)
	}
}

func TestNextAfterSignIn(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("county", auth.RoleOfficer, "622921")
	c := e.client()
	r := e.get(c, "/account?tab=1")
	if r.status != http.StatusSeeOther || r.loc != "/login?next=%2Faccount%3Ftab%3D1" {
		t.Fatalf("redirect = %q", r.loc)
	}
	page := e.get(c, r.loc)
	if !strings.Contains(page.body, `value="/account?tab=1"`) {
		t.Fatal("next not carried in the form")
	}
	r = e.post(c, "/login", "username", "county", "password", testPassword, "next", "/account?tab=1")
	if r.loc != "/account?tab=1" {
		t.Fatalf("after sign-in: %q", r.loc)
	}
	for _, evil := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`} {
		r := e.post(e.client(), "/login", "username", "county", "password", testPassword, "next", evil)
		if r.loc != "/" {
			t.Errorf("next=%q sent the user to %q", evil, r.loc)
		}
	}
	// htmx requests get HX-Redirect instead of a page swap.
	if r := e.do(e.client(), http.MethodGet, "/account", nil, "HX-Request", "true"); r.header.Get("HX-Redirect") == "" {
		t.Error("no HX-Redirect for an htmx request")
	}
}

func TestAPIAuth(t *testing.T) {
	e := newEnv(t, nil)
	viewer := e.addUser("viewer", auth.RoleViewer, "622921")
	ctx := context.Background()
	mk := func(a *store.Account, ttl time.Duration) string {
		tok, rec, err := auth.NewAPIToken(a.ID, "脚本", e.clock.Now(), ttl)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.CreateAPIToken(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tok := mk(viewer, time.Hour)
	c := e.client()
	r := e.do(c, http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+tok)
	var me meJSON
	if r.status != 200 || json.Unmarshal([]byte(r.body), &me) != nil || me.Username != "viewer" || me.Scope != "622921" ||
		len(me.Permissions) == 0 {
		t.Fatalf("me = %d %s", r.status, r.body)
	}
	if list, _ := e.db.APITokens(ctx, viewer.ID); list[0].LastUsedAt.IsZero() {
		t.Error("token use not recorded")
	}
	for name, h := range map[string]string{
		"none": "", "garbage": "Bearer bx_nope", "unknown": "Bearer bx_" + strings.Repeat("A", 43), "basic": "Basic dXNlcjpwYXNz",
	} {
		r := e.do(c, http.MethodGet, "/api/v1/me", nil, "Authorization", h)
		var body apiError
		if r.status != http.StatusUnauthorized || json.Unmarshal([]byte(r.body), &body) != nil || body.Error == "" ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	// Expired.
	short := mk(viewer, time.Minute)
	e.clock.Advance(2 * time.Minute)
	if r := e.do(c, http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+short); r.status != http.StatusUnauthorized {
		t.Errorf("expired token = %d", r.status)
	}
	// A reset account must change its password on the web first.
	e.db.SetPassword(ctx, viewer.ID, viewer.PasswordHash, true, e.clock.Now())
	if r := e.do(c, http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+tok); r.status != http.StatusForbidden {
		t.Errorf("must-change account = %d", r.status)
	}
	// Disabled accounts' tokens stop working at once.
	e.db.SetDisabled(ctx, viewer.ID, true, e.clock.Now())
	if r := e.do(c, http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized {
		t.Errorf("disabled account = %d", r.status)
	}
	// The session cookie also works for the API (the pages' own scripts).
	county := e.addUser("county", auth.RoleOfficer, "622921")
	if r := e.get(e.signedIn(county), "/api/v1/me"); r.status != 200 || !strings.Contains(r.body, `"county"`) {
		t.Errorf("API with a session = %d", r.status)
	}
}

func TestAdminPages(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	admin := e.addUser("admin", auth.RoleSysadmin, "622921")
	e.addUser("auditor", auth.RoleAuditor, "622921")
	e.addUser("kangle", auth.RoleOfficer, "622922")
	c := e.signedIn(admin)

	r := e.get(c, "/admin/users")
	if r.status != 200 || !strings.Contains(r.body, "auditor") || strings.Contains(r.body, "kangle") {
		t.Fatalf("list = %d; shows another county's account: %v", r.status, strings.Contains(r.body, "kangle"))
	}
	if r := e.get(c, "/admin/users/new"); r.status != 200 || !strings.Contains(r.body, `name="scope"`) || strings.Contains(r.body, `value="auditor"`) {
		t.Fatalf("form = %d", r.status)
	}
	refused := []struct{ user, role, scope, want string }{
		{"kl2", "officer", "622922", "管辖范围"},        // another county
		{"prov", "officer", "62", "管辖范围"},           // above the admin
		{"aud2", "auditor", "622921", "命令行"},        // three powers: command line only
		{"x", "officer", "622921", "用户名"},           // bad name
		{"ttt", "officer", "622999", "不是已知"},        // no such county
		{"sch", "school", "622921", "学校"},           // school role needs a school scope
		{"admin", "officer", "622921", "已存在"},       // taken
		{"sch2", "school", "school:6229210001", ""}, // school not in the list
	}
	for _, f := range refused {
		r := e.post(c, "/admin/users", "username", f.user, "role", f.role, "scope", f.scope, "name", "某某")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, f.want) {
			t.Errorf("create %+v = %d", f, r.status)
		}
	}
	r = e.post(c, "/admin/users", "username", "Hanji", "role", "officer", "scope", "622921100", "name", "韩集镇专干")
	if r.status != 200 || !strings.Contains(r.body, "hanji") {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	m := passwordRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no initial password shown")
	}
	initial := m[1]
	if rec := e.lastAudit(actUserCreate); rec.Actor != "admin" || rec.Object != "user:hanji" || !strings.Contains(rec.Detail, "622921100") {
		t.Errorf("audit %+v", rec)
	}
	// The new user signs in with it and must change it.
	u := e.client()
	if r := e.login(u, "hanji", initial); r.loc != "/account/password" {
		t.Fatalf("new user's sign-in = %d %q", r.status, r.loc)
	}
	hanji, _ := e.db.AccountByName(ctx, "hanji")

	// Disable: the user's session ends and sign-in fails with the usual message.
	if r := e.post(c, "/admin/users/"+itoa(hanji.ID)+"/disable"); r.status != http.StatusSeeOther {
		t.Fatalf("disable = %d", r.status)
	}
	if r := e.get(u, "/account"); r.status != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", r.status)
	}
	if r := e.login(e.client(), "hanji", initial); !strings.Contains(r.body, "用户名或密码错误") {
		t.Errorf("disabled user signed in")
	}
	if r := e.post(c, "/admin/users/"+itoa(hanji.ID)+"/enable"); r.status != http.StatusSeeOther {
		t.Fatalf("enable = %d", r.status)
	}
	// Reset: the old password stops working, the new one must be changed.
	r = e.post(c, "/admin/users/"+itoa(hanji.ID)+"/reset", "totp", "1")
	m = passwordRE.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil || m[1] == initial {
		t.Fatalf("reset = %d", r.status)
	}
	if r := e.login(e.client(), "hanji", initial); !strings.Contains(r.body, "用户名或密码错误") {
		t.Error("old password still works after reset")
	}
	if r := e.login(e.client(), "hanji", m[1]); r.loc != "/account/password" {
		t.Errorf("reset password = %d %q", r.status, r.loc)
	}
	if rec := e.lastAudit(actUserReset); rec.Object != "user:hanji" || rec.Detail != "password,totp" {
		t.Errorf("audit %+v", rec)
	}
	// Another county's account answers 404, a three-powers account 403; both audited.
	kangle, _ := e.db.AccountByName(ctx, "kangle")
	if r := e.post(c, "/admin/users/"+itoa(kangle.ID)+"/reset"); r.status != http.StatusNotFound {
		t.Errorf("out of scope = %d", r.status)
	}
	if rec := e.lastAudit(actAccessDenied); rec.Result != "not_found" || !strings.Contains(rec.Object, "/reset") {
		t.Errorf("audit %+v", rec)
	}
	aud, _ := e.db.AccountByName(ctx, "auditor")
	if r := e.post(c, "/admin/users/"+itoa(aud.ID)+"/disable"); r.status != http.StatusForbidden {
		t.Errorf("three powers = %d", r.status)
	}
	if a, _ := e.db.AccountByID(ctx, aud.ID); a.Disabled {
		t.Error("sysadmin disabled the auditor")
	}
	if r := e.post(c, "/admin/users/abc/disable"); r.status != http.StatusNotFound {
		t.Errorf("bad id = %d", r.status)
	}
}

func TestAuditViewer(t *testing.T) {
	e := newEnv(t, nil)
	auditor := e.addUser("auditor", auth.RoleAuditor, "622921")
	e.addUser("county", auth.RoleOfficer, "622921")
	for range 3 {
		e.login(e.client(), "county", "Wrong-password-1")
	}
	e.login(e.client(), "county", testPassword)
	c := e.signedIn(auditor)
	r := e.get(c, "/audit")
	if r.status != 200 || strings.Count(r.body, "bad_password") != 3 || !strings.Contains(r.body, "校验日志完整性") {
		t.Fatalf("audit page = %d", r.status)
	}
	// Newest first.
	if strings.Index(r.body, ">ok<") > strings.Index(r.body, "bad_password") {
		t.Error("not newest first")
	}
	if r := e.get(c, "/audit?actor=county&action=login"); strings.Count(r.body, "<td>county</td>") != 4 {
		t.Errorf("filter by actor: %d rows", strings.Count(r.body, "<td>county</td>"))
	}
	day := e.clock.Now().Format("2006-01-02")
	if r := e.get(c, "/audit?from="+day+"&to="+day); strings.Count(r.body, "bad_password") != 3 {
		t.Error("date filter lost records")
	}
	tomorrow := e.clock.Now().AddDate(0, 0, 1).Format("2006-01-02")
	if r := e.get(c, "/audit?from="+tomorrow); strings.Contains(r.body, "bad_password") {
		t.Error("date filter let old records through")
	}
	if r := e.get(c, "/audit?from=yesterday"); !strings.Contains(r.body, "起始日期") {
		t.Error("bad date not explained")
	}
	r = e.post(c, "/audit/verify")
	if r.status != 200 || !strings.Contains(r.body, "校验通过") {
		t.Fatalf("verify = %d", r.status)
	}
	if rec := e.lastAudit(actAuditVerify); rec.Actor != "auditor" || rec.Result != "ok" {
		t.Errorf("audit %+v", rec)
	}
	// Tamper behind the application's back (drop the append-only trigger first).
	sqlDB := e.db.SQL()
	if _, err := sqlDB.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec(`UPDATE audit_log SET detail = 'edited' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if r := e.post(c, "/audit/verify"); !strings.Contains(r.body, "校验未通过") || !strings.Contains(r.body, "第 2 条") {
		t.Fatalf("tampered log: %s", r.body)
	}
}

func TestAuditPaging(t *testing.T) {
	e := newEnv(t, nil)
	auditor := e.addUser("auditor", auth.RoleAuditor, "622921")
	viewer := e.addUser("viewer", auth.RoleViewer, "622921")
	vc := e.signedIn(viewer)
	for range auditPageSize + 5 {
		e.get(vc, "/audit") // each refused visit is one audit record
	}
	c := e.signedIn(auditor)
	r := e.get(c, "/audit?action=access_denied")
	if n := strings.Count(r.body, "<td>access_denied</td>"); n != auditPageSize {
		t.Fatalf("first page has %d rows", n)
	}
	i := strings.Index(r.body, `href="/audit?`)
	if i < 0 {
		t.Fatal("no link to the next page")
	}
	next := r.body[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	if n := strings.Count(e.get(c, next).body, "<td>access_denied</td>"); n != 5 {
		t.Fatalf("second page has %d rows (%s)", n, next)
	}
}

func TestSecurityPage(t *testing.T) {
	e := newEnv(t, nil)
	sec := e.addUser("secadmin", auth.RoleSecadmin, "622921")
	r := e.get(e.signedIn(sec), "/security")
	for _, want := range []string{"连续失败 5 次锁定 15 分钟", "30 分钟", "12 小时", "argon2id", "审计管理员"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("security page lacks %q", want)
		}
	}
}

// TestDemoAccountSkipsSecondFactor: a demo sysadmin signs in with the password alone and is not
// forced to change it; the same account without the demo flag needs both.
func TestDemoAccountSkipsSecondFactor(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("demoadmin", auth.RoleSysadmin, "622921", func(a *store.Account) { a.Demo, a.MustChangePassword = true, true })
	c := e.client()
	if r := e.login(c, "demoadmin", testPassword); r.loc != "/admin/users" {
		t.Fatalf("demo sign-in = %d %q", r.status, r.loc)
	}
	if r := e.get(c, "/admin/users"); r.status != 200 || !strings.Contains(r.body, "仅供演示") {
		t.Fatalf("demo banner missing: %d", r.status)
	}
}

// TestPageSecurityHeaders: every page carries the CSP and friends, and the layout uses no inline
// script or style.
func TestPageSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	r := e.get(e.client(), "/login")
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.header)
	}
	for _, bad := range []string{"<script>", " style=", "<style", "onclick", "javascript:"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("inline %q on the sign-in page", bad)
		}
	}
	if !strings.Contains(r.body, `/static/style.`) || !strings.Contains(r.body, `/static/vendor/htmx.min.`) {
		t.Error("assets not at hashed URLs")
	}
}
