package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// caseWalk is one case taken through issue 6's steps in the browser, as the county officer,
// with the township officer recording a visit from a phone when the case is in their township.
type caseWalk struct {
	t      *testing.T
	b      *tab // the county officer
	s      *suite
	path   string // /cases/{id}
	name   string // the child's name as the case list shows it
	school string // the school the child is to return to, in their township
	today  string // the server's date, from a form's max
	zero   int    // the county's 动态清零 number at the last check
	phone  *tab   // the case worker's phone, once opened
}

// testCaseWalk takes a suspect through verification → confirmed → visits → a printed notice and
// order → returned → placement → checkpoints → closed, then a re-dropout that reopens it; the
// 动态清零 number is read after every step (issue 6, "Done when").
func testCaseWalk(t *testing.T, s *suite, st *state) {
	b := s.newTab(t)
	b.signIn("county")
	w := &caseWalk{t: t, b: b, s: s}
	w.zero = w.readZero()

	// Cases for the run's suspects, from the case list.
	if code := b.open("/cases"); code != 200 {
		t.Fatalf("case list answered %d", code)
	}
	if code := b.submit(`form[action="/cases/sync"] button[type=submit]`); code != 200 {
		t.Fatalf("opening cases for the suspects answered %d", code)
	}
	// The suspect's child page now leads to the case.
	b.open(st.suspectPath)
	if got := b.attrs(`#child-case a[href^="/cases/"]`, "href"); len(got) != 1 {
		t.Errorf("the child page of a suspect with a case does not link it: %q", b.texts("#child-case"))
	}
	b.open("/cases")
	names := b.texts("table.cases tbody tr td:nth-child(2)")
	places := b.texts("table.cases tbody tr td:nth-child(3)")
	links := b.attrs("table.cases tbody tr td:nth-child(2) a", "href")
	if len(links) != st.suspects {
		t.Errorf("%d suspects, %d cases opened", st.suspects, len(links))
	}
	if len(links) == 0 {
		t.Fatal("no case after opening cases for the suspects")
	}
	// A case in 韩集镇 lets the township officer (scope 韩集镇) take part.
	pick := 0
	for i, p := range places {
		if strings.Contains(p, "韩集镇") {
			pick = i
			break
		}
	}
	w.path, w.name = links[pick], names[pick]
	inTownship := strings.Contains(places[pick], "韩集镇")
	w.school = "临夏县" + strings.Fields(places[pick])[0] + "中心小学"
	t.Logf("case %s: %s, %s", w.path, w.name, places[pick])
	w.expectZero("cases opened", 0) // suspects within their verification deadline are not counted

	b.open(w.path)
	w.state("疑似")
	if h := b.text("h1"); !strings.Contains(h, string([]rune(w.name)[:1])) {
		t.Errorf("case page heading %q, case list name %q", h, w.name)
	}

	// Verification: dispatched to a named verifier, then confirmed as a dropout.
	verifier := "county"
	if inTownship {
		verifier = "township"
	}
	w.transition("verifying", func(f string) {
		b.step("choose the verifier", chromedp.SetValue(chromedp.CSS(f+` select[name=verifier]`), verifier))
	})
	w.state("核查中")
	if dd := w.fact("核查责任人"); !strings.Contains(dd, verifier) {
		t.Errorf("verifier shows %q, want %s", dd, verifier)
	}
	w.expectZero("verifying", 0)
	w.today = b.attrs(`form[action$="/transition"]:has(input[name=to][value=confirmed]) input[name=dropout_date]`, "max")[0]
	w.transition("confirmed", func(f string) {
		b.step("record the dropout",
			chromedp.SetValue(chromedp.CSS(f+` input[name=dropout_date]`), w.today),
			chromedp.Click(chromedp.CSS(f+` input[name=reasons][value=work]`)),
			chromedp.Click(chromedp.CSS(f+` input[name=reasons][value=guardian_attitude]`)),
			chromedp.SendKeys(chromedp.CSS(f+` input[name=note]`), "入户核实：随父母外出务工，家长认为读书无用"),
		)
	})
	w.state("确认辍学")
	w.expectZero("confirmed", +1)
	w.taskOnPhone(verifier, "包抓")

	// Persuasion: a responsible cadre (the township officer when the case is in their township,
	// else the county officer), who records a visit from a phone.
	w.transition("persuading", func(f string) {
		b.step("choose the cadre", chromedp.SetValue(chromedp.CSS(f+` select[name=cadre]`), verifier))
	})
	w.state("劝返中")
	w.expectZero("persuading", 0)
	// An officer who is the case's 包抓 cadre keeps it in 我的任务 while persuading.
	w.taskOnPhone(verifier, "劝返走访")
	w.visitOnPhone(verifier)
	b.open(w.path)
	if h := b.texts("h2"); !strings.Contains(strings.Join(h, " "), "劝返走访 1 次") {
		t.Errorf("case page after a visit: %q", h)
	}
	w.expectZero("visit", 0)

	// The legal ladder: notice (printed, served, not complied), then the order (printed).
	w.transition("legal", func(f string) {
		b.step("say why", chromedp.SendKeys(chromedp.CSS(f+` input[name=note]`), "经上门劝返、批评教育，监护人仍拒不送学"))
	})
	w.state("依法控辍")
	w.expectZero("legal", 0)
	notice := w.issue("劝返复学通知书", "临夏县教育局")
	w.printDocument(notice, "劝返复学通知书", w.school)
	w.serve()
	// "逾期未改正" only once the notice's deadline has passed: not offered within it. The walk
	// cannot wait the days out, so it moves the deadline into the past in the database.
	last := `#legal-steps > li:last-child form[action$="/outcome"] select[name=outcome] option`
	if opts := strings.Join(b.attrs(last, "value"), " "); strings.Contains(opts, "not_complied") || !strings.Contains(opts, "complied") {
		t.Errorf("within the deadline the outcome form offers %q", opts)
	}
	w.lapse(notice)
	w.outcome("not_complied")
	order := w.issue("责令限期改正通知书", "临夏县教育局")
	w.printDocument(order, "责令限期改正通知书", "义务教育法", "第五十八条", notice, w.school)
	w.expectZero("notice and order", 0)

	// Return, placement (the recommendation), an individual plan, the three checkpoints, close.
	w.transition("returned", func(f string) {
		b.step("record the return",
			chromedp.SetValue(chromedp.CSS(f+` input[name=return_date]`), w.today),
			chromedp.SetValue(chromedp.CSS(f+` input[name=return_school]`), w.school),
			chromedp.SetValue(chromedp.CSS(f+` input[name=return_grade]`), "5"),
		)
	})
	w.state("已复学")
	w.expectZero("returned", -1)
	recommended := b.text(`form[action$="/transition"]:has(input[name=to][value=monitoring]) p b`)
	w.transition("monitoring", func(string) {}) // keeps the recommended placement
	w.state("巩固跟踪")
	if got := w.fact("安置方式"); !strings.HasPrefix(got, recommended) {
		t.Errorf("placement %q, recommended %q", got, recommended)
	}
	w.expectZero("placement", 0)
	w.plan()
	checkpoints := b.texts(`h2 + .table-wrap table tbody tr`)
	if len(checkpoints) != 3 {
		t.Errorf("%d checkpoints after placement, want 3 (30, 90, 180 days): %q", len(checkpoints), checkpoints)
	}
	for seq := 1; seq <= len(checkpoints); seq++ {
		w.checkpoint(seq)
	}
	if rows := strings.Join(b.texts(`h2 + .table-wrap table tbody tr`), "\n"); strings.Count(rows, "在校就读") != len(checkpoints) {
		t.Errorf("checkpoints after recording them:\n%s", rows)
	}
	w.expectZero("checkpoints", 0)
	w.transition("closed", func(f string) {
		b.step("close", chromedp.SendKeys(chromedp.CSS(f+` input[name=note]`), "跟踪期满，在校就读稳定，销号"))
	})
	w.state("销号")
	w.expectZero("closed", 0)

	// A re-dropout reopens the case with its history.
	w.transition("confirmed", func(f string) {
		b.step("record the re-dropout",
			chromedp.SetValue(chromedp.CSS(f+` input[name=dropout_date]`), w.today),
			chromedp.Click(chromedp.CSS(f+` input[name=reasons][value=learning_difficulty]`)),
			chromedp.SendKeys(chromedp.CSS(f+` input[name=note]`), "开学后连续两周未到校，再次辍学"),
		)
	})
	w.state("确认辍学")
	w.expectZero("re-dropout", +1)
	history := strings.Join(b.texts("ol.history li"), "\n")
	for _, want := range []string{"核查责任人", "上门劝返", notice, order, "复学于" + w.school, "个别化方案", "第 3 次跟踪回访",
		"销号", "再次辍学（原复学时间"} {
		if !strings.Contains(history, want) {
			t.Errorf("case history lacks %q:\n%s", want, history)
		}
	}

	// The province's dashboard lists the county with the same figure.
	pv := s.newTab(t)
	pv.signIn("province")
	if d := w.dashZero(pv); d != w.zero {
		t.Errorf("the province's dashboard gives 临夏县 %d, /zero %d", d, w.zero)
	}

	// The dropout ledger (辍学学生台账) has the reopened case.
	b.open("/cases")
	path, name := b.download(chromedp.Click(chromedp.CSS(`a[href="/cases/export.xlsx"]`)))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("dropout ledger %q does not open: %v", name, err)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	found := false
	for _, r := range rows {
		line := strings.Join(r, "|")
		found = found || (strings.Contains(line, "确认辍学") && strings.Contains(line, string([]rune(w.name)[:1])) &&
			strings.Contains(line, "学习困难"))
	}
	if !found {
		t.Errorf("dropout ledger %q lacks the reopened case:\n%q", name, rows)
	}

	// Another county cannot open the case.
	k := s.newTab(t)
	k.signIn("kangle")
	if code := k.open(w.path); code != 404 {
		t.Errorf("康乐县 officer opening a 临夏县 case: %d, want 404", code)
	}
	k.open("/cases?state=all")
	if rows := k.texts("table.cases tbody tr td:first-child a"); len(rows) != 0 {
		t.Errorf("康乐县 case list shows %d 临夏县 cases", len(rows))
	}
}

// readZero reads the county's 动态清零 number (未清零人数) from /zero.
func (w *caseWalk) readZero() int {
	w.t.Helper()
	if code := w.b.open("/zero"); code != 200 {
		w.t.Fatalf("/zero answered %d", code)
	}
	v := w.b.text("#zero-open")
	n, err := strconv.Atoi(v)
	if err != nil {
		w.t.Fatalf("动态清零 shows %q", v)
	}
	return n
}

// dashZero reads the county's 动态清零 number from the 动态清零 list of a dashboard open in b.
func (w *caseWalk) dashZero(b *tab) int {
	w.t.Helper()
	v := b.text(`.zero-list a.zero[data-county="622921"] b`)
	if v == "已清零" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(v, "未清零 "), " 人"))
	if err != nil {
		w.t.Fatalf("the dashboard's 动态清零 says %q", v)
	}
	return n
}

// expectZero checks that the 动态清零 number moved by delta since the last check, and that the
// dashboard shows the same number, then returns to the case page.
func (w *caseWalk) expectZero(step string, delta int) {
	w.t.Helper()
	n := w.readZero()
	if n != w.zero+delta {
		w.t.Errorf("动态清零 after %s: %d, want %d (%+d)", step, n, w.zero+delta, delta)
	}
	w.zero = n
	w.b.open("/")
	if d := w.dashZero(w.b); d != n {
		w.t.Errorf("动态清零 after %s: the dashboard says %d, /zero %d", step, d, n)
	}
	if w.path != "" {
		w.b.open(w.path)
	}
}

// transitionForm is the selector of the case page's form that moves the case to a state.
func transitionForm(to string) string {
	return fmt.Sprintf(`form[action$="/transition"]:has(input[name=to][value=%q])`, to)
}

// transition fills the form that moves the case to a state (fill gets the form's selector) and
// submits it; the case page comes back without an error.
func (w *caseWalk) transition(to string, fill func(form string)) {
	w.t.Helper()
	form := transitionForm(to)
	if !w.b.present(form) {
		w.t.Fatalf("case page (state %s) offers no step to %s; steps: %q", w.b.text("#case-state"), to,
			w.b.texts(`form[action$="/transition"] h3`))
	}
	fill(form)
	w.submit(form, "→ "+to)
}

// submit clicks a case form's button and fails on an error answer or message.
func (w *caseWalk) submit(form, what string) {
	w.t.Helper()
	code := w.b.submit(form + ` button[type=submit]`)
	if code != 200 || w.b.present("#case-message") {
		msg := ""
		if w.b.present("#case-message") {
			msg = w.b.text("#case-message")
		}
		w.t.Fatalf("%s answered %d: %s", what, code, msg)
	}
}

// state checks the case's state label.
func (w *caseWalk) state(label string) {
	w.t.Helper()
	if got := w.b.text("#case-state"); got != label && !strings.HasPrefix(got, label) {
		w.t.Fatalf("case state %q, want %q", got, label)
	}
}

// fact is the value of a line of the case's facts.
func (w *caseWalk) fact(label string) string {
	w.t.Helper()
	vals := w.b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll("dl.facts dt"))
		.filter(dt => dt.innerText.trim() === %s).map(dt => dt.nextElementSibling.innerText.trim())`, jsString(label)))
	if len(vals) == 0 {
		w.t.Errorf("case page has no %q", label)
		return ""
	}
	return vals[0]
}

// visit records a home visit on the visit form open in tab b.
func (w *caseWalk) visit(b *tab) {
	w.t.Helper()
	form := `form[action$="/visits"]`
	b.step("fill in the visit",
		chromedp.Click(chromedp.CSS(form+` input[name=method][value=home]`)),
		chromedp.Click(chromedp.CSS(form+` input[name=result][value=refused]`)),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=place]`), "家中"),
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name=notes]`), "与监护人面谈一小时，家长仍不同意送学"),
	)
	if code := b.submit(form + ` button[type=submit]`); code != 200 || b.present("#case-message") {
		w.t.Fatalf("saving the visit answered %d: %s", code, b.text("main"))
	}
}

// phoneTab is the case worker's phone (390×844), signed in once.
func (w *caseWalk) phoneTab(worker string) *tab {
	w.t.Helper()
	if w.phone == nil {
		w.phone = w.s.newTab(w.t)
		w.phone.step("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(3)))
		w.phone.signIn(worker)
	}
	return w.phone
}

// taskOnPhone: the case worker finds the case in 我的任务 on a phone, and the list fits the
// screen.
func (w *caseWalk) taskOnPhone(worker, action string) {
	w.t.Helper()
	p := w.phoneTab(worker)
	p.submit(`nav.mainnav a[href="/tasks"]`)
	task := fmt.Sprintf(`ul.tasks li.task:has(a.task-main[href=%q])`, w.path)
	if !p.present(task) {
		w.t.Fatalf("%s's 我的任务 lacks %s: %q", worker, w.path, p.texts("ul.tasks li"))
	}
	if got := p.text(task + " .task-action"); !strings.Contains(got, action) {
		w.t.Errorf("task of %s says %q, want %q", w.path, got, action)
	}
	if px := p.eval(`[String(document.documentElement.scrollWidth)]`)[0]; px != "390" {
		w.t.Errorf("我的任务 is %s px wide on a 390 px phone", px)
	}
}

// visitOnPhone: the case worker opens the case on a phone, taps 登记走访 and records the visit.
func (w *caseWalk) visitOnPhone(worker string) {
	w.t.Helper()
	p := w.phoneTab(worker)
	p.open(w.path)
	// The case's own cadre sees the family's names and contacts, and is told the view is audited.
	if got := p.text("#assigned-view"); !strings.Contains(got, "包抓责任人") || !strings.Contains(got, "审计") {
		w.t.Errorf("the cadre's case page says %q", got)
	}
	p.submit(fmt.Sprintf(`a.button[href=%q]`, w.path+"/visit"))
	if px := p.eval(`[String(document.documentElement.scrollWidth)]`)[0]; px != "390" {
		w.t.Errorf("the visit form is %s px wide on a 390 px phone", px)
	}
	w.visit(p)
	if !strings.Contains(strings.Join(p.texts("h2"), " "), "劝返走访 1 次") {
		w.t.Errorf("case page after the phone visit: %q", p.texts("h2"))
	}
}

// issue makes the next legal document and returns its 文号.
func (w *caseWalk) issue(title, issuer string) string {
	w.t.Helper()
	form := `form[action$="/legal"]`
	if got := w.b.text(form + " h3"); got != "制发"+title {
		w.t.Fatalf("legal form offers %q, want 制发%s", got, title)
	}
	w.b.step("fill in the issuer and the school",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=issuer]`), issuer),
		chromedp.SetValue(chromedp.CSS(form+` input[name=return_to]`), w.school),
	)
	before := len(w.b.texts("#legal-steps > li"))
	w.submit(form, "制发"+title)
	items := w.b.texts("#legal-steps > li")
	if len(items) != before+1 || !strings.HasPrefix(items[len(items)-1], title) {
		w.t.Fatalf("legal steps after issuing %s: %q", title, items)
	}
	// 文号: 临教劝〔2026〕1号 for the county's first notice of the year.
	fields := strings.Fields(items[len(items)-1])
	if len(fields) < 2 || !strings.HasPrefix(fields[1], "临教") || !strings.HasSuffix(fields[1], "号") {
		w.t.Fatalf("no document number in %q", items[len(items)-1])
	}
	return fields[1]
}

// printDocument opens the print page of the last legal document in the county officer's tab,
// checks its text, and saves a full-page screenshot as test output.
func (w *caseWalk) printDocument(docNo, title string, more ...string) {
	w.t.Helper()
	links := w.b.attrs(`#legal-steps > li a[href$="/document"]`, "href")
	if len(links) == 0 {
		w.t.Fatal("no print link for the legal document")
	}
	d := w.s.newTab(w.t)
	d.signIn("county")
	if code := d.open(links[len(links)-1]); code != 200 {
		w.t.Fatalf("print page of %s answered %d", docNo, code)
	}
	text := d.body()
	for _, want := range append([]string{title, docNo}, more...) {
		if !strings.Contains(text, want) {
			w.t.Errorf("printed %s lacks %q", title, want)
		}
	}
	png, err := runBytes(d, chromedp.FullScreenshot(100))
	if err != nil {
		w.t.Fatalf("screenshot of %s: %v", title, err)
	}
	out := filepath.Join(d.outputDir(), fmt.Sprintf("%s-%s.png", fileName(w.t.Name()), title))
	if err := os.WriteFile(out, png, 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.t.Logf("printed %s %s: %s", title, docNo, out)
}

// serve records that the last legal document was served to the guardian today.
func (w *caseWalk) serve() {
	w.t.Helper()
	form := `#legal-steps > li:last-child form[action$="/serve"]`
	w.b.step("record serving",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=served_to]`), "监护人"),
		chromedp.SetValue(chromedp.CSS(form+` select[name=how]`), "direct"),
	)
	w.submit(form, "登记送达")
}

// lapse moves the deadline of the legal document docNo to yesterday, as if its term had run out,
// and reloads the case page.
func (w *caseWalk) lapse(docNo string) {
	w.t.Helper()
	today, err := time.Parse(time.DateOnly, w.today)
	if err != nil {
		w.t.Fatal(err)
	}
	y := today.AddDate(0, 0, -1)
	db, err := sql.Open("sqlite", "file:"+w.s.db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE case_legal SET deadline = ? WHERE doc_no = ?`, y.Year()*10000+int(y.Month())*100+y.Day(), docNo)
	if err != nil {
		w.t.Fatalf("moving the deadline of %s: %v", docNo, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		w.t.Fatalf("moving the deadline of %s: %d rows", docNo, n)
	}
	w.b.open(w.path)
}

// outcome records the last legal document's outcome.
func (w *caseWalk) outcome(code string) {
	w.t.Helper()
	form := `#legal-steps > li:last-child form[action$="/outcome"]`
	w.b.step("record the outcome",
		chromedp.SetValue(chromedp.CSS(form+` select[name=outcome]`), code),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=note]`), "期限内未送子女返校"),
	)
	w.submit(form, "登记结果")
}

// plan saves the individual education plan (一生一案).
func (w *caseWalk) plan() {
	w.t.Helper()
	form := `form[action$="/plan"]`
	w.b.step("fill in the plan",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=goals]`), "一学期内跟上五年级进度"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=measures]`), "每周两次课后辅导，结对帮扶"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=teacher]`), "李老师"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=review_dates]`), w.today),
	)
	w.submit(form, "保存方案")
	if v := w.b.attrs(form+` input[name=teacher]`, "value"); len(v) != 1 || v[0] != "李老师" {
		w.t.Errorf("plan after saving: teacher %q", v)
	}
}

// checkpoint records follow-up checkpoint seq as passed (in school).
func (w *caseWalk) checkpoint(seq int) {
	w.t.Helper()
	form := fmt.Sprintf(`form[action$="/checkpoints/%d"]`, seq)
	if !w.b.present(form) {
		w.t.Fatalf("no form for checkpoint %d: %q", seq, w.b.texts("h3"))
	}
	w.b.step("record the checkpoint",
		chromedp.SetValue(chromedp.CSS(form+` select[name=result]`), "in_school"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=note]`), fmt.Sprintf("第 %d 次回访：按时到校", seq)),
	)
	w.submit(form, fmt.Sprintf("checkpoint %d", seq))
}
