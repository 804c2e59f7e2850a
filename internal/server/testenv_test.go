package server

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// testClock is the server's clock in tests: settable, safe across the handler goroutines.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testEnv is a running server over a real SQLite store (accounts, sessions, audit log) and a
// business Store that tests may fake.
type testEnv struct {
	t     *testing.T
	db    *store.DB
	clock *testClock
	srv   *Server
	ts    *httptest.Server
	cfg   Config
}

// testPassword is the password of every account addTestUser makes.
const testPassword = "Lanzhou-2025!"

func newEnv(t *testing.T, st Store, opts ...func(*Config)) *testEnv {
	t.Helper()
	return newEnvOn(t, st, testDB(t), &testClock{now: testNow()}, opts...)
}

// testDB opens a fresh migrated SQLite store in the test's temporary directory.
func testDB(t *testing.T) *store.DB {
	return storetest.OpenURL(t, filepath.Join(t.TempDir(), "server.db"))
}

// testNow is when every test starts: a Monday morning at the start of the school year.
func testNow() time.Time { return time.Date(2025, 9, 1, 8, 0, 0, 0, time.Local) }

// newEnvOn starts a server on an existing store and clock (a "restart").
func newEnvOn(t *testing.T, st Store, db *store.DB, clock *testClock, opts ...func(*Config)) *testEnv {
	t.Helper()
	tree, err := loadTree()
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		st = &fakeStore{}
	}
	cfg := Config{Store: st, Accounts: db, Tree: tree, CountyCode: "622921", Clock: clock, WorkDir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testEnv{t: t, db: db, clock: clock, srv: s, ts: ts, cfg: cfg}
}

// cheapHash hashes with tiny argon2 parameters so tests stay fast; sign-in rehashes it with the
// real ones (which exercises RehashPassword).
func cheapHash(t testing.TB, password string) string {
	h, err := auth.HashPasswordParams(password, auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// addUser creates an account with testPassword; mod may change it before it is stored.
func (e *testEnv) addUser(name string, role auth.Role, scope string, mod ...func(*store.Account)) *store.Account {
	e.t.Helper()
	sc, err := auth.ParseScope(scope)
	if err != nil {
		e.t.Fatal(err)
	}
	a := &store.Account{User: auth.User{Username: name, DisplayName: "测试" + name, Role: role, Scope: sc,
		PasswordHash: cheapHash(e.t, testPassword)}}
	for _, m := range mod {
		m(a)
	}
	if err := e.db.CreateUser(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// client is a browser: it keeps cookies and does not follow redirects, so tests see them.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signedIn returns a browser with a full session for a, made directly in the store (no password,
// no second factor): for tests about what a signed-in user may do.
func (e *testEnv) signedIn(a *store.Account) *http.Client {
	e.t.Helper()
	tok, _, err := e.srv.sessions.Start(context.Background(), a.ID, false)
	if err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	u, _ := url.Parse(e.ts.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: tok, Path: "/"}})
	return c
}

type result struct {
	status int
	body   string
	header http.Header
	loc    string
	resp   *http.Response
}

// do sends a request as a browser on this site would (same-origin fetch metadata on POST).
func (e *testEnv) do(c *http.Client, method, path string, form url.Values, header ...string) result {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.ts.URL)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return result{status: resp.StatusCode, body: string(b), header: resp.Header, loc: resp.Header.Get("Location"), resp: resp}
}

func (e *testEnv) get(c *http.Client, path string) result { return e.do(c, http.MethodGet, path, nil) }

func (e *testEnv) post(c *http.Client, path string, kv ...string) result {
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return e.do(c, http.MethodPost, path, form)
}

func (e *testEnv) login(c *http.Client, name, password string) result {
	return e.post(c, "/login", "username", name, "password", password)
}

// audits returns the audit log, oldest first.
func (e *testEnv) audits() []baoxue.AuditRecord {
	e.t.Helper()
	var out []baoxue.AuditRecord
	if err := e.db.AuditRecords(context.Background(), 1, func(r *baoxue.AuditRecord) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// lastAudit returns the newest record with this action, failing when there is none.
func (e *testEnv) lastAudit(action string) baoxue.AuditRecord {
	e.t.Helper()
	recs := e.audits()
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Action == action {
			return recs[i]
		}
	}
	e.t.Fatalf("no audit record %q in %+v", action, recs)
	return baoxue.AuditRecord{}
}

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)

// totpSecret reads the secret off the enrolment page.
func totpSecret(t *testing.T, page string) string {
	t.Helper()
	m := secretRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no TOTP secret on the page:\n%s", page)
	}
	return strings.ReplaceAll(m[1], " ", "")
}
