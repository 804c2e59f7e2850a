package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are numbered files NNNN_name.sql, one directory per engine, applied in order, each in
// its own transaction, and recorded in schema_migrations.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/" + db.dialect.name
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, name, string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate brings the schema up to date. It is idempotent and safe to run from two processes at
// once: each migration runs in a write transaction that holds the migration lock.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`
	if _, err := db.write.ExecContext(ctx, create); err != nil {
		return translate("create schema_migrations", err)
	}
	for _, m := range ms {
		err := db.inWriteTx(ctx, "migrate", func(tx *sql.Tx) error {
			if db.dialect.migrationLock != "" {
				if _, err := tx.ExecContext(ctx, db.dialect.migrationLock); err != nil {
					return translate("migration lock", err)
				}
			}
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n)
			if err != nil || n > 0 {
				return translate("read schema_migrations", err)
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return translate(fmt.Sprintf("migration %04d_%s", m.version, m.name), err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, time.Now().UTC().Format(time.RFC3339))
			return translate("record migration", err)
		})
		if err != nil {
			return err
		}
	}
	return db.checkKey(ctx)
}

// ErrWrongKey reports that the store's data was encrypted with another key.
var ErrWrongKey = errors.New("密钥与数据库不匹配：数据库中的数据是用另一把密钥加密的，请使用原来的密钥文件或 BAOXUE_KEY")

// checkKey records the key's fingerprint on first use and refuses a different key afterwards, so
// that a lost or mistyped key is reported at once instead of as undecryptable rows later, and no
// data is ever written under a second key.
func (db *DB) checkKey(ctx context.Context) error {
	fp := hex.EncodeToString(db.keys.BlindIndex("baoxue key check v1"))
	err := db.inWriteTx(ctx, "key check", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('key_check', $1)
			ON CONFLICT (name) DO NOTHING`, fp)
		return translate("key check", err)
	})
	if err != nil {
		return err
	}
	var stored string
	if err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'key_check'`).Scan(&stored); err != nil {
		return translate("key check", err)
	}
	if stored != fp {
		return ErrWrongKey
	}
	return nil
}

// SchemaVersion returns the highest migration applied, 0 for an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, translate("schema version", err)
	}
	return int(v.Int64), nil
}
