package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/baoxue/baoxue"
)

// DatasetWriter receives the rows of one import. Its methods may be called in any order and mix;
// rows are encrypted in the background and written in batches inside the import's transaction
// (see pipeline). It is not safe for concurrent use.
type DatasetWriter struct {
	*pipeline
	id int64

	persons     *batcher[baoxue.Person]
	enrollments *batcher[baoxue.Enrollment]
	poverty     *batcher[baoxue.PovertyRecord]
	disability  *batcher[baoxue.DisabilityRecord]
	school      *sql.Stmt // used by the writer goroutine only
	village     *sql.Stmt
}

func newDatasetWriter(p *pipeline, id int64) *DatasetWriter {
	s := &p.db.sealers
	return &DatasetWriter{pipeline: p, id: id,
		persons: newBatcher(p, "persons", personCols, func(r *baoxue.Person) ([]any, error) {
			return s.persons.personRow(id, r)
		}),
		enrollments: newBatcher(p, "enrollments", enrollmentCols, func(r *baoxue.Enrollment) ([]any, error) {
			return s.enrollments.enrollmentRow(id, r)
		}),
		poverty: newBatcher(p, "poverty_records", povertyCols, func(r *baoxue.PovertyRecord) ([]any, error) {
			return s.poverty.povertyRow(id, r)
		}),
		disability: newBatcher(p, "disability_records", disabilityCols, func(r *baoxue.DisabilityRecord) ([]any, error) {
			return s.disability.disabilityRow(id, r)
		}),
	}
}

func (w *DatasetWriter) finish(complete bool) error {
	if complete {
		w.persons.dispatch()
		w.enrollments.dispatch()
		w.poverty.dispatch()
		w.disability.dispatch()
	}
	return w.pipeline.finish(complete)
}

// DatasetID is the id of the dataset being written.
func (w *DatasetWriter) DatasetID() int64 { return w.id }

// Person adds a registry row. Errors from earlier rows may surface here or when the import ends.
func (w *DatasetWriter) Person(p *baoxue.Person) error { return w.persons.add(p) }

// Enrollment adds a 学籍 row (local or national).
func (w *DatasetWriter) Enrollment(e *baoxue.Enrollment) error { return w.enrollments.add(e) }

// Poverty adds a poverty-registry row.
func (w *DatasetWriter) Poverty(r *baoxue.PovertyRecord) error { return w.poverty.add(r) }

// Disability adds a disability-registry row.
func (w *DatasetWriter) Disability(r *baoxue.DisabilityRecord) error { return w.disability.add(r) }

// School adds or replaces a school (by code), recording this dataset as its source.
func (w *DatasetWriter) School(s *baoxue.School) error {
	sc := *s
	return w.run(func() error {
		if w.school == nil {
			stmt, err := w.tx.PrepareContext(w.ctx, upsertSchoolSQL)
			if err != nil {
				return translate("prepare school upsert", err)
			}
			w.school = stmt
		}
		_, err := w.school.ExecContext(w.ctx, sc.Code, sc.Name, sc.RegionCode, sc.Kind, sc.Boarding, w.id)
		return translate("upsert school "+sc.Code, err)
	})
}

// Village adds or replaces a village (by code), recording this dataset as its source.
func (w *DatasetWriter) Village(v *baoxue.Village) error {
	vc := *v
	return w.run(func() error {
		if w.village == nil {
			stmt, err := w.tx.PrepareContext(w.ctx, upsertVillageSQL)
			if err != nil {
				return translate("prepare village upsert", err)
			}
			w.village = stmt
		}
		_, err := w.village.ExecContext(w.ctx, vc.Code, vc.Name, townshipOf(vc.Code), w.id)
		return translate("upsert village "+vc.Code, err)
	})
}

// ImportDataset stores ds and its rows in one transaction: it inserts the dataset, calls fill to
// add the rows, updates the dataset's counts from ds (fill may change them), and commits. ds.ID
// and ds.ImportedAt are set on success. If a dataset of the same kind and SHA-256 is already
// stored, nothing is written and the existing id is returned with an error wrapping
// baoxue.ErrExists. If fill fails or ctx ends, nothing is left behind.
func (db *DB) ImportDataset(ctx context.Context, ds *baoxue.Dataset, fill func(w *DatasetWriter) error) (int64, error) {
	if ds.Kind == "" || ds.SHA256 == "" {
		return 0, fmt.Errorf("import: dataset needs a kind and a SHA-256: %w", baoxue.ErrInvalid)
	}
	if existing, err := db.DatasetBySHA(ctx, ds.Kind, ds.SHA256); err == nil {
		return existing.ID, fmt.Errorf("文件 %s 已于 %s 导入（数据集 %d）: %w", ds.FileName,
			existing.ImportedAt.Local().Format("2006-01-02 15:04"), existing.ID, baoxue.ErrExists)
	} else if !errors.Is(err, baoxue.ErrNotFound) {
		return 0, err
	}
	if ds.ImportedAt.IsZero() {
		ds.ImportedAt = time.Now()
	}
	ds.ImportedAt = ds.ImportedAt.UTC().Truncate(time.Microsecond)

	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, translate("import", err)
	}
	defer conn.Close()
	tx, done, err := db.dialect.beginBulk(ctx, conn)
	if err != nil {
		return 0, translate("import", err)
	}
	defer done()
	defer tx.Rollback() // no-op after Commit; runs before done

	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO datasets (kind, file_name, sha256, sheet, importer, imported_at, as_of)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		string(ds.Kind), ds.FileName, ds.SHA256, ds.Sheet, ds.Importer, ds.ImportedAt, int64(ds.AsOf)).Scan(&id)
	if err != nil {
		err = translate("insert dataset", err)
		if errors.Is(err, baoxue.ErrExists) { // imported by someone else meanwhile
			tx.Rollback()
			if existing, e := db.DatasetBySHA(ctx, ds.Kind, ds.SHA256); e == nil {
				return existing.ID, err
			}
		}
		return 0, err
	}
	w := newDatasetWriter(newPipeline(ctx, db, conn, tx), id)
	err = runFill(w.finish, func() error { return fill(w) })
	if cerr := ctx.Err(); cerr != nil { // the driver's own error would say only "connection closed"
		return 0, fmt.Errorf("导入已取消: %w", cerr)
	}
	if err != nil {
		return 0, err // the deferred rollback discards every row written so far
	}
	counts, err := json.Marshal(ds.ErrorCounts)
	if err != nil {
		return 0, fmt.Errorf("import: error counts: %w", err)
	}
	if ds.ErrorCounts == nil {
		counts = []byte("{}")
	}
	_, err = tx.ExecContext(ctx, `UPDATE datasets SET rows_read = $1, accepted = $2, rejected = $3, warnings = $4,
		error_counts = $5 WHERE id = $6`, ds.RowsRead, ds.Accepted, ds.Rejected, ds.Warnings, string(counts), id)
	if err != nil {
		return 0, translate("update dataset counts", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, translate("commit import", err)
	}
	ds.ID = id
	return id, nil
}

const datasetSelect = `SELECT id, kind, file_name, sha256, sheet, rows_read, accepted, rejected, warnings,
	error_counts, importer, imported_at, as_of FROM datasets`

func scanDataset(rows interface{ Scan(...any) error }, ds *baoxue.Dataset) error {
	var kind, counts string
	var asOf int64
	if err := rows.Scan(&ds.ID, &kind, &ds.FileName, &ds.SHA256, &ds.Sheet, &ds.RowsRead, &ds.Accepted,
		&ds.Rejected, &ds.Warnings, &counts, &ds.Importer, &ds.ImportedAt, &asOf); err != nil {
		return err
	}
	ds.Kind, ds.AsOf = baoxue.DatasetKind(kind), baoxue.Date(asOf)
	ds.ImportedAt = ds.ImportedAt.UTC()
	ds.ErrorCounts = nil
	if counts != "" && counts != "{}" {
		if err := json.Unmarshal([]byte(counts), &ds.ErrorCounts); err != nil {
			return fmt.Errorf("dataset %d error counts: %w", ds.ID, err)
		}
	}
	return nil
}

// Datasets lists every dataset, oldest first.
func (db *DB) Datasets(ctx context.Context) ([]baoxue.Dataset, error) {
	var out []baoxue.Dataset
	err := stream(ctx, db, "list datasets", datasetSelect+` ORDER BY id`, nil,
		func(r *sql.Rows, ds *baoxue.Dataset) error { return scanDataset(r, ds) },
		func(ds *baoxue.Dataset) error { out = append(out, *ds); return nil })
	return out, err
}

// Dataset returns one dataset by id.
func (db *DB) Dataset(ctx context.Context, id int64) (*baoxue.Dataset, error) {
	var ds baoxue.Dataset
	if err := scanDataset(db.read.QueryRowContext(ctx, datasetSelect+` WHERE id = $1`, id), &ds); err != nil {
		return nil, translate(fmt.Sprintf("dataset %d", id), err)
	}
	return &ds, nil
}

// DatasetBySHA returns the dataset of this kind whose file had this SHA-256 (hex).
func (db *DB) DatasetBySHA(ctx context.Context, kind baoxue.DatasetKind, sha string) (*baoxue.Dataset, error) {
	var ds baoxue.Dataset
	row := db.read.QueryRowContext(ctx, datasetSelect+` WHERE kind = $1 AND sha256 = $2`, string(kind), sha)
	if err := scanDataset(row, &ds); err != nil {
		return nil, translate("find dataset", err)
	}
	return &ds, nil
}

// LatestDataset returns the most recently imported dataset of a kind.
func (db *DB) LatestDataset(ctx context.Context, kind baoxue.DatasetKind) (*baoxue.Dataset, error) {
	var ds baoxue.Dataset
	row := db.read.QueryRowContext(ctx, datasetSelect+` WHERE kind = $1 ORDER BY id DESC LIMIT 1`, string(kind))
	if err := scanDataset(row, &ds); err != nil {
		return nil, translate("latest dataset "+string(kind), err)
	}
	return &ds, nil
}

// Counts is how many rows each table holds.
type Counts struct {
	Datasets    int64            `json:"datasets"`
	ByKind      map[string]int64 `json:"datasets_by_kind"` // datasets per kind
	Persons     int64            `json:"persons"`
	Enrollments int64            `json:"enrollments"`
	Poverty     int64            `json:"poverty_records"`
	Disability  int64            `json:"disability_records"`
	Schools     int64            `json:"schools"`
	Villages    int64            `json:"villages"`
	Runs        int64            `json:"comparison_runs"`
	Audit       int64            `json:"audit_records"`
}

// Counts counts the rows of every table.
func (db *DB) Counts(ctx context.Context) (*Counts, error) {
	c := &Counts{ByKind: map[string]int64{}}
	for table, dst := range map[string]*int64{
		"datasets": &c.Datasets, "persons": &c.Persons, "enrollments": &c.Enrollments,
		"poverty_records": &c.Poverty, "disability_records": &c.Disability, "schools": &c.Schools,
		"villages": &c.Villages, "comparison_runs": &c.Runs, "audit_log": &c.Audit,
	} {
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(dst); err != nil {
			return nil, translate("count "+table, err)
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT kind, count(*) FROM datasets GROUP BY kind`)
	if err != nil {
		return nil, translate("count datasets", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, translate("count datasets", err)
		}
		c.ByKind[kind] = n
	}
	return c, translate("count datasets", rows.Err())
}
