// Package store keeps baoxue's data in SQLite (one file, the default for a county) or PostgreSQL
// (a province, many users): datasets and their rows, schools, villages, comparison runs and
// ledgers, and the audit log (DESIGN §10). ID numbers and other personal fields are encrypted with
// internal/pii before they reach the database and decrypted when read back; nothing personal is
// ever stored in clear. Driver errors come back as the root package's sentinel errors.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
)

// DB is an open store.
type DB struct {
	dialect dialect
	write   *sql.DB // SQLite: one connection, BEGIN IMMEDIATE; PostgreSQL: the pool
	read    *sql.DB // SQLite: read-only pool; PostgreSQL: same as write
	keys    *pii.Keyring
	sealers sealers
}

// sealers encrypt the personal columns of each record table.
type sealers struct {
	persons, enrollments, poverty, disability, ledger sealer
}

func newDB(d dialect, write, read *sql.DB, keys *pii.Keyring) *DB {
	return &DB{dialect: d, write: write, read: read, keys: keys, sealers: sealers{
		persons:     newSealer(keys, "persons"),
		enrollments: newSealer(keys, "enrollments"),
		poverty:     newSealer(keys, "poverty_records"),
		disability:  newSealer(keys, "disability_records"),
		ledger:      newSealer(keys, "ledger_entries"),
	}}
}

// Open connects to url: "postgres://…" or "postgresql://…" for PostgreSQL, anything else ("path",
// "sqlite:path", "file:path") for a SQLite file, created when missing. It does not migrate.
func Open(ctx context.Context, url string, keys *pii.Keyring) (*DB, error) {
	if keys == nil {
		return nil, fmt.Errorf("store: no encryption key: %w", baoxue.ErrInvalid)
	}
	if isPostgresURL(url) {
		db, err := openPostgres(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("连接 PostgreSQL 失败: %w", err)
		}
		return newDB(postgresDialect, db, db, keys), nil
	}
	path := SQLitePath(url)
	w, r, err := openSQLite(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("打开 SQLite 数据库 %s 失败: %w", path, err)
	}
	return newDB(sqliteDialect, w, r, keys), nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// SQL returns the underlying read-write handle, for tests and tools. On SQLite it is the single
// write connection: do not keep rows open from it while calling other methods that write.
func (db *DB) SQL() *sql.DB { return db.write }

// Keys returns the keyring the store encrypts with.
func (db *DB) Keys() *pii.Keyring { return db.keys }

// Close closes the store.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// inWriteTx runs fn in a write transaction and commits it, or rolls back when fn fails or ctx
// ends. On SQLite the transaction starts with BEGIN IMMEDIATE on the single write connection.
func (db *DB) inWriteTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(op, err)
	}
	return nil
}
