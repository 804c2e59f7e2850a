package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/server"
	"github.com/baoxue/baoxue/internal/store"
)

const userUsage = `用法:
  baoxue user add     --db URL --username U --role R --scope S [--name 显示名] [--password-stdin] [--json]
  baoxue user disable --db URL U
  baoxue user enable  --db URL U
  baoxue user reset   --db URL U [--totp] [--json]
  baoxue user list    --db URL [--json]
  baoxue user token   --db URL U --name 用途 [--days 365]
角色: officer cadre school inspector viewer supervisor sysadmin secadmin auditor
管辖范围: 行政区划代码（62、6229、622921、622921100、622921100201）或 school:10位学校标识码`

// cliActor is the audit actor of changes made with the command line: whoever can run it has the
// server's files, which the audit record cannot identify further.
const cliActor = "cli"

// cmdUser runs `baoxue user …`: accounts from the command line, for the first administrator and
// for scripts. Every change is written to the audit log.
func cmdUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, userUsage)
		return usagef("user: 缺少操作（add、disable、enable、reset、list、token）")
	}
	op, args := args[0], args[1:]
	switch op {
	case "add":
		return userAdd(ctx, env, args)
	case "disable", "enable":
		return userSetDisabled(ctx, env, args, op == "disable")
	case "reset":
		return userReset(ctx, env, args)
	case "list":
		return userList(ctx, env, args)
	case "token":
		return userToken(ctx, env, args)
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, userUsage)
		return nil
	}
	fmt.Fprintln(env.Stderr, userUsage)
	return usagef("user: 未知操作 %q", op)
}

// userFlags is the flag set every user operation shares.
type userFlags struct {
	fs      *flag.FlagSet
	db      *string
	keyFile *string
}

func newUserFlags(env *Env, op string) userFlags {
	fs := newFlags(env, "user "+op)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), userUsage); fs.PrintDefaults() }
	return userFlags{fs: fs,
		db:      fs.String("db", "", "数据库: SQLite 文件路径，或 postgres://用户@主机/库名"),
		keyFile: fs.String("key-file", "", "数据密钥文件（默认取环境变量 BAOXUE_KEY，SQLite 再默认取 <数据库>.key）"),
	}
}

// parse parses flags placed before or after the positional arguments (`user disable U --db X`
// reads as well as `user disable --db X U`) and returns the positional ones.
func (f userFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(f.fs, args); err != nil {
			return nil, err
		}
		args = f.fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneName parses the flags and the single user name an operation takes.
func (f userFlags) oneName(op string, args []string) (string, error) {
	pos, err := f.parse(args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("user %s: 需要且只需要一个用户名", op)
	}
	return pos[0], nil
}

func (f userFlags) open(ctx context.Context, env *Env) (*store.DB, error) {
	return openStore(ctx, env, *f.db, *f.keyFile)
}

// findAccount loads an account by name with a message a county administrator understands.
func findAccount(ctx context.Context, db *store.DB, name string) (store.Account, error) {
	a, err := db.AccountByName(ctx, name)
	if errors.Is(err, baoxue.ErrNotFound) {
		return a, fmt.Errorf("用户 %s 不存在（baoxue user list 列出所有用户）", strings.TrimSpace(name))
	}
	return a, err
}

func logCLI(ctx context.Context, db *store.DB, action, object, detail string) error {
	return audit.NewLogger(db).Log(ctx, &baoxue.AuditRecord{Actor: cliActor, Action: action, Object: object,
		Result: "ok", Detail: detail})
}

// scopeLabel is the scope with the name of its region: "622921 临夏县".
func scopeLabel(tree *region.Tree, s auth.Scope) string {
	if s.IsSchool() || tree == nil {
		return s.String()
	}
	if r, ok := tree.Lookup(s.RegionCode()); ok {
		return s.String() + " " + r.Name
	}
	return s.String()
}

// checkScopeKnown refuses a region code that is not in the division table, a typo that would
// otherwise give an account that sees nothing.
func checkScopeKnown(tree *region.Tree, s auth.Scope) error {
	if s.IsSchool() || tree.Known(s.RegionCode()) {
		return nil
	}
	return usagef("管辖范围 %s 不是已知的行政区划代码", s)
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	f := newUserFlags(env, "add")
	username := f.fs.String("username", "", "用户名（3–32 位字母、数字、点、下划线或连字符）")
	roleText := f.fs.String("role", "", "角色")
	scopeText := f.fs.String("scope", "", "管辖范围")
	display := f.fs.String("name", "", "显示名（姓名）")
	fromStdin := f.fs.Bool("password-stdin", false, "从标准输入第一行读取初始密码（默认生成随机密码）")
	asJSON := f.fs.Bool("json", false, "在标准输出打印一行 JSON 结果")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("user add: 多余的参数 %q", pos[0])
	}
	name, err := auth.NormalizeUsername(*username)
	if err != nil {
		return usagef("--username: %v", strings.TrimPrefix(err.Error(), baoxue.ErrInvalid.Error()+": "))
	}
	role, err := auth.ParseRole(*roleText)
	if err != nil {
		return usagef("--role: 未知角色 %q（可选: officer cadre school inspector viewer supervisor sysadmin secadmin auditor）", *roleText)
	}
	scope, err := auth.ParseScope(*scopeText)
	if err != nil {
		return usagef("--scope: %s", strings.TrimPrefix(err.Error(), baoxue.ErrInvalid.Error()+": "))
	}
	if err := auth.CheckAssignment(role, scope); err != nil {
		return usagef("%s", strings.TrimPrefix(err.Error(), baoxue.ErrInvalid.Error()+": "))
	}
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划: %w", err)
	}
	if err := checkScopeKnown(tree, scope); err != nil {
		return err
	}
	password, generated := "", !*fromStdin
	if *fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return usagef("--password-stdin: 标准输入没有密码")
		}
		password = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPasswordPolicy(name, password); err != nil {
			return usagef("密码不符合要求：%v", err)
		}
	} else if password, err = server.InitialPassword(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a := &store.Account{User: auth.User{Username: name, DisplayName: strings.TrimSpace(*display), Role: role,
		Scope: scope, PasswordHash: hash, MustChangePassword: true}}
	if err := db.CreateUser(ctx, a); err != nil {
		return err
	}
	if err := logCLI(ctx, db, "user_create", "user:"+a.Username, fmt.Sprintf("role=%s scope=%s", role, scope)); err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"username": a.Username, "id": a.ID, "role": role, "scope": scope.String(),
			"must_change_password": true}
		if generated {
			out["initial_password"] = password
		}
		return printJSON(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "已创建用户 %s（%s，管辖范围 %s）\n", a.Username, role.Label(), scopeLabel(tree, scope))
	if generated {
		fmt.Fprintf(env.Stdout, "初始密码：%s\n此密码只显示这一次，请当面或以安全方式交给本人。\n", password)
	}
	fmt.Fprintln(env.Stdout, "首次登录时须修改密码。")
	if a.NeedsTOTP() {
		fmt.Fprintln(env.Stdout, "该账号须使用动态口令（TOTP）：首次登录时按页面提示在手机验证器中绑定。")
	}
	return nil
}

func userSetDisabled(ctx context.Context, env *Env, args []string, disable bool) error {
	op := map[bool]string{true: "disable", false: "enable"}[disable]
	f := newUserFlags(env, op)
	name, err := f.oneName(op, args)
	if err != nil {
		return err
	}
	db, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := findAccount(ctx, db, name)
	if err != nil {
		return err
	}
	if err := db.SetDisabled(ctx, a.ID, disable, time.Now()); err != nil {
		return err
	}
	if err := logCLI(ctx, db, "user_"+op, "user:"+a.Username, ""); err != nil {
		return err
	}
	if disable {
		fmt.Fprintf(env.Stdout, "已停用用户 %s，其所有登录会话已失效。\n", a.Username)
	} else {
		fmt.Fprintf(env.Stdout, "已启用用户 %s。\n", a.Username)
	}
	return nil
}

func userReset(ctx context.Context, env *Env, args []string) error {
	f := newUserFlags(env, "reset")
	clearTOTP := f.fs.Bool("totp", false, "同时解除动态口令绑定（手机丢失时），下次登录重新绑定")
	asJSON := f.fs.Bool("json", false, "在标准输出打印一行 JSON 结果")
	name, err := f.oneName("reset", args)
	if err != nil {
		return err
	}
	db, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := findAccount(ctx, db, name)
	if err != nil {
		return err
	}
	password, err := server.InitialPassword()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	now := time.Now()
	if err := db.SetPassword(ctx, a.ID, hash, true, now); err != nil {
		return err
	}
	if err := db.ClearLoginFailures(ctx, a.Username); err != nil {
		return err
	}
	detail := "password"
	if *clearTOTP {
		if err := db.ClearTOTP(ctx, a.ID, now); err != nil {
			return err
		}
		detail = "password,totp"
	}
	if err := logCLI(ctx, db, "user_reset", "user:"+a.Username, detail); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, map[string]any{"username": a.Username, "initial_password": password,
			"must_change_password": true, "totp_cleared": *clearTOTP})
	}
	fmt.Fprintf(env.Stdout, "已重置用户 %s 的密码，其所有登录会话已失效，登录锁定已解除。\n新的初始密码：%s\n首次登录时须修改密码。\n",
		a.Username, password)
	if *clearTOTP {
		fmt.Fprintln(env.Stdout, "已解除动态口令绑定，下次登录时重新绑定。")
	}
	return nil
}

// userJSON is one account in `user list --json`: no hash, no secret.
type userJSON struct {
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Role               auth.Role `json:"role"`
	Scope              string    `json:"scope"`
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password"`
	TOTPEnrolled       bool      `json:"totp_enrolled"`
	Demo               bool      `json:"demo,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
}

func userList(ctx context.Context, env *Env, args []string) error {
	f := newUserFlags(env, "list")
	asJSON := f.fs.Bool("json", false, "在标准输出打印一行 JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("user list: 多余的参数 %q", pos[0])
	}
	db, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Accounts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]userJSON, 0, len(list))
		for _, a := range list {
			out = append(out, userJSON{a.Username, a.DisplayName, a.Role, a.Scope.String(), a.Disabled,
				a.MustChangePassword, a.TOTPConfirmed, a.Demo, a.CreatedAt})
		}
		return printJSON(env.Stdout, map[string]any{"users": out})
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "还没有用户。创建第一个系统管理员: baoxue user add --db … --username admin --role sysadmin --scope 622921")
		return nil
	}
	tree, _ := region.Load()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "用户名\t姓名\t角色\t管辖范围\t状态\t创建时间")
	for _, a := range list {
		var state []string
		if a.Disabled {
			state = append(state, "已停用")
		}
		if a.MustChangePassword {
			state = append(state, "待改密")
		}
		if a.TOTPConfirmed {
			state = append(state, "已绑定动态口令")
		}
		if a.Demo {
			state = append(state, "演示账号")
		}
		if len(state) == 0 {
			state = append(state, "正常")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Username, a.DisplayName, a.Role.Label(), scopeLabel(tree, a.Scope),
			strings.Join(state, "、"), a.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func userToken(ctx context.Context, env *Env, args []string) error {
	f := newUserFlags(env, "token")
	purpose := f.fs.String("name", "", "令牌用途（如“月报脚本”）")
	days := f.fs.Int("days", 365, "有效天数（1–366）")
	name, err := f.oneName("token", args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*purpose) == "" {
		return usagef("user token: 缺少 --name（令牌用途）")
	}
	if *days < 1 || *days > 366 {
		return usagef("user token: --days 应在 1 到 366 之间")
	}
	db, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := findAccount(ctx, db, name)
	if err != nil {
		return err
	}
	switch {
	case a.Disabled:
		return fmt.Errorf("用户 %s 已停用，不能创建 API 令牌", a.Username)
	case a.Role.Power() != auth.PowerNone:
		// A token skips the second factor; the three powers must always sign in with it.
		return fmt.Errorf("%s账号不能使用 API 令牌（须以动态口令登录网页）", a.Role.Label())
	}
	token, rec, err := auth.NewAPIToken(a.ID, strings.TrimSpace(*purpose), time.Now(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		return err
	}
	if err := db.CreateAPIToken(ctx, &rec); err != nil {
		return err
	}
	if err := logCLI(ctx, db, "token_create", "user:"+a.Username, fmt.Sprintf("token=%d name=%s expires=%s",
		rec.ID, rec.Name, rec.ExpiresAt.Format("2006-01-02"))); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "已为 %s 创建 API 令牌“%s”，有效期至 %s。令牌只显示这一次，请妥善保存：\n",
		a.Username, rec.Name, rec.ExpiresAt.Local().Format("2006-01-02"))
	fmt.Fprintln(env.Stdout, token)
	return nil
}

// hintFirstUser tells whoever starts `baoxue serve` on a database without accounts how to create
// the first administrator: nobody can sign in until they do.
func hintFirstUser(ctx context.Context, env *Env, db *store.DB) error {
	list, err := db.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stderr, "提示：数据库中还没有用户，无法登录。请先创建系统管理员：\n"+
			"  baoxue user add --db <数据库> --username admin --role sysadmin --scope <本县6位区划代码> --name 姓名")
	}
	return nil
}
