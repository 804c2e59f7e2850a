package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/baoxue/baoxue/internal/idcard"
)

// demoAsOf is the generator's export date; comparing as of it puts the generated children in
// the school-age window they were made for.
const demoAsOf = "2026-09-01"

// unmaskReason is the reason the county officer gives to see a child's full ID number.
const unmaskReason = "入户核查需核对身份证号"

// maskedID is how pages show an ID number: the first three and last four characters.
var maskedID = regexp.MustCompile(`^\d{3}\*{11}[\dX]{4}$`)

// state is what the subtests of TestBrowser hand on to each other, in order.
type state struct {
	runID       string // the comparison run the browser started
	total       int    // school-age children in that run (county scope)
	suspects    int    // suspects in that run (county scope)
	suspectPath string // /ledger/{id} of a 临夏县 suspect
	suspectName string // that child's full name, as unmasked in the browser
	suspectID   string // that child's full ID number, as unmasked in the browser
}

// TestBrowser drives the web application through Chromium: issue 5 item 7 (sign-in, upload,
// comparison, ledger, child page, unmask, review, export, county isolation, phone layout) and
// issue 6's walk of a case. The subtests share one server and run in order; each has its own
// browser context, so sign-ins do not leak between them.
func TestBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("BAOXUE_REQUIRE_BROWSER") != "1" {
		t.Skip("浏览器端到端测试在 -short 下跳过")
	}
	// The server keeps uploads and error reports in a directory under os.TempDir(), removed when it
	// stops (checked when the demo server stops); this keeps them inside the test's own.
	t.Setenv("TMPDIR", t.TempDir())
	s := startSuite(t)
	var st state

	t.Run("sign-in failure", func(t *testing.T) {
		b := s.newTab(t)
		b.open("/login")
		// A wrong password for a real account (one failure, far from the lockout of five).
		b.step("fill in a wrong password",
			chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=username]`), "viewer"),
			chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=password]`), "not-the-password"),
		)
		b.submit(`form[action="/login"] button[type=submit]`)
		if msg := b.text(`[role=alert]`); msg != "用户名或密码错误" {
			t.Errorf("sign-in with a wrong password says %q, want 用户名或密码错误", msg)
		}
		if b.present("header .who") {
			t.Error("a wrong password reached a signed-in page")
		}
		// The username stays filled in, the password does not.
		if v := b.attrs(`input[name=username]`, "value"); len(v) != 1 || v[0] != "viewer" {
			t.Errorf("username after a failed sign-in: %q", v)
		}
	})

	// Setup steps: the later subtests need the upload and the comparison run.
	if !t.Run("upload", func(t *testing.T) { testUpload(t, s) }) {
		t.FailNow()
	}
	if !t.Run("comparison", func(t *testing.T) { testComparison(t, s, &st) }) {
		t.FailNow()
	}
	t.Run("dashboard", func(t *testing.T) { testDashboard(t, s, &st) })
	if !t.Run("ledger and child page", func(t *testing.T) { testLedgerChild(t, s, &st) }) {
		t.FailNow()
	}
	t.Run("review decision", func(t *testing.T) { testReview(t, s) })
	t.Run("export", func(t *testing.T) { testExport(t, s, &st) })
	t.Run("another county", func(t *testing.T) { testOtherCounty(t, s, &st) })
	t.Run("audit trail", func(t *testing.T) { testAuditTrail(t, s, &st) })
	t.Run("phone", func(t *testing.T) { testPhone(t, s) })
	t.Run("readme screenshot", func(t *testing.T) { testReadmeScreenshot(t, s) })
	t.Run("case walk", func(t *testing.T) { testCaseWalk(t, s, &st) })
}

// disabilityCSV is a small 残疾人 file as a county would type it: three good rows, an ID that
// Excel turned into scientific notation, and an ID with a wrong check digit.
func disabilityCSV(t *testing.T) string {
	t.Helper()
	id := func(first17 string) string { return first17 + string(idcard.CheckDigit([]byte(first17))) }
	good := []string{id("62292120150305001"), id("62292120160711002"), id("62292120130123003")}
	bad := id("62292120140920004")
	badCheck := bad[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", bad[17])+1)%11])
	lines := []string{
		"姓名,身份证号,残疾类别,残疾等级",
		"马小明," + good[0] + ",肢体,二级",
		"韩梅梅," + good[1] + ",听力,三级",
		"周子涵," + good[2] + ",智力,一级",
		"李文," + "6.22921201409200E+17" + ",视力,二级",
		"王芳," + badCheck + ",言语,四级",
	}
	path := filepath.Join(t.TempDir(), "残疾人名单.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testUpload: the county officer signs in, sees the dashboard, uploads a CSV on the imports
// page, watches the import finish, sees its counts, and downloads the error report.
func testUpload(t *testing.T, s *suite) {
	b := s.newTab(t)
	b.signIn("county")
	if h := b.text("h1"); !strings.Contains(h, "工作看板") || !strings.Contains(h, "临夏县") {
		t.Errorf("the county officer lands on %q, want the 临夏县 dashboard", h)
	}
	if who := b.text("header .who"); !strings.Contains(who, "县教育局") {
		t.Errorf("header shows %q, want the officer's name", who)
	}

	b.submit(`nav.mainnav a[href="/imports"]`)
	file := disabilityCSV(t)
	b.step("fill in the upload form",
		chromedp.SetValue(chromedp.CSS(`form[action="/imports"] select[name=kind]`), "disability"),
		chromedp.SetUploadFiles(chromedp.CSS(`form[action="/imports"] input[type=file]`), []string{file}),
	)
	if st := b.submit(`form[action="/imports"] button[type=submit]`); st != 200 {
		t.Fatalf("upload answered %d: %s", st, b.body())
	}
	// The newest job is first; the page polls it (htmx) until it is done.
	ids := b.attrs(".jobs .job", "id")
	if len(ids) == 0 {
		t.Fatalf("no import job after the upload: %s", b.body())
	}
	job := "#" + ids[0]
	b.waitVisible(job+".job-done, "+job+".job-failed", jobTimeout)
	text := b.text(job)
	for _, want := range []string{"残疾人名单.csv", "导入完成", "读取 5 行，接收 3，拒收 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("finished import job lacks %q:\n%s", want, text)
		}
	}
	// The new dataset heads the list of datasets with the same counts, without a reload: the poll
	// that saw the job finish refreshed the table too.
	row := b.texts("#datasets table tbody tr:first-child td")
	if len(row) < 6 || row[1] != "残疾人" || row[2] != "残疾人名单.csv" || row[3] != "5" || row[4] != "3" || row[5] != "2" {
		t.Errorf("newest dataset row %q, want 残疾人 残疾人名单.csv 5 3 2", row)
	}

	// On the server's disk: the error report in a private directory, the uploaded file deleted.
	dirs := leftovers(t)
	if len(dirs) != 1 || !serverWorkDir.MatchString(dirs[0]) {
		t.Fatalf("the server's working directories: %q, want one", dirs)
	}
	work := filepath.Join(os.TempDir(), dirs[0])
	if fi, err := os.Stat(work); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("working directory %s: %v %v, want mode 0700", work, fi.Mode(), err)
	}
	files, _ := filepath.Glob(filepath.Join(work, strings.TrimPrefix(job, "#job-"), "*"))
	if len(files) != 1 || filepath.Base(files[0]) != "残疾人名单.csv.errors.xlsx" {
		t.Errorf("the job's files on the server: %q, want the error report only", files)
	}

	// The error report downloads as a workbook naming the two rejected rows' problems.
	link := job + ` a[href$="/report.xlsx"]`
	if !b.present(link) {
		t.Fatalf("finished import with rejected rows has no error-report link:\n%s", text)
	}
	path, name := b.download(chromedp.Click(chromedp.CSS(link)))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("error report %q does not open: %v", name, err)
	}
	defer f.Close()
	var cells []string
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, r := range rows {
			cells = append(cells, strings.Join(r, " | "))
		}
	}
	all := strings.Join(cells, "\n")
	for _, want := range []string{"ID_PRECISION_LOST", "ID_CHECKSUM"} {
		if !strings.Contains(all, want) {
			t.Errorf("error report %q lacks %s:\n%s", name, want, all)
		}
	}
	if !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("error report file name %q", name)
	}
}

// testComparison starts a comparison on the runs page, watches it finish and opens the result.
func testComparison(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("county")
	b.submit(`nav.mainnav a[href="/runs"]`)
	b.step("set the as-of date", chromedp.SetValue(chromedp.CSS(`form[action="/runs"] input[name=as_of]`), demoAsOf))
	if code := b.submit(`form[action="/runs"] button[type=submit]`); code != 200 {
		t.Fatalf("starting a comparison answered %d: %s", code, b.body())
	}
	ids := b.attrs(".jobs .job", "id")
	if len(ids) == 0 {
		t.Fatalf("no comparison job after starting one: %s", b.body())
	}
	job := "#" + ids[0]
	b.waitVisible(job+".job-done, "+job+".job-failed", jobTimeout)
	if text := b.text(job); !strings.Contains(text, "比对完成") {
		t.Fatalf("comparison job: %s", text)
	}
	b.submit(job + ` a[href^="/runs/"]`)
	st.runID = strings.TrimPrefix(b.eval(`[location.pathname]`)[0], "/runs/")
	// The run page polls until the run's counts are made.
	b.waitVisible(".cards .card", jobTimeout)
	if h := b.text("h1"); !strings.Contains(h, "#"+st.runID) || !strings.Contains(h, "临夏县") {
		t.Errorf("run page heading %q", h)
	}
	st.total = cardValue(t, b, "total")
	st.suspects = cardValue(t, b, "suspected")
	if st.total < 1000 || st.suspects < 1 || st.suspects > st.total/10 {
		t.Errorf("run #%s: %d school-age children, %d suspects; want a county's worth with a few suspects", st.runID, st.total, st.suspects)
	}
	// The run used the file just uploaded.
	if ds := strings.Join(b.texts("table tbody td"), " "); !strings.Contains(ds, "残疾人名单.csv") || !strings.Contains(ds, "registry.csv") {
		t.Errorf("run's datasets lack the uploaded file or the registry: %s", ds)
	}
}

// cardValue reads the number of the dashboard or run card named key (its data-card attribute: a
// ledger status such as "suspected", or "total").
func cardValue(t *testing.T, b *tab, key string) int {
	t.Helper()
	vals := b.texts(fmt.Sprintf(`.cards .card[data-card=%q] .value`, key))
	if len(vals) != 1 {
		t.Fatalf("card %q found %d times", key, len(vals))
	}
	n, err := strconv.Atoi(strings.ReplaceAll(vals[0], ",", ""))
	if err != nil {
		t.Fatalf("card %q shows %q", key, vals[0])
	}
	return n
}

// testDashboard: the dashboard shows the run's numbers, its charts are drawn, and a township
// drills down.
func testDashboard(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("county")
	if got := b.text("main > p.muted"); !strings.Contains(got, "#"+st.runID) {
		t.Errorf("dashboard is not on the new run #%s: %q", st.runID, got)
	}
	if n := cardValue(t, b, "total"); n != st.total {
		t.Errorf("dashboard shows %d school-age children, run page %d", n, st.total)
	}
	if n := cardValue(t, b, "suspected"); n != st.suspects {
		t.Errorf("dashboard shows %d suspects, run page %d", n, st.suspects)
	}
	// ECharts draws into a canvas once app.js has fetched the numbers.
	b.waitVisible(`.chart[data-chart="status"] canvas`, actionTimeout)
	b.waitVisible(`.chart[data-chart="trend"] canvas`, actionTimeout)
	// The township table links down to a township's dashboard.
	towns := b.attrs(`.table-wrap tbody tr td:first-child a[href^="/dash/"]`, "href")
	if len(towns) < 5 {
		t.Fatalf("dashboard lists %d townships", len(towns))
	}
	name := b.texts(`.table-wrap tbody tr td:first-child a[href^="/dash/"]`)[0]
	b.submit(`.table-wrap tbody tr:first-child td:first-child a`)
	if h := b.text("h1"); !strings.Contains(h, name) {
		t.Errorf("drill-down to %s shows %q", name, h)
	}
	if crumbs := b.text("nav.crumbs"); !strings.Contains(crumbs, "临夏县") {
		t.Errorf("township dashboard crumbs %q lack the county", crumbs)
	}
}

// testLedgerChild: the ledger filtered to suspects, a suspect's child page (masked), unmask
// with a reason (full value once), and masked again on the next view; a viewer cannot unmask.
func testLedgerChild(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("county")
	b.submit(`nav.mainnav a[href="/ledger"]`)
	b.step("filter to suspects", chromedp.SetValue(chromedp.CSS(`form.filters select[name=status]`), "suspected"))
	b.submit(`form.filters button[type=submit]`)
	if got := b.text("#ledger-count"); !strings.Contains(got, fmt.Sprintf("共 %d 人", st.suspects)) {
		t.Errorf("suspect ledger says %q, want 共 %d 人", got, st.suspects)
	}
	statuses := b.texts("table.ledger tbody tr td:nth-child(6) .tag")
	if len(statuses) == 0 {
		t.Fatal("suspect ledger has no rows")
	}
	for _, s := range statuses {
		if s != "疑似失学辍学" {
			t.Errorf("suspect ledger has a %q row", s)
		}
	}
	for _, id := range b.texts("table.ledger tbody td.mono") {
		if !maskedID.MatchString(id) {
			t.Errorf("ledger shows ID %q, want it masked", id)
		}
	}

	// Names are masked in the ledger for every role, county officers included (server/doc.go).
	names := b.texts("table.ledger tbody tr td:first-child a")
	for _, n := range names {
		if !strings.HasSuffix(n, "*") {
			t.Errorf("ledger shows the name %q, want it masked", n)
		}
	}
	maskedName := names[0]
	st.suspectPath = b.attrs("table.ledger tbody tr:first-child td:first-child a", "href")[0]
	b.submit("table.ledger tbody tr:first-child td:first-child a")
	// The child page masks the name as the ledger does, until unmasked.
	if got := b.text("#child-name"); got != maskedName {
		t.Errorf("child page names the child %q, the ledger %q", got, maskedName)
	}
	// No case yet: the county officer may open one from here.
	if got := b.text(`form#child-case[action="/cases"] button`); got != "建立个案" {
		t.Errorf("child page without a case offers %q, want 建立个案", got)
	}
	masked := b.text("#child-id")
	if !maskedID.MatchString(masked) {
		t.Fatalf("child page shows ID %q, want it masked", masked)
	}
	if strings.Contains(b.body(), "以下为完整个人信息") {
		t.Error("child page claims to be unmasked before any reason was given")
	}

	// Unmask with a reason: the full, valid number appears once, matching the masked one.
	unmask := `form[action$="/unmask"]`
	b.step("give a reason", chromedp.SendKeys(chromedp.CSS(unmask+` input[name=reason]`), unmaskReason))
	if code := b.submit(unmask + ` button[type=submit]`); code != 200 {
		t.Fatalf("unmask answered %d", code)
	}
	if !strings.Contains(b.text(".notice.warn"), "已记入审计日志") {
		t.Error("unmasked page lacks the audit warning")
	}
	full := b.text("#child-id")
	if len(full) != 18 || idcard.CheckDigit([]byte(full[:17])) != full[17] || full[:3] != masked[:3] || full[14:] != masked[14:] {
		t.Fatalf("unmasked ID %q does not fit the masked %q", full, masked)
	}
	st.suspectID = full
	st.suspectName = b.text("#child-name")
	if prefix := strings.TrimSuffix(maskedName, "*"); st.suspectName == maskedName || !strings.HasPrefix(st.suspectName, prefix) {
		t.Errorf("unmasked child page names the child %q, masked %q", st.suspectName, maskedName)
	}
	if b.present(unmask) {
		t.Error("the unmasked page offers to unmask again")
	}
	// Once: the next view is masked again.
	b.open(st.suspectPath)
	if got := b.text("#child-id"); got != masked || strings.Contains(b.body(), full) {
		t.Errorf("child page after unmasking shows %q, want %q again", got, masked)
	}
	if got := b.text("#child-name"); got != maskedName {
		t.Errorf("child page after unmasking names the child %q, want %q again", got, maskedName)
	}

	// A viewer sees the page masked, with masked name, and no way to unmask.
	v := s.newTab(t)
	v.signIn("viewer")
	v.open(st.suspectPath)
	if v.present(unmask) {
		t.Error("a viewer is offered to unmask")
	}
	if got := v.text("#child-name"); got != maskedName {
		t.Errorf("a viewer sees the name %q, want %q", got, maskedName)
	}
	if got := v.text("#child-id"); got != masked {
		t.Errorf("a viewer sees ID %q", got)
	}
}

// testReview decides a review entry (not the same child) on its child page.
func testReview(t *testing.T, s *suite) {
	b := s.newTab(t)
	b.signIn("county")
	b.open("/ledger?status=review")
	links := b.attrs("table.ledger tbody tr td:first-child a", "href")
	if len(links) == 0 {
		t.Fatalf("no review entry in the generated county: %s", b.text("main"))
	}
	b.open(links[0])
	form := `form[action$="/review"]`
	if !b.present(form) {
		t.Fatalf("review entry %s has no decision form: %s", links[0], b.text("main"))
	}
	b.step("decide: not the same child",
		chromedp.Click(chromedp.CSS(form+` input[name=decision][value=separate]`)),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=note]`), "入户核实，学籍记录是同村另一名儿童"),
	)
	if code := b.submit(form + ` button[type=submit]`); code != 200 {
		t.Fatalf("review decision answered %d: %s", code, b.body())
	}
	got := b.text("main")
	for _, want := range []string{"已复核：确认不是同一人", "入户核实，学籍记录是同村另一名儿童"} {
		if !strings.Contains(got, want) {
			t.Errorf("child page after the decision lacks %q", want)
		}
	}
	if !strings.Contains(got, "（county，") && !strings.Contains(got, "县教育局") {
		t.Errorf("child page after the decision does not name who decided:\n%s", got)
	}
	// The decision in force is shown, and may be changed (with a reason) from the current choice.
	if h := b.text("#review-form h3"); h != "更改复核结论" {
		t.Errorf("after the decision the form says %q, want 更改复核结论", h)
	}
	if checked := b.attrs(`#review-form input[name=decision]:checked`, "value"); len(checked) != 1 || checked[0] != "separate" {
		t.Errorf("the change form starts from %q, want the decision in force (separate)", checked)
	}
	// The ledger marks the entry as reviewed.
	b.open("/ledger?status=review")
	row := b.texts(fmt.Sprintf(`table.ledger tbody tr:has(a[href=%s]) td:nth-child(6)`, jsString(links[0])))
	if len(row) != 1 || !strings.Contains(row[0], "已复核") {
		t.Errorf("ledger row of the decided entry: %q", row)
	}
}

// testExport exports the suspect ledger and opens the downloaded workbook.
func testExport(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("county")
	b.open("/ledger?status=suspected")
	path, name := b.download(chromedp.Click(chromedp.CSS(`form.export button[type=submit]`)))
	if !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("export file name %q", name)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("export %q does not open: %v", name, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var data [][]string
	header := -1
	for i, r := range rows {
		if header < 0 && strings.Contains(strings.Join(r, ","), "公民身份号码") {
			header = i
			continue
		}
		if header >= 0 && len(r) > 0 && strings.TrimSpace(strings.Join(r, "")) != "" {
			data = append(data, r)
		}
	}
	if header < 0 {
		t.Fatalf("export has no header row: %q", rows[:min(len(rows), 5)])
	}
	if len(data) != st.suspects {
		t.Errorf("export has %d rows, the ledger %d suspects", len(data), st.suspects)
	}
	text := fmt.Sprint(data)
	if st.suspectID != "" && strings.Contains(text, st.suspectID) {
		t.Error("a masked export contains a full ID number")
	}
	if !strings.Contains(text, "***********") {
		t.Errorf("export lacks masked ID numbers: %.300s", text)
	}
}

// testOtherCounty: the 康乐县 officer cannot open a 临夏县 child (404 page), and sees no 临夏县
// rows in the ledger, in a search by the child's name or ID, or on the dashboard.
func testOtherCounty(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("kangle")
	if h := b.text("h1"); !strings.Contains(h, "康乐县") {
		t.Errorf("康乐县 officer lands on %q", h)
	}
	if strings.Contains(b.text("main"), "临夏县") {
		t.Error("康乐县 dashboard mentions 临夏县")
	}
	if code := b.open(st.suspectPath); code != 404 {
		t.Errorf("康乐县 officer opening a 临夏县 child: %d, want 404", code)
	}
	if h := b.text("h1"); h != "未找到" {
		t.Errorf("404 page heading %q", h)
	}
	if strings.Contains(b.body(), st.suspectName) {
		t.Error("the 404 page names the child")
	}
	if code := b.open("/dash/622921"); code != 404 {
		t.Errorf("康乐县 officer opening the 临夏县 dashboard: %d, want 404", code)
	}
	for _, q := range []string{"", "?status=suspected", "?q=" + st.suspectName, "?q=" + st.suspectID} {
		b.open("/ledger" + q)
		if rows := b.texts("table.ledger tbody tr"); len(rows) != 0 {
			t.Errorf("康乐县 ledger%s lists %d rows of another county", q, len(rows))
		}
		if body := b.text("main"); strings.Contains(body, st.suspectName) || strings.Contains(body, "韩集镇") {
			t.Errorf("康乐县 ledger%s shows 临夏县 data", q)
		}
	}
}

// testAuditTrail: the auditor finds what the other subtests did in the audit log — the failed
// sign-in, the upload, the comparison, the unmask with its reason, the review decision, the
// export, and 康乐县's refused access — and the chain verifies.
func testAuditTrail(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("auditor")
	entry := "ledger_entry:" + strings.TrimPrefix(st.suspectPath, "/ledger/")
	for _, c := range []struct {
		query string
		want  []string // all in one row
	}{
		{"actor=viewer&action=login", []string{"viewer", "login", "failed"}},
		{"actor=county&action=import_start", []string{"county", "import_start", "kind=disability"}},
		{"actor=county&action=compare_start", []string{"county", "compare_start", "as_of=" + demoAsOf}},
		{"actor=county&action=unmask", []string{"county", "unmask", entry, unmaskReason}},
		{"actor=county&action=review_decision", []string{"county", "review_decision", "decision=separate"}},
		{"actor=county&action=export", []string{"county", "export", "ledger:run:" + st.runID}},
		{"actor=kangle&action=access_denied", []string{"kangle", "access_denied", "GET " + st.suspectPath, "not_found"}},
	} {
		b.open("/audit?" + c.query)
		rows := b.texts("table tbody tr")
		found := false
		for _, r := range rows {
			found = found || containsAll(r, c.want)
		}
		if !found {
			t.Errorf("audit log (%s) has no row with %q:\n%s", c.query, c.want, strings.Join(rows, "\n"))
		}
	}
	if rows := b.texts("table tbody tr"); len(rows) > 0 && strings.Contains(strings.Join(rows, " "), st.suspectID) {
		t.Error("the audit log shows a full ID number")
	}
	b.open("/audit")
	b.submit(`form[action="/audit/verify"] button[type=submit]`)
	if got := b.text("main .notice, main [role=alert]"); !strings.HasPrefix(got, "校验通过") {
		t.Errorf("audit chain check: %s", got)
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// testPhone: on a 390×844 phone the dashboard fits the width (no horizontal scrolling of the
// page; wide tables scroll inside their own box).
func testPhone(t *testing.T, s *suite) {
	b := s.newTab(t)
	b.step("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(3)))
	b.signIn("county")
	b.waitVisible(`.chart[data-chart="status"] canvas`, actionTimeout)
	w := b.eval(`[window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth].map(String)`)
	px := make([]int, len(w))
	for i, v := range w {
		px[i], _ = strconv.Atoi(v)
	}
	if px[0] != 390 {
		t.Errorf("phone viewport is %d px wide, want 390", px[0])
	}
	if px[1] > px[0] || px[2] > px[0] {
		t.Errorf("on a %d px phone the document is %d px and the body %d px wide: the page scrolls sideways", px[0], px[1], px[2])
	}
	// Which elements stick out, to name them when the check above fails.
	wide := b.eval(`Array.from(document.querySelectorAll("body *")).filter(e => {
		const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 && !e.closest(".table-wrap");
	}).slice(0, 5).map(e => e.tagName + "." + e.className + " right=" + Math.round(e.getBoundingClientRect().right))`)
	if len(wide) > 0 {
		t.Errorf("elements wider than the phone: %q", wide)
	}
}

// testReadmeScreenshot writes the README's screenshot of the dashboard (1280×800) when
// BAOXUE_E2E_SCREENSHOT names the file, e.g. docs/screenshot-dashboard.png (relative to the
// module root).
func testReadmeScreenshot(t *testing.T, s *suite) {
	out := os.Getenv("BAOXUE_E2E_SCREENSHOT")
	if out == "" {
		t.Skip("BAOXUE_E2E_SCREENSHOT 未设置")
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(moduleRoot(t), out)
	}
	b := s.newTab(t)
	b.step("desktop viewport", chromedp.EmulateViewport(1280, 800))
	b.signIn("county")
	b.waitVisible(`.chart[data-chart="status"] canvas`, actionTimeout)
	b.waitVisible(`.chart[data-chart="trend"] canvas`, actionTimeout)
	// ECharts animates its first drawing for about a second.
	b.step("let the charts settle", chromedp.Sleep(1500*time.Millisecond))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}

// moduleRoot is the directory of go.mod above the test's working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}
