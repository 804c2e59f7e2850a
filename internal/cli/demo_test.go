package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer lets the test read what a command running in another goroutine writes.
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

// TestDemoServes runs `baoxue demo` as a newcomer would (small county, random port) and checks
// that /healthz answers 200 and the county page shows what was loaded.
func TestDemoServes(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"demo", "--db", filepath.Join(dir, "demo.db"), "--rows", "8000", "--addr", "127.0.0.1:0"},
			func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
	}()
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("demo stopped early: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		base = urlRE.FindString(stderr.String())
	}
	if base == "" {
		t.Fatalf("demo did not start serving:\n%s", stderr.String())
	}
	// Sign in as the demo county officer (the pages need a session); the demo opens on "/".
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, err := client.PostForm(base+"login", url.Values{"username": {"county"}, "password": {DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.Request.URL.Path != "/" || !strings.Contains(stderr.String(), "仅供演示") {
		t.Errorf("demo sign-in ended at %s; demo accounts printed: %v", login.Request.URL, strings.Contains(stderr.String(), "仅供演示"))
	}
	for path, want := range map[string]string{"healthz": "ok", "": "临夏县", "county": "临夏县"} {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET /%s = %d, body lacks %q", path, resp.StatusCode, want)
		}
		if path == "county" { // the county overview; "/" is the dashboard
			for _, s := range []string{"registry.csv", "enrollment.csv", "韩集镇"} {
				if !strings.Contains(string(body), s) {
					t.Errorf("county page lacks %q", s)
				}
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo after shutdown: %v", err)
	}

	// A second start reuses the database instead of generating again.
	var out lockedBuffer
	if err := Run(context.Background(), []string{"demo", "--db", filepath.Join(dir, "demo.db"), "--no-serve"},
		func(string) string { return "" }, strings.NewReader(""), io.Discard, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "使用已有的演示数据库") {
		t.Errorf("second demo run did not reuse the database: %s", out.String())
	}
}
