package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/ingest"
)

// cmdExport runs `baoxue export`: one stored dataset back to a .csv or .xlsx file with its
// normalised values, under column names `baoxue import` recognises (ingest.ExportDataset).
//
// ID numbers, phones, addresses and guardians are written in full. The command line runs with
// the data key (--key-file, BAOXUE_KEY or <数据库>.key): whoever can run it can decrypt the whole
// database anyway, so masking here would protect nothing and make the file useless for repair
// and re-import. What the command does instead: it writes the file readable by its owner only
// (0600), and records every export in the audit log (actor "cli", action "export", object
// "dataset:N", with the operating-system user, the file and the row count) before the file
// appears — if the audit record cannot be written, there is no file.
func cmdExport(ctx context.Context, env *Env, args []string) error {
	start := time.Now()
	fs := newFlags(env, "export")
	dbURL := fs.String("db", "", "数据库: SQLite 文件路径，或 postgres://用户@主机/库名")
	keyFile := fs.String("key-file", "", "密钥文件；默认取环境变量 BAOXUE_KEY，SQLite 再默认取 <数据库>.key")
	dataset := fs.Int64("dataset", 0, "要导出的数据集编号（baoxue import 的 dataset_id）")
	out := fs.String("out", "", "输出文件 .csv 或 .xlsx")
	asJSON := fs.Bool("json", false, "在标准输出打印一行 JSON 摘要")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "用法: baoxue export --db URL --dataset N --out 文件.csv|文件.xlsx [--json]")
		fmt.Fprintln(fs.Output(), "把一个已导入的数据集按规范化后的值导出（可再次导入）。身份证号等个人信息完整导出：文件仅本人可读，每次导出记入审计日志。")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("export: 多余的参数 %q", fs.Arg(0))
	}
	if *dataset <= 0 {
		return usagef("export: 缺少 --dataset（数据集编号）")
	}
	switch filepath.Ext(*out) {
	case ".csv", ".xlsx", ".CSV", ".XLSX":
	default:
		return usagef("export: --out 应为 .csv 或 .xlsx 文件")
	}
	db, err := openStore(ctx, env, *dbURL, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	ds, err := db.Dataset(ctx, *dataset)
	if errors.Is(err, baoxue.ErrNotFound) {
		return fmt.Errorf("数据集 %d 不存在：请用 baoxue import 的输出中的 dataset_id", *dataset)
	}
	if err != nil {
		return err
	}
	who := env.Getenv("USER")
	rows, err := ingest.ExportDataset(ctx, db, ds, *out, func(rows int) error {
		rec := &baoxue.AuditRecord{Time: time.Now().UTC(), Actor: "cli", Action: "export",
			Object: "dataset:" + strconv.FormatInt(ds.ID, 10), Result: "ok",
			Detail: fmt.Sprintf("kind=%s rows=%d file=%s unmasked=true os_user=%s", ds.Kind, rows, filepath.Base(*out), who)}
		if err := db.AppendAudit(ctx, rec); err != nil {
			return fmt.Errorf("写审计日志失败，未导出：%w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("导出失败：%w", err)
	}
	sum := exportSummary{DatasetID: ds.ID, Kind: string(ds.Kind), File: ds.FileName, Rows: rows, Out: *out,
		Seconds: time.Since(start).Seconds()}
	if *asJSON {
		return printJSON(env.Stdout, sum)
	}
	fmt.Fprintf(env.Stdout, "已导出数据集 %d（%s，%s）%d 行到 %s；文件含完整身份证号等个人信息，请妥善保管\n",
		ds.ID, baoxue.Label(baoxue.DatasetKinds, string(ds.Kind)), ds.FileName, rows, *out)
	return nil
}

type exportSummary struct {
	DatasetID int64   `json:"dataset_id"`
	Kind      string  `json:"kind"`
	File      string  `json:"file"`
	Rows      int     `json:"rows"`
	Out       string  `json:"out"`
	Seconds   float64 `json:"seconds"`
}
