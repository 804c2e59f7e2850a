package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// translate maps a driver error to the domain's sentinel errors, keeping the original in the
// chain, and names the operation. It is the only place that knows driver error codes.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if kind := classify(err); kind != nil {
		return fmt.Errorf("%s: %w: %w", op, kind, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func classify(err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, pgx.ErrNoRows):
		return baoxue.ErrNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return baoxue.ErrExists
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
			return baoxue.ErrInvalid
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return baoxue.ErrDenied // the append-only triggers of the audit log
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return baoxue.ErrConflict
		}
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return baoxue.ErrExists
		case "23503", "23502", "23514": // foreign_key, not_null, check violation
			return baoxue.ErrInvalid
		case "40001", "40P01", "55P03": // serialization failure, deadlock, lock not available
			return baoxue.ErrConflict
		case "42501": // insufficient_privilege, raised by the audit log's append-only trigger
			return baoxue.ErrDenied
		}
	}
	return nil
}
