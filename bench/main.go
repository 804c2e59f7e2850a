// Command bench times baoxue's comparison against an exact-ID anti-join in DuckDB and in
// PostgreSQL on the same generated CSV files (issue 4, "Benchmarks"), and writes a Markdown
// section for docs/BENCHMARKS.md.
//
// It is a module of its own (bench/go.mod, with a replace directive to the main module) because
// DuckDB needs cgo and a large native library; the main module stays pure Go.
//
//	cd bench && go run . --scale province --runs 3 --out ../docs/BENCHMARKS-compare.md
//
// What it does, in one run:
//
//  1. builds baoxue from the main module (CGO_ENABLED=0) into the work directory;
//  2. generates the files with `baoxue gen --scale S --seed 1 --profile realistic` (kept for the
//     next run with --keep; --reuse uses them);
//  3. reads every CSV once so that all contenders find them in the page cache;
//  4. runs, --runs times each and in turn: `baoxue compare --exact-only` (registry, enrollment,
//     national → ledger), `baoxue compare` (all five files, the full pipeline, ledger written),
//     DuckDB (read_csv with all_varchar, registry ANTI JOIN enrollment ∪ national on the ID
//     column) and PostgreSQL (COPY of the three files into unlogged tables, then the same
//     anti-join), each as a child process so that its peak RSS is its own (wait4 rusage); for
//     PostgreSQL the server backend's peak (VmHWM) is read from /proc as well; and the floor
//     (floor.go): the least work that writes the exact-only ledger, to show what the machine
//     allows;
//  5. prints the medians, ratios to DuckDB and the targets of the issue.
//
// The anti-joins compare raw ID strings, count and write nothing; the floor writes the ledger
// and does nothing else. The baoxue figures include validating every ID, the school-age window,
// the statuses and writing the ledger; the full run adds ID variants, fuzzy matching and the
// flags.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "duckdb":
			exitOn(runDuckDB(os.Args[2:]))
			return
		case "postgres":
			exitOn(runPostgres(os.Args[2:]))
			return
		case "floor":
			exitOn(runFloor(os.Args[2:]))
			return
		}
	}
	exitOn(runBench(os.Args[1:]))
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	scale, dir, out, pgURL, asOf, bin string
	runs                              int
	keep, reuse, skipPG               bool
}

func runBench(args []string) error {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.scale, "scale", "county", "baoxue gen --scale: county, province or a number of registry rows")
	fs.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary directory)")
	fs.StringVar(&c.out, "out", "", "write the Markdown here instead of stdout; in a file with the markers "+markBegin+" and "+markEnd+", only between them")
	fs.StringVar(&c.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server")
	fs.StringVar(&c.asOf, "as-of", "2026-09-01", "as-of date of the comparison")
	fs.StringVar(&c.bin, "baoxue", "", "a baoxue binary to time (default: build one from the main module)")
	fs.IntVar(&c.runs, "runs", 3, "runs of each contender (the median is reported)")
	fs.BoolVar(&c.keep, "keep", false, "keep the work directory (generated files, ledgers)")
	fs.BoolVar(&c.reuse, "reuse", false, "reuse files generated earlier in --dir")
	fs.BoolVar(&c.skipPG, "no-postgres", false, "skip PostgreSQL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "baoxue-bench-*")
		if err != nil {
			return err
		}
		c.dir = d
	}
	if !c.keep {
		defer os.RemoveAll(c.dir)
	}
	bin := c.bin
	if bin == "" {
		bin = filepath.Join(c.dir, "baoxue")
		build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/baoxue")
		build.Dir = ".."
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build baoxue: %w", err)
		}
	}
	data := filepath.Join(c.dir, "data")
	var genSummary struct {
		Rows    map[string]int64 `json:"rows"`
		Seconds float64          `json:"seconds"`
	}
	if _, err := os.Stat(filepath.Join(data, "truth.csv")); !c.reuse || err != nil {
		logf("generating --scale %s into %s", c.scale, data)
		out, err := exec.Command(bin, "gen", "--scale", c.scale, "--seed", "1", "--profile", "realistic", "--out", data, "--json").Output()
		if err != nil {
			return fmt.Errorf("baoxue gen: %w", err)
		}
		if err := json.Unmarshal(out, &genSummary); err != nil {
			return fmt.Errorf("baoxue gen summary: %w", err)
		}
	}
	files := map[string]string{}
	var size int64
	for _, k := range []string{"registry", "enrollment", "national", "poverty", "disability"} {
		p := filepath.Join(data, k+".csv")
		n, err := warm(p)
		if err != nil {
			return err
		}
		files[k], size = p, size+n
	}
	rows, err := countRows(files["registry"])
	if err != nil {
		return err
	}
	enrRows, _ := countRows(files["enrollment"])

	ledger := filepath.Join(c.dir, "ledger.jsonl")
	common := []string{"compare", "--registry", files["registry"], "--enrollment", files["enrollment"], "--national", files["national"],
		"--as-of", c.asOf, "--out", ledger, "--json"}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	contenders := []contender{
		{name: "baoxue compare --exact-only", cmd: append(append([]string{bin}, common...), "--exact-only")},
		{name: "baoxue compare (full)", cmd: append([]string{bin}, append(common, "--poverty", files["poverty"], "--disability", files["disability"])...)},
		{name: "DuckDB anti-join", cmd: []string{self, "duckdb", files["registry"], files["enrollment"], files["national"]}},
		{name: floorName, cmd: []string{self, "floor", files["registry"], files["enrollment"], files["national"],
			filepath.Join(c.dir, "floor.jsonl"), c.asOf}},
	}
	if !c.skipPG {
		contenders = append(contenders, contender{name: "PostgreSQL COPY + anti-join",
			cmd: []string{self, "postgres", c.pgURL, files["registry"], files["enrollment"], files["national"]}})
	}
	for r := range c.runs {
		for i := range contenders {
			x := &contenders[i]
			res, err := measure(x.cmd)
			if err != nil {
				return fmt.Errorf("%s: %w", x.name, err)
			}
			logf("run %d %-30s %7.2f s %6.1f CPU-s %7.0f MB %s", r+1, x.name, res.seconds, res.cpu, res.rssMB, res.note)
			x.results = append(x.results, res)
		}
	}
	var md bytes.Buffer
	report(&md, c, rows, enrRows, size, contenders)
	if c.out == "" {
		_, err := os.Stdout.Write(md.Bytes())
		return err
	}
	return writeReport(c.out, md.Bytes())
}

const floorName = "floor: scan, probe, write the ledger"

// The markers of the generated part of a hand-written document (docs/BENCHMARKS.md).
const (
	markBegin = "<!-- bench: begin -->"
	markEnd   = "<!-- bench: end -->"
)

// writeReport writes md to path: between the markers when the file has them (the rest of the
// document, with the history and analysis of earlier runs, stays as it is), else as the whole file.
func writeReport(path string, md []byte) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	i, j := bytes.Index(old, []byte(markBegin)), bytes.Index(old, []byte(markEnd))
	if i < 0 || j < i {
		return os.WriteFile(path, md, 0o644)
	}
	var out bytes.Buffer
	out.Write(old[:i+len(markBegin)])
	out.WriteString("\n")
	out.Write(md)
	out.Write(old[j:])
	return os.WriteFile(path, out.Bytes(), 0o644)
}

func logf(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }

// warm reads a file once so that it is in the page cache, and returns its size.
func warm(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(io.Discard, f)
}

func countRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

type contender struct {
	name    string
	cmd     []string
	results []result
}

type result struct {
	seconds float64
	cpu     float64 // user + system CPU seconds of the process (wait4): steadier than wall time on a shared VM
	rssMB   float64
	note    string // the child's own report: rows found, server memory, stage times
}

// measure runs a child process and returns its wall time, its peak RSS and the last line it
// printed.
func measure(argv []string) (result, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, err
	}
	res := result{seconds: time.Since(start).Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.rssMB = float64(ru.Maxrss) / 1024 // KiB on Linux
		res.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	res.note = summarise(strings.TrimSpace(out.String()))
	return res, nil
}

// summarise keeps the useful part of a child's output: for baoxue's JSON summary, the children
// in the ledger and the stage times.
func summarise(s string) string {
	var sum struct {
		SchoolAge int                `json:"school_age"`
		Seconds   map[string]float64 `json:"seconds"`
	}
	if json.Unmarshal([]byte(s), &sum) != nil || sum.Seconds == nil {
		return s
	}
	keys := make([]string, 0, len(sum.Seconds))
	for k := range sum.Seconds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := []string{fmt.Sprintf("%d school-age", sum.SchoolAge)}
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, sum.Seconds[k]))
	}
	return strings.Join(parts, ", ")
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func report(w io.Writer, c config, rows, enrRows int, size int64, cs []contender) {
	fmt.Fprintf(w, "### Latest `make bench` run (issue 4)\n\n")
	fmt.Fprintf(w, "`cd bench && go run . --scale %s --runs %d` on %s, %d CPUs (%s/%s), %s. Files from `baoxue gen --scale %s --seed 1 --profile realistic`: registry %d rows, enrollment %d rows, %.0f MB of CSV in the page cache. Median of %d runs; CPU-s is user + system time and RSS the peak resident set of the process (wait4; for PostgreSQL that is the client, and the server backend's work is not in its CPU-s).\n\n",
		c.scale, c.runs, time.Now().Format("2006-01-02"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, cpuModel(), c.scale, rows, enrRows, float64(size)/1e6, c.runs)
	fmt.Fprintf(w, "| contender | median s | min s | max s | × DuckDB | median CPU-s | peak RSS MB | notes (last run) |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	var duck float64
	for _, x := range cs {
		if strings.HasPrefix(x.name, "DuckDB") {
			duck = median(x.results, func(r result) float64 { return r.seconds })
		}
	}
	med := map[string]float64{}
	rss := map[string]float64{}
	for _, x := range cs {
		m := median(x.results, func(r result) float64 { return r.seconds })
		med[x.name] = m
		lo, hi := x.results[0].seconds, x.results[0].seconds
		peak := 0.0
		for _, r := range x.results {
			lo, hi, peak = min(lo, r.seconds), max(hi, r.seconds), max(peak, r.rssMB)
		}
		rss[x.name] = peak
		ratio := "—"
		if duck > 0 {
			ratio = fmt.Sprintf("%.2f", m/duck)
		}
		cpu := median(x.results, func(r result) float64 { return r.cpu })
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %s | %.1f | %.0f | %s |\n", x.name, m, lo, hi, ratio, cpu, peak,
			strings.ReplaceAll(x.results[len(x.results)-1].note, "|", "/"))
	}
	exact, full := med["baoxue compare --exact-only"], med["baoxue compare (full)"]
	fullRSS := rss["baoxue compare (full)"]
	fmt.Fprintf(w, "\nTargets of issue 4")
	if c.scale == "province" {
		fmt.Fprintf(w, " (province scale):\n\n")
		fmt.Fprintf(w, "- exact-only at least 2× faster than DuckDB: %s (%.2f s vs %.2f s)\n", verdict(exact*2 <= duck), exact, duck)
		if floor := med[floorName]; floor > 0 {
			fmt.Fprintf(w, "  - the floor (a program that only scans, probes and writes a ledger of the same size, see bench/floor.go) took %.2f s, %.2f× DuckDB; exact-only took %.2f× the floor.", floor, floor/duck, exact/floor)
			if floor > duck/2 {
				fmt.Fprintf(w, " Half DuckDB's time, %.2f s, is below the floor: no program that writes the exact-only ledger reaches the target on this machine.", duck/2)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "- full pipeline ≤ 60 s: %s (%.2f s)\n", verdict(full <= 60), full)
		fmt.Fprintf(w, "- full pipeline ≤ 10× DuckDB: %s (%.1f×)\n", verdict(duck > 0 && full <= 10*duck), full/duck)
		fmt.Fprintf(w, "- peak RSS ≤ 2 GB: %s (%.0f MB)\n", verdict(fullRSS <= 2048), fullRSS)
	} else {
		fmt.Fprintf(w, " (the province targets apply at --scale province):\n\n")
		fmt.Fprintf(w, "- county end to end ≤ 2 s: %s (full pipeline %.2f s)\n", verdict(full <= 2), full)
		fmt.Fprintf(w, "- exact-only vs DuckDB: %.2f×; full vs DuckDB: %.2f×; full peak RSS %.0f MB\n", exact/duck, full/duck, fullRSS)
	}
	fmt.Fprintln(w)
}

func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// csvLayout finds the header of a generated CSV: how many lines precede it (a title and a blank
// line in the realistic profile), its column names, and the ID column.
type csvLayout struct {
	skip    int
	columns []string
	id      string
}

var idHeaders = []string{"公民身份号码", "身份证号", "身份证号码", "证件号码", "证件号", "身份证件号", "身份证件号码", "公民身份证号", "公民身份证号码", "身份号码", "身份证"}

func layout(path string) (csvLayout, error) {
	f, err := os.Open(path)
	if err != nil {
		return csvLayout{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; i < 20 && sc.Scan(); i++ {
		line := strings.TrimPrefix(strings.TrimRight(sc.Text(), "\r"), "\uFEFF")
		cols := strings.Split(line, ",")
		for _, col := range cols {
			if slices.Contains(idHeaders, strings.TrimSpace(col)) {
				return csvLayout{skip: i, columns: cols, id: strings.TrimSpace(col)}, nil
			}
		}
	}
	return csvLayout{}, fmt.Errorf("%s: no ID column in the first lines", path)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLit(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// runDuckDB is the child process of the DuckDB contender: registry ANTI JOIN (enrollment ∪
// national) on the raw ID strings, reading the CSVs with all_varchar.
func runDuckDB(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: bench duckdb REGISTRY ENROLLMENT NATIONAL")
	}
	var ls [3]csvLayout
	for i, p := range args {
		l, err := layout(p)
		if err != nil {
			return err
		}
		ls[i] = l
	}
	src := func(i int) string {
		return fmt.Sprintf("read_csv(%s, all_varchar = true, header = true, skip = %d, delim = ',', quote = '\"')", quoteLit(args[i]), ls[i].skip)
	}
	q := fmt.Sprintf(`SELECT count(*) FROM %s AS r ANTI JOIN (SELECT %s AS id FROM %s UNION ALL SELECT %s FROM %s) AS e ON r.%s = e.id`,
		src(0), quoteIdent(ls[1].id), src(1), quoteIdent(ls[2].id), src(2), quoteIdent(ls[0].id))
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	fmt.Printf("%d registry rows without an enrollment ID\n", n)
	return nil
}

// runPostgres is the child process of the PostgreSQL contender: COPY the three files into
// unlogged tables of a fresh schema, then the same anti-join; the schema is dropped afterwards.
func runPostgres(args []string) error {
	if len(args) != 4 {
		return errors.New("usage: bench postgres URL REGISTRY ENROLLMENT NATIONAL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, args[0])
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return err
	}
	schema := "baoxue_bench_" + strconv.Itoa(os.Getpid())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	tables := []string{"registry", "enrollment", "national"}
	ids := make([]string, 3)
	for i, p := range args[1:] {
		l, err := layout(p)
		if err != nil {
			return err
		}
		ids[i] = quoteIdent(l.id)
		cols := make([]string, len(l.columns))
		for j, c := range l.columns {
			cols[j] = quoteIdent(strings.TrimSpace(c)) + " text"
		}
		t := schema + "." + tables[i]
		if _, err := conn.Exec(ctx, `CREATE UNLOGGED TABLE `+t+` (`+strings.Join(cols, ", ")+`)`); err != nil {
			return err
		}
		if err := copyCSV(ctx, conn, t, p, l.skip); err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
	}
	q := fmt.Sprintf(`SELECT count(*) FROM %[1]s.registry r WHERE NOT EXISTS (SELECT 1 FROM %[1]s.enrollment e WHERE e.%[3]s = r.%[2]s)
		AND NOT EXISTS (SELECT 1 FROM %[1]s.national n WHERE n.%[4]s = r.%[2]s)`, schema, ids[0], ids[1], ids[2])
	var n int64
	if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
		return err
	}
	hwm := "?"
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				hwm = strings.TrimSpace(v)
			}
		}
	}
	fmt.Printf("%d registry rows without an enrollment ID; server backend peak RSS %s\n", n, hwm)
	return nil
}

// copyCSV streams a CSV file into a table with COPY, from its header line on.
func copyCSV(ctx context.Context, conn *pgx.Conn, table, path string, skip int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for range skip {
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
	}
	if skip == 0 {
		if b, _ := r.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
			r.Discard(3)
		}
	}
	_, err = conn.PgConn().CopyFrom(ctx, r, `COPY `+table+` FROM STDIN WITH (FORMAT csv, HEADER true)`)
	return err
}
