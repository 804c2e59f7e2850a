package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/compare"
	"github.com/baoxue/baoxue/internal/ingest"
	"github.com/baoxue/baoxue/internal/region"
)

// fileInput is one input file of file mode and what reading it found.
type fileInput struct {
	Kind     string         `json:"kind"`
	File     string         `json:"file"`
	Rows     int            `json:"rows"`
	Skipped  int            `json:"skipped,omitempty"` // registry rows outside the window, not validated
	Rejected int            `json:"rejected"`
	Warnings int            `json:"warnings"`
	Errors   map[string]int `json:"errors_by_code,omitempty"`
}

// fileInputs opens the input files of file mode as record streams: each stream reads its file
// with ingest.Check (the importer's own reading and validation, without a database) when the
// comparison asks for it. Every file's header is found first, so that a missing column, an empty
// file or a file of the wrong kind stops the run before anything is compared. The comparison
// reads its inputs concurrently; summaries returns what each file held once they are done.
func fileInputs(ctx context.Context, env *Env, f *compareFlags, tree *region.Tree, asOf baoxue.Date) (
	in compare.Inputs, summaries func() []fileInput, err error) {
	var mu sync.Mutex
	done := map[baoxue.DatasetKind]fileInput{}
	today := baoxue.DateOf(time.Now())
	// The comparison copies every string it keeps, so blocks may lend it their text.
	opts := ingest.ImportOptions{Tree: tree, Today: max(today, asOf), AsOf: asOf, Importer: "baoxue compare", Report: "-",
		LendText: true}
	if v := env.Getenv("BAOXUE_LEND_CHECK"); v != "" {
		// A developer's check that the comparison keeps no lent string (see ingest.ImportOptions.LendCheck).
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return in, nil, fmt.Errorf("BAOXUE_LEND_CHECK=%q：应为正整数（块的字节数）: %w", v, baoxue.ErrInvalid)
		}
		opts.LendCheck = n
	}
	check := func(ctx context.Context, kind baoxue.DatasetKind, path string, sink ingest.Records) error {
		var bar func(int64)
		o := opts
		if kind == baoxue.KindRegistry {
			// Adults (most of a registry) are skipped before conversion; the records, and so
			// the ledger, are those of the full validation (ingest's TestSkipOutsideWindow, the
			// comparison's TestReadShortcutsKeepTheLedger).
			o.SkipOutsideWindow, o.NarrowWindow = true, true
			o.Progress = func(done, total int64) {
				if bar == nil {
					bar = env.progress(total, "比对 "+filepath.Base(path))
				}
				bar(done)
			}
		}
		s, err := ingest.Check(ctx, path, kind, o, sink)
		if err != nil {
			return err
		}
		if s.Rows == 0 {
			return fmt.Errorf("%s：没有数据行（只有表头）: %w", filepath.Base(path), baoxue.ErrInvalid)
		}
		mu.Lock()
		done[kind] = fileInput{Kind: string(kind), File: path, Rows: s.Rows, Skipped: s.Skipped, Rejected: s.Rejected,
			Warnings: s.Warnings, Errors: s.ErrorsByCode}
		mu.Unlock()
		return nil
	}
	files := []struct {
		kind baoxue.DatasetKind
		path string
	}{{baoxue.KindRegistry, f.registry}, {baoxue.KindEnrollment, f.enrollment}, {baoxue.KindNational, f.national},
		{baoxue.KindPoverty, f.poverty}, {baoxue.KindDisability, f.disability}}
	for _, x := range files {
		if x.path == "" {
			continue
		}
		// Header first: a wrong file fails here, in a second, not after the registry is read.
		tab, err := ingest.OpenTable(x.path, ingest.Options{Kind: x.kind})
		if err != nil {
			return in, nil, err
		}
		header := tab.Header.Row
		tab.Close()
		kind, path := x.kind, x.path
		switch kind {
		case baoxue.KindRegistry:
			in.RegistryHeaderRow = header
			in.Registry = func(ctx context.Context, fn func(*baoxue.Person) error) error {
				return check(ctx, kind, path, ingest.Records{OnPerson: fn})
			}
		case baoxue.KindEnrollment:
			in.Enrollment = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error {
				return check(ctx, kind, path, ingest.Records{OnEnrollment: fn})
			}
		case baoxue.KindNational:
			in.National = func(ctx context.Context, fn func(*baoxue.Enrollment) error) error {
				return check(ctx, kind, path, ingest.Records{OnEnrollment: fn})
			}
		case baoxue.KindPoverty:
			in.Poverty = func(ctx context.Context, fn func(*baoxue.PovertyRecord) error) error {
				return check(ctx, kind, path, ingest.Records{OnPoverty: fn})
			}
		case baoxue.KindDisability:
			in.Disability = func(ctx context.Context, fn func(*baoxue.DisabilityRecord) error) error {
				return check(ctx, kind, path, ingest.Records{OnDisability: fn})
			}
		}
	}
	summaries = func() []fileInput {
		mu.Lock()
		defer mu.Unlock()
		var out []fileInput
		for _, x := range files {
			if s, ok := done[x.kind]; ok {
				out = append(out, s)
			}
		}
		return out
	}
	return in, summaries, nil
}

// placeFiles reads the optional schools and villages files of file mode: school locations for
// matching (into in.SchoolRegions) and village names for the ledger.
func placeFiles(ctx context.Context, f *compareFlags, tree *region.Tree, asOf baoxue.Date, in *compare.Inputs) (map[string]string, error) {
	opts := ingest.ImportOptions{Tree: tree, Today: max(baoxue.DateOf(time.Now()), asOf), AsOf: asOf, Importer: "baoxue compare", Report: "-"}
	if f.schools != "" {
		in.SchoolRegions = map[string]string{}
		_, err := ingest.Check(ctx, f.schools, baoxue.KindSchools, opts, ingest.Records{OnSchool: func(s *baoxue.School) error {
			in.SchoolRegions[s.Code] = s.RegionCode
			return nil
		}})
		if err != nil {
			return nil, err
		}
	}
	var names map[string]string
	if f.villages != "" {
		names = map[string]string{}
		_, err := ingest.Check(ctx, f.villages, baoxue.KindVillages, opts, ingest.Records{OnVillage: func(v *baoxue.Village) error {
			names[v.Code] = v.Name
			return nil
		}})
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}
