// Package cli implements the baoxue command line (DESIGN §8). It is the only package that wires
// the others together: it parses flags, opens stores and files, and reports results as one-line
// JSON or as text a county official can act on.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// Env is what a command may touch of the outside world. Tests pass their own.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

type command struct {
	name    string
	usage   string // one line: arguments and flags
	summary string // Chinese, one line
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"version", "", "显示版本", cmdVersion},
		{"id", "check [ID …]", "校验公民身份号码（无参数时从标准输入逐行读取）", cmdID},
		{"gen", "--scale county|province|N --seed S --profile clean|realistic|hard --out DIR", "生成合成测试数据", cmdGen},
		{"migrate", "--db URL", "创建或升级数据库", cmdMigrate},
		{"import", "--db URL --kind registry|enrollment|national|poverty|disability|schools|villages 文件…", "导入 .xlsx/.csv 文件（每个文件一个数据集，问题行写入错误报告）", cmdImport},
		{"export", "--db URL --dataset N --out FILE.csv|.xlsx", "导出一个数据集（规范化后的值，可再次导入；记入审计日志）", cmdExport},
		{"compare", "--registry F --enrollment F [--national F] [--poverty F] [--disability F] --as-of YYYY-MM-DD --out FILE | --db URL --as-of YYYY-MM-DD", "联合比对户籍与学籍，生成适龄儿童台账", cmdCompare},
		{"eval", "--truth truth.csv --ledger ledger.jsonl [--json]", "用合成数据真值评估比对台账", cmdEval},
		{"demo", "[--addr 127.0.0.1:8080] [--db FILE]", "生成演示县数据并启动网页", cmdDemo},
		{"serve", "--db URL [--addr 127.0.0.1:8080]", "启动网页服务", cmdServe},
		{"audit", "verify --db URL", "校验审计日志链是否被篡改", cmdAudit},
		{"user", "add|disable|enable|reset|list|token --db URL …", "管理用户账号", cmdUser},
		{"case", "sync|daily|zero|export|settings --db URL … (export: --out FILE.xlsx [--county CODE])", "个案管理：比对疑似建档、每日逾期升级与动态清零记录、导出辍学学生台账", cmdCase},
		{"load", "--addr http://127.0.0.1:PORT --users 50 --duration 30s [--username U --password P] [--json]", "对本机网页服务做并发压力测试，输出各页面 p50/p95/p99", cmdLoad},
	}
}

// UsageError is a mistake in how the command was called; it exits with status 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// ExitCode maps the result of Run to the process exit status: 0 success, 2 bad usage, 1 otherwise.
func ExitCode(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// Run executes one baoxue command. Errors are also printed to stderr as one line.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := &Env{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	err := dispatch(ctx, env, args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "baoxue: %v\n", err)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		printUsage(env.Stderr)
		return usagef("缺少子命令")
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		printUsage(env.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args[1:])
		}
	}
	printUsage(env.Stderr)
	return usagef("未知子命令 %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "用法: baoxue <子命令> [参数]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-s\n           %s\n", c.name, c.usage, c.summary)
	}
}

// newFlags returns a flag set that reports errors as usage errors instead of exiting.
func newFlags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("baoxue "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args and converts flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	return nil
}

// printJSON writes v as one line of JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// isTerminal reports whether w is a terminal; progress bars are drawn only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progress returns a progress bar on stderr when it is a terminal, and nil otherwise. Callers use
// the returned function, which is safe to call either way.
func (env *Env) progress(total int64, desc string) func(n int64) {
	if !isTerminal(env.Stderr) {
		return func(int64) {}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
	return func(n int64) { _ = bar.Set64(n) }
}

func cmdVersion(ctx context.Context, env *Env, args []string) error {
	fmt.Fprintf(env.Stdout, "baoxue %s\n", versionString())
	return nil
}
