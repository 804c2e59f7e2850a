package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/baoxue/baoxue/internal/ingest"
	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/region"
	"github.com/baoxue/baoxue/internal/store"
)

// fileInput is one input file of file mode and what its import found.
type fileInput struct {
	Kind     string         `json:"kind"`
	File     string         `json:"file"`
	Rows     int            `json:"rows"`
	Rejected int            `json:"rejected"`
	Warnings int            `json:"warnings"`
	Errors   map[string]int `json:"errors_by_code,omitempty"`
}

// fileInputs opens the input files of file mode as record streams.
//
// ADAPTER, to be replaced: internal/ingest converts rows to records only inside ingest.Import,
// which writes them to a store; it exports no record stream. Until it does, file mode imports the
// files with ingest.Import into a throw-away SQLite database in a private temporary directory,
// under a random key that is never written down, and streams the records back from it; cleanup
// deletes the directory. The conversion is ingest's own (the same validation, the same messages
// naming the file and the problem); only the detour through the database costs time.
func fileInputs(ctx context.Context, env *Env, f *compareFlags, tree *region.Tree, asOf baoxue.Date) (
	in compare.Inputs, summaries []fileInput, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "baoxue-compare-*")
	if err != nil {
		return in, nil, nil, fmt.Errorf("创建临时目录：%w", err)
	}
	var db *store.DB
	remove := func() {
		if db != nil {
			db.Close()
		}
		os.RemoveAll(dir)
	}
	defer func() {
		if err != nil {
			remove()
		}
	}()
	master, err := pii.GenerateKey()
	if err != nil {
		return in, nil, nil, err
	}
	keys, err := pii.New(master)
	if err != nil {
		return in, nil, nil, err
	}
	if db, err = store.Open(ctx, filepath.Join(dir, "compare.db"), keys); err != nil {
		return in, nil, nil, err
	}
	if err = db.Migrate(ctx); err != nil {
		return in, nil, nil, err
	}
	today := baoxue.DateOf(time.Now())
	opts := ingest.ImportOptions{Tree: tree, Today: max(today, asOf), AsOf: asOf, Importer: "baoxue compare", Report: "-"}
	files := []struct {
		kind baoxue.DatasetKind
		path string
	}{{baoxue.KindRegistry, f.registry}, {baoxue.KindEnrollment, f.enrollment}, {baoxue.KindNational, f.national},
		{baoxue.KindPoverty, f.poverty}, {baoxue.KindDisability, f.disability}}
	for _, x := range files {
		if x.path == "" {
			continue
		}
		var bar func(int64)
		opts.Progress = func(done, total int64) {
			if bar == nil {
				bar = env.progress(total, "读取 "+filepath.Base(x.path))
			}
			bar(done)
		}
		s, err := ingest.Import(ctx, db, x.path, x.kind, opts)
		if err != nil {
			return in, nil, nil, err
		}
		if s.Rows == 0 {
			return in, nil, nil, fmt.Errorf("%s：没有数据行（只有表头）: %w", filepath.Base(x.path), baoxue.ErrInvalid)
		}
		summaries = append(summaries, fileInput{Kind: string(x.kind), File: x.path, Rows: s.Rows, Rejected: s.Rejected,
			Warnings: s.Warnings, Errors: s.ErrorsByCode})
		id := s.DatasetID
		switch x.kind {
		case baoxue.KindRegistry:
			in.RegistryHeaderRow = s.HeaderRow
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
	if in.Registry == nil || in.Enrollment == nil {
		return in, nil, nil, errors.New("缺少户籍或学籍文件")
	}
	return in, summaries, remove, nil
}
