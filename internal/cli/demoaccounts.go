package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// DemoPassword signs in every demo account. It is printed when the demo starts: the demo database
// holds synthetic data only.
const DemoPassword = "Linxia-demo-2025"

// demoAccount is one account `baoxue demo` creates; scope "" is filled from the imported data
// (the first village of the first township, the first school).
type demoAccount struct {
	username, name string
	role           auth.Role
	scope          string
	note           string
}

// demoAccounts has one account per role in the generated county (临夏县 622921), a province
// officer, and an officer of the neighbouring 康乐县 (622922) to show that a county sees only
// its own children.
func demoAccounts() []demoAccount {
	return []demoAccount{
		{"county", "县教育局 控辍保学办", auth.RoleOfficer, "622921", "临夏县：导入、比对、案件"},
		{"township", "韩集镇 专干", auth.RoleOfficer, "622921100", "乡镇：核查、走访"},
		{"cadre", "包村干部", auth.RoleCadre, "village", "本村任务"},
		{"school", "学校管理员", auth.RoleSchool, "school", "本校学生"},
		{"inspector", "督查组", auth.RoleInspector, "622921", "抽查复验"},
		{"viewer", "只读用户", auth.RoleViewer, "622921", "只读"},
		{"supervisor", "社会监督员", auth.RoleSupervisor, "622921", "提交线索"},
		{"province", "省教育厅", auth.RoleOfficer, "62", "全省看板（正式环境须动态口令）"},
		{"kangle", "康乐县 教育局", auth.RoleOfficer, "622922", "另一个县：看不到临夏县的学生"},
		{"sysadmin", "系统管理员", auth.RoleSysadmin, "622921", "用户管理（看不到业务数据）"},
		{"secadmin", "安全管理员", auth.RoleSecadmin, "622921", "安全策略"},
		{"auditor", "审计管理员", auth.RoleAuditor, "622921", "审计日志"},
	}
}

// ensureDemoAccounts creates the demo accounts that do not exist yet, marked as demo accounts
// (store.Account.Demo: no second factor, no forced password change), and prints them with the
// demo password.
func ensureDemoAccounts(ctx context.Context, env *Env, db *store.DB) error {
	village, school, err := demoPlaces(ctx, db)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stderr, 0, 4, 2, ' ', 0)
	fmt.Fprintf(env.Stderr, "演示账号（仅供演示，密码均为 %s）：\n", DemoPassword)
	for _, d := range demoAccounts() {
		scope := d.scope
		switch scope {
		case "village":
			scope = village
		case "school":
			scope = auth.SchoolScopePrefix + school
		}
		sc, err := auth.ParseScope(scope)
		if err != nil {
			return fmt.Errorf("演示账号 %s: %w", d.username, err)
		}
		a := &store.Account{User: auth.User{Username: d.username, DisplayName: d.name, Role: d.role, Scope: sc,
			PasswordHash: hash}, Demo: true}
		err = db.CreateUser(ctx, a)
		switch {
		case errors.Is(err, baoxue.ErrExists):
		case err != nil:
			return fmt.Errorf("创建演示账号 %s: %w", d.username, err)
		default:
			if err := logCLI(ctx, db, "user_create", "user:"+a.Username, fmt.Sprintf("role=%s scope=%s demo", d.role, sc)); err != nil {
				return err
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.username, d.role.Label(), sc, d.note)
	}
	return tw.Flush()
}

// demoPlaces picks the cadre's village and the school account's school from the imported data.
func demoPlaces(ctx context.Context, db *store.DB) (village, school string, err error) {
	villages, err := db.Villages(ctx)
	if err != nil {
		return "", "", err
	}
	for _, v := range villages {
		if strings.HasPrefix(v.Code, "622921100") && (village == "" || v.Code < village) {
			village = v.Code
		}
	}
	schools, err := db.Schools(ctx)
	if err != nil {
		return "", "", err
	}
	for _, s := range schools {
		if strings.HasPrefix(s.RegionCode, "622921") && (school == "" || s.Code < school) {
			school = s.Code
		}
	}
	if village == "" || school == "" {
		return "", "", errors.New("演示数据中没有韩集镇的村或临夏县的学校，无法创建演示账号（加 --fresh 重新生成）")
	}
	return village, school, nil
}
