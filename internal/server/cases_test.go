package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/xuri/excelize/v2"
)

// caseEnv is a server over a real store with one county's case workers and a comparison run
// with one suspect in their village.
type caseEnv struct {
	*testEnv
	county, township, cadre, school, other *http.Client
	accounts                               map[string]*store.Account
}

const (
	walkVillage = "622921100201"
	walkSchool  = "2162292101"
	walkChildID = "622921201103051234"
)

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	db := testDB(t)
	e := newEnvOn(t, nil, db, &testClock{now: testNow()}, func(c *Config) { c.Store = dbStore{db} })
	ctx := context.Background()
	if err := db.UpsertSchools(ctx, []baoxue.School{{Code: walkSchool, Name: "韩集镇中心小学", RegionCode: walkVillage}}); err != nil {
		t.Fatal(err)
	}
	ce := &caseEnv{testEnv: e, accounts: map[string]*store.Account{}}
	for _, u := range []struct {
		name  string
		role  auth.Role
		scope string
		c     **http.Client
	}{
		{"c-county", auth.RoleOfficer, "622921", &ce.county},
		{"c-township", auth.RoleOfficer, "622921100", &ce.township},
		{"c-cadre", auth.RoleCadre, walkVillage, &ce.cadre},
		{"c-school", auth.RoleSchool, "school:" + walkSchool, &ce.school},
		{"c-other", auth.RoleOfficer, "622922", &ce.other},
	} {
		a := e.addUser(u.name, u.role, u.scope)
		ce.accounts[u.name] = a
		*u.c = e.signedIn(a)
	}
	run := &store.Run{AsOf: baoxue.DateOf(testNow())}
	if _, err := db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
		return w.Entry(&baoxue.LedgerEntry{SourceRow: 2, IDNumber: walkChildID, Name: "马小花", Sex: baoxue.Female,
			BirthDate: "2011-03-05", RegionCode: walkVillage, Status: baoxue.StatusSuspected, SchoolCode: walkSchool,
			SchoolName: "韩集镇中心小学", Poverty: true, PovertyType: "脱贫户"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.SummarizeRun(ctx, 1); err != nil { // the dashboard's counts
		t.Fatal(err)
	}
	return ce
}

// card reads a figure of the county's dashboard by its data-card key.
func (ce *caseEnv) card(t *testing.T, key string) int {
	t.Helper()
	r := ce.get(ce.county, "/")
	m := regexp.MustCompile(`data-card="` + key + `">\s*<div class="label">[^<]*</div>\s*<(?:a|div) class="value"[^>]*>(\d+)<`).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("dashboard card %s: %d\n%s", key, r.status, r.body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var dashZeroRE = regexp.MustCompile(`data-county="622921"><span>临夏县</span><b>(已清零|未清零 (\d+) 人)</b>`)

// dashZero reads the county's 动态清零 figure from the dashboard's list: what /zero shows.
func (ce *caseEnv) dashZero(t *testing.T) int {
	t.Helper()
	r := ce.get(ce.county, "/")
	m := dashZeroRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("dashboard has no 动态清零 entry for the county:\n%s", r.body)
	}
	n, _ := strconv.Atoi(m[2])
	if n == 0 && m[1] != "已清零" {
		t.Fatalf("dashboard says %q", m[1])
	}
	return n
}

// dashboard checks the county dashboard's case figures against what the walk has done, and its
// 动态清零 against the /zero page's.
func (ce *caseEnv) dashboard(t *testing.T, step string, dropped, returned, poor int) {
	t.Helper()
	if got := ce.card(t, "dropped"); got != dropped {
		t.Errorf("%s: dashboard 辍学未返校 %d, want %d", step, got, dropped)
	}
	if got := ce.card(t, "returned"); got != returned {
		t.Errorf("%s: dashboard 本学期已复学 %d, want %d", step, got, returned)
	}
	if got := ce.card(t, "returned_poor"); got != poor {
		t.Errorf("%s: dashboard 其中脱贫家庭 %d, want %d", step, got, poor)
	}
	if d, z := ce.dashZero(t), ce.zero(t); d != z {
		t.Errorf("%s: dashboard 动态清零 %d, /zero %d", step, d, z)
	}
}

var zeroOpenRE = regexp.MustCompile(`id="zero-open">(\d+)<`)

// zero reads the county's 动态清零 figure from its page.
func (ce *caseEnv) zero(t *testing.T) int {
	t.Helper()
	r := ce.get(ce.county, "/zero")
	m := zeroOpenRE.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("/zero: %d %s", r.status, r.body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (ce *caseEnv) theCase(t *testing.T) *store.Case {
	t.Helper()
	rows, _, err := ce.db.CaseList(context.Background(), ce.accounts["c-county"].User, store.CaseFilter{State: "all"})
	if err != nil || len(rows) == 0 {
		t.Fatalf("cases: %v %d", err, len(rows))
	}
	return &rows[len(rows)-1]
}

// step posts a form to a case and expects a redirect back to it.
func (ce *caseEnv) step(t *testing.T, c *http.Client, path string, kv ...string) {
	t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	r := ce.do(c, http.MethodPost, path, form)
	if r.status != http.StatusSeeOther {
		msg := r.body
		if m := regexp.MustCompile(`id="case-message">([^<]*)<`).FindStringSubmatch(r.body); m != nil {
			msg = m[1]
		}
		t.Fatalf("POST %s %v: %d %s", path, form, r.status, msg)
	}
}

// advance moves the clock on by days; everyone signs in again (sessions time out meanwhile).
func (ce *caseEnv) advance(days int) {
	ce.clock.Advance(time.Duration(days) * 24 * time.Hour)
	for name, c := range map[string]**http.Client{"c-county": &ce.county, "c-township": &ce.township, "c-cadre": &ce.cadre,
		"c-school": &ce.school, "c-other": &ce.other} {
		*c = ce.signedIn(ce.accounts[name])
	}
}

func (ce *caseEnv) today() string { return baoxue.DateOf(ce.clock.Now()).String() }

// multipartPost sends a multipart form with files, as the visit form on a phone does.
func (ce *caseEnv) multipartPost(t *testing.T, c *http.Client, path string, fields map[string]string, files map[string][]byte) result {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ce.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return result{status: resp.StatusCode, body: b.String(), header: resp.Header}
}

var pngPhoto = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...)

// The walk of issue 6's "Done when", through the real handlers: a suspect is verified,
// confirmed, visited, sent a notice and an order (printed), returns, is placed and followed
// through every checkpoint, closed, and reopened by a re-dropout; 动态清零 follows each step.
func TestCaseWalk(t *testing.T) {
	ce := newCaseEnv(t)
	if ce.zero(t) != 0 {
		t.Fatal("zero before any case")
	}
	ce.step(t, ce.county, "/cases/sync")
	c := ce.theCase(t)
	id := strconv.FormatInt(c.ID, 10)
	base := "/cases/" + id
	if c.State != baoxue.CaseSuspected || ce.zero(t) != 0 {
		t.Fatalf("after sync: %s, zero %d", c.State, ce.zero(t))
	}
	ce.dashboard(t, "after sync", 0, 0, 0)
	if r := ce.get(ce.other, base); r.status != 404 {
		t.Errorf("another county opens the case: %d", r.status)
	}
	// Dispatch to the cadre; the cadre's task list has it.
	ce.step(t, ce.township, base+"/transition", "to", "verifying", "version", "1", "verifier", "c-cadre")
	if r := ce.get(ce.cadre, "/tasks"); r.status != 200 || !strings.Contains(r.body, "待登记核查结果") || !strings.Contains(r.body, "马*") {
		t.Fatalf("cadre tasks: %d", r.status)
	}
	ce.advance(8) // past the 7-day verification deadline
	if n := ce.zero(t); n != 1 {
		t.Errorf("overdue suspect: zero %d", n)
	}
	ce.dashboard(t, "overdue suspect", 0, 0, 0)
	// A school may not dispatch or confirm what it cannot see; the cadre confirms.
	ce.step(t, ce.cadre, base+"/transition", "to", "confirmed", "version", "2", "dropout_date", "2025-08-25",
		"reasons", "work", "reasons", "guardian_attitude", "note", "入户核实，随父母外出务工")
	if n := ce.zero(t); n != 1 {
		t.Errorf("confirmed: zero %d", n)
	}
	ce.dashboard(t, "confirmed", 1, 0, 0)
	ce.step(t, ce.township, base+"/transition", "to", "persuading", "version", "3", "cadre", "c-cadre")
	// The phone form and a visit with a photo.
	if r := ce.get(ce.cadre, base+"/visit"); r.status != 200 || !strings.Contains(r.body, `capture="environment"`) {
		t.Fatalf("visit form: %d", r.status)
	}
	r := ce.multipartPost(t, ce.cadre, base+"/visits", map[string]string{"date": ce.today(), "visitors": "马干部、李老师",
		"method": "home", "result": "refused", "place": "家中", "notes": "家长不同意"}, map[string][]byte{"家访.png": pngPhoto})
	if r.status != http.StatusSeeOther {
		t.Fatalf("visit: %d %s", r.status, r.body)
	}
	bad := ce.multipartPost(t, ce.cadre, base+"/visits", map[string]string{"date": ce.today(), "visitors": "马干部",
		"method": "phone", "result": "refused"}, map[string][]byte{"virus.exe": []byte("MZ\x90\x00 not a photo")})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "只接受照片") {
		t.Errorf("executable with a visit: %d", bad.status)
	}
	page := ce.get(ce.county, base)
	if !strings.Contains(page.body, "劝返走访 <small class=\"muted\">1 次</small>") || !strings.Contains(page.body, "家访.png") {
		t.Errorf("case page lacks the visit or its photo")
	}
	fileID := regexp.MustCompile(`/cases/` + id + `/files/(\d+)`).FindStringSubmatch(page.body)
	if fileID == nil {
		t.Fatal("no file link")
	}
	if f := ce.get(ce.county, base+"/files/"+fileID[1]); f.status != 200 || f.body != string(pngPhoto) || f.header.Get("Content-Type") != "image/png" {
		t.Errorf("download: %d %s", f.status, f.header.Get("Content-Type"))
	}
	if f := ce.get(ce.other, base+"/files/"+fileID[1]); f.status != 404 {
		t.Errorf("another county downloads the photo: %d", f.status)
	}
	// The legal ladder: notice, served, deadline passes, order.
	ce.step(t, ce.township, base+"/transition", "to", "legal", "version", "4", "note", "监护人拒不送学")
	ce.step(t, ce.township, base+"/legal", "version", "5", "step", "notice", "issuer", "韩集镇人民政府", "return_to", "韩集镇中心小学")
	legal, _ := ce.db.LegalSteps(context.Background(), c.ID)
	notice := strconv.FormatInt(legal[0].ID, 10)
	doc := ce.get(ce.township, base+"/legal/"+notice+"/document")
	if doc.status != 200 || !strings.Contains(doc.body, "临教劝〔2025〕1号") || !strings.Contains(doc.body, "马小花") ||
		!strings.HasPrefix(doc.header.Get("Content-Security-Policy"), "default-src 'none'; style-src 'sha256-") {
		t.Fatalf("notice document: %d %q", doc.status, doc.header.Get("Content-Security-Policy"))
	}
	if d := ce.get(ce.other, base+"/legal/"+notice+"/document"); d.status != 404 {
		t.Errorf("another county prints the notice: %d", d.status)
	}
	ce.step(t, ce.township, base+"/legal/"+notice+"/serve", "served_to", "马德福", "how", "direct", "date", ce.today())
	// "逾期未改正" is a fact only after the deadline: refused within it, and not offered.
	outcome := base + "/legal/" + notice + "/outcome"
	if r := ce.post(ce.township, outcome, "outcome", "not_complied", "date", ce.today()); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "期限届满前不能登记“逾期未改正”") {
		t.Errorf("not complied within the deadline: %d", r.status)
	}
	if page := ce.get(ce.township, base); strings.Contains(page.body, `<option value="not_complied">`) || !strings.Contains(page.body, "届满后方可登记") {
		t.Error("the case page offers 逾期未改正 within the deadline")
	}
	ce.advance(8)
	if page := ce.get(ce.township, base); !strings.Contains(page.body, `<option value="not_complied">逾期未改正</option>`) {
		t.Error("the case page does not offer 逾期未改正 after the deadline")
	}
	ce.step(t, ce.township, outcome, "outcome", "not_complied", "date", ce.today(), "note", "期限内未送子女返校")
	ce.step(t, ce.county, base+"/legal", "version", "7", "step", "order", "issuer", "临夏县教育局")
	legal, _ = ce.db.LegalSteps(context.Background(), c.ID)
	order := strconv.FormatInt(legal[1].ID, 10)
	pdf := ce.get(ce.county, base+"/legal/"+order+"/document?format=pdf")
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("order PDF: %d", pdf.status)
	}
	checkPDFText(t, pdf.body, "临教责〔2025〕1号", "第五十八条", "马小花", "临教劝〔2025〕1号")
	if page := ce.get(ce.county, base); strings.Count(page.body[strings.Index(page.body, `id="legal-steps"`)+1:], "<li><b>") < 2 {
		t.Error("the legal steps are not listed in #legal-steps")
	}
	if n := ce.zero(t); n != 1 {
		t.Errorf("legal: zero %d", n)
	}
	// Return to school, placement by recommendation, plan, checkpoints, close.
	ce.step(t, ce.school, base+"/transition", "to", "returned", "version", "8", "return_date", ce.today(),
		"return_school", walkSchool, "return_grade", "7")
	if n := ce.zero(t); n != 0 {
		t.Errorf("returned: zero %d", n)
	}
	ce.dashboard(t, "returned", 0, 1, 1)
	cur, _ := ce.db.Case(context.Background(), ce.accounts["c-county"].User, c.ID)
	rec := store.Recommendation(cur)
	ce.step(t, ce.school, base+"/transition", "to", "monitoring", "version", "9", "placement", rec.Code)
	ce.step(t, ce.school, base+"/plan", "version", "10", "goals", "跟上初一进度", "measures", "每周两次辅导", "teacher", "李老师",
		"review_dates", "2025-10-15,2025-12-15")
	version := 11
	for seq, days := range []int{30, 60, 90} {
		ce.advance(days)
		ce.step(t, ce.school, base+"/checkpoints/"+strconv.Itoa(seq+1), "version", strconv.Itoa(version), "result", "in_school",
			"date", ce.today(), "note", "在校")
		version++
	}
	// 180 days on, a new semester (spring, from 1 March) has begun: the return was last semester's.
	if today := ce.today(); today < "2026-03-01" {
		t.Fatalf("the walk is on %s, want the spring semester", today)
	}
	ce.dashboard(t, "next semester", 0, 0, 0)
	ce.step(t, ce.county, base+"/transition", "to", "closed", "version", strconv.Itoa(version), "note", "跟踪期满，销号")
	version++
	if cur, _ := ce.db.Case(context.Background(), ce.accounts["c-county"].User, c.ID); cur.State != baoxue.CaseClosed {
		t.Fatalf("not closed: %s", cur.State)
	}
	// Re-dropout reopens it.
	ce.advance(20)
	ce.step(t, ce.school, base+"/transition", "to", "confirmed", "version", strconv.Itoa(version), "dropout_date", ce.today(),
		"reasons", "learning_difficulty", "note", "再次辍学")
	if n := ce.zero(t); n != 1 {
		t.Errorf("re-dropout: zero %d", n)
	}
	ce.dashboard(t, "re-dropout", 1, 0, 0)
	page = ce.get(ce.county, base)
	for _, want := range []string{"再次辍学（原复学时间", "销号", "第 1 次跟踪回访", "制发劝返复学通知书 临教劝〔2025〕1号"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if !strings.Contains(page.body, "<b>核查中 → 确认辍学·建档</b>") || !strings.Contains(page.body, "<b>巩固跟踪 → 销号</b>") {
		t.Error("history does not label the state changes")
	}
	noRawCodes(t, "case page", page.body)
	// The dropout ledger has the child, masked.
	x := ce.get(ce.county, "/cases/export.xlsx")
	if x.status != 200 {
		t.Fatalf("export: %d", x.status)
	}
	f, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("辍学学生台账")
	if len(rows) != 3 || rows[2][4] != "马*" || rows[2][6] != "622***********1234" || rows[2][7] != "2011" ||
		rows[2][14] != "1" || rows[2][18] != "确认辍学·建档" {
		t.Errorf("ledger %q", rows)
	}
	// By name, with a reason: the ledger as it is reported upward.
	if r := ce.post(ce.county, "/cases/export.xlsx", "unmask", "1"); r.status != http.StatusBadRequest {
		t.Errorf("export by name without a reason: %d", r.status)
	}
	x = ce.post(ce.county, "/cases/export.xlsx", "unmask", "1", "reason", "报送市教育局月报")
	if f, err = excelize.OpenReader(strings.NewReader(x.body)); x.status != 200 || err != nil {
		t.Fatalf("export by name: %d %v", x.status, err)
	}
	if rows, _ := f.GetRows("辍学学生台账"); len(rows) != 3 || rows[2][4] != "马小花" || rows[2][7] != "2011-03-05" || rows[2][6] != "622***********1234" {
		t.Errorf("ledger by name %q", rows)
	}
	if a := ce.lastAudit("case_export"); !strings.Contains(a.Detail, "unmasked=true reason=报送市教育局月报") {
		t.Errorf("export by name audited as %q", a.Detail)
	}
}

// The verifier and the 包抓 cadre of a case see, on its page and visit form, what a home visit
// needs — names, the guardian's phone, the address — without a reason, each view audited; the ID
// stays masked, and so does every list, and everyone else's view of the case.
func TestAssignedView(t *testing.T) {
	ce := newCaseEnv(t)
	ctx := context.Background()
	county := store.CaseActor{User: ce.accounts["c-county"].User, Now: ce.clock.Now()}
	c, err := ce.db.CreateCase(ctx, county, store.NewCase{IDNumber: walkChildID, Name: "马小花", Sex: baoxue.Female,
		BirthDate: baoxue.MakeDate(2011, 3, 5), RegionCode: walkVillage, SchoolCode: walkSchool, Guardian: "马德福",
		Relation: "父亲", Phone: "13912345678", Address: "韩集镇阳洼村三社12号"})
	if err != nil {
		t.Fatal(err)
	}
	base := "/cases/" + num(c.ID)
	secrets := []string{"马小花", "马德福", "13912345678", "韩集镇阳洼村三社12号"}
	views := func() int {
		n := 0
		for _, a := range ce.audits() {
			if a.Action == "view_assigned" && a.Object == "case:"+num(c.ID) {
				n++
			}
		}
		return n
	}
	// Before any assignment nobody sees them without a reason.
	for name, cl := range map[string]*http.Client{"county": ce.county, "township": ce.township} {
		r := ce.get(cl, base)
		for _, v := range secrets {
			if r.status != 200 || strings.Contains(r.body, v) {
				t.Errorf("%s sees %s on the case page (%d)", name, v, r.status)
			}
		}
	}
	if views() != 0 {
		t.Fatal("views audited as assigned before any assignment")
	}
	// Verification is dispatched to the cadre.
	ce.step(t, ce.township, base+"/transition", "to", "verifying", "version", "1", "verifier", "c-cadre")
	for _, path := range []string{base, base + "/visit"} {
		r := ce.get(ce.cadre, path)
		want := secrets
		if path != base {
			want = secrets[:1] // the visit form names the child
		}
		for _, v := range want {
			if r.status != 200 || !strings.Contains(r.body, v) {
				t.Errorf("the assigned verifier does not see %s on %s (%d)", v, path, r.status)
			}
		}
		if strings.Contains(r.body, walkChildID) || strings.Contains(r.body, "2011-03-05") {
			t.Errorf("the assigned verifier sees the full ID or birth date on %s", path)
		}
	}
	if r := ce.get(ce.cadre, base); !strings.Contains(r.body, `id="assigned-view"`) || !strings.Contains(r.body, "核查责任人") {
		t.Error("the case page does not tell the verifier why they see the family's details")
	}
	if n := views(); n != 3 {
		t.Errorf("%d view_assigned audit records for three views", n)
	}
	if a := ce.lastAudit("view_assigned"); a.Actor != "c-cadre" || a.Detail != "as=核查责任人" {
		t.Errorf("view audited as %+v", a)
	}
	// Lists stay masked for them; others still see the case masked.
	if r := ce.get(ce.cadre, "/tasks"); !strings.Contains(r.body, "马*") || strings.Contains(r.body, "马小花") {
		t.Errorf("the cadre's task list: %d, names unmasked or missing", r.status)
	}
	if r := ce.get(ce.cadre, "/api/v1/cases/"+num(c.ID)); strings.Contains(r.body, "马小花") {
		t.Error("the API unmasks for the assigned verifier")
	}
	r := ce.get(ce.township, base)
	for _, v := range secrets {
		if strings.Contains(r.body, v) {
			t.Errorf("an unassigned officer sees %s", v)
		}
	}
	if n := views(); n != 3 {
		t.Errorf("other views were audited as assigned: %d", n)
	}
	// Unmasking with a reason shows the ID too.
	r = ce.post(ce.township, base+"/unmask", "reason", "核对户籍信息")
	if r.status != 200 || !strings.Contains(r.body, walkChildID) || !strings.Contains(r.body, "2011-03-05") {
		t.Errorf("unmask: %d", r.status)
	}
}

// checkPDFText extracts a PDF's text with poppler's pdftotext, when installed.
func checkPDFText(t *testing.T, pdf string, want ...string) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed (apt-get install -y poppler-utils): PDF text not checked")
		return
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
}

// Two sessions edit one case from the same page: the second gets 409 with what changed, and its
// retry lands; neither change is lost. The same through the JSON API.
func TestCaseConflict(t *testing.T) {
	ce := newCaseEnv(t)
	ce.step(t, ce.county, "/cases/sync")
	c := ce.theCase(t)
	base := "/cases/" + strconv.FormatInt(c.ID, 10)
	// Both open the page at version 1.
	ce.step(t, ce.county, base+"/assign", "version", "1", "verifier", "c-cadre")
	r := ce.post(ce.township, base+"/reasons", "version", "1", "reasons", "poverty")
	if r.status != http.StatusConflict || !strings.Contains(r.body, "案件已被他人修改") || !strings.Contains(r.body, "核查责任人：c-cadre") {
		t.Fatalf("stale form: %d", r.status)
	}
	ce.step(t, ce.township, base+"/reasons", "version", "2", "reasons", "poverty")
	cur, _ := ce.db.Case(context.Background(), ce.accounts["c-county"].User, c.ID)
	if cur.Verifier != "c-cadre" || len(cur.Reasons) != 1 || cur.Version != 3 {
		t.Errorf("after retry %+v", cur)
	}
	// API: a stale transition answers 409 JSON with the changes.
	body := `{"to":"verifying","version":2,"verifier":"c-cadre"}`
	req, _ := http.NewRequest(http.MethodPost, ce.ts.URL+"/api/v1"+base+"/transition", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := ce.township.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var conflict apiConflict
	json.NewDecoder(resp.Body).Decode(&conflict)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || conflict.Version != 3 || len(conflict.Changes) != 1 || conflict.Changes[0].Kind != "reasons" {
		t.Errorf("API conflict: %d %+v", resp.StatusCode, conflict)
	}
	// A step the actor may not take, and a missing field, answer with the table's message.
	r = ce.post(ce.school, base+"/transition", "to", "verifying", "version", "3", "verifier", "c-cadre")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "学校不能执行“派发核查”") {
		t.Errorf("school dispatching: %d", r.status)
	}
	r = ce.post(ce.township, base+"/transition", "to", "verifying", "version", "3")
	if r.status != http.StatusSeeOther { // the verifier assigned earlier counts
		t.Errorf("dispatch with the assigned verifier: %d", r.status)
	}
	r = ce.post(ce.cadre, base+"/transition", "to", "cleared", "version", "4", "note", "已核实")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "须填写：核查结果") {
		t.Errorf("clearing without an outcome: %d", r.status)
	}
	// A stale form after a state change: the 409 names the change with the states' labels.
	r = ce.post(ce.township, base+"/reasons", "version", "3", "reasons", "work")
	if r.status != http.StatusConflict || !strings.Contains(r.body, "（疑似 → 核查中）") {
		t.Fatalf("stale form after a transition: %d", r.status)
	}
	noRawCodes(t, "conflict page", r.body)
}

// codeWord finds a stored code (an English word, possibly with underscores) in a page's text.
var codeWord = func() *regexp.Regexp {
	var ids []string
	for _, list := range codeLists {
		for _, c := range list {
			ids = append(ids, regexp.QuoteMeta(c.ID))
		}
	}
	return regexp.MustCompile(`(^|[^\w-])(` + strings.Join(ids, "|") + `)($|[^\w-])`)
}()

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// noRawCodes fails when the visible text of a page (tags and attributes removed) shows a stored
// code instead of its Chinese label: "suspected → verifying", "refused", "in_school".
func noRawCodes(t *testing.T, what, page string) {
	t.Helper()
	if m := codeWord.FindStringSubmatch(tagRE.ReplaceAllString(page, " ")); m != nil {
		t.Errorf("%s shows the raw code %q", what, m[2])
	}
}

// The API lists, shows and moves cases, and answers 动态清零 and the task list.
func TestCaseAPI(t *testing.T) {
	ce := newCaseEnv(t)
	ce.step(t, ce.county, "/cases/sync")
	r := ce.get(ce.county, "/api/v1/cases")
	var list struct {
		Cases []apiCase `json:"cases"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &list) != nil || len(list.Cases) != 1 || list.Cases[0].Name != "马*" {
		t.Fatalf("cases: %d %s", r.status, r.body)
	}
	if got := strings.Join(list.Cases[0].Next, ","); got != "verifying" {
		t.Errorf("next for the county: %s", got)
	}
	if r := ce.get(ce.other, "/api/v1/cases/"+strconv.FormatInt(list.Cases[0].ID, 10)); r.status != 404 {
		t.Errorf("other county: %d", r.status)
	}
	r = ce.get(ce.county, "/api/v1/zero/622921")
	if r.status != 200 || !strings.Contains(r.body, `"open":0`) {
		t.Errorf("zero: %d %s", r.status, r.body)
	}
	if r := ce.get(ce.cadre, "/api/v1/tasks"); r.status != 200 || !strings.Contains(r.body, `"tasks":[]`) {
		t.Errorf("cadre with nothing assigned: %d %s", r.status, r.body)
	}
	_ = casework.ActorCounty
}

// routeCases makes the route table's "case" objects: one in the personas' village and school
// with the cadre persona as verifier, one in 康乐县 (routes_test.go).
func routeCases(t *testing.T, e *testEnv, accounts map[string]*store.Account) objectPair {
	t.Helper()
	ctx := context.Background()
	mk := func(creator *store.Account, region, id, school string) *store.Case {
		c, err := e.db.CreateCase(ctx, store.CaseActor{User: creator.User, Now: e.clock.Now()}, store.NewCase{IDNumber: id,
			Name: "张三", RegionCode: region, SchoolCode: school})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	in := mk(accounts["offC"], routeVillage, "622921201103051234", routeSchool)
	if _, err := e.db.AssignCase(ctx, store.CaseActor{User: accounts["offC"].User, Now: e.clock.Now()}, in.ID, in.Version, "p-cadre", ""); err != nil {
		t.Fatal(err)
	}
	outOfficer := e.addUser("route-kangle", auth.RoleOfficer, "622922")
	out := mk(outOfficer, "622922100201", "622922201103051236", "")
	return objectPair{strconv.FormatInt(in.ID, 10), strconv.FormatInt(out.ID, 10)}
}

// The child page leads into case work: "建立个案" for a child without an open case (for users who
// may open cases), then "查看个案" to the case.
func TestChildPageCase(t *testing.T) {
	ce := newCaseEnv(t)
	rows, _, err := ce.db.LedgerPage(context.Background(), ce.accounts["c-county"].Scope, store.LedgerFilter{RunID: 1, Limit: 1})
	if err != nil || len(rows) != 1 {
		t.Fatalf("entry: %v", err)
	}
	page := "/ledger/" + num(rows[0].ID)
	create := `<form class="panel case-link" id="child-case" method="post" action="/cases"><input type="hidden" name="entry" value="` + num(rows[0].ID) + `">`
	if r := ce.get(ce.county, page); r.status != 200 || !strings.Contains(r.body, create) || !strings.Contains(r.body, "建立个案") {
		t.Fatalf("child page without a case offers no 建立个案 (%d)", r.status)
	}
	if r := ce.get(ce.cadre, page); r.status != 200 || strings.Contains(r.body, `id="child-case"`) {
		t.Errorf("a cadre (who may not open cases) is offered one (%d)", r.status)
	}
	r := ce.post(ce.township, "/cases", "entry", num(rows[0].ID))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/cases/") {
		t.Fatalf("建立个案: %d %s", r.status, r.loc)
	}
	caseID := strings.TrimPrefix(strings.Split(r.loc, "?")[0], "/cases/")
	for name, cl := range map[string]*http.Client{"county": ce.county, "township": ce.township} {
		r := ce.get(cl, page)
		if !strings.Contains(r.body, `<a class="button" href="/cases/`+caseID+`">查看个案</a>`) || !strings.Contains(r.body, "案件 "+caseID+" · 疑似") ||
			strings.Contains(r.body, "建立个案") {
			t.Errorf("%s: child page with an open case does not link it", name)
		}
	}
	if r := ce.post(ce.county, "/cases", "entry", num(rows[0].ID)); r.status != http.StatusConflict || !strings.Contains(r.body, "该儿童已有未结案件") {
		t.Errorf("a second case: %d", r.status)
	}
}
