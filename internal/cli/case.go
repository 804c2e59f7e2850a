package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/notice"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
)

// cmdCase runs `baoxue case`: batch jobs of case management (issue 6).
//
//	baoxue case sync   --db URL [--run N]          open cases for a run's suspects (idempotent)
//	baoxue case daily  --db URL [--date D]         escalate overdue cases, record the 动态清零 day
//	baoxue case zero   --db URL [--region CODE]    print 动态清零 per region
//	baoxue case export --db URL --out F.xlsx [--county CODE]   the 辍学学生台账
//	baoxue case settings --db URL [name=value …]    show or change deadlines (verify_days=10, checkpoints=30,90,180)
func cmdCase(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("case: 缺少子命令（sync、daily、zero、export、settings）")
	}
	switch args[0] {
	case "sync":
		return caseSync(ctx, env, args[1:])
	case "daily":
		return caseDaily(ctx, env, args[1:])
	case "zero":
		return caseZero(ctx, env, args[1:])
	case "export":
		return caseExport(ctx, env, args[1:])
	case "settings":
		return caseSettings(ctx, env, args[1:])
	}
	return usagef("case: 未知子命令 %q（sync、daily、zero、export、settings）", args[0])
}

// caseFlags are the flags every case subcommand takes.
type caseFlags struct {
	db, keyFile, date *string
	asJSON            *bool
}

func newCaseFlags(env *Env, name, usage, about string) (*flag.FlagSet, caseFlags) {
	fs := newFlags(env, "case "+name)
	f := caseFlags{
		db:      fs.String("db", "", "数据库: SQLite 文件路径，或 postgres://用户@主机/库名"),
		keyFile: fs.String("key-file", "", "密钥文件；默认取环境变量 BAOXUE_KEY，SQLite 再默认取 <数据库>.key"),
		date:    fs.String("date", "", "按哪一天计算（YYYY-MM-DD），默认今天"),
		asJSON:  fs.Bool("json", false, "在标准输出打印一行 JSON 摘要"),
	}
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue case "+name+" "+usage)
		fmt.Fprintln(fs.Output(), about)
		fs.PrintDefaults()
	}
	return fs, f
}

// now is the moment the command acts at: --date at 08:00 local time, or the clock.
func (f caseFlags) now() (time.Time, error) {
	if *f.date == "" {
		return time.Now(), nil
	}
	d, err := baoxue.ParseISODate(*f.date)
	if err != nil {
		return time.Time{}, usagef("--date: %v", err)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, time.Local), nil
}

// systemUser is who the command acts as: the system, seeing the whole province (or a county).
func systemUser(scope string) (auth.User, error) {
	sc, err := auth.ParseScope(scope)
	if err != nil {
		return auth.User{}, err
	}
	return auth.User{Username: "system", DisplayName: "系统", Role: auth.RoleOfficer, Scope: sc}, nil
}

// provinceOf finds the province of the cases in the database (a store serves one province).
func provinceOf(ctx context.Context, db *store.DB) (string, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT DISTINCT substr(county_code, 1, 2) FROM cases WHERE county_code <> ''`)
	if err != nil {
		return "", fmt.Errorf("read provinces: %w", err)
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return "", err
		}
		all = append(all, p)
	}
	switch {
	case rows.Err() != nil:
		return "", rows.Err()
	case len(all) == 0:
		return "62", nil // no cases: any valid scope answers nothing
	case len(all) > 1:
		return "", usagef("数据库中有多个省份的案件（%s）：请用 --county 或 --region 指定", strings.Join(all, "、"))
	}
	return all[0], nil
}

func caseSync(ctx context.Context, env *Env, args []string) error {
	fs, f := newCaseFlags(env, "sync", "--db URL [--run N] [--json]", "为比对批次中的疑似失学辍学儿童建立案件；重复执行不会重复建档。")
	runID := fs.Int64("run", 0, "比对批次编号，默认最新一次")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now, err := f.now()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, env, *f.db, *f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if *runID == 0 {
		run, err := db.LatestRun(ctx)
		if err != nil {
			return fmt.Errorf("没有比对批次：请先运行 baoxue compare --db: %w", err)
		}
		*runID = run.ID
	}
	u, _ := systemUser("62")
	res, err := db.SyncCases(ctx, store.CaseActor{User: u, Now: now}, *runID)
	if err != nil {
		return err
	}
	if *f.asJSON {
		return printJSON(env.Stdout, res)
	}
	fmt.Fprintf(env.Stdout, "比对批次 #%d：疑似 %d 人，新建案件 %d 件，已有未结案件 %d 件，重新核查 %d 件，近期已核销未重开 %d 件，无有效身份证号 %d 人\n",
		res.RunID, res.Suspects, res.Created, res.AlreadyOpen, res.Reopened, res.RecentlyCleared, res.NoID)
	return nil
}

func caseDaily(ctx context.Context, env *Env, args []string) error {
	fs, f := newCaseFlags(env, "daily", "--db URL [--date YYYY-MM-DD] [--json]", "每日任务：逾期案件逐级升级督办并发送通知，记录当日动态清零数据。")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now, err := f.now()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, env, *f.db, *f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _ := systemUser("62")
	notifier := casework.LogNotifier{}
	notes, err := db.EscalateOverdue(ctx, store.CaseActor{User: u, Now: now, Notify: func(n casework.Notification) {
		_ = notifier.Notify(ctx, n)
	}})
	if err != nil {
		return err
	}
	counties, err := db.RecordZeroDay(ctx, baoxue.DateOf(now))
	if err != nil {
		return err
	}
	if *f.asJSON {
		return printJSON(env.Stdout, map[string]any{"date": baoxue.DateOf(now).String(), "escalation_notices": len(notes), "counties": counties})
	}
	fmt.Fprintf(env.Stdout, "%s：发出升级督办通知 %d 条，记录 %d 个县（区）的动态清零数据\n", baoxue.DateOf(now), len(notes), counties)
	return nil
}

func caseZero(ctx context.Context, env *Env, args []string) error {
	fs, f := newCaseFlags(env, "zero", "--db URL [--region CODE] [--json]", "按地区计算动态清零：确认辍学未复学人数与逾期未核查疑似人数。")
	code := fs.String("region", "", "地区代码（省、市、县、乡），默认全省")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now, err := f.now()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, env, *f.db, *f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if *code == "" {
		if *code, err = provinceOf(ctx, db); err != nil {
			return err
		}
	}
	u, err := systemUser(*code)
	if err != nil {
		return usagef("--region: %v", err)
	}
	total, children, err := db.Zero(ctx, u, u.Scope.RegionCode(), baoxue.DateOf(now))
	if err != nil {
		return err
	}
	tree, err := region.Load()
	if err != nil {
		return err
	}
	type line struct {
		Code            string `json:"code"`
		Name            string `json:"name"`
		Open            int    `json:"open"`
		Confirmed       int    `json:"confirmed"`
		Persuading      int    `json:"persuading"`
		Legal           int    `json:"legal"`
		Unreachable     int    `json:"unreachable"`
		OverdueSuspects int    `json:"overdue_suspects"`
	}
	mk := func(z store.ZeroCount) line {
		name := z.Code
		if r, ok := tree.Lookup(z.Code); ok {
			name = r.Name
		}
		return line{z.Code, name, z.Open(), z.Confirmed, z.Persuading, z.Legal, z.Unreachable, z.OverdueSuspects}
	}
	if *f.asJSON {
		out := map[string]any{"date": baoxue.DateOf(now).String(), "total": mk(total)}
		var ch []line
		for _, z := range children {
			ch = append(ch, mk(z))
		}
		out["children"] = ch
		return printJSON(env.Stdout, out)
	}
	t := mk(total)
	fmt.Fprintf(env.Stdout, "%s %s：未清零 %d（确认辍学 %d，劝返中 %d，依法控辍 %d，失联 %d，逾期未核查 %d）\n", t.Name, baoxue.DateOf(now),
		t.Open, t.Confirmed, t.Persuading, t.Legal, t.Unreachable, t.OverdueSuspects)
	for _, z := range children {
		l := mk(z)
		fmt.Fprintf(env.Stdout, "  %-12s %-10s %d\n", l.Code, l.Name, l.Open)
	}
	return nil
}

func caseExport(ctx context.Context, env *Env, args []string) error {
	fs, f := newCaseFlags(env, "export", "--db URL --out FILE.xlsx [--county CODE] [--json]", "导出辍学学生台账（身份证号脱敏）。")
	out := fs.String("out", "", "输出文件（.xlsx）")
	county := fs.String("county", "", "县（区）代码，默认全部")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || !strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		return usagef("case export: 须用 --out 指定 .xlsx 输出文件")
	}
	if *county != "" && baoxue.LevelOfCode(*county) != baoxue.LevelCounty {
		return usagef("case export: --county 应为 6 位县（区）代码")
	}
	db, err := openStore(ctx, env, *f.db, *f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	scope := *county
	if scope == "" {
		if scope, err = provinceOf(ctx, db); err != nil {
			return err
		}
	}
	u, err := systemUser(scope)
	if err != nil {
		return err
	}
	tree, err := region.Load()
	if err != nil {
		return err
	}
	villages, err := db.Villages(ctx)
	if err != nil {
		return err
	}
	for _, v := range villages {
		_ = tree.AddVillage(v.Code, v.Name)
	}
	name := func(code string) string {
		if r, ok := tree.Lookup(code); ok {
			return r.Name
		}
		return code
	}
	title := "辍学学生台账"
	if *county != "" {
		title = name(*county) + title
	}
	title += "（" + notice.ChineseDate(baoxue.DateOf(time.Now())) + "导出）"
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".baoxue-ledger-*.xlsx")
	if err != nil {
		return fmt.Errorf("创建输出文件: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := notice.ExportDropouts(ctx, db, u, *county, title, name, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("写出 %s: %w", *out, err)
	}
	if *f.asJSON {
		return printJSON(env.Stdout, map[string]any{"out": *out, "rows": n, "county": *county})
	}
	fmt.Fprintf(env.Stdout, "已导出辍学学生台账 %d 人到 %s\n", n, *out)
	return nil
}

// caseSettings shows the case-work settings, or changes the ones named as name=value (the JSON
// names of casework.Settings; checkpoints as a comma-separated list of days). The change is
// audited.
func caseSettings(ctx context.Context, env *Env, args []string) error {
	fs, f := newCaseFlags(env, "settings", "--db URL [--json] [名称=值 …]", "查看或修改个案期限设置，例如 verify_days=10 checkpoints=30,90,180。")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, env, *f.db, *f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return err
	}
	fields := map[string]any{}
	b, _ := json.Marshal(set)
	_ = json.Unmarshal(b, &fields)
	if fs.NArg() > 0 {
		for _, kv := range fs.Args() {
			name, value, ok := strings.Cut(kv, "=")
			if _, known := fields[name]; !ok || !known {
				return usagef("case settings: %q 应为 名称=值，名称为 %s 之一", kv, strings.Join(sortedNames(fields), "、"))
			}
			if name == "checkpoints" {
				var days []int
				for _, d := range strings.Split(value, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(d))
					if err != nil {
						return usagef("case settings: checkpoints 应为逗号分隔的天数，如 30,90,180")
					}
					days = append(days, n)
				}
				fields[name] = days
				continue
			}
			n, err := strconv.Atoi(value)
			if err != nil {
				return usagef("case settings: %s 应为天数", name)
			}
			fields[name] = n
		}
		b, _ = json.Marshal(fields)
		var next casework.Settings
		if err := json.Unmarshal(b, &next); err != nil {
			return err
		}
		if err := db.SetCaseSettings(ctx, next); err != nil {
			return err
		}
		if err := db.AppendAudit(ctx, &baoxue.AuditRecord{Time: time.Now(), Actor: "cli", Action: "case_settings",
			Object: "settings:casework", Result: "ok", Detail: string(b)}); err != nil {
			return err
		}
		if set, err = db.CaseSettings(ctx); err != nil {
			return err
		}
	}
	if *f.asJSON {
		return printJSON(env.Stdout, set)
	}
	b, _ = json.MarshalIndent(set, "", "  ")
	fmt.Fprintln(env.Stdout, string(b))
	return nil
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
