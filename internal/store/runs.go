package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
)

// Run is a stored comparison run (DESIGN §4, §6): what it was run on and how many children got
// each status. Its ledger entries are stored with it.
type Run struct {
	ID         int64
	AsOf       baoxue.Date
	AgeRule    json.RawMessage // the school-age settings used, as JSON
	DatasetIDs []int64
	Counts     map[string]int // ledger status → children
	CreatedAt  time.Time
}

var ledgerCols = []string{"run_id", "source_row", "id_enc", "id_bidx", "name", "sex", "birth_date", "region_code",
	"status", "detail", "match_method", "match_score", "school_code", "school_name", "poverty", "poverty_type",
	"disability", "priority_groups", "pii_enc"}

func (s sealer) ledgerRow(run int64, e *baoxue.LedgerEntry) ([]any, error) {
	enc, bidx, err := s.id(e.IDNumber)
	if err != nil {
		return nil, err
	}
	blob, err := s.fields(e.MatchedStudentNo) // pii_enc: matched_student_no
	if err != nil {
		return nil, err
	}
	var birth int64
	if e.BirthDate != "" {
		d, err := baoxue.ParseISODate(e.BirthDate)
		if err != nil {
			return nil, fmt.Errorf("ledger row %d: %w", e.SourceRow, err)
		}
		birth = int64(d)
	}
	return []any{run, int64(e.SourceRow), enc, bidx, e.Name, string(e.Sex), birth, e.RegionCode, string(e.Status),
		e.Detail, string(e.MatchMethod), e.MatchScore, e.SchoolCode, e.SchoolName, e.Poverty, e.PovertyType,
		e.Disability, strings.Join(e.PriorityGroups, ","), blob}, nil
}

const ledgerSelect = `SELECT source_row, id_enc, name, sex, birth_date, region_code, status, detail, match_method,
	match_score, school_code, school_name, poverty, poverty_type, disability, priority_groups, pii_enc
	FROM ledger_entries`

func (s sealer) scanLedger(rows *sql.Rows, e *baoxue.LedgerEntry) error {
	var idEnc, blob []byte
	var sex, status, method, groups string
	var birth int64
	*e = baoxue.LedgerEntry{}
	if err := rows.Scan(&e.SourceRow, &idEnc, &e.Name, &sex, &birth, &e.RegionCode, &status, &e.Detail, &method,
		&e.MatchScore, &e.SchoolCode, &e.SchoolName, &e.Poverty, &e.PovertyType, &e.Disability, &groups, &blob); err != nil {
		return err
	}
	e.Sex, e.Status, e.MatchMethod = baoxue.Sex(sex), baoxue.LedgerStatus(status), baoxue.MatchMethod(method)
	e.BirthDate = baoxue.Date(birth).String()
	if groups != "" {
		e.PriorityGroups = strings.Split(groups, ",")
	}
	var err error
	if e.IDNumber, err = s.openID(idEnc); err != nil {
		return err
	}
	return s.openFields(blob, &e.MatchedStudentNo)
}

// LedgerWriter receives the ledger entries of one comparison run.
type LedgerWriter struct {
	*pipeline
	entries *batcher[baoxue.LedgerEntry]
}

// Entry adds one school-age child's ledger entry.
func (w *LedgerWriter) Entry(e *baoxue.LedgerEntry) error { return w.entries.add(e) }

// SaveRun stores run and its ledger in one transaction: fill adds the entries; run.Counts may be
// set by fill. run.ID and run.CreatedAt are set on success. If fill fails or ctx ends, nothing is
// stored.
func (db *DB) SaveRun(ctx context.Context, run *Run, fill func(w *LedgerWriter) error) (int64, error) {
	if run.CreatedAt.IsZero() {
		run.CreatedAt = time.Now()
	}
	run.CreatedAt = run.CreatedAt.UTC().Truncate(time.Microsecond)
	rule := run.AgeRule
	if len(rule) == 0 {
		rule = json.RawMessage("{}")
	}
	ids, err := json.Marshal(run.DatasetIDs)
	if err != nil {
		return 0, fmt.Errorf("save run: %w", err)
	}
	if run.DatasetIDs == nil {
		ids = []byte("[]")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, translate("save run", err)
	}
	defer conn.Close()
	tx, done, err := db.dialect.beginBulk(ctx, conn)
	if err != nil {
		return 0, translate("save run", err)
	}
	defer done()
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO comparison_runs (as_of, age_rule, dataset_ids, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, int64(run.AsOf), string(rule), string(ids), run.CreatedAt).Scan(&id)
	if err != nil {
		return 0, translate("insert run", err)
	}
	p := newPipeline(ctx, db, conn, tx)
	w := &LedgerWriter{pipeline: p}
	w.entries = newBatcher(p, "ledger_entries", ledgerCols, func(e *baoxue.LedgerEntry) ([]any, error) {
		return db.sealers.ledger.ledgerRow(id, e)
	})
	err = runFill(func(complete bool) error {
		if complete {
			w.entries.dispatch()
		}
		return p.finish(complete)
	}, func() error { return fill(w) })
	if cerr := ctx.Err(); cerr != nil {
		return 0, fmt.Errorf("比对结果保存已取消: %w", cerr)
	}
	if err != nil {
		return 0, err
	}
	counts, err := json.Marshal(run.Counts)
	if err != nil {
		return 0, fmt.Errorf("save run: %w", err)
	}
	if run.Counts == nil {
		counts = []byte("{}")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE comparison_runs SET counts = $1 WHERE id = $2`, string(counts), id); err != nil {
		return 0, translate("update run counts", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, translate("commit run", err)
	}
	run.ID = id
	return id, nil
}

const runSelect = `SELECT id, as_of, age_rule, dataset_ids, counts, created_at FROM comparison_runs`

func scanRun(row interface{ Scan(...any) error }, r *Run) error {
	var asOf int64
	var rule, ids, counts string
	if err := row.Scan(&r.ID, &asOf, &rule, &ids, &counts, &r.CreatedAt); err != nil {
		return err
	}
	r.AsOf, r.AgeRule, r.CreatedAt = baoxue.Date(asOf), json.RawMessage(rule), r.CreatedAt.UTC()
	r.DatasetIDs, r.Counts = nil, nil
	if err := json.Unmarshal([]byte(ids), &r.DatasetIDs); err != nil {
		return fmt.Errorf("run %d dataset ids: %w", r.ID, err)
	}
	if counts != "{}" {
		if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
			return fmt.Errorf("run %d counts: %w", r.ID, err)
		}
	}
	return nil
}

// Run returns one comparison run by id.
func (db *DB) Run(ctx context.Context, id int64) (*Run, error) {
	var r Run
	if err := scanRun(db.read.QueryRowContext(ctx, runSelect+` WHERE id = $1`, id), &r); err != nil {
		return nil, translate(fmt.Sprintf("run %d", id), err)
	}
	return &r, nil
}

// Runs lists comparison runs, newest first.
func (db *DB) Runs(ctx context.Context) ([]Run, error) {
	var out []Run
	err := stream(ctx, db, "list runs", runSelect+` ORDER BY id DESC`, nil,
		func(rows *sql.Rows, r *Run) error { return scanRun(rows, r) },
		func(r *Run) error { out = append(out, *r); return nil })
	return out, err
}

// LedgerEntries calls fn for the run's entries in the order they were added, optionally only
// those with the given status ("" for all).
func (db *DB) LedgerEntries(ctx context.Context, runID int64, status baoxue.LedgerStatus, fn func(*baoxue.LedgerEntry) error) error {
	q, args := ledgerSelect+` WHERE run_id = $1 ORDER BY id`, []any{runID}
	if status != "" {
		q, args = ledgerSelect+` WHERE run_id = $1 AND status = $2 ORDER BY id`, []any{runID, string(status)}
	}
	return stream(ctx, db, "read ledger", q, args, db.sealers.ledger.scanLedger, fn)
}
