package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/ingest"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/server"
	"github.com/baoxue/baoxue/internal/store"
)

// demoImportOrder is the order a county loads its files in: places first, so that registry rows
// can be checked against known villages and enrollment rows against known schools.
var demoImportOrder = []struct {
	file string
	kind baoxue.DatasetKind
}{
	{"villages.csv", baoxue.KindVillages},
	{"schools.csv", baoxue.KindSchools},
	{"registry.csv", baoxue.KindRegistry},
	{"enrollment.csv", baoxue.KindEnrollment},
	{"national.csv", baoxue.KindNational},
	{"poverty.csv", baoxue.KindPoverty},
	{"disability.csv", baoxue.KindDisability},
}

// dataDir is where baoxue keeps its files for this user when no --db is given: the platform's
// per-user data directory (XDG_DATA_HOME or ~/.local/share on Unix, %LocalAppData% on Windows).
func dataDir(env *Env) (string, error) {
	if runtime.GOOS == "windows" {
		if d := env.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "baoxue"), nil
		}
	}
	if d := env.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "baoxue"), nil
	}
	home := env.Getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("找不到用户目录，请用 --db 指定数据库文件: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "baoxue"), nil
}

func cmdDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo")
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址")
	dbPath := fs.String("db", "", "SQLite 数据库文件（默认：用户数据目录下的 demo.db）")
	rows := fs.Int("rows", gen.CountyRows, "生成的户籍人口行数（临夏县约30万）")
	seed := fs.Uint64("seed", 1, "随机种子")
	profile := fs.String("profile", gen.ProfileRealistic, "数据质量：clean|realistic|hard")
	fresh := fs.Bool("fresh", false, "删除已有的演示数据库后重新生成")
	noServe := fs.Bool("no-serve", false, "只生成并导入数据，不启动网页（用于测试）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo 不接受位置参数: %v", fs.Args())
	}
	if *dbPath == "" {
		dir, err := dataDir(env)
		if err != nil {
			return err
		}
		*dbPath = filepath.Join(dir, "demo.db")
	}
	if err := os.MkdirAll(filepath.Dir(*dbPath), 0o700); err != nil {
		return fmt.Errorf("创建数据目录: %w", err)
	}
	if *fresh {
		for _, suffix := range []string{"", "-wal", "-shm", ".key"} {
			if err := os.Remove(*dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("删除旧的演示数据库: %w", err)
			}
		}
	}
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划: %w", err)
	}
	db, err := openStore(ctx, env, *dbPath, "")
	if err != nil {
		return err
	}
	defer db.Close()

	existing, err := db.Datasets(ctx)
	if err != nil {
		return err
	}
	if len(existing) == 0 {
		if err := loadDemoCounty(ctx, env, db, tree, *rows, *seed, *profile); err != nil {
			return err
		}
		// A first comparison run, so that the dashboard and the ledgers open with data.
		quiet := &Env{Getenv: env.Getenv, Stdin: env.Stdin, Stdout: io.Discard, Stderr: env.Stderr}
		if err := compareDB(ctx, quiet, &compareFlags{dbURL: *dbPath}, gen.DefaultAsOfValue); err != nil {
			return fmt.Errorf("演示数据比对: %w", err)
		}
		fmt.Fprintln(env.Stderr, "已完成一次联合比对（截至 2026-09-01）")
	} else {
		fmt.Fprintf(env.Stderr, "使用已有的演示数据库 %s（%d 个数据集；加 --fresh 重新生成）\n", *dbPath, len(existing))
	}
	// Demo accounts, one per role (demoaccounts.go; issue 5).
	if err := ensureDemoAccounts(ctx, env, db); err != nil {
		return err
	}
	if *noServe {
		return nil
	}
	return serveStore(ctx, env, db, tree, *addr, gen.CountyCode, "演示", false)
}

// loadDemoCounty generates a synthetic 临夏县 into a temporary directory and imports every file.
func loadDemoCounty(ctx context.Context, env *Env, db *store.DB, tree *region.Tree, rows int, seed uint64, profile string) error {
	tmp, err := os.MkdirTemp("", "baoxue-demo-")
	if err != nil {
		return fmt.Errorf("创建临时目录: %w", err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	fmt.Fprintf(env.Stderr, "正在生成合成县数据（临夏县，%d 人，%s）…\n", rows, profile)
	sum, err := gen.Generate(ctx, gen.Options{Rows: rows, Seed: seed, Profile: profile, Out: tmp, Encoding: "utf8"}, tree, nil)
	if err != nil {
		return fmt.Errorf("生成演示数据: %w", err)
	}
	today := baoxue.DateOf(time.Now())
	asOf, err := baoxue.ParseISODate(sum.AsOf)
	if err != nil {
		return err
	}
	for _, f := range demoImportOrder {
		path := filepath.Join(tmp, f.file)
		s, err := ingest.Import(ctx, db, path, f.kind, ingest.ImportOptions{
			Tree: tree, Today: today, AsOf: asOf, Importer: "demo", Report: "-",
		})
		if err != nil {
			return fmt.Errorf("导入 %s: %w", f.file, err)
		}
		fmt.Fprintf(env.Stderr, "  %-15s %7d 行，接收 %7d，拒收 %5d\n", f.file, s.Rows, s.Accepted, s.Rejected)
	}
	fmt.Fprintf(env.Stderr, "演示数据就绪，用时 %.1f 秒\n", time.Since(start).Seconds())
	return nil
}

func cmdServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve")
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址")
	dbURL := fs.String("db", "", "数据库：SQLite 文件路径或 postgres://…")
	keyFile := fs.String("key-file", "", "数据密钥文件")
	county := fs.String("county", "", "本县(区)的6位行政区划代码（默认：由已导入的村(社区)推断）")
	tls := fs.Bool("tls", false, "浏览器经 HTTPS 反向代理访问（会话 Cookie 加 Secure 和 __Host- 前缀）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划: %w", err)
	}
	db, err := openStore(ctx, env, *dbURL, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	return serveStore(ctx, env, db, tree, *addr, *county, "", *tls)
}

// serveStore registers the store's villages in the tree and serves the web application until ctx
// ends.
func serveStore(ctx context.Context, env *Env, db *store.DB, tree *region.Tree, addr, county, label string, secureCookies bool) error {
	villages, err := db.Villages(ctx)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, v := range villages {
		if err := tree.AddVillage(v.Code, v.Name); err == nil {
			counts[v.Code[:6]]++
		}
	}
	if county == "" {
		best := 0
		for c, n := range counts {
			if n > best || (n == best && c < county) {
				county, best = c, n
			}
		}
	}
	if err := hintFirstUser(ctx, env, db); err != nil { // user.go
		return err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(server.Config{Store: storeAdapter{db}, Accounts: db, Tree: tree, Log: logger,
		CountyCode: county, SecureCookies: secureCookies})
	if err != nil {
		return err
	}
	return srv.Serve(ctx, addr, func(a net.Addr) {
		fmt.Fprintf(env.Stderr, "保学%s服务已启动：http://%s/  （按 Ctrl+C 停止）\n", label, a)
	})
}

// storeAdapter gives the server the narrow view of the store it needs.
type storeAdapter struct{ *store.DB }

func (s storeAdapter) Ping(ctx context.Context) error { return s.SQL().PingContext(ctx) }
