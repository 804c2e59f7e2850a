package cli

import (
	"context"
	"fmt"
)

// cmdMigrate runs `baoxue migrate`: creates the database (and its key, see loadKey) or upgrades
// its schema. Running it again changes nothing.
func cmdMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "migrate")
	dbURL := fs.String("db", "", "数据库: SQLite 文件路径，或 postgres://用户@主机/库名")
	keyFile := fs.String("key-file", "", "密钥文件（不存在时自动生成）；默认取环境变量 BAOXUE_KEY，SQLite 再默认取 <数据库>.key")
	asJSON := fs.Bool("json", false, "在标准输出打印一行 JSON 摘要")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue migrate --db URL [--key-file F] [--json]")
		fmt.Fprintln(fs.Output(), "创建数据库或升级到最新结构；重复执行没有副作用。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate: 多余的参数 %q", fs.Arg(0))
	}
	db, ks, err := openStoreKey(ctx, env, *dbURL, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, map[string]any{"db": redactURL(*dbURL), "dialect": db.Dialect(),
			"schema_version": v, "key": ks.from})
	}
	fmt.Fprintf(env.Stdout, "数据库已是最新结构（第 %d 版，%s），密钥来自 %s\n", v, db.Dialect(), ks.from)
	return nil
}
