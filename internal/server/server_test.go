package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/region"
)

type fakeStore struct {
	pingErr  error
	datasets []baoxue.Dataset
}

func (f *fakeStore) Ping(context.Context) error { return f.pingErr }
func (f *fakeStore) Datasets(context.Context) ([]baoxue.Dataset, error) {
	return f.datasets, nil
}

var loadTree = sync.OnceValues(region.Load)

func newTestServer(t *testing.T, st Store) *httptest.Server {
	t.Helper()
	return newEnv(t, st).ts
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestHealthz(t *testing.T) {
	st := &fakeStore{}
	ts := newTestServer(t, st)
	resp, body := get(t, ts.URL+"/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz = %d %q", resp.StatusCode, body)
	}
	st.pingErr = errors.New("down")
	if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with a dead database = %d", resp.StatusCode)
	}
}

func TestCountyPage(t *testing.T) {
	st := &fakeStore{datasets: []baoxue.Dataset{
		{ID: 1, Kind: baoxue.KindRegistry, FileName: "registry.csv", RowsRead: 1200, Accepted: 1190, Rejected: 10, ImportedAt: time.Now()},
		{ID: 2, Kind: baoxue.KindSchools, FileName: "schools.csv", RowsRead: 40, Accepted: 40, ImportedAt: time.Now()},
	}}
	e := newEnv(t, st)
	ts := e.ts
	officer := e.addUser("county", auth.RoleOfficer, "622921")
	r := e.get(e.signedIn(officer), "/county")
	resp, body := r.resp, r.body
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"临夏县", "甘肃省 / 临夏回族自治州 / 临夏县", "韩集镇", "registry.csv", "1190", "户籍", "乡镇（25 个）"} {
		if !strings.Contains(body, want) {
			t.Errorf("county page lacks %q", want)
		}
	}
	h := resp.Header
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
		t.Errorf("security headers missing: %v", h)
	}
	if resp, _ := get(t, ts.URL+"/no-such-page"); resp.StatusCode != 404 {
		t.Errorf("unknown path = %d", resp.StatusCode)
	}
	if resp, body := get(t, ts.URL+"/static/style.css"); resp.StatusCode != 200 || !strings.Contains(body, "--blue") {
		t.Errorf("stylesheet = %d", resp.StatusCode)
	}
}
