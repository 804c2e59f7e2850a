package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// Account is a user as the store keeps it: the auth.User, plus what only the store, the sign-in
// flow and the admin pages need.
type Account struct {
	auth.User
	// Demo marks an account made by `baoxue demo`: it signs in without a second factor and
	// without a forced password change. Nothing else creates one.
	Demo bool
	// TOTPConfirmed: a code from User.TOTPSecret has been accepted, so enrolment is complete.
	// A secret that is set but not confirmed was shown on the enrolment page and not yet used.
	TOTPConfirmed bool
	UpdatedAt     time.Time
}

// NeedsTOTP reports whether the account must pass a second factor at sign-in.
func (a Account) NeedsTOTP() bool { return !a.Demo && auth.RequiresTOTP(a.User) }

// NeedsPasswordChange reports whether the account must choose a new password before anything else.
func (a Account) NeedsPasswordChange() bool { return !a.Demo && a.MustChangePassword }

func totpAAD(username string) string { return "users.totp/" + username }

const accountSelect = `SELECT id, username, display_name, role, scope, password_hash, must_change_password,
	disabled, demo, totp_enc, totp_confirmed, totp_last_step, created_at, updated_at, password_changed_at FROM users`

// scanAccount reads one row of accountSelect; the TOTP secret is decrypted only when secret is set
// (lists do not need it).
func (db *DB) scanAccount(row interface{ Scan(...any) error }, a *Account, secret bool) error {
	var role, scope string
	var totp []byte
	if err := row.Scan(&a.ID, &a.Username, &a.DisplayName, &role, &scope, &a.PasswordHash, &a.MustChangePassword,
		&a.Disabled, &a.Demo, &totp, &a.TOTPConfirmed, &a.TOTPLastStep, &a.CreatedAt, &a.UpdatedAt,
		&a.PasswordChangedAt); err != nil {
		return err
	}
	a.Role = auth.Role(role)
	// A scope that no longer parses (hand-edited row) becomes the zero Scope, which contains
	// nothing: the account then sees nothing rather than everything.
	a.Scope, _ = auth.ParseScope(scope)
	a.CreatedAt, a.UpdatedAt, a.PasswordChangedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC(), a.PasswordChangedAt.UTC()
	a.TOTPSecret = ""
	if secret && len(totp) > 0 {
		s, err := db.keys.DecryptString(totp, totpAAD(a.Username))
		if err != nil {
			return fmt.Errorf("user %s: TOTP secret: %w", a.Username, err)
		}
		a.TOTPSecret = s
	}
	return nil
}

// CreateUser stores a new account and sets its ID and timestamps. The name is normalised and the
// role and scope checked (auth.CheckAssignment); a name already taken gives an error wrapping
// baoxue.ErrExists.
func (db *DB) CreateUser(ctx context.Context, a *Account) error {
	name, err := auth.NormalizeUsername(a.Username)
	if err != nil {
		return err
	}
	if err := auth.CheckAssignment(a.Role, a.Scope); err != nil {
		return err
	}
	if a.PasswordHash == "" {
		return fmt.Errorf("create user %s: no password hash: %w", name, baoxue.ErrInvalid)
	}
	var totp any
	if a.TOTPSecret != "" {
		if totp, err = db.keys.EncryptString(a.TOTPSecret, totpAAD(name)); err != nil {
			return err
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Microsecond)
	a.UpdatedAt, a.PasswordChangedAt = a.CreatedAt, a.CreatedAt
	var id int64
	err = db.inWriteTx(ctx, "create user", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, role, scope, password_hash,
			must_change_password, disabled, demo, totp_enc, totp_confirmed, totp_last_step, created_at, updated_at,
			password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) RETURNING id`,
			name, a.DisplayName, string(a.Role), a.Scope.String(), a.PasswordHash, a.MustChangePassword, a.Disabled,
			a.Demo, totp, a.TOTPConfirmed, a.TOTPLastStep, a.CreatedAt).Scan(&id)
		return translate("create user "+name, err)
	})
	if err != nil {
		if errors.Is(err, baoxue.ErrExists) {
			return fmt.Errorf("用户名 %s 已存在: %w", name, baoxue.ErrExists)
		}
		return err
	}
	a.ID, a.Username = id, name
	return nil
}

// UserByName returns the account with this name (in any case), TOTP secret decrypted. It
// implements auth.UserStore; an unknown name gives an error wrapping baoxue.ErrNotFound.
func (db *DB) UserByName(ctx context.Context, username string) (auth.User, error) {
	a, err := db.AccountByName(ctx, username)
	return a.User, err
}

// AccountByName is UserByName with the store's extra fields.
func (db *DB) AccountByName(ctx context.Context, username string) (Account, error) {
	var a Account
	name := strings.ToLower(strings.TrimSpace(username))
	err := db.scanAccount(db.read.QueryRowContext(ctx, accountSelect+` WHERE username = $1`, name), &a, true)
	return a, translate("user "+name, err)
}

// AccountByID returns one account, TOTP secret decrypted.
func (db *DB) AccountByID(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := db.scanAccount(db.read.QueryRowContext(ctx, accountSelect+` WHERE id = $1`, id), &a, true)
	return a, translate(fmt.Sprintf("user %d", id), err)
}

// Accounts lists every account by name, without TOTP secrets (TOTPConfirmed says who enrolled).
func (db *DB) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := stream(ctx, db, "list users", accountSelect+` ORDER BY username`, nil,
		func(rows *sql.Rows, a *Account) error { return db.scanAccount(rows, a, false) },
		func(a *Account) error { out = append(out, *a); return nil })
	return out, err
}

// exec runs one statement in a write transaction and reports ErrNotFound when it touched no row.
func (db *DB) execOne(ctx context.Context, op, query string, args ...any) error {
	return db.inWriteTx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return translate(op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return translate(op, err)
		} else if n == 0 {
			return fmt.Errorf("%s: %w", op, baoxue.ErrNotFound)
		}
		return nil
	})
}

// SetPassword stores a new password hash for the account, sets whether it must be changed at the
// next sign-in, and signs the account out everywhere (all its sessions are deleted in the same
// transaction): after a reset or a change, only a new sign-in gets in.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error {
	if hash == "" {
		return fmt.Errorf("set password: empty hash: %w", baoxue.ErrInvalid)
	}
	at = at.UTC().Truncate(time.Microsecond)
	op := fmt.Sprintf("set password of user %d", id)
	return db.inWriteTx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, must_change_password = $3,
			password_changed_at = $4, updated_at = $4 WHERE id = $1`, id, hash, mustChange, at)
		if err != nil {
			return translate(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s: %w", op, baoxue.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return translate(op, err)
	})
}

// RehashPassword replaces a hash made with old parameters by one made with the current ones,
// unless the password was changed meanwhile (then nothing happens).
func (db *DB) RehashPassword(ctx context.Context, id int64, oldHash, newHash string) error {
	err := db.execOne(ctx, "rehash password", `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`,
		id, oldHash, newHash)
	if errors.Is(err, baoxue.ErrNotFound) {
		return nil
	}
	return err
}

// SetDisabled disables or re-enables an account. Disabling also deletes its sessions.
func (db *DB) SetDisabled(ctx context.Context, id int64, disabled bool, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	op := fmt.Sprintf("disable user %d", id)
	return db.inWriteTx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1`, id, disabled, at)
		if err != nil {
			return translate(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s: %w", op, baoxue.ErrNotFound)
		}
		if disabled {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		}
		return translate(op, err)
	})
}

// StartTOTPEnrolment stores a new, unconfirmed TOTP secret for the account (encrypted, bound to
// its name), replacing any earlier one.
func (db *DB) StartTOTPEnrolment(ctx context.Context, id int64, secret string, at time.Time) error {
	a, err := db.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	enc, err := db.keys.EncryptString(secret, totpAAD(a.Username))
	if err != nil {
		return err
	}
	return db.execOne(ctx, "start TOTP enrolment", `UPDATE users SET totp_enc = $2, totp_confirmed = FALSE,
		totp_last_step = 0, updated_at = $3 WHERE id = $1`, id, enc, at.UTC().Truncate(time.Microsecond))
}

// AcceptTOTP records that a code of the given TOTP step was accepted for the account, which
// confirms an enrolment. The update happens only if the step is later than the last one
// accepted, so that one code cannot be used twice even by two processes at once: a replay gives
// an error wrapping baoxue.ErrConflict.
func (db *DB) AcceptTOTP(ctx context.Context, id, step int64) error {
	err := db.execOne(ctx, "accept TOTP code", `UPDATE users SET totp_last_step = $2, totp_confirmed = TRUE
		WHERE id = $1 AND totp_last_step < $2 AND totp_enc IS NOT NULL`, id, step)
	if errors.Is(err, baoxue.ErrNotFound) {
		return fmt.Errorf("%w: %w", auth.ErrTOTPReplay, baoxue.ErrConflict)
	}
	return err
}

// ClearTOTP removes the account's second factor; it enrols again at its next sign-in (a lost phone).
func (db *DB) ClearTOTP(ctx context.Context, id int64, at time.Time) error {
	return db.execOne(ctx, "clear TOTP", `UPDATE users SET totp_enc = NULL, totp_confirmed = FALSE, totp_last_step = 0,
		updated_at = $2 WHERE id = $1`, id, at.UTC().Truncate(time.Microsecond))
}

// SchoolRegion returns the region code of a school in the school list (for checking that an
// administrator's scope covers a school account); an unknown school gives ErrNotFound.
func (db *DB) SchoolRegion(ctx context.Context, code string) (string, error) {
	var region string
	err := db.read.QueryRowContext(ctx, `SELECT region_code FROM schools WHERE code = $1`, code).Scan(&region)
	return region, translate("school "+code, err)
}

// Sign-in lockout, kept in the database so that it survives a restart and holds across processes
// (two `baoxue serve` on one PostgreSQL). The policy is auth.Lockout's: auth.MaxFailures failures
// in a row, each within auth.LockDuration of the one before, lock the name for auth.LockDuration;
// names that do not exist lock the same way, so a lock tells nothing about which names exist.
// Names are stored as a keyed hash, never as typed.

func (db *DB) loginKey(username string) []byte {
	return db.keys.BlindIndex("login:" + strings.ToLower(strings.TrimSpace(username)))
}

// LoginLocked reports whether sign-in with this name is locked at now, and until when.
func (db *DB) LoginLocked(ctx context.Context, username string, now time.Time) (until time.Time, locked bool, err error) {
	var lu sql.NullTime
	err = db.read.QueryRowContext(ctx, `SELECT locked_until FROM login_failures WHERE name_key = $1`,
		db.loginKey(username)).Scan(&lu)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, translate("read sign-in lockout", err)
	}
	if lu.Valid && now.Before(lu.Time) {
		return lu.Time.UTC(), true, nil
	}
	return time.Time{}, false, nil
}

// RecordLoginFailure counts a failed sign-in (a wrong password or second factor, an unknown or
// disabled name) at now, and reports whether the name is locked after it. Failures while locked
// do not extend the lock. Entries that no longer matter are deleted on the way.
func (db *DB) RecordLoginFailure(ctx context.Context, username string, now time.Time) (until time.Time, locked bool, err error) {
	key := db.loginKey(username)
	now = now.UTC().Truncate(time.Microsecond)
	err = db.inWriteTx(ctx, "record sign-in failure", func(tx *sql.Tx) error {
		var failures int
		var last time.Time
		var lu sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT failures, last_failure, locked_until FROM login_failures
			WHERE name_key = $1`+db.dialect.forUpdate, key).Scan(&failures, &last, &lu)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return translate("read sign-in lockout", err)
		case lu.Valid && now.Before(lu.Time):
			until, locked = lu.Time.UTC(), true
			return nil
		case now.Sub(last) >= auth.LockDuration:
			failures = 0 // an old streak has lapsed
		}
		failures++
		var lockedUntil any
		if failures >= auth.MaxFailures {
			until, locked = now.Add(auth.LockDuration), true
			lockedUntil, failures = until, 0
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (name_key, failures, last_failure, locked_until)
			VALUES ($1, $2, $3, $4) ON CONFLICT (name_key) DO UPDATE SET failures = excluded.failures,
			last_failure = excluded.last_failure, locked_until = excluded.locked_until`, key, failures, now, lockedUntil)
		if err != nil {
			return translate("record sign-in failure", err)
		}
		stale := now.Add(-auth.LockDuration)
		_, err = tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_failure < $1
			AND (locked_until IS NULL OR locked_until < $1)`, stale)
		return translate("prune sign-in failures", err)
	})
	return until, locked, err
}

// ClearLoginFailures forgets the failures of a name: after a successful sign-in, or when an
// administrator resets the account.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) error {
	return db.inWriteTx(ctx, "clear sign-in failures", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE name_key = $1`, db.loginKey(username))
		return translate("clear sign-in failures", err)
	})
}

var _ auth.UserStore = (*DB)(nil)
