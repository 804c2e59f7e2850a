package store

// Reads of one dataset's rows that the importer and the exporter need beyond records.go: ID
// numbers seen in earlier datasets, and the schools and villages a dataset supplied.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
)

// IDSighting is where an ID number was found in a stored dataset.
type IDSighting struct {
	DatasetID int64
	SourceRow int    // the row of the dataset's file (the first one, if several)
	Status    string // registry and 学籍 rows: the normalised status; otherwise ""
	StatusRaw string // the status as the file wrote it
}

// idTables says where the ID numbers of each kind of dataset are, and which column is the status.
var idTables = map[baoxue.DatasetKind]struct{ table, status string }{
	baoxue.KindRegistry:   {"persons", "status, status_raw"},
	baoxue.KindEnrollment: {"enrollments", "status, status_raw"},
	baoxue.KindNational:   {"enrollments", "status, status_raw"},
	baoxue.KindPoverty:    {"poverty_records", "'', ''"},
	baoxue.KindDisability: {"disability_records", "'', ''"},
}

// lookupBatch is how many ID numbers go into one query: few enough that SQLite's $N binding
// (a linear scan of the parameter names per parameter) stays cheap.
const lookupBatch = 256

// IDLookup looks ID numbers up in the previous dataset of a kind: the newest one imported before
// a given dataset, the snapshot that dataset supersedes. It goes through the blind index, one
// indexed query per lookupBatch IDs, with the statement prepared once. Older datasets are not
// consulted: they were superseded in turn, and looking in all of them would cost a row per ID
// and dataset. Each hit is confirmed by decrypting the stored ID, so a collision of the truncated
// blind index never reports a different person. It reads through the read pool, outside the
// import's transaction, whose own rows it therefore does not see. Close it when done.
type IDLookup struct {
	stmt   *sql.Stmt // nil for kinds without ID numbers
	keys   *pii.Keyring
	sealer sealer
	kind   baoxue.DatasetKind
	before int64
	args   []any
}

// NewIDLookup prepares the lookup of kind's ID numbers in the dataset imported last before
// dataset before. On PostgreSQL it first refreshes the table's planner statistics: right after a
// bulk load the table has none until autovacuum gets to it, and without them PostgreSQL plans a
// blind-index lookup as a sequential scan (measured: 100 ms instead of 7 ms for 256 IDs over
// 400,000 rows; a re-import of a 1,000,000-row registry 50 s instead of 5.5 s). ANALYZE samples
// a fixed number of rows: a fraction of a second whatever the table's size.
func (db *DB) NewIDLookup(ctx context.Context, kind baoxue.DatasetKind, before int64) (*IDLookup, error) {
	l := &IDLookup{keys: db.keys, kind: kind, before: before}
	t, ok := idTables[kind]
	if !ok {
		return l, nil
	}
	if db.dialect.name == dialectPostgres {
		if _, err := db.write.ExecContext(ctx, `ANALYZE `+t.table); err != nil {
			return nil, translate("analyze "+t.table, err)
		}
	}
	var q strings.Builder
	// The unary + keeps the planner from the dataset index: the blind index finds a handful of
	// rows, the dataset filter would scan a whole dataset.
	fmt.Fprintf(&q, `SELECT id_bidx, id_enc, dataset_id, source_row, %s FROM %s WHERE id_bidx IN (`, t.status, t.table)
	for i := 3; i < 3+lookupBatch; i++ {
		if i > 3 {
			q.WriteByte(',')
		}
		q.WriteString("$" + strconv.Itoa(i))
	}
	q.WriteString(`) AND +dataset_id = (SELECT max(id) FROM datasets WHERE kind = $1 AND id < $2)`)
	stmt, err := db.read.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, translate("prepare ID lookup", err)
	}
	l.stmt, l.sealer = stmt, newSealer(db.keys, t.table)
	return l, nil
}

// Close releases the prepared statement.
func (l *IDLookup) Close() error {
	if l.stmt == nil {
		return nil
	}
	return l.stmt.Close()
}

// Find returns, for every ID number found in the previous dataset, where it is there (its first
// row).
func (l *IDLookup) Find(ctx context.Context, ids []string) (map[string]IDSighting, error) {
	out := map[string]IDSighting{}
	if l.stmt == nil || len(ids) == 0 {
		return out, nil
	}
	byIndex := make(map[string]string, len(ids)) // blind index → ID number
	for start := 0; start < len(ids); start += lookupBatch {
		l.args = append(l.args[:0], string(l.kind), l.before)
		for _, id := range ids[start:min(start+lookupBatch, len(ids))] {
			bidx := l.keys.BlindIndex(id)
			if id == "" || byIndex[string(bidx)] != "" {
				continue
			}
			byIndex[string(bidx)] = id
			l.args = append(l.args, bidx)
		}
		if len(l.args) == 2 {
			continue
		}
		for len(l.args) < 2+lookupBatch {
			l.args = append(l.args, []byte(nil)) // NULL: equal to nothing
		}
		if err := l.query(ctx, byIndex, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sighting is a row found by its blind index, its ID number not yet decrypted.
type sighting struct {
	IDSighting
	enc []byte
}

// before orders sightings: newest dataset first, then first row.
func (a *sighting) before(b *sighting) bool {
	return a.DatasetID > b.DatasetID || a.DatasetID == b.DatasetID && a.SourceRow < b.SourceRow
}

// query runs the statement with l.args. An ID on several rows of the dataset (学籍: a
// transferred pupil) is decrypted once, for the row to report (and, in the very rare case of a
// blind-index collision, the next).
func (l *IDLookup) query(ctx context.Context, byIndex map[string]string, out map[string]IDSighting) error {
	rows, err := l.stmt.QueryContext(ctx, l.args...)
	if err != nil {
		return translate("look up earlier IDs", err)
	}
	found := map[string][]sighting{}
	for rows.Next() {
		var bidx []byte
		var h sighting
		if err := rows.Scan(&bidx, &h.enc, &h.DatasetID, &h.SourceRow, &h.Status, &h.StatusRaw); err != nil {
			rows.Close()
			return translate("look up earlier IDs", err)
		}
		found[string(bidx)] = append(found[string(bidx)], h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate("look up earlier IDs", err)
	}
	for bidx, hs := range found {
		id := byIndex[bidx]
		slices.SortFunc(hs, func(a, b sighting) int {
			if a.before(&b) {
				return -1
			}
			if b.before(&a) {
				return 1
			}
			return 0
		})
		for i := range hs {
			stored, err := l.sealer.openID(hs[i].enc)
			if err != nil {
				return err
			}
			if stored == id {
				out[id] = hs[i].IDSighting
				break
			}
		}
	}
	return nil
}

// DatasetSchools lists the schools whose current row came from dataset id (a later schools
// dataset replaces a school by its code), by code.
func (db *DB) DatasetSchools(ctx context.Context, id int64) ([]baoxue.School, error) {
	var out []baoxue.School
	err := stream(ctx, db, "list schools of dataset", `SELECT code, name, region_code, kind, boarding FROM schools
		WHERE dataset_id = $1 ORDER BY code`, []any{id},
		func(r *sql.Rows, s *baoxue.School) error {
			return r.Scan(&s.Code, &s.Name, &s.RegionCode, &s.Kind, &s.Boarding)
		},
		func(s *baoxue.School) error { out = append(out, *s); return nil })
	return out, err
}

// DatasetVillages lists the villages whose current row came from dataset id, by code.
func (db *DB) DatasetVillages(ctx context.Context, id int64) ([]baoxue.Village, error) {
	var out []baoxue.Village
	err := stream(ctx, db, "list villages of dataset", `SELECT code, name FROM villages WHERE dataset_id = $1 ORDER BY code`,
		[]any{id},
		func(r *sql.Rows, v *baoxue.Village) error { return r.Scan(&v.Code, &v.Name) },
		func(v *baoxue.Village) error { out = append(out, *v); return nil })
	return out, err
}
