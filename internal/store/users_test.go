package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
	"github.com/baoxue/baoxue/internal/store/storetest"
)

func mustScope(t *testing.T, s string) auth.Scope {
	t.Helper()
	sc, err := auth.ParseScope(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func newAccount(t *testing.T, name string, role auth.Role, scope string) *store.Account {
	return &store.Account{User: auth.User{Username: name, DisplayName: "张老师", Role: role,
		Scope: mustScope(t, scope), PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5"}}
}

func TestUsersRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newAccount(t, " County.Officer ", auth.RoleOfficer, "622921")
		a.MustChangePassword = true
		if err := db.CreateUser(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Username != "county.officer" || a.CreatedAt.IsZero() {
			t.Fatalf("created %+v", a)
		}
		dup := newAccount(t, "COUNTY.OFFICER", auth.RoleViewer, "622921")
		if err := db.CreateUser(ctx, dup); !errors.Is(err, baoxue.ErrExists) {
			t.Fatalf("duplicate name: %v", err)
		}
		bad := newAccount(t, "school1", auth.RoleSchool, "622921") // a school account needs a school scope
		if err := db.CreateUser(ctx, bad); !errors.Is(err, baoxue.ErrInvalid) {
			t.Fatalf("school with region scope: %v", err)
		}
		if err := db.CreateUser(ctx, newAccount(t, "x", auth.RoleViewer, "622921")); !errors.Is(err, baoxue.ErrInvalid) {
			t.Fatalf("short name: %v", err)
		}

		u, err := db.UserByName(ctx, "County.Officer")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != a.ID || u.Role != auth.RoleOfficer || u.Scope.String() != "622921" || !u.MustChangePassword ||
			u.DisplayName != "张老师" || u.PasswordHash != a.PasswordHash || u.TOTPSecret != "" {
			t.Fatalf("read back %+v", u)
		}
		if _, err := db.UserByName(ctx, "nobody"); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		if _, err := db.AccountByID(ctx, 9999); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}

		// TOTP: encrypted at rest, bound to the account, replay-proof across calls.
		secret, _ := auth.GenerateTOTPSecret()
		now := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
		if err := db.StartTOTPEnrolment(ctx, a.ID, secret, now); err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if err := db.SQL().QueryRowContext(ctx, `SELECT totp_enc FROM users WHERE id = $1`, a.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("TOTP secret not encrypted: %q", raw)
		}
		got, err := db.AccountByID(ctx, a.ID)
		if err != nil || got.TOTPSecret != secret || got.TOTPConfirmed {
			t.Fatalf("after enrolment: %+v %v", got, err)
		}
		step := auth.TOTPStep(now)
		if err := db.AcceptTOTP(ctx, a.ID, step); err != nil {
			t.Fatal(err)
		}
		if err := db.AcceptTOTP(ctx, a.ID, step); !errors.Is(err, baoxue.ErrConflict) || !errors.Is(err, auth.ErrTOTPReplay) {
			t.Fatalf("replayed step: %v", err)
		}
		got, _ = db.AccountByID(ctx, a.ID)
		if !got.TOTPConfirmed || got.TOTPLastStep != step {
			t.Fatalf("after accept: %+v", got)
		}
		// Moving the encrypted secret to another account is detected (the name is the AAD).
		b := newAccount(t, "other", auth.RoleSysadmin, "622921")
		if err := db.CreateUser(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE users SET totp_enc = $1 WHERE id = $2`, raw, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AccountByID(ctx, b.ID); err == nil {
			t.Fatal("a TOTP secret copied from another account decrypted")
		}
		if err := db.ClearTOTP(ctx, b.ID, now); err != nil {
			t.Fatal(err)
		}
		if got, err := db.AccountByID(ctx, b.ID); err != nil || got.TOTPSecret != "" || got.TOTPConfirmed {
			t.Fatalf("after clear: %+v %v", got, err)
		}

		// A password change signs the account out everywhere.
		st := auth.NewSessions(db, auth.SystemClock{})
		if _, _, err := st.Start(ctx, a.ID, false); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountSessions(ctx, a.ID); n != 1 {
			t.Fatalf("sessions = %d", n)
		}
		if err := db.SetPassword(ctx, a.ID, "$new", false, now); err != nil {
			t.Fatal(err)
		}
		got, _ = db.AccountByID(ctx, a.ID)
		if got.PasswordHash != "$new" || got.MustChangePassword || !got.PasswordChangedAt.Equal(now) {
			t.Fatalf("after set password: %+v", got)
		}
		if n, _ := db.CountSessions(ctx, a.ID); n != 0 {
			t.Fatalf("sessions after password change = %d", n)
		}
		if err := db.RehashPassword(ctx, a.ID, "$stale", "$rehash"); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.AccountByID(ctx, a.ID); got.PasswordHash != "$new" {
			t.Fatal("rehash overwrote a changed password")
		}
		if err := db.RehashPassword(ctx, a.ID, "$new", "$rehash"); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.AccountByID(ctx, a.ID); got.PasswordHash != "$rehash" {
			t.Fatal("rehash not stored")
		}

		// Disabling signs out too.
		st.Start(ctx, a.ID, false)
		if err := db.SetDisabled(ctx, a.ID, true, now); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountSessions(ctx, a.ID); n != 0 {
			t.Fatalf("sessions after disable = %d", n)
		}
		if err := db.SetDisabled(ctx, 9999, true, now); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("disable unknown: %v", err)
		}

		list, err := db.Accounts(ctx)
		if err != nil || len(list) != 2 || list[0].Username != "county.officer" || !list[0].Disabled ||
			list[0].TOTPSecret != "" || !list[0].TOTPConfirmed {
			t.Fatalf("list = %+v %v", list, err)
		}
	})
}

func TestDemoAccountFlags(t *testing.T) {
	a := store.Account{User: auth.User{Role: auth.RoleSysadmin, Scope: auth.Scope{}, MustChangePassword: true}}
	if !a.NeedsTOTP() || !a.NeedsPasswordChange() {
		t.Fatal("a sysadmin must use TOTP and change the initial password")
	}
	a.Demo = true
	if a.NeedsTOTP() || a.NeedsPasswordChange() {
		t.Fatal("a demo account skips both")
	}
}

func TestLoginLockoutPersists(t *testing.T) {
	for _, tg := range storetest.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.OpenURL(t, tg.URL)
			t0 := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
			for i := 1; i < auth.MaxFailures; i++ {
				if _, locked, err := db.RecordLoginFailure(ctx, "Zhang", t0.Add(time.Duration(i)*time.Second)); err != nil || locked {
					t.Fatalf("failure %d: locked=%v err=%v", i, locked, err)
				}
			}
			at := t0.Add(time.Minute)
			until, locked, err := db.RecordLoginFailure(ctx, "zhang ", at)
			if err != nil || !locked || !until.Equal(at.Add(auth.LockDuration)) {
				t.Fatalf("5th failure: %v %v %v", until, locked, err)
			}
			// A second process (another handle on the same database) sees the lock.
			other := storetest.OpenURL(t, tg.URL)
			if u, locked, err := other.LoginLocked(ctx, "ZHANG", at.Add(time.Minute)); err != nil || !locked || !u.Equal(until) {
				t.Fatalf("other process: %v %v %v", u, locked, err)
			}
			// Failures while locked do not extend the lock.
			if u, locked, _ := db.RecordLoginFailure(ctx, "zhang", at.Add(10*time.Minute)); !locked || !u.Equal(until) {
				t.Fatalf("failure while locked moved the lock to %v", u)
			}
			if _, locked, _ := db.LoginLocked(ctx, "zhang", until); locked {
				t.Fatal("still locked at the deadline")
			}
			// Unknown names lock the same way; the name is not stored as typed.
			for i := range auth.MaxFailures {
				_, locked, _ := db.RecordLoginFailure(ctx, "my-secret-password", t0.Add(time.Duration(i)*time.Second))
				if locked != (i == auth.MaxFailures-1) {
					t.Fatalf("unknown name, failure %d: locked=%v", i+1, locked)
				}
			}
			var n int
			db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE name_key = $1`, []byte("my-secret-password")).Scan(&n)
			if n != 0 {
				t.Fatal("tried name stored in clear")
			}
			if err := db.ClearLoginFailures(ctx, "my-secret-password"); err != nil {
				t.Fatal(err)
			}
			if _, locked, _ := db.LoginLocked(ctx, "my-secret-password", t0.Add(time.Minute)); locked {
				t.Fatal("locked after clear")
			}
			// A streak lapses when failures are more than LockDuration apart.
			for i := range 2 * auth.MaxFailures {
				_, locked, _ := db.RecordLoginFailure(ctx, "slow", t0.Add(time.Duration(i)*(auth.LockDuration+time.Second)))
				if locked {
					t.Fatalf("spaced failures locked at %d", i+1)
				}
			}
		})
	}
}

// fakeClock is a settable clock for auth.Sessions.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func TestSessionsInStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newAccount(t, "viewer1", auth.RoleViewer, "622921")
		if err := db.CreateUser(ctx, a); err != nil {
			t.Fatal(err)
		}
		clock := &fakeClock{now: time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)}
		m := auth.NewSessions(db, clock)
		tok, s, err := m.Start(ctx, a.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		var raw int
		db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, tok).Scan(&raw)
		if raw != 0 {
			t.Fatal("session token stored in clear")
		}
		got, err := db.SessionByHash(ctx, s.TokenHash)
		if err != nil || got.UserID != a.ID || !got.CreatedAt.Equal(s.CreatedAt) || got.Pending {
			t.Fatalf("read back %+v %v", got, err)
		}
		// Used every 20 minutes, the session lives until the absolute limit.
		for clock.now.Before(s.CreatedAt.Add(auth.AbsoluteTimeout - 20*time.Minute)) {
			clock.now = clock.now.Add(20 * time.Minute)
			if _, err := m.Lookup(ctx, tok); err != nil {
				t.Fatalf("at %v: %v", clock.now, err)
			}
		}
		clock.now = s.CreatedAt.Add(auth.AbsoluteTimeout)
		if _, err := m.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("after absolute timeout: %v", err)
		}
		if _, err := db.SessionByHash(ctx, s.TokenHash); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("expired session not deleted: %v", err)
		}
		// Idle timeout.
		tok2, _, _ := m.Start(ctx, a.ID, false)
		clock.now = clock.now.Add(auth.IdleTimeout)
		if _, err := m.Lookup(ctx, tok2); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("after idle timeout: %v", err)
		}
		// Pending sessions, promotion, and cleanup of expired rows.
		ptok, _, _ := m.Start(ctx, a.ID, true)
		full, fs, err := m.Promote(ctx, ptok)
		if err != nil || fs.Pending {
			t.Fatalf("promote: %+v %v", fs, err)
		}
		if _, err := m.Lookup(ctx, ptok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatal("pending token still valid after promotion")
		}
		m.Start(ctx, a.ID, true)
		clock.now = clock.now.Add(auth.PendingTimeout + time.Second)
		n, err := db.DeleteExpiredSessions(ctx, clock.now)
		if err != nil || n != 1 {
			t.Fatalf("expired sessions deleted: %d %v", n, err)
		}
		if _, err := m.Lookup(ctx, full); err != nil {
			t.Fatalf("full session gone: %v", err)
		}
		if err := m.End(ctx, full); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, fs.TokenHash); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		m.Start(ctx, a.ID, false)
		m.Start(ctx, a.ID, false)
		if err := db.DeleteUserSessions(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountSessions(ctx, a.ID); n != 0 {
			t.Fatalf("sessions left: %d", n)
		}
	})
}

func TestAPITokensInStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newAccount(t, "script", auth.RoleViewer, "622921")
		if err := db.CreateUser(ctx, a); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
		tok, rec, err := auth.NewAPIToken(a.ID, "月报脚本", now, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAPIToken(ctx, &rec); err != nil || rec.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		hash, err := auth.ParseAPIToken(tok)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.APITokenByHash(ctx, hash)
		if err != nil || got.UserID != a.ID || got.Name != "月报脚本" || !got.Valid(now) || !got.LastUsedAt.IsZero() {
			t.Fatalf("read back %+v %v", got, err)
		}
		if err := db.TouchAPIToken(ctx, rec.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIToken(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		list, err := db.APITokens(ctx, a.ID)
		if err != nil || len(list) != 1 || !list[0].Revoked || !list[0].LastUsedAt.Equal(now.Add(time.Hour)) || list[0].Valid(now) {
			t.Fatalf("list %+v %v", list, err)
		}
		if _, err := db.APITokenByHash(ctx, auth.HashToken("bx_other")); !errors.Is(err, baoxue.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

func TestSearchAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
		for i := range 30 {
			actor, action := "zhang", "login"
			if i%3 == 0 {
				actor = "li"
			}
			if i%5 == 0 {
				action = "access_denied"
			}
			rec := &baoxue.AuditRecord{Time: t0.Add(time.Duration(i) * time.Hour), Actor: actor, Action: action, Result: "ok"}
			if err := db.AppendAudit(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		page, err := db.SearchAudit(ctx, store.AuditFilter{Limit: 10})
		if err != nil || len(page) != 10 || page[0].Seq != 30 || page[9].Seq != 21 {
			t.Fatalf("first page: %d records, %v", len(page), err)
		}
		next, _ := db.SearchAudit(ctx, store.AuditFilter{Limit: 10, Before: page[9].Seq})
		if len(next) != 10 || next[0].Seq != 20 {
			t.Fatalf("second page starts at %d", next[0].Seq)
		}
		li, _ := db.SearchAudit(ctx, store.AuditFilter{Actor: "li", Action: "access_denied"})
		for _, r := range li {
			if r.Actor != "li" || r.Action != "access_denied" {
				t.Fatalf("filter let through %+v", r)
			}
		}
		if len(li) != 2 { // i = 0, 15
			t.Fatalf("li denied = %d", len(li))
		}
		day, _ := db.SearchAudit(ctx, store.AuditFilter{From: t0.Add(24 * time.Hour), To: t0.Add(26 * time.Hour)})
		if len(day) != 2 || !day[0].Time.Equal(t0.Add(25*time.Hour)) || !day[1].Time.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("date range: %+v", day)
		}
	})
}
