package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/server"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

func TestLoadRefusesOtherHosts(t *testing.T) {
	for _, addr := range []string{"http://10.1.2.3:8080", "https://example.org", "http://192.168.1.1", "ftp://127.0.0.1", "http://127.0.0.1.example.org:80"} {
		var out, errb bytes.Buffer
		err := Run(context.Background(), []string{"load", "--addr", addr, "--duration", "1s"}, func(string) string { return "" }, nil, &out, &errb)
		if ExitCode(err) != 2 {
			t.Errorf("load --addr %s: exit %d (%v), want 2", addr, ExitCode(err), err)
		}
	}
	for _, args := range [][]string{{"--users", "0"}, {"--users", "501"}, {"--duration", "11m"}, {"--duration", "0s"}, {"--max-requests", "0"}} {
		err := Run(context.Background(), append([]string{"load", "--addr", "127.0.0.1:1"}, args...), func(string) string { return "" }, nil, &bytes.Buffer{}, &bytes.Buffer{})
		if ExitCode(err) != 2 {
			t.Errorf("load %v: exit %d (%v), want 2", args, ExitCode(err), err)
		}
	}
}

func TestLoadAgainstServer(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenURL(t, t.TempDir()+"/load.db")
	hash, err := auth.HashPasswordParams(DemoPassword, auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := auth.ParseScope("622921")
	if err := db.CreateUser(ctx, &store.Account{User: auth.User{Username: "county", Role: auth.RoleOfficer, Scope: sc, PasswordHash: hash}, Demo: true}); err != nil {
		t.Fatal(err)
	}
	// A small run, so that the dashboard has charts and the ledger has pages and children.
	id, err := db.SaveRun(ctx, &store.Run{AsOf: 20260901}, func(w *store.LedgerWriter) error {
		for i := range 120 {
			e := baoxue.LedgerEntry{SourceRow: i + 2, Name: "马小龙", RegionCode: "622921100201", Status: baoxue.StatusSuspected,
				Detail: "未找到学籍", MatchMethod: baoxue.MatchNone}
			if err := w.Entry(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.SummarizeRun(ctx, id)
	}
	if err != nil {
		t.Fatal(err)
	}
	tree, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: storeAdapter{db}, Accounts: db, Tree: tree})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var out, errb bytes.Buffer
	err = Run(ctx, []string{"load", "--addr", ts.URL, "--users", "3", "--duration", "1s", "--max-requests", "300", "--json"},
		func(string) string { return "" }, nil, &out, &errb)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, errb.String())
	}
	var sum loadSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	if sum.Requests == 0 || sum.Requests > 300 || sum.Users != 3 {
		t.Fatalf("summary %+v", sum)
	}
	for _, p := range sum.Pages {
		if p.Requests == 0 || p.Errors != 0 || p.P50ms <= 0 || p.P95ms < p.P50ms || p.P99ms < p.P95ms {
			t.Errorf("page %+v", p)
		}
	}
	// A wrong password stops before any load.
	err = Run(ctx, []string{"load", "--addr", ts.URL, "--users", "1", "--duration", "1s", "--password", "wrong"},
		func(string) string { return "" }, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "登录失败") {
		t.Fatalf("wrong password: %v", err)
	}
}
