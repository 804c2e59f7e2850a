package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/baoxue/baoxue/internal/eval"
)

// cmdEval runs `baoxue eval`: it scores a ledger (.jsonl) against the truth.csv of baoxue gen.
func cmdEval(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "eval")
	truthPath := fs.String("truth", "", "baoxue gen 生成的 truth.csv（必填）")
	ledgerPath := fs.String("ledger", "", "baoxue compare 输出的台账 .jsonl（必填）")
	asJSON := fs.Bool("json", false, "在标准输出打印一行 JSON 结果")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue eval --truth truth.csv --ledger ledger.jsonl [--json]")
		fmt.Fprintln(fs.Output(), "用合成数据的真值评估比对台账：失学辍学儿童的查全率、疑似的准确率、待人工确认的比例、自动关联的准确率、各状态的混淆矩阵。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval: 多余的参数 %q", fs.Arg(0))
	}
	if *truthPath == "" || *ledgerPath == "" {
		return usagef("eval: 需要 --truth 和 --ledger")
	}
	tf, err := os.Open(*truthPath)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer tf.Close()
	truth, err := eval.ReadTruth(tf)
	if err != nil {
		return fmt.Errorf("eval: %s：%w", *truthPath, err)
	}
	lf, err := os.Open(*ledgerPath)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer lf.Close()
	led, err := eval.ReadLedger(lf)
	if err != nil {
		return fmt.Errorf("eval: %s：%w", *ledgerPath, err)
	}
	rep := eval.Evaluate(truth, led)
	if *asJSON {
		return printJSON(env.Stdout, rep)
	}
	return rep.WriteText(env.Stdout)
}
