package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
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
	// pause releases the connection for another statement (a COPY in progress is ended); the
	// next add resumes.
	pause() error
	flush() error
	abort() // after a failure: stop without writing more, release the connection
}

func (db *DB) newBulk(ctx context.Context, conn *sql.Conn, table string, cols []string) bulkLoader {
	if db.dialect.name == dialectPostgres {
		return &copyLoader{ctx: ctx, conn: conn, table: table, cols: cols}
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

// pause is a no-op: between statements an insertLoader holds nothing on the connection.
func (l *insertLoader) pause() error { return nil }

func (l *insertLoader) abort() {
	l.conn.Raw(func(any) error {
		if l.stmt != nil {
			l.stmt.Close()
			l.stmt = nil
		}
		return nil
	})
	clear(l.args)
	l.args, l.n = l.args[:0], 0
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

// copyBatch rows go into one COPY statement: enough that the per-statement round trip does not
// matter, few enough that the statement-level parent check's transition table (about 400 bytes
// a row) stays within PostgreSQL's default work_mem of 4 MB.
const copyBatch = 8192

// copyBuffer rows may wait for the COPY goroutine: the producer runs ahead while a statement
// ends and the next one starts.
const copyBuffer = 2 * copyBatch

// copyLoader streams rows with COPY FROM STDIN (binary) on the connection that holds the
// transaction, so the rows are part of it. A goroutine holds the connection and runs one COPY
// statement after another, each fed from a channel until copyBatch rows or until the channel is
// closed: the server inserts while the client encrypts the next rows, instead of the two taking
// turns batch by batch (measured: a 1,000,000-row registry 6.4 s → see docs/BENCHMARKS.md).
type copyLoader struct {
	ctx   context.Context
	conn  *sql.Conn
	table string
	cols  []string

	rows chan []any    // to the COPY goroutine; nil while no COPY runs
	stop chan struct{} // closed by abort: the running COPY fails, nothing is committed
	done chan error    // the goroutine's result
}

var errCopyAborted = errors.New("copy aborted")

func (l *copyLoader) start() {
	rows, stop, done := make(chan []any, copyBuffer), make(chan struct{}), make(chan error, 1)
	l.rows, l.stop, l.done = rows, stop, done
	go func() {
		done <- l.conn.Raw(func(driverConn any) error {
			c, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("copy: unexpected driver connection %T", driverConn)
			}
			for {
				src := &chanSource{rows: rows, stop: stop}
				if !src.Next() { // wait for a first row before starting a statement
					return src.err
				}
				src.n, src.again = 0, true
				if _, err := c.Conn().CopyFrom(l.ctx, pgx.Identifier{l.table}, l.cols, src); err != nil {
					return err
				}
				if src.closed {
					return nil
				}
			}
		})
	}()
}

func (l *copyLoader) add(row []any) error {
	if l.rows == nil {
		l.start()
	}
	select {
	case l.rows <- row:
		return nil
	case err := <-l.done: // the goroutine only ends early when the COPY failed
		l.rows = nil
		if err == nil {
			err = errors.New("copy ended early")
		}
		return translate("copy into "+l.table, err)
	}
}

// pause ends the COPY in progress (its rows are sent and inserted) and releases the connection.
func (l *copyLoader) pause() error {
	if l.rows == nil {
		return nil
	}
	close(l.rows)
	err := <-l.done
	l.rows = nil
	return translate("copy into "+l.table, err)
}

func (l *copyLoader) flush() error { return l.pause() }

func (l *copyLoader) abort() {
	if l.rows == nil {
		return
	}
	close(l.stop)
	<-l.done
	l.rows = nil
}

// chanSource is a pgx.CopyFromSource reading up to copyBatch rows from a channel.
type chanSource struct {
	rows   <-chan []any
	stop   <-chan struct{}
	cur    []any
	n      int
	again  bool // cur holds a row already taken, not yet returned
	closed bool // the channel is closed: no statement after this one
	err    error
}

func (s *chanSource) Next() bool {
	if s.again {
		s.again = false
		s.n++
		return true
	}
	if s.n >= copyBatch {
		return false
	}
	select {
	case row, ok := <-s.rows:
		if !ok {
			s.closed = true
			return false
		}
		s.cur = row
		s.n++
		return true
	case <-s.stop:
		s.err = errCopyAborted
		return false
	}
}

func (s *chanSource) Values() ([]any, error) { return s.cur, nil }

func (s *chanSource) Err() error { return s.err }
