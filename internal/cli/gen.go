package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/region"
)

// cmdGen runs `baoxue gen`: synthetic registry, 学籍, poverty and disability files plus the truth.
func cmdGen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "gen")
	scale := fs.String("scale", "county", "规模: county（临夏县，30万人）、province（甘肃省，2500万人）或人数 N（临夏县 N 人）")
	seed := fs.Uint64("seed", 1, "随机种子；相同参数生成逐字节相同的文件")
	profile := fs.String("profile", gen.ProfileRealistic, "数据质量: clean（无错误）、realistic（常见错误）、hard（约4倍错误、GBK）")
	out := fs.String("out", "", "输出目录（必填）")
	encoding := fs.String("encoding", "", "CSV 编码: utf8 或 gbk（默认 hard 为 gbk，其余为 utf8）")
	format := fs.String("format", "csv", "文件格式: csv 或 xlsx（xlsx 仅适用于100万行以内）")
	asOf := fs.String("as-of", gen.DefaultAsOfValue.String(), "数据导出日期 YYYY-MM-DD，决定谁在义务教育年龄内")
	asJSON := fs.Bool("json", false, "完成后在标准输出打印一行 JSON 摘要")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue gen --scale county|province|N --seed S --profile clean|realistic|hard --out DIR [--encoding utf8|gbk] [--format csv|xlsx] [--as-of YYYY-MM-DD] [--json]")
		fmt.Fprintln(fs.Output(), "生成合成的户籍、学籍、全国学籍、脱贫人口、残疾人、学校、村(社区)文件，以及每个适龄儿童真实状态的 truth.csv。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("gen: 多余的参数 %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("gen: 缺少 --out 输出目录")
	}
	sc, rows, err := gen.ParseScale(*scale)
	if err != nil {
		return usagef("gen: %v", err)
	}
	d, err := baoxue.ParseISODate(*asOf)
	if err != nil {
		return usagef("gen: --as-of: %v", err)
	}
	opts := gen.Options{Scale: sc, Rows: rows, Seed: *seed, Profile: *profile, AsOf: d,
		Encoding: *encoding, Format: *format, Out: *out}
	tree, err := region.Load()
	if err != nil {
		return fmt.Errorf("加载行政区划数据: %w", err)
	}
	var bar func(int64)
	progress := func(done, total int64) {
		if bar == nil {
			bar = env.progress(total, "生成户籍")
		}
		bar(done)
	}
	sum, err := gen.Generate(ctx, opts, tree, progress)
	if err != nil {
		if errors.Is(err, baoxue.ErrInvalid) {
			return usagef("gen: %v", err)
		}
		return fmt.Errorf("gen: %w", err)
	}
	if *asJSON {
		return printJSON(env.Stdout, sum)
	}
	fmt.Fprintf(env.Stdout, "已生成 %s：户籍 %d 行，学籍 %d 行，外省在读 %d 行，适龄儿童 %d 人，其中失学辍学 %d 人，用时 %.1f 秒\n",
		sum.Out, sum.Rows["registry"], sum.Rows["enrollment"], sum.Rows["national"], sum.SchoolAge, sum.OutOfSchool, sum.Seconds)
	return nil
}
