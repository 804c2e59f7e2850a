package server

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// entries lists a directory's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// Uploads and error reports live in the server's own 0700 directory: the uploaded file is gone
// when its import ends, the report when its retention has passed, and everything when the server
// shuts down; a directory a crashed server left behind is swept once it is old.
func TestWorkFiles(t *testing.T) {
	parent := t.TempDir()
	// What a crashed server left two days ago, and a live neighbour's directory.
	stale, live := filepath.Join(parent, "baoxue-999999-1"), filepath.Join(parent, "baoxue-999998-2")
	for _, d := range []string{stale, live} {
		if err := os.MkdirAll(filepath.Join(d, "job"), 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "job", "old.errors.xlsx"), []byte("PK"), 0o600)
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(stale, old, old)

	db := testDB(t)
	e := newEnvOn(t, dbStore{db}, db, &testClock{now: testNow()}, func(c *Config) { c.WorkDir = parent })
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ctx, "127.0.0.1:0", func(net.Addr) {}) }()

	county := e.addUser("county", auth.RoleOfficer, "622921")
	b := &bizEnv{testEnv: e, users: map[string]*store.Account{"county": county}}
	csv := filepath.Join(t.TempDir(), "户籍.csv")
	upload := func(row string) jobView {
		t.Helper()
		os.WriteFile(csv, []byte("姓名,公民身份号码,性别,出生日期,行政区划代码\n"+row+"\n"), 0o600)
		if r := b.upload(e.signedIn(county), "registry", csv); r.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		job := b.waitJob("import")
		if !job.HasReport {
			t.Fatalf("no error report: %+v", job)
		}
		return job
	}
	job := upload("张三,6.22921201403051E+17,男,2014-03-05,622921100201")

	// The stale directory is swept, the live one kept; ours is new, private, and holds the
	// report only.
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a crashed server's directory from two days ago is still there: %v", err)
	}
	var ours string
	for _, n := range entries(t, parent) {
		if n != filepath.Base(live) {
			ours = filepath.Join(parent, n)
		}
	}
	if !strings.HasPrefix(filepath.Base(ours), workDirPrefix()) {
		t.Fatalf("working directory %q, want %s…", ours, workDirPrefix())
	}
	for _, d := range []string{ours, filepath.Join(ours, job.ID)} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want mode 0700", d, fi.Mode(), err)
		}
	}
	files := entries(t, filepath.Join(ours, job.ID))
	if len(files) != 1 || files[0] != "户籍.csv.errors.xlsx" {
		t.Errorf("job directory holds %q, want the error report only (the upload deleted)", files)
	}

	// The report is kept for 24 hours, then deleted.
	e.clock.Advance(23 * time.Hour)
	rp := "/imports/jobs/" + job.ID + "/report.xlsx"
	if r := e.get(e.signedIn(county), rp); r.status != 200 {
		t.Fatalf("report after 23 hours: %d", r.status)
	}
	e.clock.Advance(2 * time.Hour)
	c := e.signedIn(county)
	if r := e.get(c, rp); r.status != 404 {
		t.Errorf("report after 25 hours: %d", r.status)
	}
	if _, err := os.Stat(filepath.Join(ours, job.ID)); !os.IsNotExist(err) {
		t.Errorf("expired job directory still there: %v", err)
	}
	if r := e.get(c, "/imports"); !strings.Contains(r.body, "错误报告已超过保留期限") || strings.Contains(r.body, rp) {
		t.Error("the imports page does not say the report expired")
	}

	// A fresh report, then a graceful shutdown: nothing of ours is left.
	upload("李四,6.22921201502061E+17,女,2015-02-06,622921100201")
	if n := len(entries(t, ours)); n != 1 {
		t.Fatalf("working directory holds %d jobs, want 1", n)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if got := entries(t, parent); len(got) != 1 || got[0] != filepath.Base(live) {
		t.Errorf("after shutdown the parent holds %q, want only the live neighbour's directory", got)
	}
}
