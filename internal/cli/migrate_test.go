package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

// runCmd runs baoxue with args and the given environment, returning stdout, stderr and the exit code.
func runCmd(t *testing.T, environ map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, func(k string) string { return environ[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), ExitCode(err)
}

func TestMigrateSQLite(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "county.db")
	out, errs, code := runCmd(t, nil, "migrate", "--db", dbPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := regexp.MustCompile(`第 (\d+) 版`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" || !strings.Contains(out, dbPath+".key") {
		t.Fatalf("output %q", out)
	}
	fi, err := os.Stat(dbPath + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	// Idempotent, with a JSON summary.
	out, errs, code = runCmd(t, nil, "migrate", "--db", "sqlite:"+dbPath, "--json")
	var sum map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || fmt.Sprint(sum["schema_version"]) != m[1] || sum["dialect"] != "sqlite" {
		t.Fatalf("second migrate: exit %d, %q, %s", code, out, errs)
	}
	// Another key for the same database is refused, naming where it came from.
	other, _ := pii.GenerateKey()
	_, errs, code = runCmd(t, map[string]string{EnvKey: hex.EncodeToString(other)}, "migrate", "--db", dbPath)
	if code != 1 || !strings.Contains(errs, "密钥与数据库不匹配") || !strings.Contains(errs, EnvKey) {
		t.Fatalf("wrong key: exit %d, %s", code, errs)
	}
	// An explicit key file wins over the default one.
	kf := filepath.Join(dir, "other", "key")
	_, errs, code = runCmd(t, nil, "migrate", "--db", filepath.Join(dir, "b.db"), "--key-file", kf)
	if code != 0 {
		t.Fatalf("--key-file: exit %d %s", code, errs)
	}
	if _, err := os.Stat(kf); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.db.key")); !os.IsNotExist(err) {
		t.Fatalf("default key file created despite --key-file: %v", err)
	}
}

func TestMigrateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"migrate", "--db"},
		{"migrate", "--db", "x.db", "extra"},
		{"migrate", "--db", "postgres://postgres@127.0.0.1:1/none"}, // PostgreSQL without a key
		{"audit"},
		{"audit", "check"},
		{"audit", "verify"},
	} {
		_, errs, code := runCmd(t, nil, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
	_, errs, code := runCmd(t, map[string]string{EnvKey: "not a key"}, "migrate", "--db", filepath.Join(t.TempDir(), "x.db"))
	if code != 1 || !strings.Contains(errs, EnvKey) {
		t.Errorf("bad BAOXUE_KEY: exit %d %s", code, errs)
	}
}

func TestAuditVerify(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "county.db")
	if _, errs, code := runCmd(t, nil, "migrate", "--db", dbPath); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := runCmd(t, nil, "audit", "verify", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "审计日志完整：共 0 条记录") {
		t.Fatalf("empty log: exit %d %q %s", code, out, errs)
	}
	// Write records the way the application does.
	ctx := context.Background()
	db, err := openStore(ctx, &Env{Getenv: func(string) string { return "" }}, dbPath, "")
	if err != nil {
		t.Fatal(err)
	}
	l := audit.NewLogger(db)
	for _, action := range []string{"login", "import", "export", "unmask", "logout"} {
		if err := l.Log(ctx, &baoxue.AuditRecord{Actor: "zhang", Role: "officer", Scope: "622921", Action: action, Result: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code = runCmd(t, nil, "audit", "verify", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "审计日志完整：共 5 条记录") {
		t.Fatalf("intact log: exit %d %q", code, out)
	}
	// The database refuses a plain edit.
	if _, err := db.SQL().Exec(`UPDATE audit_log SET result = 'denied' WHERE seq = 4`); err == nil {
		t.Fatal("UPDATE on audit_log accepted")
	}
	// Edit a record behind the application's back, as an administrator with the sqlite3 shell could.
	if _, err := db.SQL().Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`UPDATE audit_log SET actor = 'li' WHERE seq = 4`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, errs, code = runCmd(t, nil, "audit", "verify", "--db", dbPath)
	if code != 1 || !strings.Contains(errs, "审计日志第 4 条记录被修改") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("tampered log: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, _, code = runCmd(t, nil, "audit", "verify", "--db", dbPath, "--json")
	var res map[string]any
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil || res["ok"] != false || res["first_bad_seq"] != float64(4) || res["problem"] != "modified" {
		t.Fatalf("tampered log JSON: exit %d %q", code, out)
	}
}

// audit verify needs no data key: it works for an auditor who has only the database.
func TestAuditVerifyWithoutKey(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "county.db")
	if _, errs, code := runCmd(t, nil, "migrate", "--db", dbPath); code != 0 {
		t.Fatal(errs)
	}
	if err := os.Remove(dbPath + ".key"); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, nil, "audit", "verify", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "共 0 条记录") {
		t.Fatalf("exit %d %q %s", code, out, errs)
	}
	if _, err := os.Stat(dbPath + ".key"); !os.IsNotExist(err) {
		t.Fatal("audit verify created a key file")
	}
}

func TestMigrateAndVerifyPostgres(t *testing.T) {
	base := storetest.PostgresURL(t)
	if base == "" {
		t.Skip(storetest.EnvPostgres + " not set")
	}
	u := storetest.NewSchema(t, base)
	keyFile := filepath.Join(t.TempDir(), "key")
	out, errs, code := runCmd(t, nil, "migrate", "--db", u, "--key-file", keyFile, "--json")
	if code != 0 || !strings.Contains(out, `"dialect":"postgres"`) {
		t.Fatalf("migrate: exit %d %q %s", code, out, errs)
	}
	out, errs, code = runCmd(t, nil, "audit", "verify", "--db", u)
	if code != 0 || !strings.Contains(out, "共 0 条记录") {
		t.Fatalf("verify: exit %d %q %s", code, out, errs)
	}
}
