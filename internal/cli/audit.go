package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
)

// cmdAudit runs `baoxue audit verify`: walks the hash chain of the audit log and exits 1 naming
// the first record that was edited, deleted or inserted behind the application's back.
func cmdAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("用法: baoxue audit verify --db URL [--json]")
	}
	fs := newFlags(env, "audit verify")
	dbURL := fs.String("db", "", "数据库: SQLite 文件路径，或 postgres://用户@主机/库名")
	asJSON := fs.Bool("json", false, "在标准输出打印一行 JSON 结果")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue audit verify --db URL [--json]")
		fmt.Fprintln(fs.Output(), "校验审计日志的哈希链：完整时退出码为 0，发现记录被修改、删除或插入时为 1。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("audit verify: 多余的参数 %q", fs.Arg(0))
	}
	if *dbURL == "" {
		return usagef("audit verify: 缺少 --db")
	}
	// The audit log holds no encrypted data, and the auditor (三权分立) should not need the data
	// key: open with a throwaway key and do not migrate or check the key.
	throwaway, err := pii.GenerateKey()
	if err != nil {
		return err
	}
	keys, err := pii.New(throwaway)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbURL, keys)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.Verify(ctx, db)
	if err != nil {
		return fmt.Errorf("读取审计日志失败（数据库是否已初始化？）: %w", err)
	}
	if *asJSON {
		out := map[string]any{"ok": rep.Broken == nil, "records": rep.Records, "last_seq": rep.LastSeq,
			"last_hash": rep.LastHash}
		if b := rep.Broken; b != nil {
			out["first_bad_seq"], out["problem"], out["message"] = b.Seq, b.Problem, b.Message()
		}
		if err := printJSON(env.Stdout, out); err != nil {
			return err
		}
	}
	if rep.Broken != nil {
		return errors.New(rep.Broken.Message())
	}
	if !*asJSON {
		fmt.Fprintf(env.Stdout, "审计日志完整：共 %d 条记录，最新哈希 %s\n", rep.Records, rep.LastHash)
	}
	return nil
}
