package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
)

// AuditFilter selects audit records for the auditor's viewer. Empty fields do not filter.
type AuditFilter struct {
	Actor  string    // exact user name ("cli" for the command line)
	Action string    // exact action ("login", "access_denied", …)
	From   time.Time // records at or after From
	To     time.Time // records before To
	// Before pages backwards: only records with seq < Before (0: from the newest).
	Before int64
	Limit  int // at most this many (default 50, at most 500)
}

// SearchAudit returns the records matching f, newest first. The next page is f with Before set to
// the last record's Seq.
func (db *DB) SearchAudit(ctx context.Context, f AuditFilter) ([]baoxue.AuditRecord, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= $%d", dbTime(f.From))
	}
	if !f.To.IsZero() {
		add("at < $%d", dbTime(f.To))
	}
	if f.Before > 0 {
		add("seq < $%d", f.Before)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 500:
		f.Limit = 500
	}
	q := `SELECT seq, at, actor, role, scope, action, object, result, request_id, detail, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", f.Limit)
	var out []baoxue.AuditRecord
	err := stream(ctx, db, "search audit log", q, args,
		func(rows *sql.Rows, r *baoxue.AuditRecord) error {
			err := rows.Scan(&r.Seq, &r.Time, &r.Actor, &r.Role, &r.Scope, &r.Action, &r.Object, &r.Result,
				&r.RequestID, &r.Detail, &r.PrevHash, &r.Hash)
			r.Time = r.Time.UTC()
			return err
		},
		func(r *baoxue.AuditRecord) error { out = append(out, *r); return nil })
	return out, err
}
