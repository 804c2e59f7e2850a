package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/baoxue/baoxue/internal/ledger"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
)

// compareSummary is the --json line of baoxue compare.
type compareSummary struct {
	*compare.Summary
	Out      string           `json:"out,omitempty"`
	RunID    int64            `json:"run_id,omitempty"`
	Datasets map[string]int64 `json:"datasets,omitempty"`
	Changes  *compare.Changes `json:"changes,omitempty"`
	Inputs   []fileInput      `json:"inputs,omitempty"` // file mode: what was read from each file
}

// compareFlags are the flags of baoxue compare.
type compareFlags struct {
	registry, enrollment, national, poverty, disability string
	schools, villages                                   string
	dbURL, keyFile                                      string
	asOf, out                                           string
	exactOnly, asJSON                                   bool
	workers, memoryMB                                   int
}

// cmdCompare runs `baoxue compare` (DESIGN §8): file mode compares files and writes a ledger;
// database mode compares the latest imported datasets and stores the run.
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "compare")
	var f compareFlags
	fs.StringVar(&f.registry, "registry", "", "户籍文件（.xlsx/.csv）")
	fs.StringVar(&f.enrollment, "enrollment", "", "本地学籍文件")
	fs.StringVar(&f.national, "national", "", "全国学籍（外省在读）文件，可选")
	fs.StringVar(&f.poverty, "poverty", "", "脱贫人口/监测对象文件，可选")
	fs.StringVar(&f.disability, "disability", "", "残疾人文件，可选")
	fs.StringVar(&f.schools, "schools", "", "学校文件，可选：按学校所在乡镇比较就读地与户籍地")
	fs.StringVar(&f.villages, "villages", "", "村(社区)文件，可选：台账中显示村(社区)名称")
	fs.StringVar(&f.dbURL, "db", "", "数据库模式：SQLite 文件路径或 postgres://…；使用各类最近导入的数据，并保存比对结果")
	fs.StringVar(&f.keyFile, "key-file", "", "数据库模式的密钥文件（默认取环境变量 BAOXUE_KEY，SQLite 再默认取 <数据库>.key）")
	fs.StringVar(&f.asOf, "as-of", "", "比对日期 YYYY-MM-DD（必填），决定谁在义务教育年龄内")
	fs.StringVar(&f.out, "out", "", "台账文件 .jsonl、.csv 或 .xlsx（文件模式必填；数据库模式可选，身份证号脱敏）")
	fs.BoolVar(&f.exactOnly, "exact-only", false, "只按身份证号完全一致比对（不做近似号码和姓名比对）")
	fs.BoolVar(&f.asJSON, "json", false, "完成后在标准输出打印一行 JSON 摘要")
	fs.IntVar(&f.workers, "workers", 0, "比对并发数（默认为 CPU 核数）")
	fs.IntVar(&f.memoryMB, "memory-limit", 1536, "内存软上限（MB）：接近时更频繁地回收内存；0 表示不限（环境变量 GOMEMLIMIT 优先）")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue compare --registry F --enrollment F [--national F] [--poverty F] [--disability F] --as-of YYYY-MM-DD --out FILE.jsonl|.csv|.xlsx [--exact-only] [--json]")
		fmt.Fprintln(fs.Output(), "      baoxue compare --db URL --as-of YYYY-MM-DD [--out FILE] [--exact-only] [--json]")
		fmt.Fprintln(fs.Output(), "联合比对户籍与学籍，列出每个适龄儿童少年的就学状态；疑似失学辍学者附原因。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("compare: 多余的参数 %q", fs.Arg(0))
	}
	if f.asOf == "" {
		return usagef("compare: 缺少 --as-of 比对日期（YYYY-MM-DD）")
	}
	asOf, err := baoxue.ParseISODate(f.asOf)
	if err != nil {
		return usagef("compare: --as-of: %v", err)
	}
	if f.out != "" {
		if _, err := ledger.FormatOf(f.out); err != nil {
			return usagef("compare: --out %v", err)
		}
	}
	// A province holds millions of children in memory; a soft limit makes the collector run
	// before the heap doubles (GOGC=100 would let a 1.2 GB live heap reach 2.4 GB).
	if f.memoryMB > 0 && env.Getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(int64(f.memoryMB) << 20)
		defer debug.SetMemoryLimit(prev)
		// The collector's own pace (GOGC=100) stays: letting the heap grow to three times the
		// live data paid once (16.8 s → 14.9 s, province exact-only) when the conversion left
		// much more garbage; since blocks lend their text, it costs more in fresh pages than it
		// saves in marking (3 alternating runs each: 9.0–10.6 s and 1.40 GB at GOGC=300,
		// 8.3–9.8 s and 0.88–1.01 GB at 100).
	}
	files := f.registry != "" || f.enrollment != "" || f.national != "" || f.poverty != "" || f.disability != "" ||
		f.schools != "" || f.villages != ""
	switch {
	case f.dbURL != "" && files:
		return usagef("compare: --db 与 --registry 等文件参数不能同时使用")
	case f.dbURL != "":
		return compareDB(ctx, env, &f, asOf)
	case f.registry == "":
		return usagef("compare: 缺少 --registry 户籍文件（或用 --db 使用数据库）")
	case f.enrollment == "":
		return usagef("compare: 缺少 --enrollment 学籍文件")
	case f.out == "":
		return usagef("compare: 缺少 --out 台账文件（.jsonl、.csv 或 .xlsx）")
	}
	return compareFiles(ctx, env, &f, asOf)
}

// placeNames names division codes from the embedded tree and the villages known.
func placeNames(tree *region.Tree, villages map[string]string) func(string) string {
	return func(code string) string {
		if n, ok := villages[code]; ok {
			return n
		}
		if tree != nil {
			if r, ok := tree.Lookup(code); ok {
				return r.Name
			}
		}
		return ""
	}
}

// runCompare runs the comparison, feeding every entry to the sinks, and writes the ledger file
// when out is set. The ledger appears only if everything succeeded.
func runCompare(ctx context.Context, env *Env, in compare.Inputs, opts compare.Options, out string, lopts ledger.Options,
	sinks ...func(*baoxue.LedgerEntry) error) (*compare.Summary, error) {
	var w ledger.Writer
	if out != "" {
		var err error
		if w, err = ledger.Create(out, lopts); err != nil {
			return nil, err
		}
		defer w.Abort()
	}
	sum, err := compare.Run(ctx, in, opts, func(e *baoxue.LedgerEntry) error {
		for _, s := range sinks {
			if err := s(e); err != nil {
				return err
			}
		}
		if w != nil {
			return w.Add(e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if w != nil {
		if err := w.Commit(); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// counting wraps a stream to count its records for the progress bar.
func counting[T any](s compare.Stream[T], n *atomic.Int64) compare.Stream[T] {
	if s == nil {
		return nil
	}
	return func(ctx context.Context, fn func(*T) error) error {
		return s(ctx, func(r *T) error { n.Add(1); return fn(r) })
	}
}

// compareDB is database mode: the latest dataset of each kind, the run stored with its ledger,
// and the changes since the previous run.
func compareDB(ctx context.Context, env *Env, f *compareFlags, asOf baoxue.Date) error {
	start := time.Now()
	db, err := openStore(ctx, env, f.dbURL, f.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	datasets := map[string]int64{}
	latest := func(kind baoxue.DatasetKind, required bool) (*baoxue.Dataset, error) {
		ds, err := db.LatestDataset(ctx, kind)
		if errors.Is(err, baoxue.ErrNotFound) {
			if required {
				return nil, fmt.Errorf("数据库中没有%s数据：请先用 baoxue import --kind %s 导入", baoxue.Label(baoxue.DatasetKinds, string(kind)), kind)
			}
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		datasets[string(kind)] = ds.ID
		return ds, nil
	}
	var in compare.Inputs
	var ids []int64
	for _, k := range []struct {
		kind     baoxue.DatasetKind
		required bool
	}{{baoxue.KindRegistry, true}, {baoxue.KindEnrollment, true}, {baoxue.KindNational, false},
		{baoxue.KindPoverty, false}, {baoxue.KindDisability, false}} {
		ds, err := latest(k.kind, k.required)
		if err != nil {
			return err
		}
		if ds == nil {
			continue
		}
		id := ds.ID
		ids = append(ids, id)
		switch k.kind {
		case baoxue.KindRegistry:
			in.Registry = func(ctx context.Context, fn func(*baoxue.Person) error) error { return db.Persons(ctx, id, fn) }
		case baoxue.KindEnrollment:
			in.Enrollment = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error { return db.Enrollments(ctx, id, fn) }
		case baoxue.KindNational:
			in.National = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error { return db.Enrollments(ctx, id, fn) }
		case baoxue.KindPoverty:
			in.Poverty = func(ctx context.Context, fn func(*baoxue.PovertyRecord) error) error { return db.Poverty(ctx, id, fn) }
		case baoxue.KindDisability:
			in.Disability = func(ctx context.Context, fn func(*baoxue.DisabilityRecord) error) error {
				return db.Disability(ctx, id, fn)
			}
		}
	}
	schools, err := db.Schools(ctx)
	if err != nil {
		return err
	}
	if len(schools) > 0 {
		in.SchoolRegions = make(map[string]string, len(schools))
		for _, s := range schools {
			in.SchoolRegions[s.Code] = s.RegionCode
		}
	}
	villages, err := db.Villages(ctx)
	if err != nil {
		return err
	}
	vnames := make(map[string]string, len(villages))
	for _, v := range villages {
		vnames[v.Code] = v.Name
	}
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划数据: %w", err)
	}

	// The previous run, for the changes.
	runs, err := db.Runs(ctx)
	if err != nil {
		return err
	}
	var changes *compare.Changes
	if len(runs) > 0 {
		prev := runs[0].ID
		changes, err = compare.NewChanges(ctx, prev, func(ctx context.Context, fn func(*baoxue.LedgerEntry) error) error {
			return db.LedgerEntries(ctx, prev, "", fn)
		})
	} else {
		changes, err = compare.NewChanges(ctx, 0, nil)
	}
	if err != nil {
		return err
	}

	var rows atomic.Int64
	in.Registry = counting(in.Registry, &rows)
	stop := env.spin(&rows, "比对户籍")
	opts := compare.Options{AsOf: asOf, ExactOnly: f.exactOnly, Workers: f.workers}
	rule, _ := json.Marshal(baoxue.DefaultAgeRule())
	run := &store.Run{AsOf: asOf, AgeRule: rule, DatasetIDs: ids}
	var sum *compare.Summary
	_, err = db.SaveRun(ctx, run, func(w *store.LedgerWriter) error {
		var err error
		sum, err = runCompare(ctx, env, in, opts, f.out,
			ledger.Options{AsOf: asOf, PlaceName: placeNames(tree, vnames), MaskIDs: true, MaskID: pii.MaskID},
			func(e *baoxue.LedgerEntry) error { changes.Add(e); return w.Entry(e) })
		if err == nil {
			run.Counts = sum.Statuses
		}
		return err
	})
	stop()
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	// The per-region counts the dashboard reads; without them the first dashboard view of this
	// run would have to count it.
	if err := db.SummarizeRun(ctx, run.ID); err != nil {
		return fmt.Errorf("compare: summarize run %d: %w", run.ID, err)
	}
	changes.Finish()
	sum.Timings["total"] = time.Since(start).Seconds()
	out := compareSummary{Summary: sum, Out: f.out, RunID: run.ID, Datasets: datasets, Changes: changes}
	if f.asJSON {
		return printJSON(env.Stdout, out)
	}
	printCompareSummary(env.Stdout, &out)
	return nil
}

// spin shows a spinner with a count on a terminal until the returned function is called.
func (env *Env) spin(n *atomic.Int64, desc string) func() {
	bar := env.progress(-1, desc)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				bar(n.Load())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// printCompareSummary writes the summary for a person.
func printCompareSummary(w io.Writer, s *compareSummary) {
	var parts []string
	for _, c := range baoxue.LedgerStatuses {
		if n := s.Statuses[c.ID]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Label, n))
		}
	}
	fmt.Fprintf(w, "比对完成（截至 %s）：适龄儿童少年 %d 人，其中 %s", s.AsOf, s.SchoolAge, strings.Join(parts, "，"))
	if s.MovedOut > 0 {
		fmt.Fprintf(w, "；户口已迁出、不计入本地 %d 人", s.MovedOut)
	}
	fmt.Fprintf(w, "；脱贫家庭 %d 人，残疾 %d 人\n", s.Poverty, s.Disability)
	if s.Changes != nil && s.Changes.PreviousRun > 0 {
		fmt.Fprintf(w, "与上次比对（第 %d 次）相比：新增疑似 %d 人，仍待核查 %d 人，已消除 %d 人\n",
			s.Changes.PreviousRun, s.Changes.NewOpen, s.Changes.StillOpen, s.Changes.Resolved)
	}
	if s.RunID > 0 {
		fmt.Fprintf(w, "比对结果已保存为第 %d 次比对\n", s.RunID)
	}
	if s.Out != "" {
		fmt.Fprintf(w, "台账已写入 %s\n", s.Out)
	}
	fmt.Fprintf(w, "用时 %.2f 秒\n", s.Timings["total"])
}

// compareFiles is file mode.
func compareFiles(ctx context.Context, env *Env, f *compareFlags, asOf baoxue.Date) error {
	start := time.Now()
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划数据: %w", err)
	}
	in, inputs, err := fileInputs(ctx, env, f, tree, asOf)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	villages, err := placeFiles(ctx, f, tree, asOf, &in)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	sum, err := runCompare(ctx, env, in, compare.Options{AsOf: asOf, ExactOnly: f.exactOnly, Workers: f.workers}, f.out,
		ledger.Options{AsOf: asOf, PlaceName: placeNames(tree, villages)})
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	sum.Timings["total"] = time.Since(start).Seconds()
	out := compareSummary{Summary: sum, Out: f.out, Inputs: inputs()}
	if f.asJSON {
		return printJSON(env.Stdout, out)
	}
	printCompareSummary(env.Stdout, &out)
	return nil
}
