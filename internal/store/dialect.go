package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// This file is the one place where SQLite and PostgreSQL differ, apart from the per-engine
// migrations and the bulk loaders (multi-row INSERT vs COPY) in bulk.go. Queries elsewhere are one
// SQL text for both: $N placeholders, RETURNING, ON CONFLICT.

const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
)

// dialect holds the engine-specific fragments and behaviour.
type dialect struct {
	name string
	// forUpdate is appended to a SELECT that must lock the rows it reads until commit. SQLite
	// has no row locks; its BEGIN IMMEDIATE already holds the single write lock.
	forUpdate string
	// migrationLock serialises concurrent migrators; run first inside the migration transaction.
	migrationLock string
}

var (
	sqliteDialect   = dialect{name: dialectSQLite}
	postgresDialect = dialect{
		name:          dialectPostgres,
		forUpdate:     " FOR UPDATE",
		migrationLock: "SELECT pg_advisory_xact_lock(7262617578756501)", // "baoxue" + 01
	}
)

// isPostgresURL reports whether url names a PostgreSQL server rather than a SQLite file.
func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// SQLitePath returns the file path of a SQLite database URL ("sqlite:path", "file:path" or a
// bare path), or "" for a PostgreSQL URL.
func SQLitePath(u string) string {
	if isPostgresURL(u) {
		return ""
	}
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			return rest
		}
	}
	return u
}

// sqlitePragmas are applied to every SQLite connection. WAL lets readers run beside the writer;
// busy_timeout makes a second process wait for the write lock instead of failing; synchronous=FULL
// makes an acknowledged commit survive power loss; foreign keys are off by default in SQLite.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(FULL)&_time_format=sqlite"

// openSQLite opens two pools on one file: a single-connection write pool whose transactions start
// with BEGIN IMMEDIATE (taking the write lock up front, so a transaction never fails half-way with
// SQLITE_BUSY when it first writes), and a read pool that cannot write.
func openSQLite(ctx context.Context, path string) (write, read *sql.DB, err error) {
	// ":memory:" would give the read pool a different, empty database from the write pool.
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return nil, nil, fmt.Errorf("SQLite 数据库路径 %q 无效：请给出文件路径", path)
	}
	// The write connection gets a 256 MB page cache: a million-row import keeps its indexes (the
	// blind index takes random inserts) in memory; measured 105k → 131k rows/s against 64 MB.
	// A bare path (not "file:") keeps SQLite from interpreting it as a URI; modernc strips the
	// query part and applies it as connection settings.
	write, err = sql.Open("sqlite", path+"?"+sqlitePragmas+"&_txlock=immediate&_pragma=cache_size(-262144)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Open the write connection first: it creates the file and switches it to WAL before any
	// read-only connection looks at it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, nil, err
	}
	read, err = sql.Open("sqlite", path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	return write, read, nil
}

// beginBulk starts the transaction of a bulk load (an import or a ledger) on conn and returns a
// function to call after it has ended.
//
// On SQLite it first turns foreign-key enforcement off for this connection (the pragma is a no-op
// inside a transaction). The load inserts the parent row (dataset or run) itself in the same
// transaction, so the per-row check is redundant, and it is expensive: with an immediate foreign
// key every multi-row INSERT must keep a statement journal (measured ≈20% of the import's CPU).
// done turns enforcement back on, or discards the connection if it cannot.
func (d dialect) beginBulk(ctx context.Context, conn *sql.Conn) (tx *sql.Tx, done func(), err error) {
	done = func() {}
	if d.name == dialectSQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return nil, nil, err
		}
		done = func() {
			if _, err := conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn }) // never hand it out again
			}
		}
	}
	tx, err = conn.BeginTx(ctx, nil)
	if err != nil {
		done()
		return nil, nil, err
	}
	return tx, done, nil
}

func openPostgres(ctx context.Context, u string) (*sql.DB, error) {
	if _, err := url.Parse(u); err != nil {
		return nil, fmt.Errorf("PostgreSQL 连接地址无效: %w", err)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
