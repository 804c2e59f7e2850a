package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// bulkLoader appends many rows to one table inside an open transaction. SQLite gets multi-row
// INSERT statements prepared once; PostgreSQL gets COPY through pgx on the transaction's own
// connection. This and dialect.go are the only engine-specific code paths.
type bulkLoader interface {
	add(row []any) error // row holds the values in column order; the loader keeps it
	flush() error
}

func (db *DB) newBulk(ctx context.Context, conn *sql.Conn, table string, cols []string) bulkLoader {
	if db.dialect.name == dialectPostgres {
		return &copyLoader{ctx: ctx, conn: conn, table: table, cols: cols, rows: make([][]any, 0, copyBatch)}
	}
	per := max(1, min(256, sqliteMaxVars/len(cols)))
	return &insertLoader{ctx: ctx, conn: conn, table: table, cols: cols, perStmt: per,
		args: make([]driver.NamedValue, 0, per*len(cols))}
}

// sqliteMaxVars is SQLite's default limit on bound parameters per statement (since 3.32).
const sqliteMaxVars = 32766

// insertLoader batches rows into INSERT … VALUES (…), (…), … statements. It talks to the SQLite
// driver directly (through sql.Conn.Raw, on the connection that holds the transaction): going
// through database/sql costs a conversion and a check per value, about 13% of the writer's time
// for a million rows.
type insertLoader struct {
	ctx     context.Context
	conn    *sql.Conn
	table   string
	cols    []string
	perStmt int
	stmt    driver.Stmt // the full-batch statement, prepared on first use; only used inside Raw
	args    []driver.NamedValue
	n       int
}

// insertSQL writes INSERT OR ROLLBACK: a failing row aborts the whole import anyway, and without
// ABORT semantics (and with foreign keys off, see beginBulk) SQLite needs no statement journal for
// a multi-row INSERT.
//
// insertSQL uses anonymous ? parameters: SQLite resolves a named $N parameter by a linear scan of
// the statement's parameter names, which makes binding a 4,000-parameter statement quadratic
// (measured: 4 k rows/s with $N, against hundreds of thousands with ?). This loader is used on
// SQLite only, where ? is native.
func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT OR ROLLBACK INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (l *insertLoader) add(row []any) error {
	base := len(l.args)
	for i, v := range row {
		l.args = append(l.args, driver.NamedValue{Ordinal: base + i + 1, Value: v})
	}
	l.n++
	if l.n < l.perStmt {
		return nil
	}
	if err := l.ctx.Err(); err != nil {
		return err
	}
	err := l.conn.Raw(func(dc any) error {
		if l.stmt == nil {
			stmt, err := prepareDriver(l.ctx, dc, insertSQL(l.table, l.cols, l.perStmt))
			if err != nil {
				return err
			}
			l.stmt = stmt
		}
		return execDriver(l.ctx, l.stmt, l.args)
	})
	if err != nil {
		return translate("insert "+l.table, err)
	}
	clear(l.args)
	l.args, l.n = l.args[:0], 0
	return nil
}

func (l *insertLoader) flush() error {
	return l.conn.Raw(func(dc any) error {
		if l.n > 0 {
			stmt, err := prepareDriver(l.ctx, dc, insertSQL(l.table, l.cols, l.n))
			if err != nil {
				return translate("insert "+l.table, err)
			}
			err = execDriver(l.ctx, stmt, l.args)
			stmt.Close()
			if err != nil {
				return translate("insert "+l.table, err)
			}
			l.args, l.n = l.args[:0], 0
		}
		if l.stmt != nil {
			err := l.stmt.Close()
			l.stmt = nil
			return err
		}
		return nil
	})
}

func prepareDriver(ctx context.Context, dc any, query string) (driver.Stmt, error) {
	if c, ok := dc.(driver.ConnPrepareContext); ok {
		return c.PrepareContext(ctx, query)
	}
	return nil, fmt.Errorf("bulk insert: driver connection %T cannot prepare", dc)
}

func execDriver(ctx context.Context, stmt driver.Stmt, args []driver.NamedValue) error {
	s, ok := stmt.(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("bulk insert: driver statement %T cannot execute", stmt)
	}
	_, err := s.ExecContext(ctx, args)
	return err
}

// copyBatch rows go into one COPY; large enough that the per-COPY round trips do not matter.
const copyBatch = 8192

// copyLoader sends rows with COPY FROM STDIN (binary) on the connection that holds the
// transaction, so the rows are part of it.
type copyLoader struct {
	ctx   context.Context
	conn  *sql.Conn
	table string
	cols  []string
	rows  [][]any
}

func (l *copyLoader) add(row []any) error {
	l.rows = append(l.rows, row)
	if len(l.rows) < copyBatch {
		return nil
	}
	return l.flush()
}

func (l *copyLoader) flush() error {
	if len(l.rows) == 0 {
		return nil
	}
	if err := l.ctx.Err(); err != nil {
		return err
	}
	err := l.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: unexpected driver connection %T", driverConn)
		}
		_, err := c.Conn().CopyFrom(l.ctx, pgx.Identifier{l.table}, l.cols, pgx.CopyFromRows(l.rows))
		return err
	})
	if err != nil {
		return translate("copy into "+l.table, err)
	}
	clear(l.rows)
	l.rows = l.rows[:0]
	return nil
}
