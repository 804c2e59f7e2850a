package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// Ledger pages for the web application (issue 5 item 4): filtered, sorted, scoped, and paged by
// keyset (the id of the last entry shown, never OFFSET), so that page 2,000 of a province ledger
// costs what page 1 does. Every query carries the user's scope in its WHERE clause.

// Sort orders of a ledger page.
const (
	SortRegion = "region" // by region code (village), then entry id: the default
	SortName   = "name"   // by name, then entry id
	SortRow    = "row"    // by entry id: the registry file's order
)

// LedgerFilter selects the entries of one run.
type LedgerFilter struct {
	RunID      int64
	Status     baoxue.LedgerStatus // "" for every status
	Region     string              // a region code inside the scope, "" for the whole scope
	Poverty    string              // "yes", "no" or "" for either
	Disability string              // "yes", "no" or ""
	Name       string              // exact name, "" for any
	IDIndex    []byte              // blind index of a full ID number (pii.Keyring.BlindIndex), nil for any
	Category   string              // suspects of one SuspectCategories id (not "other"), "" for any
	// SuspectIn and NotSuspectIn keep the entries whose child is (or is not) a suspect in another
	// run, matched by ID number: with the previous run, the new suspects and those still open;
	// on the previous run with the current one, the suspects resolved since.
	SuspectIn, NotSuspectIn int64
	Sort                    string // SortRegion (""), SortName or SortRow
	After                   int64  // keyset: id of the last entry of the previous page, 0 for the first
	Limit                   int    // page size; LedgerPage caps it at MaxPage
}

// MaxPage is the largest ledger page.
const MaxPage = 500

// LedgerRow is a ledger entry with its id and the review decision taken on it, if any.
type LedgerRow struct {
	ID    int64
	RunID int64
	baoxue.LedgerEntry
	Decision string // "link", "separate" or ""
}

const ledgerRowSelect = `SELECT e.id, e.run_id, e.source_row, e.id_enc, e.name, e.sex, e.birth_date, e.region_code,
	e.status, e.detail, e.match_method, e.match_score, e.school_code, e.school_name, e.poverty, e.poverty_type,
	e.disability, e.priority_groups, e.pii_enc, coalesce(d.decision, '')
	FROM ledger_entries e LEFT JOIN review_decisions d ON d.entry_id = e.id`

func (s sealer) scanLedgerRow(rows *sql.Rows, r *LedgerRow) error {
	var idEnc, blob []byte
	var sex, status, method, groups string
	var birth int64
	*r = LedgerRow{}
	e := &r.LedgerEntry
	if err := rows.Scan(&r.ID, &r.RunID, &e.SourceRow, &idEnc, &e.Name, &sex, &birth, &e.RegionCode, &status,
		&e.Detail, &method, &e.MatchScore, &e.SchoolCode, &e.SchoolName, &e.Poverty, &e.PovertyType,
		&e.Disability, &groups, &blob, &r.Decision); err != nil {
		return err
	}
	e.Sex, e.Status, e.MatchMethod = baoxue.Sex(sex), baoxue.LedgerStatus(status), baoxue.MatchMethod(method)
	if birth != 0 {
		e.BirthDate = baoxue.Date(birth).String()
	}
	if groups != "" {
		e.PriorityGroups = strings.Split(groups, ",")
	}
	var err error
	if len(idEnc) > 0 {
		if e.IDNumber, err = s.openID(idEnc); err != nil {
			return err
		}
	}
	return s.openFields(blob, &e.MatchedStudentNo)
}

// query builds a WHERE clause with numbered parameters.
type query struct {
	where []string
	args  []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) add(format string, args ...any) {
	refs := make([]any, len(args))
	for i, a := range args {
		refs[i] = q.arg(a)
	}
	q.where = append(q.where, fmt.Sprintf(format, refs...))
}

// prefix restricts col to codes starting with code: a LIKE for correctness and a range that both
// engines can seek in an index.
func (q *query) prefix(col, code string) {
	q.add(col+` LIKE %s ESCAPE '\'`, auth.EscapeLike(code)+"%")
	lo, hi := prefixRange(code)
	q.add(col+` >= %s`, lo)
	if hi != "" {
		q.add(col+` < %s`, hi)
	}
}

// scoped starts a query over e (ledger_entries) limited to the user's scope: a region prefix, or
// a school's pupils. The zero scope sees nothing.
func scoped(scope auth.Scope) (*query, error) {
	q := &query{}
	switch {
	case scope.IsSchool():
		q.add(`e.school_code = %s`, scope.SchoolCode())
	default:
		pattern, ok := scope.SQLPrefix()
		if !ok {
			return nil, fmt.Errorf("ledger: %w", baoxue.ErrNotFound)
		}
		q.add(`e.region_code LIKE %s ESCAPE '\'`, pattern)
		lo, hi := prefixRange(scope.RegionCode())
		q.add(`e.region_code >= %s`, lo)
		if hi != "" {
			q.add(`e.region_code < %s`, hi)
		}
	}
	return q, nil
}

func (q *query) sql() string { return " WHERE " + strings.Join(q.where, " AND ") }

// ledgerQuery turns a filter into SQL. A region outside the scope is baoxue.ErrNotFound.
func (db *DB) ledgerQuery(ctx context.Context, scope auth.Scope, f *LedgerFilter, limit int) (string, []any, error) {
	q, err := scoped(scope)
	if err != nil {
		return "", nil, err
	}
	q.add(`e.run_id = %s`, f.RunID)
	if f.Status != "" {
		q.add(`e.status = %s`, string(f.Status))
	}
	if f.Region != "" {
		if scope.IsSchool() || !scope.Contains(f.Region) {
			return "", nil, fmt.Errorf("地区 %.12s: %w", f.Region, baoxue.ErrNotFound)
		}
		if f.Region != scope.RegionCode() {
			q.prefix("e.region_code", f.Region)
		}
	}
	switch f.Poverty {
	case "yes":
		q.where = append(q.where, `e.poverty`)
	case "no":
		q.where = append(q.where, `NOT e.poverty`)
	}
	switch f.Disability {
	case "yes":
		q.where = append(q.where, `e.disability <> ''`)
	case "no":
		q.where = append(q.where, `e.disability = ''`)
	}
	if f.Name != "" {
		q.add(`e.name = %s`, f.Name)
	}
	if f.IDIndex != nil {
		q.add(`e.id_bidx = %s`, f.IDIndex)
	}
	if f.Category != "" {
		text := ""
		for _, c := range SuspectCategories {
			if c.ID == f.Category {
				text = c.Text
			}
		}
		if text == "" {
			return "", nil, fmt.Errorf("疑似类别 %q: %w", f.Category, baoxue.ErrInvalid)
		}
		q.add(`e.status = 'suspected' AND e.detail LIKE %s`, "%"+text+"%")
	}
	if f.SuspectIn != 0 {
		q.add(`EXISTS (SELECT 1 FROM ledger_entries o WHERE o.id_bidx = e.id_bidx AND o.run_id = %s AND o.status = 'suspected')`, f.SuspectIn)
	}
	if f.NotSuspectIn != 0 {
		q.add(`NOT EXISTS (SELECT 1 FROM ledger_entries o WHERE o.id_bidx = e.id_bidx AND o.run_id = %s AND o.status = 'suspected')`, f.NotSuspectIn)
	}
	var order string
	switch f.Sort {
	case "", SortRegion:
		order = ` ORDER BY e.region_code, e.id`
		if f.After != 0 {
			var region string
			err := db.read.QueryRowContext(ctx, `SELECT region_code FROM ledger_entries WHERE id = $1`, f.After).Scan(&region)
			if err != nil {
				return "", nil, translate("ledger page cursor", err)
			}
			q.add(`(e.region_code, e.id) > (%s, %s)`, region, f.After)
		}
	case SortName:
		order = ` ORDER BY e.name, e.id`
		if f.After != 0 {
			var name string
			err := db.read.QueryRowContext(ctx, `SELECT name FROM ledger_entries WHERE id = $1`, f.After).Scan(&name)
			if err != nil {
				return "", nil, translate("ledger page cursor", err)
			}
			q.add(`(e.name, e.id) > (%s, %s)`, name, f.After)
		}
	case SortRow:
		order = ` ORDER BY e.id`
		if f.After != 0 {
			q.add(`e.id > %s`, f.After)
		}
	default:
		return "", nil, fmt.Errorf("排序方式 %q: %w", f.Sort, baoxue.ErrInvalid)
	}
	s := ledgerRowSelect + q.sql() + order
	if limit > 0 {
		s += ` LIMIT ` + q.arg(limit)
	}
	return s, q.args, nil
}

// LedgerPage returns up to f.Limit entries (at most MaxPage) after f.After, and whether more
// follow. Pass the last row's ID as the next page's After.
func (db *DB) LedgerPage(ctx context.Context, scope auth.Scope, f LedgerFilter) (rows []LedgerRow, more bool, err error) {
	limit := f.Limit
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	q, args, err := db.ledgerQuery(ctx, scope, &f, limit+1)
	if err != nil {
		return nil, false, err
	}
	err = stream(ctx, db, "ledger page", q, args, db.sealers.ledger.scanLedgerRow,
		func(r *LedgerRow) error { rows = append(rows, *r); return nil })
	if err != nil {
		return nil, false, err
	}
	if len(rows) > limit {
		return rows[:limit], true, nil
	}
	return rows, false, nil
}

// EachLedgerRow calls fn for every entry the filter selects (f.Limit is ignored), in the filter's
// order, one at a time: exports stream through it.
func (db *DB) EachLedgerRow(ctx context.Context, scope auth.Scope, f LedgerFilter, fn func(*LedgerRow) error) error {
	q, args, err := db.ledgerQuery(ctx, scope, &f, 0)
	if err != nil {
		return err
	}
	return stream(ctx, db, "ledger rows", q, args, db.sealers.ledger.scanLedgerRow, fn)
}

// CountLedger counts the entries the filter selects (f.After and f.Limit are ignored).
func (db *DB) CountLedger(ctx context.Context, scope auth.Scope, f LedgerFilter) (int64, error) {
	f.After, f.Sort = 0, SortRow
	q, args, err := db.ledgerQuery(ctx, scope, &f, 0)
	if err != nil {
		return 0, err
	}
	_, where, _ := strings.Cut(q, " WHERE ")
	where, _, _ = strings.Cut(where, " ORDER BY ")
	var n int64
	err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM ledger_entries e WHERE `+where, args...).Scan(&n)
	return n, translate("count ledger", err)
}

// LedgerRowByID returns one entry; an entry outside the scope is baoxue.ErrNotFound, exactly like
// one that does not exist.
func (db *DB) LedgerRowByID(ctx context.Context, scope auth.Scope, id int64) (*LedgerRow, error) {
	q, err := scoped(scope)
	if err != nil {
		return nil, err
	}
	q.add(`e.id = %s`, id)
	var out *LedgerRow
	err = stream(ctx, db, "ledger entry", ledgerRowSelect+q.sql(), q.args, db.sealers.ledger.scanLedgerRow,
		func(r *LedgerRow) error { c := *r; out = &c; return nil })
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("台账记录 %d: %w", id, baoxue.ErrNotFound)
	}
	return out, nil
}

// ChildRecords are the source records behind one ledger entry, from the datasets its run used.
type ChildRecords struct {
	Person      *baoxue.Person               // the registry row; nil if its dataset is gone
	Enrollments []baoxue.Enrollment          // 学籍 rows (local and national) with the child's ID or the matched pupil's
	Poverty     []baoxue.PovertyRecord       // rows with the child's or the guardian's ID
	Disability  []baoxue.DisabilityRecord    // rows with the child's ID
	Datasets    map[int64]*baoxue.Dataset    // the run's datasets by id
	Kinds       map[baoxue.DatasetKind]int64 // dataset id of each kind the run used
}

// ChildRecords reads the registry, 学籍, poverty and disability rows of an entry returned by
// LedgerRowByID (which checked the scope).
func (db *DB) ChildRecords(ctx context.Context, row *LedgerRow) (*ChildRecords, error) {
	run, err := db.Run(ctx, row.RunID)
	if err != nil {
		return nil, err
	}
	out := &ChildRecords{Datasets: map[int64]*baoxue.Dataset{}, Kinds: map[baoxue.DatasetKind]int64{}}
	for _, id := range run.DatasetIDs {
		ds, err := db.Dataset(ctx, id)
		if err != nil {
			continue // a dataset deleted since the run: its rows are gone too
		}
		out.Datasets[id], out.Kinds[ds.Kind] = ds, id
	}
	if id, ok := out.Kinds[baoxue.KindRegistry]; ok {
		s := db.sealers.persons
		err := stream(ctx, db, "child registry row", personSelect+` WHERE dataset_id = $1 AND source_row = $2`,
			[]any{id, row.SourceRow}, s.scanPerson, func(p *baoxue.Person) error { c := *p; out.Person = &c; return nil })
		if err != nil {
			return nil, err
		}
	}
	ids := map[string]bool{}
	if row.IDNumber != "" {
		ids[row.IDNumber] = true
	}
	if sno := row.MatchedStudentNo; len(sno) == 19 {
		ids[sno[1:]] = true // G/J/L + the pupil's ID number
	}
	enrollIDs := keys(ids)
	if out.Person != nil && out.Person.GuardianID != "" {
		ids[out.Person.GuardianID] = true
	}
	for _, kind := range []baoxue.DatasetKind{baoxue.KindEnrollment, baoxue.KindNational} {
		if ds, ok := out.Kinds[kind]; ok {
			err := db.byIDs(ctx, enrollIDs, func(bidx []byte, want map[string]bool) error {
				return stream(ctx, db, "child enrollments", enrollmentSelect+` WHERE dataset_id + 0 = $1 AND id_bidx = $2 ORDER BY id`,
					[]any{ds, bidx}, db.sealers.enrollments.scanEnrollment, func(e *baoxue.Enrollment) error {
						if want[e.IDNumber] {
							out.Enrollments = append(out.Enrollments, *e)
						}
						return nil
					})
			})
			if err != nil {
				return nil, err
			}
		}
	}
	if ds, ok := out.Kinds[baoxue.KindPoverty]; ok {
		err := db.byIDs(ctx, keys(ids), func(bidx []byte, want map[string]bool) error {
			return stream(ctx, db, "child poverty", povertySelect+` WHERE dataset_id + 0 = $1 AND id_bidx = $2 ORDER BY id`,
				[]any{ds, bidx}, db.sealers.poverty.scanPoverty, func(r *baoxue.PovertyRecord) error {
					if want[r.IDNumber] {
						out.Poverty = append(out.Poverty, *r)
					}
					return nil
				})
		})
		if err != nil {
			return nil, err
		}
	}
	if ds, ok := out.Kinds[baoxue.KindDisability]; ok && row.IDNumber != "" {
		err := db.byIDs(ctx, []string{row.IDNumber}, func(bidx []byte, want map[string]bool) error {
			return stream(ctx, db, "child disability", disabilitySelect+` WHERE dataset_id + 0 = $1 AND id_bidx = $2 ORDER BY id`,
				[]any{ds, bidx}, db.sealers.disability.scanDisability, func(r *baoxue.DisabilityRecord) error {
					if want[r.IDNumber] {
						out.Disability = append(out.Disability, *r)
					}
					return nil
				})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// The lookups by blind index write "dataset_id + 0" so that no engine picks the dataset index over
// the blind index: without statistics SQLite did, scanning a whole dataset per child page
// (≈60 ms for a county) instead of probing a handful of rows.

// byIDs calls fn with the blind index of each ID and the set of IDs it stands for (the decrypted ID
// confirms a hit: a truncated blind index may, very rarely, collide).
func (db *DB) byIDs(ctx context.Context, ids []string, fn func(bidx []byte, want map[string]bool) error) error {
	for _, id := range ids {
		if err := fn(db.keys.BlindIndex(id), map[string]bool{id: true}); err != nil {
			return err
		}
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Review decisions.
const (
	DecisionLink     = "link"     // the proposed 学籍 record is this child
	DecisionSeparate = "separate" // not the same child
)

// ReviewDecision is a person's decision on a `review` entry.
type ReviewDecision struct {
	EntryID   int64
	Decision  string
	Note      string
	DecidedBy string
	DecidedAt time.Time
}

// DecideReview records a decision on a `review` entry inside the scope, replacing an earlier one.
// An entry outside the scope is baoxue.ErrNotFound; an entry of another status is
// baoxue.ErrInvalid. The caller audits it.
func (db *DB) DecideReview(ctx context.Context, scope auth.Scope, entryID int64, decision, note, by string) error {
	if decision != DecisionLink && decision != DecisionSeparate {
		return fmt.Errorf("复核结论 %q: %w", decision, baoxue.ErrInvalid)
	}
	row, err := db.LedgerRowByID(ctx, scope, entryID)
	if err != nil {
		return err
	}
	if row.Status != baoxue.StatusReview {
		return fmt.Errorf("该记录不是待人工确认状态: %w", baoxue.ErrInvalid)
	}
	var bidx any
	if row.IDNumber != "" {
		bidx = db.keys.BlindIndex(row.IDNumber)
	}
	return db.inWriteTx(ctx, "decide review", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO review_decisions (entry_id, run_id, id_bidx, decision, note, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (entry_id) DO UPDATE SET decision = excluded.decision, note = excluded.note,
				decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
			entryID, row.RunID, bidx, decision, note, by, time.Now().UTC().Truncate(time.Microsecond))
		return translate("decide review", err)
	})
}

// ReviewDecisionOf returns the decision on an entry, or baoxue.ErrNotFound when none was taken.
// The caller has checked the entry's scope with LedgerRowByID.
func (db *DB) ReviewDecisionOf(ctx context.Context, entryID int64) (*ReviewDecision, error) {
	d := &ReviewDecision{EntryID: entryID}
	err := db.read.QueryRowContext(ctx, `SELECT decision, note, decided_by, decided_at FROM review_decisions
		WHERE entry_id = $1`, entryID).Scan(&d.Decision, &d.Note, &d.DecidedBy, &d.DecidedAt)
	if err != nil {
		return nil, translate("review decision", err)
	}
	d.DecidedAt = d.DecidedAt.UTC()
	return d, nil
}

// LatestRun returns the newest comparison run, or baoxue.ErrNotFound when there is none.
func (db *DB) LatestRun(ctx context.Context) (*Run, error) {
	var r Run
	if err := scanRun(db.read.QueryRowContext(ctx, runSelect+` ORDER BY id DESC LIMIT 1`), &r); err != nil {
		return nil, translate("latest run", err)
	}
	return &r, nil
}

// PreviousRun returns the run before runID, or baoxue.ErrNotFound for the first run.
func (db *DB) PreviousRun(ctx context.Context, runID int64) (*Run, error) {
	var r Run
	if err := scanRun(db.read.QueryRowContext(ctx, runSelect+` WHERE id < $1 ORDER BY id DESC LIMIT 1`, runID), &r); err != nil {
		return nil, translate("previous run", err)
	}
	return &r, nil
}
