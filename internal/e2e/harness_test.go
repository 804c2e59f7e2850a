package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/baoxue/baoxue/internal/cli"
)

// The harness: one demo server and one Chromium per test binary (started by the top-level test
// and shared by its subtests, which run one after another), a fresh browser context (cookies,
// storage) per subtest, and artifacts saved when a subtest fails.

const (
	// demoRows is the generated county's registry size: ≈2,800 school-age children, ≈20 suspects
	// and a review entry, imported in well under a second.
	demoRows = "20000"
	// actionTimeout bounds one browser step, so that a missing element fails within seconds
	// instead of at the test binary's deadline.
	actionTimeout = 20 * time.Second
	// jobTimeout bounds waiting for a background import or comparison.
	jobTimeout = 90 * time.Second
)

// suite is the server and the browser the subtests share.
type suite struct {
	base      string          // http://127.0.0.1:port, no trailing slash
	db        string          // the demo's SQLite file, for the rare step a browser cannot take
	browser   context.Context // the browser's first tab; new tabs are made from it
	serverLog *lockedBuffer   // the demo's stderr: startup, accounts, warnings
	chromeLog *lockedBuffer   // Chromium's stdout and stderr
	artifacts string          // from BAOXUE_E2E_ARTIFACTS, or "" until a failure needs one
	tabs      int             // tabs opened so far, to name each tab's artifacts
}

// lockedBuffer lets the test read what a goroutine (the demo server, Chromium) writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// chromiumPath finds Debian's Chromium. Without it the browser tests skip, unless CI requires
// them (BAOXUE_REQUIRE_BROWSER=1), where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	const install = "apt-get install -y --no-install-recommends chromium fonts-wqy-microhei"
	if os.Getenv("BAOXUE_REQUIRE_BROWSER") == "1" {
		t.Fatalf("BAOXUE_REQUIRE_BROWSER=1，但找不到 Chromium（%v）；请安装：%s", err, install)
	}
	t.Skipf("Chromium 未安装，跳过浏览器端到端测试（安装：%s）", install)
	return ""
}

// startSuite starts the demo server and Chromium for the subtests of t; both stop when t ends.
func startSuite(t *testing.T) *suite {
	t.Helper()
	exe := chromiumPath(t)
	s := &suite{serverLog: &lockedBuffer{}, chromeLog: &lockedBuffer{}, artifacts: os.Getenv("BAOXUE_E2E_ARTIFACTS")}
	s.base, s.db = startDemo(t, s.serverLog)

	// The user data directory is made before the allocator, so that its removal (a cleanup, run
	// last-in first-out) comes after Chromium has exited.
	profile := t.TempDir()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
		// No calls out: without these Chromium tries to reach Google's services and logs failures.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.CombinedOutput(s.chromeLog),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(browserCtx, 10*time.Second)
		defer cancel()
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing Chromium: %v", err)
		}
		cancelBrowser()
	})
	// The first Do starts the browser; it gets no timeout, since it binds the browser's life.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting Chromium (%s): %v\n%s", exe, err, s.chromeLog.String())
	}
	v, err := chromedp.CallBrowser(browserCtx, browser.GetVersion, cdp.Empty{})
	if err == nil {
		t.Logf("browser: %s", v.Product)
	}
	s.browser = browserCtx
	return s
}

// startDemo runs `baoxue demo` (the same wiring a newcomer gets: generated county, imports, demo
// accounts, web server) on a random loopback port and returns its address and database file. The
// server stops when t ends.
func startDemo(t *testing.T, log *lockedBuffer) (base, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "demo.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"demo", "--db", db, "--rows", demoRows,
			"--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, log)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo server after shutdown: %v", err)
		}
		// Uploads and error reports (full ID numbers) go with the server; so do the temporary
		// files of exports.
		if left := leftovers(t); len(left) > 0 {
			t.Errorf("after the demo server stopped, %s still holds %q", os.TempDir(), left)
		}
		if t.Failed() {
			t.Logf("demo server log:\n%s", log.String())
		}
	})
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if u := urlRE.FindString(log.String()); u != "" {
			return strings.TrimSuffix(u, "/"), db
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("demo stopped before serving: %v\n%s", err, log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("demo did not start serving within 2 minutes:\n%s", log.String())
	return "", ""
}

// serverWorkDir is the name of the directory a server keeps uploads and error reports in, under
// os.TempDir() (internal/server imports.go).
var serverWorkDir = regexp.MustCompile(`^baoxue-\d+-\d+$`)

// leftovers lists what the server may leave in os.TempDir(): its working directory, and the
// temporary files of spreadsheets (excelize-*).
func leftovers(t *testing.T) []string {
	t.Helper()
	es, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if serverWorkDir.MatchString(e.Name()) || strings.HasPrefix(e.Name(), "excelize-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// tab is one browser tab in its own browser context (own cookies), for one subtest.
type tab struct {
	t   *testing.T
	s   *suite
	ctx context.Context
	n   int // the suite's tab number

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newTab opens a tab for t. When t fails, a full-page screenshot and the HTML of the page it
// was on are saved; uncaught script errors and Content-Security-Policy violations fail t.
func (s *suite) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	s.tabs++
	b := &tab{t: t, s: s, ctx: ctx, n: s.tabs}
	if err := chromedp.Do(ctx); err != nil { // opens the tab, without a timeout (it binds the tab's life)
		t.Fatalf("opening a tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		b.checkConsole()
		if t.Failed() {
			b.saveArtifacts()
		}
	})
	return b
}

// checkConsole fails the test for page errors a user would not see: an uncaught exception, or a
// script or style the Content-Security-Policy refused (a page that silently lost its charts).
func (b *tab) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		switch {
		case m.IsException(), strings.Contains(m.Text, "Content Security Policy"):
			b.t.Errorf("page console: %s (%s:%d)", m, m.URL, m.Line+1)
		case m.Type == chromedp.ConsoleError:
			b.t.Logf("page console: %s (%s)", m, m.URL)
		}
	}
}

// saveArtifacts writes a full-page screenshot and the page's HTML, named after the test.
func (b *tab) saveArtifacts() {
	dir, err := b.s.artifactDir(true)
	if err != nil {
		b.t.Logf("no artifacts: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	name := fmt.Sprintf("%s-tab%d", fileName(b.t.Name()), b.n)
	if url, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("page at failure: %s", url)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		b.writeArtifact(filepath.Join(dir, name+".png"), png)
	} else {
		b.t.Logf("screenshot: %v", err)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		b.writeArtifact(filepath.Join(dir, name+".html"), []byte(html))
	} else {
		b.t.Logf("page HTML: %v", err)
	}
}

func (b *tab) writeArtifact(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Logf("artifact: %v", err)
		return
	}
	b.t.Logf("saved %s", path)
}

// artifactDir is BAOXUE_E2E_ARTIFACTS, created if missing. Without it, failure artifacts go to
// a new temporary directory that outlives the test (keep is true), and other test output to the
// test's own temporary directory.
func (s *suite) artifactDir(keep bool) (string, error) {
	if s.artifacts != "" {
		return s.artifacts, os.MkdirAll(s.artifacts, 0o755)
	}
	if !keep {
		return "", nil
	}
	d, err := os.MkdirTemp("", "baoxue-e2e-")
	if err == nil {
		s.artifacts = d
	}
	return d, err
}

// outputDir is where a test writes files meant to be looked at (printed documents): the
// artifacts directory when one is set, else the test's temporary directory.
func (b *tab) outputDir() string {
	if d, _ := b.s.artifactDir(false); d != "" {
		return d
	}
	return b.t.TempDir()
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

func fileName(testName string) string { return unsafeName.ReplaceAllString(testName, "_") }

// step runs browser actions with a time limit and fails the test on error.
func (b *tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to a path of the server and returns the HTTP status of the page.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(b.s.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks a button or link that loads a new page, waits for it, and returns its status.
func (b *tab) submit(sel string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	return resp.Status
}

// text is the visible text of the first element the CSS selector finds (waiting for it).
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// texts is the text of every element the CSS selector finds now (none is not an error).
func (b *tab) texts(sel string) []string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.innerText.trim())`, jsString(sel)))
}

// attrs is one attribute of every element the CSS selector finds now.
func (b *tab) attrs(sel, name string) []string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.getAttribute(%s) || "")`,
		jsString(sel), jsString(name)))
}

func (b *tab) eval(js string) []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return out
}

// runBytes runs an action that returns bytes (a screenshot) with a time limit.
func runBytes(b *tab, a chromedp.Action[[]byte]) ([]byte, error) {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// present reports whether the CSS selector finds an element now, without waiting.
func (b *tab) present(sel string) bool {
	b.t.Helper()
	return len(b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%s), () => "")`, jsString(sel)))) > 0
}

// body is the visible text of the page.
func (b *tab) body() string {
	b.t.Helper()
	return b.text("body")
}

// waitVisible waits up to d for an element the CSS selector finds to be visible.
func (b *tab) waitVisible(sel string, d time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("waiting for %s: %v", sel, err)
	}
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// signIn signs in as a demo account through the sign-in form and waits for the first page.
func (b *tab) signIn(username string) {
	b.t.Helper()
	if st := b.open("/login"); st != 200 {
		b.t.Fatalf("sign-in page answered %d", st)
	}
	b.step("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=username]`), username),
		chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=password]`), cli.DemoPassword),
	)
	if st := b.submit(`form[action="/login"] button[type=submit]`); st != 200 {
		b.t.Fatalf("signing in as %s answered %d", username, st)
	}
	if !b.present("header .who") {
		b.t.Fatalf("signing in as %s did not reach a signed-in page: %s", username, b.body())
	}
}

// download sets the tab to save downloads into a new directory, runs the trigger (a click), and
// returns the downloaded file (named by Chromium's download id) and the file name the server
// suggested.
func (b *tab) download(trigger chromedp.Action[chromedp.Void]) (path, suggested string) {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, jobTimeout)
	defer cancel()
	begins := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	events := true
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
				BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
				DownloadPath:     dir,
				EventsEnabled:    &events,
			})
			return err
		}),
		trigger,
	)
	if err != nil {
		b.t.Fatalf("starting a download: %v", err)
	}
	for ev, err := range begins {
		if err != nil {
			b.t.Fatalf("no download began: %v", err)
		}
		suggested = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download did not finish: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			return filepath.Join(dir, ev.GUID), suggested
		case browser.DownloadProgressStateCanceled:
			b.t.Fatalf("download of %s was cancelled", suggested)
		}
	}
	return "", suggested
}
