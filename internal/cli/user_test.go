package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// runIn runs baoxue with stdin, returning stdout, stderr and the exit code.
func runIn(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), ExitCode(err)
}

var initialRE = regexp.MustCompile(`(?:初始密码|新的初始密码)：(\S+)`)

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "county.db")
	out, errs, code := runIn(t, "", "user", "add", "--db", db, "--username", "Admin", "--role", "sysadmin", "--scope", "622921", "--name", "王管理")
	if code != 0 {
		t.Fatalf("add: exit %d: %s", code, errs)
	}
	m := initialRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "622921 临夏县") || !strings.Contains(out, "动态口令") || !strings.Contains(out, "须修改密码") {
		t.Fatalf("add output: %s", out)
	}
	initial := m[1]
	if err := auth.CheckPasswordPolicy("admin", initial); err != nil {
		t.Errorf("generated password fails the policy: %v", err)
	}

	// Usage errors exit 2, failures 1, each with one line of Chinese.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user"}, 2, "缺少操作"},
		{[]string{"user", "frobnicate"}, 2, "未知操作"},
		{[]string{"user", "add", "--username", "zhang", "--role", "viewer", "--scope", "622921"}, 2, "缺少 --db"},
		{[]string{"user", "add", "--db", db, "--username", "zhang", "--role", "chief", "--scope", "622921"}, 2, "未知角色"},
		{[]string{"user", "add", "--db", db, "--username", "zhang", "--role", "viewer", "--scope", "62292"}, 2, "行政区划代码"},
		{[]string{"user", "add", "--db", db, "--username", "zhang", "--role", "viewer", "--scope", "622999"}, 2, "不是已知"},
		{[]string{"user", "add", "--db", db, "--username", "zhang", "--role", "school", "--scope", "622921"}, 2, "学校"},
		{[]string{"user", "add", "--db", db, "--username", "z", "--role", "viewer", "--scope", "622921"}, 2, "用户名"},
		{[]string{"user", "add", "--db", db, "--username", "ADMIN", "--role", "viewer", "--scope", "622921"}, 1, "已存在"},
		{[]string{"user", "disable", "--db", db}, 2, "一个用户名"},
		{[]string{"user", "disable", "--db", db, "nobody"}, 1, "不存在"},
		{[]string{"user", "token", "--db", db, "admin"}, 2, "--name"},
		{[]string{"user", "token", "--db", db, "admin", "--name", "脚本"}, 1, "不能使用 API 令牌"},
	} {
		_, errs, code := runIn(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 && tc.code == 1 {
			t.Errorf("%v: exit %d, stderr %q (want %d, %q)", tc.args[1:], code, errs, tc.code, tc.want)
		}
	}

	// A chosen password from stdin must pass the policy.
	if _, errs, code := runIn(t, "12345678901\n", "user", "add", "--db", db, "--username", "zhang", "--role", "officer",
		"--scope", "622921100", "--password-stdin"); code != 2 || !strings.Contains(errs, "不能全部是数字") {
		t.Fatalf("weak stdin password: exit %d %s", code, errs)
	}
	out, errs, code = runIn(t, "Hanji-town-2025\n", "user", "add", "--db", db, "--username", "zhang", "--role", "officer",
		"--scope", "622921100", "--password-stdin", "--json")
	var added map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil || added["username"] != "zhang" || added["initial_password"] != nil {
		t.Fatalf("stdin add: exit %d %q %s", code, out, errs)
	}
	out, _, _ = runIn(t, "", "user", "add", "--db", db, "--username", "school1", "--role", "school", "--scope", "school:2162292101", "--json")
	if json.Unmarshal([]byte(out), &added) != nil || added["initial_password"] == "" {
		t.Fatalf("json add: %q", out)
	}

	// Disable and enable, flags after the name.
	if _, errs, code := runIn(t, "", "user", "disable", "zhang", "--db", db); code != 0 {
		t.Fatalf("disable: %d %s", code, errs)
	}
	out, _, _ = runIn(t, "", "user", "list", "--db", db, "--json")
	var list struct{ Users []map[string]any }
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Users) != 3 {
		t.Fatalf("list --json: %q %v", out, err)
	}
	for _, u := range list.Users {
		for k := range u {
			if strings.Contains(k, "hash") || strings.Contains(k, "secret") || strings.Contains(k, "password") && k != "must_change_password" {
				t.Errorf("list shows %s", k)
			}
		}
		if u["username"] == "zhang" && u["disabled"] != true {
			t.Error("zhang not disabled")
		}
	}
	if strings.Contains(out, initial) {
		t.Error("list shows a password")
	}
	out, _, _ = runIn(t, "", "user", "list", "--db", db)
	if !strings.Contains(out, "已停用") || !strings.Contains(out, "王管理") || !strings.Contains(out, "系统管理员") {
		t.Errorf("list: %s", out)
	}
	if _, errs, code := runIn(t, "", "user", "enable", "--db", db, "zhang"); code != 0 {
		t.Fatalf("enable: %d %s", code, errs)
	}

	// Reset: a new password that works and must be changed; the TOTP binding cleared.
	ctx := context.Background()
	env := &Env{Getenv: func(string) string { return "" }}
	st, err := openStore(ctx, env, db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	admin, err := st.AccountByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := auth.VerifyPassword(admin.PasswordHash, initial); !ok || !admin.MustChangePassword || admin.DisplayName != "王管理" {
		t.Fatalf("stored admin: %+v", admin)
	}
	if err := st.StartTOTPEnrolment(ctx, admin.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", admin.CreatedAt); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runIn(t, "", "user", "reset", "--db", db, "admin", "--totp")
	m = initialRE.FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] == initial {
		t.Fatalf("reset: exit %d %q %s", code, out, errs)
	}
	admin, _ = st.AccountByName(ctx, "admin")
	if ok, _, _ := auth.VerifyPassword(admin.PasswordHash, m[1]); !ok || !admin.MustChangePassword || admin.TOTPSecret != "" {
		t.Fatalf("after reset: must change %v, TOTP %q", admin.MustChangePassword, admin.TOTPSecret)
	}

	// An API token, printed once on stdout; only its hash is stored.
	out, errs, code = runIn(t, "", "user", "token", "--db", db, "zhang", "--name", "月报脚本", "--days", "30")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, auth.APITokenPrefix) || !strings.Contains(errs, "只显示这一次") {
		t.Fatalf("token: exit %d %q %s", code, out, errs)
	}
	hash, err := auth.ParseAPIToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.APITokenByHash(ctx, hash)
	if err != nil || rec.Name != "月报脚本" || rec.ExpiresAt.Sub(rec.CreatedAt).Hours() != 30*24 {
		t.Fatalf("stored token %+v %v", rec, err)
	}

	// Every change is in the audit log as the command line's.
	var actions []string
	st.AuditRecords(ctx, 1, func(r *baoxue.AuditRecord) error {
		if r.Actor != cliActor {
			t.Errorf("audit actor %q", r.Actor)
		}
		if strings.Contains(r.Detail, initial) || strings.Contains(r.Detail, tok) {
			t.Error("a secret in the audit log")
		}
		actions = append(actions, r.Action+" "+r.Object)
		return nil
	})
	want := []string{"user_create user:admin", "user_create user:zhang", "user_create user:school1", "user_disable user:zhang",
		"user_enable user:zhang", "user_reset user:admin", "token_create user:zhang"}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
}

// TestDemoAccountsScopes: one demo account per role, valid names, a password the policy accepts.
func TestDemoAccountsScopes(t *testing.T) {
	seen := map[auth.Role]bool{}
	for _, d := range demoAccounts() {
		seen[d.role] = true
		if _, err := auth.NormalizeUsername(d.username); err != nil {
			t.Errorf("%s: %v", d.username, err)
		}
	}
	for _, r := range auth.Roles() {
		if !seen[r] {
			t.Errorf("no demo account for role %s", r)
		}
	}
	if err := auth.CheckPasswordPolicy("county", DemoPassword); err != nil {
		t.Errorf("demo password: %v", err)
	}
}
