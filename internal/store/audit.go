package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
)

// AppendAudit appends rec to the audit log, assigning rec.Seq, rec.PrevHash and rec.Hash. The
// head row is read with a lock (PostgreSQL: FOR UPDATE; SQLite: the write lock of BEGIN
// IMMEDIATE), so concurrent appenders form one chain.
func (db *DB) AppendAudit(ctx context.Context, rec *baoxue.AuditRecord) error {
	if rec.Action == "" {
		return fmt.Errorf("append audit: no action: %w", baoxue.ErrInvalid)
	}
	r := *rec
	err := db.inWriteTx(ctx, "append audit", func(tx *sql.Tx) error { return db.auditTx(ctx, tx, &r) })
	if err != nil {
		return err
	}
	*rec = r
	return nil
}

// auditTx appends an audit record inside tx, so that a change and its audit record can commit
// together (case transitions use it). The head row is locked the same way for every appender, so
// all records form one chain.
func (db *DB) auditTx(ctx context.Context, tx *sql.Tx, rec *baoxue.AuditRecord) error {
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+db.dialect.forUpdate).Scan(&seq, &prev)
	if err != nil {
		return translate("read audit head", err)
	}
	rec.Seq = seq + 1
	if err := audit.Seal(rec, prev); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, role, scope, action, object, result,
		request_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		rec.Seq, rec.Time, rec.Actor, rec.Role, rec.Scope, rec.Action, rec.Object, rec.Result, rec.RequestID,
		rec.Detail, rec.PrevHash, rec.Hash)
	if err != nil {
		return translate("insert audit record", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, rec.Seq, rec.Hash)
	return translate("advance audit head", err)
}

// AuditRecords calls fn for every audit record with seq ≥ fromSeq, in seq order.
func (db *DB) AuditRecords(ctx context.Context, fromSeq int64, fn func(*baoxue.AuditRecord) error) error {
	return stream(ctx, db, "read audit log", `SELECT seq, at, actor, role, scope, action, object, result,
		request_id, detail, prev_hash, hash FROM audit_log WHERE seq >= $1 ORDER BY seq`, []any{fromSeq},
		func(rows *sql.Rows, r *baoxue.AuditRecord) error {
			err := rows.Scan(&r.Seq, &r.Time, &r.Actor, &r.Role, &r.Scope, &r.Action, &r.Object, &r.Result,
				&r.RequestID, &r.Detail, &r.PrevHash, &r.Hash)
			r.Time = r.Time.UTC()
			return err
		}, fn)
}

// AuditHead returns the seq and hash of the last record appended through AppendAudit.
func (db *DB) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, translate("read audit head", err)
}

var (
	_ audit.Appender = (*DB)(nil)
	_ audit.Source   = (*DB)(nil)
)
