package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// Sessions and API tokens are stored by the SHA-256 of their token (auth.HashToken): a copy of
// the database lets nobody sign in.

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// CreateSession stores a new session (auth.SessionStore).
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	return db.inWriteTx(ctx, "create session", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen, pending)
			VALUES ($1, $2, $3, $4, $5)`, s.TokenHash, s.UserID, dbTime(s.CreatedAt), dbTime(s.LastSeen), s.Pending)
		return translate("create session", err)
	})
}

// SessionByHash finds a session by its token hash (auth.SessionStore); ErrNotFound when absent.
func (db *DB) SessionByHash(ctx context.Context, tokenHash string) (auth.Session, error) {
	var s auth.Session
	err := db.read.QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, last_seen, pending FROM sessions
		WHERE token_hash = $1`, tokenHash).Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeen, &s.Pending)
	s.CreatedAt, s.LastSeen = s.CreatedAt.UTC(), s.LastSeen.UTC()
	return s, translate("look up session", err)
}

// TouchSession records that a session was used at lastSeen (auth.SessionStore).
func (db *DB) TouchSession(ctx context.Context, tokenHash string, lastSeen time.Time) error {
	return db.execOne(ctx, "touch session", `UPDATE sessions SET last_seen = $2 WHERE token_hash = $1`,
		tokenHash, dbTime(lastSeen))
}

// DeleteSession ends one session (auth.SessionStore); ErrNotFound when it was already gone.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.execOne(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
}

// DeleteUserSessions signs a user out everywhere (auth.SessionStore).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.inWriteTx(ctx, "delete sessions", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return translate("delete sessions", err)
	})
}

// DeleteExpiredSessions removes sessions that can no longer be used at now (idle, absolute or
// second-factor deadline passed) and returns how many. Lookups refuse them anyway; this keeps the
// table small.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.inWriteTx(ctx, "delete expired sessions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2
			OR (pending AND created_at < $3)`, dbTime(now.Add(-auth.IdleTimeout)),
			dbTime(now.Add(-auth.AbsoluteTimeout)), dbTime(now.Add(-auth.PendingTimeout)))
		if err != nil {
			return translate("delete expired sessions", err)
		}
		n, err = res.RowsAffected()
		return translate("delete expired sessions", err)
	})
	return n, err
}

// CountSessions counts the stored sessions of a user (for tests and the admin page).
func (db *DB) CountSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n)
	return n, translate("count sessions", err)
}

// CreateAPIToken stores a token made by auth.NewAPIToken and sets its ID.
func (db *DB) CreateAPIToken(ctx context.Context, t *auth.APIToken) error {
	if t.Hash == "" || t.Name == "" {
		return fmt.Errorf("create API token: hash and name are required: %w", baoxue.ErrInvalid)
	}
	return db.inWriteTx(ctx, "create API token", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, hint, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.UserID, t.Name, t.Hash, t.Hint, dbTime(t.CreatedAt),
			dbTime(t.ExpiresAt)).Scan(&t.ID)
		return translate("create API token", err)
	})
}

const tokenSelect = `SELECT id, user_id, name, hash, hint, created_at, expires_at, last_used_at, revoked FROM api_tokens`

func scanToken(row interface{ Scan(...any) error }, t *auth.APIToken) error {
	var used sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Hint, &t.CreatedAt, &t.ExpiresAt, &used, &t.Revoked); err != nil {
		return err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC(), time.Time{}
	if used.Valid {
		t.LastUsedAt = used.Time.UTC()
	}
	return nil
}

// APITokenByHash finds a token by auth.ParseAPIToken's hash; ErrNotFound when unknown. Revoked and
// expired tokens are returned too: auth.APIToken.Valid decides.
func (db *DB) APITokenByHash(ctx context.Context, hash string) (auth.APIToken, error) {
	var t auth.APIToken
	err := scanToken(db.read.QueryRowContext(ctx, tokenSelect+` WHERE hash = $1`, hash), &t)
	return t, translate("look up API token", err)
}

// APITokens lists a user's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]auth.APIToken, error) {
	var out []auth.APIToken
	err := stream(ctx, db, "list API tokens", tokenSelect+` WHERE user_id = $1 ORDER BY id DESC`, []any{userID},
		func(rows *sql.Rows, t *auth.APIToken) error { return scanToken(rows, t) },
		func(t *auth.APIToken) error { out = append(out, *t); return nil })
	return out, err
}

// TouchAPIToken records a use of the token at at. Like sessions, at most about once a minute is
// enough; callers may skip the write when LastUsedAt is recent.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return db.execOne(ctx, "touch API token", `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, dbTime(at))
}

// RevokeAPIToken makes a token unusable; it stays listed.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64) error {
	return db.execOne(ctx, "revoke API token", `UPDATE api_tokens SET revoked = TRUE WHERE id = $1`, id)
}

var _ auth.SessionStore = (*DB)(nil)
