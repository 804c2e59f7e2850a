package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// The dashboard (issue 5 item 4) shows, for any region from a province down to a village, how many
// school-age children each ledger status has, why the suspects are suspected, how many are from
// poor families, and how this changed since the previous run. A province holds ≈3.3 M ledger
// entries per run, far too many to count per page view, so SummarizeRun counts them once per run
// into run_region_counts (every region at every level) and run_region_changes; the page then
// reads a few dozen rows.

// SuspectCategories say why a suspect is suspected, from the reason the comparison wrote
// (internal/compare, status.go): the first category whose text occurs in the detail applies.
// "dropped" (学籍 says 辍学) stands for the confirmed dropouts until case files exist (issue 6).
var SuspectCategories = []struct {
	baoxue.Code
	Text string // a fragment of the comparison's reason; "" matches anything
}{
	{baoxue.Code{ID: "dropped", Label: "学籍状态为辍学"}, "学籍状态为辍学"},
	{baoxue.Code{ID: "transferred", Label: "转出后未见转入"}, "学籍已转出"},
	{baoxue.Code{ID: "graduated", Label: "小学毕业未升学"}, "毕业，未找到升学"},
	{baoxue.Code{ID: "no_record", Label: "未找到学籍"}, "未找到学籍"},
	{baoxue.Code{ID: "other", Label: "其他"}, ""},
}

// CategoryDropped is the suspect category of children whose 学籍 says 辍学.
const CategoryDropped = "dropped"

// SuspectCategory returns the category of a suspect's detail (see SuspectCategories).
func SuspectCategory(detail string) string {
	for _, c := range SuspectCategories {
		if strings.Contains(detail, c.Text) {
			return c.ID
		}
	}
	return "other"
}

// categorySQL is SuspectCategory as an SQL expression over ledger_entries.
func categorySQL() string {
	var b strings.Builder
	b.WriteString(`CASE WHEN status <> 'suspected' THEN ''`)
	for _, c := range SuspectCategories {
		if c.Text == "" {
			break
		}
		// The fragments are constants without quotes or LIKE wildcards.
		fmt.Fprintf(&b, ` WHEN detail LIKE '%%%s%%' THEN '%s'`, c.Text, c.ID)
	}
	b.WriteString(` ELSE 'other' END`)
	return b.String()
}

// depthSQL gives the level of a region code as run_region_counts stores it.
const depthSQL = `CASE WHEN length(region_code) = 0 THEN 0 WHEN length(region_code) <= 2 THEN 1
	WHEN length(region_code) <= 4 THEN 2 WHEN length(region_code) <= 6 THEN 3
	WHEN length(region_code) <= 9 THEN 4 ELSE 5 END`

// Depth is the level of a region code in run_region_counts: 1 province … 5 village, 0 none.
func Depth(code string) int {
	switch n := len(code); {
	case n == 0:
		return 0
	case n <= 2:
		return 1
	case n <= 4:
		return 2
	case n <= 6:
		return 3
	case n <= 9:
		return 4
	}
	return 5
}

// levelLengths are the code lengths of depths 1…4, which leaves are rolled up to.
var levelLengths = [...]int{2, 4, 6, 9}

// SummarizeRun counts the run's ledger entries into run_region_counts and compares its suspects
// with those of the previous run into run_region_changes, replacing any earlier summary of the
// run. It reads the entries once (≈3.3 M for a province). Call it after SaveRun; the dashboard
// calls it for a run that has no summary yet.
func (db *DB) SummarizeRun(ctx context.Context, runID int64) error {
	var prev sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT max(id) FROM comparison_runs WHERE id < $1`, runID).Scan(&prev); err != nil {
		return translate("summarize run: previous run", err)
	}
	if _, err := db.Run(ctx, runID); err != nil {
		return err
	}
	op := fmt.Sprintf("summarize run %d", runID)
	err := db.inWriteTx(ctx, op, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM run_region_counts WHERE run_id = $1`,
			`DELETE FROM run_region_changes WHERE run_id = $1`, `DELETE FROM run_summaries WHERE run_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, runID); err != nil {
				return translate(op, err)
			}
		}
		leaves := `INSERT INTO run_region_counts (run_id, depth, region_code, leaf, status, category, poverty, n)
			SELECT run_id, ` + depthSQL + `, region_code, TRUE, status, category, poverty, count(*)
			FROM (SELECT run_id, region_code, status, ` + categorySQL() + ` AS category, poverty
				FROM ledger_entries WHERE run_id = $1) e
			GROUP BY run_id, region_code, status, category, poverty`
		if _, err := tx.ExecContext(ctx, leaves, runID); err != nil {
			return translate(op+": count entries", err)
		}
		for i, n := range levelLengths {
			up := fmt.Sprintf(`INSERT INTO run_region_counts (run_id, depth, region_code, leaf, status, category, poverty, n)
				SELECT run_id, %d, substr(region_code, 1, %d), FALSE, status, category, poverty, sum(n)
				FROM run_region_counts WHERE run_id = $1 AND leaf AND length(region_code) > %d
				GROUP BY run_id, substr(region_code, 1, %d), status, category, poverty`, i+1, n, n, n)
			if _, err := tx.ExecContext(ctx, up, runID); err != nil {
				return translate(op+": roll up", err)
			}
		}
		if prev.Valid {
			if err := db.summarizeChanges(ctx, tx, runID, prev.Int64); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO run_summaries (run_id, prev_run_id, summarized_at) VALUES ($1, $2, $3)`,
			runID, prev.Int64, time.Now().UTC().Truncate(time.Microsecond))
		return translate(op, err)
	})
	if err != nil {
		return err
	}
	// A run adds millions of ledger rows at once. PostgreSQL plans the ledger pages from column
	// statistics, and before autovacuum gets to them it estimated one row per run and picked the
	// index without the status (a county's suspects page: 9 ms instead of 2 ms on a county, far
	// more on a province). ANALYZE samples a fixed number of rows, so it costs seconds at most.
	// SQLite plans these queries well without statistics, and its ANALYZE reads whole indexes.
	if db.dialect.name == dialectPostgres {
		if _, err := db.write.ExecContext(ctx, `ANALYZE ledger_entries`); err != nil {
			return translate(op+": analyze", err)
		}
	}
	return nil
}

// change counts one region's suspects against the previous run.
type change struct{ added, still, resolved int64 }

// summarizeChanges matches the suspects of two runs by the blind index of their ID numbers
// (≈100 k suspects in a province: two small maps).
func (db *DB) summarizeChanges(ctx context.Context, tx *sql.Tx, runID, prevID int64) error {
	suspects := func(run int64) (map[string]string, []string, error) {
		rows, err := tx.QueryContext(ctx, `SELECT id_bidx, region_code FROM ledger_entries
			WHERE run_id = $1 AND status = 'suspected'`, run)
		if err != nil {
			return nil, nil, translate("read suspects", err)
		}
		defer rows.Close()
		byIndex := map[string]string{}
		var noID []string // regions of suspects without a usable ID: always new
		for rows.Next() {
			var bidx []byte
			var region string
			if err := rows.Scan(&bidx, &region); err != nil {
				return nil, nil, translate("read suspects", err)
			}
			if len(bidx) == 0 {
				noID = append(noID, region)
				continue
			}
			byIndex[string(bidx)] = region
		}
		return byIndex, noID, translate("read suspects", rows.Err())
	}
	cur, curNoID, err := suspects(runID)
	if err != nil {
		return err
	}
	prev, _, err := suspects(prevID)
	if err != nil {
		return err
	}
	leaves := map[string]*change{}
	at := func(region string) *change {
		c := leaves[region]
		if c == nil {
			c = &change{}
			leaves[region] = c
		}
		return c
	}
	for k, region := range cur {
		if _, ok := prev[k]; ok {
			at(region).still++
		} else {
			at(region).added++
		}
	}
	for _, region := range curNoID {
		at(region).added++
	}
	for k, region := range prev {
		if _, ok := cur[k]; !ok {
			at(region).resolved++
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_region_changes (run_id, prev_run_id, depth, region_code, leaf,
		new_suspects, still_open, resolved) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`)
	if err != nil {
		return translate("save changes", err)
	}
	defer stmt.Close()
	rolled := map[string]*change{}
	for region, c := range leaves {
		if _, err := stmt.ExecContext(ctx, runID, prevID, Depth(region), region, true, c.added, c.still, c.resolved); err != nil {
			return translate("save changes", err)
		}
		for _, n := range levelLengths {
			if len(region) <= n {
				break
			}
			r := rolled[region[:n]]
			if r == nil {
				r = &change{}
				rolled[region[:n]] = r
			}
			r.added, r.still, r.resolved = r.added+c.added, r.still+c.still, r.resolved+c.resolved
		}
	}
	for region, c := range rolled {
		if _, err := stmt.ExecContext(ctx, runID, prevID, Depth(region), region, false, c.added, c.still, c.resolved); err != nil {
			return translate("save changes", err)
		}
	}
	return nil
}

// Summarized reports whether SummarizeRun has counted the run.
func (db *DB) Summarized(ctx context.Context, runID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM run_summaries WHERE run_id = $1`, runID).Scan(&n)
	return n > 0, translate("run summary", err)
}

// Tally is what the dashboard shows for one region (or school) in one run.
type Tally struct {
	Total    int64                         // school-age children (ledger entries)
	Status   map[baoxue.LedgerStatus]int64 // entries per status
	Category map[string]int64              // suspects per SuspectCategories id
	Poor     map[baoxue.LedgerStatus]int64 // entries flagged poverty, per status
}

func newTally() *Tally {
	return &Tally{Status: map[baoxue.LedgerStatus]int64{}, Category: map[string]int64{}, Poor: map[baoxue.LedgerStatus]int64{}}
}

func (t *Tally) add(status, category string, poor bool, n int64) {
	st := baoxue.LedgerStatus(status)
	t.Total += n
	t.Status[st] += n
	if category != "" {
		t.Category[category] += n
	}
	if poor {
		t.Poor[st] += n
	}
}

// Enrolled counts the children who are in school: local, elsewhere or taught at home.
func (t *Tally) Enrolled() int64 {
	return t.Status[baoxue.StatusEnrolled] + t.Status[baoxue.StatusEnrolledElsewhere] + t.Status[baoxue.StatusHomeTaught]
}

// Changes compares one region's suspects with the previous run.
type Changes struct {
	PrevRunID int64 `json:"prev_run_id"` // 0 when the run is the first
	New       int64 `json:"new"`
	StillOpen int64 `json:"still_open"`
	Resolved  int64 `json:"resolved"`
}

// regionArgs checks that code lies in the scope and returns the scope's LIKE pattern, which every
// dashboard query carries as well: the scope is enforced in SQL, not only here.
func regionArgs(scope auth.Scope, code string) (string, error) {
	pattern, ok := scope.SQLPrefix()
	if !ok || !scope.Contains(code) {
		return "", fmt.Errorf("地区 %.12s: %w", code, baoxue.ErrNotFound)
	}
	return pattern, nil
}

// prefixRange gives bounds lo ≤ code < hi for the codes starting with prefix (a digit string), so
// that both engines range-scan an index whatever the collation; hi is "" when there is none.
func prefixRange(prefix string) (lo, hi string) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return prefix, string(b[:i+1])
		}
	}
	return prefix, ""
}

// RegionTally returns the counts of one region (code within scope) in one run. A region without
// entries gives an empty tally; a code outside the scope gives baoxue.ErrNotFound.
func (db *DB) RegionTally(ctx context.Context, scope auth.Scope, runID int64, code string) (*Tally, error) {
	pattern, err := regionArgs(scope, code)
	if err != nil {
		return nil, err
	}
	t := newTally()
	err = db.tallyRows(ctx, `SELECT '', status, category, poverty, n FROM run_region_counts
		WHERE run_id = $1 AND depth = $2 AND region_code = $3 AND region_code LIKE $4 ESCAPE '\'`,
		[]any{runID, Depth(code), code, pattern}, func(string) *Tally { return t })
	return t, err
}

// SubregionTallies returns the counts of every region at depth (Depth of a code: 1…5) below code,
// keyed by region code: the children of code when depth is one more than Depth(code), or e.g. all
// counties of a province with depth 3.
func (db *DB) SubregionTallies(ctx context.Context, scope auth.Scope, runID int64, code string, depth int) (map[string]*Tally, error) {
	pattern, err := regionArgs(scope, code)
	if err != nil {
		return nil, err
	}
	if depth <= Depth(code) {
		return nil, fmt.Errorf("subregions of %s at depth %d: %w", code, depth, baoxue.ErrInvalid)
	}
	lo, hi := prefixRange(code)
	q := `SELECT region_code, status, category, poverty, n FROM run_region_counts
		WHERE run_id = $1 AND depth = $2 AND region_code >= $3 AND region_code LIKE $4 ESCAPE '\'
		AND region_code LIKE $5 ESCAPE '\'`
	args := []any{runID, depth, lo, auth.EscapeLike(code) + "%", pattern}
	if hi != "" {
		q += ` AND region_code < $6`
		args = append(args, hi)
	}
	out := map[string]*Tally{}
	err = db.tallyRows(ctx, q, args, func(region string) *Tally {
		t := out[region]
		if t == nil {
			t = newTally()
			out[region] = t
		}
		return t
	})
	return out, err
}

// SchoolTally returns the counts of one school's pupils in a run (school scopes; the school sees
// the children its 学籍 claims, selected by school code).
func (db *DB) SchoolTally(ctx context.Context, scope auth.Scope, runID int64) (*Tally, error) {
	if !scope.IsSchool() {
		return nil, fmt.Errorf("school tally: %w", baoxue.ErrNotFound)
	}
	t := newTally()
	err := db.tallyRows(ctx, `SELECT '', status, `+categorySQL()+`, poverty, count(*) FROM ledger_entries
		WHERE run_id = $1 AND school_code = $2 GROUP BY status, `+categorySQL()+`, poverty`,
		[]any{runID, scope.SchoolCode()}, func(string) *Tally { return t })
	return t, err
}

func (db *DB) tallyRows(ctx context.Context, q string, args []any, into func(region string) *Tally) error {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return translate("dashboard counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var region, status, category string
		var poor bool
		var n int64
		if err := rows.Scan(&region, &status, &category, &poor, &n); err != nil {
			return translate("dashboard counts", err)
		}
		into(region).add(status, category, poor, n)
	}
	return translate("dashboard counts", rows.Err())
}

// RunTally is a region's counts in one run, for the trend over runs.
type RunTally struct {
	Run   Run
	Tally *Tally
}

// RegionTrend returns the region's counts in each of the last `runs` summarized runs, oldest
// first.
func (db *DB) RegionTrend(ctx context.Context, scope auth.Scope, code string, runs int) ([]RunTally, error) {
	pattern, err := regionArgs(scope, code)
	if err != nil {
		return nil, err
	}
	var list []Run
	err = stream(ctx, db, "trend runs", runSelect+` WHERE id IN (SELECT run_id FROM run_summaries)
		ORDER BY id DESC LIMIT $1`, []any{runs},
		func(rows *sql.Rows, r *Run) error { return scanRun(rows, r) },
		func(r *Run) error { list = append(list, *r); return nil })
	if err != nil {
		return nil, err
	}
	out := make([]RunTally, len(list))
	byRun := map[int64]*Tally{}
	for i := range list {
		r := list[len(list)-1-i]
		out[i] = RunTally{Run: r, Tally: newTally()}
		byRun[r.ID] = out[i].Tally
	}
	if len(list) == 0 {
		return out, nil
	}
	// run_id IN (…) rather than a range: each run is then one seek in the (run_id, depth,
	// region_code) index instead of a scan of every region of the runs.
	args := []any{Depth(code), code, pattern}
	in := make([]string, len(list))
	for i, r := range list {
		args = append(args, r.ID)
		in[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT run_id, status, category, poverty, n FROM run_region_counts
		WHERE run_id IN (`+strings.Join(in, ", ")+`) AND depth = $1 AND region_code = $2 AND region_code LIKE $3 ESCAPE '\'`,
		args...)
	if err != nil {
		return nil, translate("trend", err)
	}
	defer rows.Close()
	for rows.Next() {
		var run, n int64
		var status, category string
		var poor bool
		if err := rows.Scan(&run, &status, &category, &poor, &n); err != nil {
			return nil, translate("trend", err)
		}
		if t := byRun[run]; t != nil {
			t.add(status, category, poor, n)
		}
	}
	return out, translate("trend", rows.Err())
}

// RegionChanges returns how the region's suspects changed since the run before runID.
func (db *DB) RegionChanges(ctx context.Context, scope auth.Scope, runID int64, code string) (*Changes, error) {
	pattern, err := regionArgs(scope, code)
	if err != nil {
		return nil, err
	}
	c := &Changes{}
	err = db.read.QueryRowContext(ctx, `SELECT prev_run_id FROM run_summaries WHERE run_id = $1`, runID).Scan(&c.PrevRunID)
	if err != nil {
		return nil, translate(fmt.Sprintf("run %d summary", runID), err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT CAST(coalesce(sum(new_suspects), 0) AS BIGINT),
		CAST(coalesce(sum(still_open), 0) AS BIGINT), CAST(coalesce(sum(resolved), 0) AS BIGINT) FROM run_region_changes
		WHERE run_id = $1 AND depth = $2 AND region_code = $3 AND region_code LIKE $4 ESCAPE '\'`,
		runID, Depth(code), code, pattern).Scan(&c.New, &c.StillOpen, &c.Resolved)
	return c, translate("region changes", err)
}
