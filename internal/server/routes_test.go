package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// The route-table test (issue 5 item 3): every route of routes() is requested as every persona
// (role × scope level, and anonymous), with an object inside and one outside the persona's scope
// where the route names an object, and the status must be the one routeTable expects. A route
// without an entry fails the test, so a new route cannot ship without someone deciding who may
// call it; an entry for a route that no longer exists fails too.

// persona is a user the table is checked as. Keys are the words used in routeCase.allow.
type persona struct {
	key   string
	role  auth.Role // "" for anonymous
	scope string
}

// personas: every role, officers at each level. Business personas work in 临夏县 (622921), its
// township 韩集镇 (622921100) and a village of it; "out of scope" objects lie in 康乐县 (622922).
func personas() []persona {
	return []persona{
		{"anon", "", ""},
		{"offP", auth.RoleOfficer, "62"},
		{"offC", auth.RoleOfficer, "622921"},
		{"offT", auth.RoleOfficer, "622921100"},
		{"cadre", auth.RoleCadre, routeVillage},
		{"school", auth.RoleSchool, "school:" + routeSchool},
		{"insp", auth.RoleInspector, "622921"},
		{"viewer", auth.RoleViewer, "622921"},
		{"super", auth.RoleSupervisor, "622921"},
		{"sys", auth.RoleSysadmin, "622921"},
		{"sec", auth.RoleSecadmin, "622921"},
		{"audit", auth.RoleAuditor, "622921"},
	}
}

// routeSchool is the school of the school persona, in the village routeVillage of 韩集镇, where
// the cadre persona works.
const (
	routeSchool  = "2162292101"
	routeVillage = "622921100201"
)

// Persona groups for routeCase.allow.
const (
	everyone = "offP offC offT cadre school insp viewer super sys sec audit"
	business = "offP offC offT cadre school insp viewer" // view_dashboard, view_ledger
)

// routeCase is what one route must answer.
type routeCase struct {
	// path is what to request; "" means the pattern itself. "{id}" is replaced by the id of an
	// object of kind object, once in scope and once out of scope.
	path   string
	object string     // the wildcard ({id}, {code}) takes an object of this kind (routeFixture)
	form   url.Values // body of a POST
	// allow lists the personas (keys, space-separated) who may use the route; they get ok (and
	// outOfScope for the out-of-scope object). Signed-in personas not listed get denied, the
	// anonymous one anon.
	allow      string
	ok         int
	denied     int // default 403 (and an access_denied audit record is required)
	anon       int // default 303 to /login for pages, 401 for /api/
	outOfScope int // default 404 (audited)
	// override sets the status for one persona: "key" or "key/out" (the out-of-scope request).
	override map[string]int
}

// routeTable holds the expectation for every route, keyed by "METHOD pattern" exactly as in
// routes(). Add an entry with every new route.
func routeTable() map[string]routeCase {
	return map[string]routeCase{
		"GET /healthz":     {allow: everyone, ok: 200, anon: 200},
		"GET /static/":     {path: "/static/style.css", allow: everyone, ok: 200, anon: 200},
		"GET /favicon.ico": {allow: everyone, ok: 200, anon: 200},
		"GET /login":       {allow: "", denied: 303, anon: 200},                                                      // signed in: sent on
		"POST /login":      {form: form("username", "nobody", "password", "x"), allow: everyone, ok: 200, anon: 200}, // "用户名或密码错误"
		"GET /login/totp":  {allow: everyone, ok: 303, anon: 303},                                                    // only a pending session gets the form
		"POST /login/totp": {form: form("code", "123456"), allow: everyone, ok: 303, anon: 303},
		"POST /logout":     {allow: everyone, ok: 303, anon: 303},

		"GET /account":           {allow: everyone, ok: 200},
		"GET /account/password":  {allow: everyone, ok: 200},
		"POST /account/password": {form: form("current", "wrong", "new", "x", "confirm", "x"), allow: everyone, ok: 422},
		"GET /api/v1/me":         {allow: everyone, ok: 200},

		// Business pages. First cut written with the route-table framework; the pages' owner
		// refines it. Runs are not scoped (one comparison covers the county); the "out" run is
		// one that does not exist. Jobs live in memory and the fixture has none: 404 in and out.
		"GET /{$}":                           {path: "/", allow: business, ok: 200},
		"GET /dash/{code}":                   {object: "region", allow: business, ok: 200, override: map[string]int{"offP/out": 200, "school": 404}}, // a school has no region page
		"GET /county":                        {allow: business, ok: 200},
		"GET /imports":                       {allow: "offP offC", ok: 200},
		"POST /imports":                      {allow: "offP offC", ok: 400}, // no file
		"GET /imports/jobs/{id}":             {object: "job", allow: "offP offC", ok: 404},
		"GET /imports/jobs/{id}/report.xlsx": {object: "job", allow: "offP offC", ok: 404},
		"GET /runs":                          {allow: business, ok: 200},
		"POST /runs":                         {form: form("as_of", "not-a-date"), allow: "offP offC", ok: 400},
		"GET /runs/jobs/{id}":                {object: "job", allow: "offP offC", ok: 404},
		"GET /runs/{id}":                     {object: "run", allow: business, ok: 200},
		"GET /ledger":                        {allow: business, ok: 200},
		"POST /ledger/export":                {allow: "offP offC offT insp", ok: 200},
		"GET /ledger/{id}":                   {object: "entry", allow: business, ok: 200, override: map[string]int{"offP/out": 200}}, // the province covers 康乐县
		"POST /ledger/{id}/unmask":           {object: "entry", form: form("reason", "入户核查需要"), allow: "offC offT cadre school insp", ok: 200},
		"POST /ledger/{id}/review":           {object: "entry", form: form("decision", "nonsense"), allow: "offC", ok: 400},
		"GET /api/v1/dashboard":              {allow: business, ok: 200},
		"GET /api/v1/dashboard/{code}":       {object: "region", allow: business, ok: 200, override: map[string]int{"offP/out": 200, "school/out": 200}}, // a school gets its own tally whatever the code
		"GET /api/v1/runs":                   {allow: business, ok: 200},
		"GET /api/v1/runs/{id}":              {object: "run", allow: business, ok: 200},
		"GET /api/v1/ledger":                 {allow: business, ok: 200},
		"GET /api/v1/ledger/{id}":            {object: "entry", allow: business, ok: 200, override: map[string]int{"offP/out": 200}},

		// Case management (issue 6). The "case" fixture lies in the personas' village and school,
		// with the cadre persona as its verifier; the "out" case lies in 康乐县. Forms are
		// deliberately incomplete: an allowed persona gets the transition table's refusal (422),
		// a stale version 409, never a change.
		"GET /tasks":                            {allow: "offC offT cadre school", ok: 200},
		"GET /cases":                            {allow: business, ok: 200},
		"POST /cases":                           {form: form("entry", "0"), allow: "offC offT", ok: 400},
		"POST /cases/sync":                      {allow: "offC offT", ok: 303},
		"GET /cases/export.xlsx":                {allow: "offP offC offT insp", ok: 200},
		"POST /cases/export.xlsx":               {form: form("unmask", "1", "reason", "报送县政府"), allow: "offP offC offT insp", ok: 200, override: map[string]int{"offP": 403}}, // the province may not unmask
		"GET /cases/{id}":                       {object: "case", allow: business, ok: 200, override: map[string]int{"offP/out": 200}},
		"POST /cases/{id}/unmask":               {object: "case", form: form("reason", "入户劝返需要"), allow: "offC offT cadre school insp", ok: 200},
		"POST /cases/{id}/transition":           {object: "case", form: form("to", "transferred", "version", "1"), allow: "offC offT cadre school", ok: 422}, // only the receiving county moves a case there
		"POST /cases/{id}/assign":               {object: "case", form: form("version", "999", "cadre", "p-cadre"), allow: "offC offT", ok: 409},
		"POST /cases/{id}/chain":                {object: "case", form: form("version", "999"), allow: "offC offT", ok: 409},
		"POST /cases/{id}/reasons":              {object: "case", form: form("version", "999"), allow: "offC offT cadre school", ok: 409},
		"GET /cases/{id}/visit":                 {object: "case", allow: "offC offT cadre school", ok: 200},
		"POST /cases/{id}/visits":               {object: "case", form: form("method", "home"), allow: "offC offT cadre school", ok: 422},
		"POST /cases/{id}/files":                {object: "case", allow: "offC offT cadre school", ok: 422},
		"GET /cases/{id}/files/{file}":          {object: "case", path: "/cases/{id}/files/999999", allow: business, ok: 404, override: map[string]int{"offP/out": 404}},
		"POST /cases/{id}/referrals":            {object: "case", allow: "offC offT", ok: 422},
		"POST /cases/{id}/referrals/{ref}":      {object: "case", path: "/cases/{id}/referrals/999999", allow: "offC offT", ok: 422},
		"POST /cases/{id}/legal":                {object: "case", form: form("step", "notice"), allow: "offC offT cadre school", ok: 422},
		"POST /cases/{id}/legal/{step}/serve":   {object: "case", path: "/cases/{id}/legal/999999/serve", allow: "offC offT cadre school", ok: 422},
		"POST /cases/{id}/legal/{step}/outcome": {object: "case", path: "/cases/{id}/legal/999999/outcome", allow: "offC offT cadre school", ok: 422},
		"GET /cases/{id}/legal/{step}/document": {object: "case", path: "/cases/{id}/legal/999999/document", allow: "offC offT cadre school insp", ok: 404},
		"POST /cases/{id}/plan":                 {object: "case", form: form("version", "999"), allow: "offC school", ok: 422},
		"POST /cases/{id}/checkpoints/{seq}":    {object: "case", path: "/cases/{id}/checkpoints/1", allow: "offC school", ok: 422},
		"POST /cases/{id}/transfer":             {object: "case", form: form("version", "999"), allow: "offC offT", ok: 422, override: map[string]int{"offT": 403}},
		"GET /transfers":                        {allow: "offC offT", ok: 200},
		"POST /transfers/{id}":                  {path: "/transfers/999999", form: form("decision", "accept"), allow: "offC offT", ok: 404, override: map[string]int{"offT": 403}},
		"GET /overdue":                          {allow: "offP offC offT insp viewer", ok: 200},
		"GET /zero":                             {allow: business, ok: 200, override: map[string]int{"school": 404}}, // a school has no region
		"GET /notifications":                    {allow: everyone, ok: 200},
		"POST /notifications/read":              {allow: everyone, ok: 303},
		"GET /api/v1/tasks":                     {allow: "offC offT cadre school", ok: 200},
		"GET /api/v1/cases":                     {allow: business, ok: 200},
		"GET /api/v1/cases/{id}":                {object: "case", allow: business, ok: 200, override: map[string]int{"offP/out": 200}},
		"POST /api/v1/cases/{id}/transition":    {object: "case", form: form("to", "returned"), allow: "offC offT cadre school", ok: 400},
		"POST /api/v1/cases/{id}/visits":        {object: "case", allow: "offC offT cadre school", ok: 422},
		"GET /api/v1/zero/{code}":               {object: "region", allow: business, ok: 200, override: map[string]int{"offP/out": 200, "school": 404, "school/out": 404}},

		"GET /admin/users":               {allow: "sys", ok: 200},
		"GET /admin/users/new":           {allow: "sys", ok: 200},
		"POST /admin/users":              {form: form("username", "routenew", "role", "viewer", "scope", "622921"), allow: "sys", ok: 200},
		"POST /admin/users/{id}/disable": {object: "user", allow: "sys", ok: 303},
		"POST /admin/users/{id}/enable":  {object: "user", allow: "sys", ok: 303},
		"POST /admin/users/{id}/reset":   {object: "user", allow: "sys", ok: 200},
		"GET /security":                  {allow: "sec", ok: 200},
		"GET /audit":                     {allow: "audit", ok: 200},
		"POST /audit/verify":             {allow: "audit", ok: 200},
	}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// objectPair is an object of one kind inside and outside the personas' scope (ids or keys as
// they appear in URLs).
type objectPair struct{ in, out string }

// dbStore is the real store as the business Store, as `baoxue serve` wires it.
type dbStore struct{ *store.DB }

func (d dbStore) Ping(ctx context.Context) error { return d.SQL().PingContext(ctx) }

// routeFixture makes the personas' accounts and the objects routes name. Add an object kind here
// when a route names a new kind of object.
func routeFixture(t *testing.T, e *testEnv) (map[string]*store.Account, map[string]objectPair) {
	t.Helper()
	ctx := context.Background()
	if err := e.db.UpsertSchools(ctx, []baoxue.School{{Code: routeSchool, Name: "韩集镇中心小学", RegionCode: routeVillage}}); err != nil {
		t.Fatal(err)
	}
	accounts := map[string]*store.Account{}
	for _, p := range personas() {
		if p.role != "" {
			accounts[p.key] = e.addUser("p-"+strings.ToLower(p.key), p.role, p.scope)
		}
	}
	in := e.addUser("target-in", auth.RoleOfficer, "622921100201")
	out := e.addUser("target-out", auth.RoleOfficer, "622922")
	objects := map[string]objectPair{
		"user":   {strconv.FormatInt(in.ID, 10), strconv.FormatInt(out.ID, 10)},
		"region": {routeVillage, "622922"},
		"job":    {"nojob", "nojob2"},
	}
	// One comparison run with a suspect in the personas' village and school, and one in 康乐县.
	run := &store.Run{AsOf: baoxue.MakeDate(2025, 9, 1), DatasetIDs: []int64{}}
	runID, err := e.db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
		for i, region := range []string{routeVillage, "622922100201"} {
			le := &baoxue.LedgerEntry{SourceRow: i + 2, IDNumber: "", Name: "张三", RegionCode: region,
				Status: baoxue.StatusSuspected, MatchMethod: baoxue.MatchNone}
			if i == 0 {
				le.SchoolCode = routeSchool
			}
			if err := w.Entry(le); err != nil {
				return err
			}
		}
		run.Counts = map[string]int{"suspected": 2}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SummarizeRun(ctx, runID); err != nil {
		t.Fatal(err)
	}
	objects["run"] = objectPair{strconv.FormatInt(runID, 10), "99999"}
	var entryIn, entryOut int64
	if err := e.db.SQL().QueryRowContext(ctx, `SELECT
		(SELECT id FROM ledger_entries WHERE run_id = $1 AND region_code = $2),
		(SELECT id FROM ledger_entries WHERE run_id = $1 AND region_code <> $2)`, runID, routeVillage).Scan(&entryIn, &entryOut); err != nil {
		t.Fatal(err)
	}
	objects["entry"] = objectPair{strconv.FormatInt(entryIn, 10), strconv.FormatInt(entryOut, 10)}
	objects["case"] = routeCases(t, e, accounts)
	return accounts, objects
}

func TestRouteTable(t *testing.T) {
	db := testDB(t)
	e := newEnvOn(t, nil, db, &testClock{now: testNow()}, func(c *Config) { c.Store = dbStore{db} })
	accounts, objects := routeFixture(t, e)
	table := routeTable()
	seen := map[string]bool{}
	for _, rt := range e.srv.routes() {
		key := rt.method + " " + rt.pattern
		if seen[key] {
			t.Errorf("route %s registered twice", key)
		}
		seen[key] = true
		tc, ok := table[key]
		if !ok {
			t.Errorf("route %s has no entry in routeTable (routes_test.go): say what every role gets", key)
			continue
		}
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			checkRoute(t, e, rt, tc, accounts, objects)
		})
	}
	for key := range table {
		if !seen[key] {
			t.Errorf("routeTable has an entry for %s, which routes() does not register", key)
		}
	}
}

func checkRoute(t *testing.T, e *testEnv, rt route, tc routeCase, accounts map[string]*store.Account, objects map[string]objectPair) {
	if tc.ok == 0 && tc.allow != "" {
		t.Fatalf("entry lists who may call it but not the status they get (ok)")
	}
	path := tc.path
	if path == "" {
		path = rt.pattern
	}
	variants := []string{""} // "" no object; "in", "out"
	if tc.object != "" {
		if _, ok := objects[tc.object]; !ok {
			t.Fatalf("no fixture object of kind %q (routeFixture)", tc.object)
		}
		variants = []string{"in", "out"}
	} else if wildcardRE.MatchString(path) {
		t.Fatalf("path %s has a wildcard: give the entry a path or an object", path)
	}
	allowed := strings.Fields(tc.allow)
	for _, p := range personas() {
		for _, v := range variants {
			u := path
			if v != "" {
				id := objects[tc.object].in
				if v == "out" {
					id = objects[tc.object].out
				}
				u = wildcardRE.ReplaceAllString(u, id)
			}
			want := expectedStatus(tc, p, v, slices.Contains(allowed, p.key), strings.HasPrefix(u, "/api/"))
			c := e.client()
			if p.role != "" {
				c = e.signedIn(accounts[p.key])
			}
			before, _, _ := e.db.AuditHead(context.Background())
			r := e.do(c, rt.method, u, tc.form)
			if r.status != want {
				t.Errorf("%s %s as %s%s: status %d, want %d", rt.method, u, p.key, variantNote(v), r.status, want)
				continue
			}
			switch {
			case p.role == "" && want == http.StatusSeeOther && rt.perm != Public && !strings.HasPrefix(r.loc, "/login"):
				t.Errorf("%s %s anonymous: redirected to %q, not to the sign-in page", rt.method, u, r.loc)
			case p.role != "" && (want == http.StatusForbidden || want == http.StatusNotFound):
				if !deniedAudited(t, e, before, accounts[p.key].Username) {
					t.Errorf("%s %s as %s: %d without an access_denied audit record", rt.method, u, p.key, want)
				}
			}
		}
	}
}

var wildcardRE = regexp.MustCompile(`\{[a-z]+\}`)

func variantNote(v string) string {
	if v == "" {
		return ""
	}
	return " (" + v + " of scope)"
}

// expectedStatus applies the table's defaults.
func expectedStatus(tc routeCase, p persona, variant string, allowed, api bool) int {
	key := p.key
	if variant == "out" {
		key += "/out"
	}
	if s, ok := tc.override[key]; ok {
		return s
	}
	switch {
	case p.role == "":
		if tc.anon != 0 {
			return tc.anon
		}
		if api {
			return http.StatusUnauthorized
		}
		return http.StatusSeeOther
	case !allowed:
		if tc.denied != 0 {
			return tc.denied
		}
		return http.StatusForbidden
	case variant == "out":
		if tc.outOfScope != 0 {
			return tc.outOfScope
		}
		return http.StatusNotFound
	}
	return tc.ok
}

// deniedAudited reports whether an access_denied record by actor was appended after seq.
func deniedAudited(t *testing.T, e *testEnv, seq int64, actor string) bool {
	found := false
	e.db.AuditRecords(context.Background(), seq+1, func(r *baoxue.AuditRecord) error {
		found = found || (r.Action == actAccessDenied && r.Actor == actor)
		return nil
	})
	return found
}
