// Package storetest opens migrated stores for tests: always a SQLite file in a temporary
// directory, and also PostgreSQL when BAOXUE_TEST_POSTGRES_URL is set (for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Each PostgreSQL store lives in a
// schema of its own, dropped when the test ends, so tests run in parallel without seeing each
// other. When the variable is set and the server cannot be reached, the test fails: CI must not
// pass by silently skipping PostgreSQL.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/baoxue/baoxue/internal/pii"
	"github.com/baoxue/baoxue/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL server URL for tests.
const EnvPostgres = "BAOXUE_TEST_POSTGRES_URL"

// Keys returns the fixed keyring test stores use.
func Keys(t testing.TB) *pii.Keyring {
	t.Helper()
	k, err := pii.New(bytes.Repeat([]byte{0x5a}, pii.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Target is one database a test can run against.
type Target struct {
	Name string // "sqlite" or "postgres"
	URL  string // what store.Open takes
}

// Targets returns a fresh, empty database for each engine under test: a SQLite file path in
// t.TempDir(), and a PostgreSQL URL with its own schema when EnvPostgres is set.
func Targets(t testing.TB) []Target {
	t.Helper()
	targets := []Target{{"sqlite", filepath.Join(t.TempDir(), "baoxue.db")}}
	if base := PostgresURL(t); base != "" {
		targets = append(targets, Target{"postgres", NewSchema(t, base)})
	}
	return targets
}

// PostgresURL returns the server URL from the environment, or "" when PostgreSQL is not tested.
func PostgresURL(t testing.TB) string {
	return os.Getenv(EnvPostgres)
}

// NewSchema creates an empty schema on the server at base and returns a URL whose connections
// use it; the schema is dropped when the test ends.
func NewSchema(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("%s is set but PostgreSQL is unreachable: %v", EnvPostgres, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns one migrated store per engine under test, closed when the test ends.
func Open(t testing.TB) []*store.DB {
	t.Helper()
	var dbs []*store.DB
	for _, tg := range Targets(t) {
		dbs = append(dbs, OpenURL(t, tg.URL))
	}
	return dbs
}

// OpenURL opens and migrates the store at u with the test keys, closing it when the test ends.
func OpenURL(t testing.TB, u string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, u, Keys(t))
	if err != nil {
		t.Fatalf("open %s: %v", redact(u), err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", db.Dialect(), err)
	}
	return db
}

// Each runs fn as a subtest once per engine, each with its own fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, tg := range Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			fn(t, OpenURL(t, tg.URL))
		})
	}
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}
