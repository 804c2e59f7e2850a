package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
)

// memSessions is a SessionStore in a map, counting writes.
type memSessions struct {
	mu      sync.Mutex
	byHash  map[string]Session
	touches int
}

func newMemSessions() *memSessions { return &memSessions{byHash: make(map[string]Session)} }

func (m *memSessions) CreateSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byHash[s.TokenHash]; dup {
		return baoxue.ErrExists
	}
	m.byHash[s.TokenHash] = s
	return nil
}

func (m *memSessions) SessionByHash(_ context.Context, hash string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byHash[hash]
	if !ok {
		return Session{}, fmt.Errorf("session: %w", baoxue.ErrNotFound)
	}
	return s, nil
}

func (m *memSessions) TouchSession(_ context.Context, hash string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byHash[hash]
	if !ok {
		return baoxue.ErrNotFound
	}
	s.LastSeen = at
	m.byHash[hash] = s
	m.touches++
	return nil
}

func (m *memSessions) DeleteSession(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byHash[hash]; !ok {
		return baoxue.ErrNotFound
	}
	delete(m.byHash, hash)
	return nil
}

func (m *memSessions) DeleteUserSessions(_ context.Context, userID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, s := range m.byHash {
		if s.UserID == userID {
			delete(m.byHash, h)
		}
	}
	return nil
}

func TestSessionValid(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		s        Session
		at       time.Time
		want     bool
		wantExpy time.Time
	}{
		{"fresh", Session{CreatedAt: t0, LastSeen: t0}, t0, true, t0.Add(IdleTimeout)},
		{"idle 29m59s", Session{CreatedAt: t0, LastSeen: t0}, t0.Add(IdleTimeout - time.Second), true, t0.Add(IdleTimeout)},
		{"idle 30m", Session{CreatedAt: t0, LastSeen: t0}, t0.Add(IdleTimeout), false, t0.Add(IdleTimeout)},
		{"active, 11h59m", Session{CreatedAt: t0, LastSeen: t0.Add(11*time.Hour + 50*time.Minute)},
			t0.Add(11*time.Hour + 59*time.Minute), true, t0.Add(AbsoluteTimeout)},
		{"active, 12h", Session{CreatedAt: t0, LastSeen: t0.Add(11*time.Hour + 59*time.Minute)},
			t0.Add(AbsoluteTimeout), false, t0.Add(AbsoluteTimeout)},
		{"pending, 4m", Session{CreatedAt: t0, LastSeen: t0, Pending: true}, t0.Add(4 * time.Minute), true, t0.Add(PendingTimeout)},
		{"pending, 5m", Session{CreatedAt: t0, LastSeen: t0, Pending: true}, t0.Add(PendingTimeout), false, t0.Add(PendingTimeout)},
		{"created in the future", Session{CreatedAt: t0.Add(time.Hour), LastSeen: t0.Add(time.Hour)}, t0, false, t0.Add(time.Hour + IdleTimeout)},
		{"zero", Session{}, t0, false, time.Time{}.Add(IdleTimeout)},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(tt.at); got != tt.want {
			t.Errorf("%s: Valid = %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.s.ExpiresAt(); !got.Equal(tt.wantExpy) {
			t.Errorf("%s: ExpiresAt = %v, want %v", tt.name, got, tt.wantExpy)
		}
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	store := newMemSessions()
	m := NewSessions(store, clock)

	token, s, err := m.Start(ctx, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || strings.Contains(token, s.TokenHash) || s.TokenHash != HashToken(token) || len(s.TokenHash) != 64 {
		t.Fatalf("token %q, hash %q", token, s.TokenHash)
	}
	for h := range store.byHash {
		if h == token {
			t.Fatal("the store holds the token itself")
		}
	}
	// Browsing every 20 s for 25 minutes keeps the session and writes LastSeen about once a minute.
	for range 75 {
		clock.Advance(20 * time.Second)
		if _, err := m.Lookup(ctx, token); err != nil {
			t.Fatalf("lookup while active: %v", err)
		}
	}
	if store.touches < 20 || store.touches > 30 {
		t.Errorf("%d LastSeen writes in 25 minutes, want about 25", store.touches)
	}
	clock.Advance(IdleTimeout + time.Minute)
	if _, err := m.Lookup(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after idle timeout: err = %v, want ErrNoSession", err)
	}
	if len(store.byHash) != 0 {
		t.Error("expired session not deleted")
	}

	// Sign-out.
	token2, _, _ := m.Start(ctx, 7, false)
	if err := m.End(ctx, token2); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, token2); !errors.Is(err, ErrNoSession) {
		t.Errorf("after End: err = %v", err)
	}
	if err := m.End(ctx, token2); err != nil {
		t.Errorf("second End: %v", err)
	}

	// Malformed tokens never reach the store.
	for _, bad := range []string{"", "x", token2 + "A", strings.Repeat("!", 43), "bx_" + token2} {
		if _, err := m.Lookup(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("Lookup(%q): err = %v", bad, err)
		}
	}
}

func TestSessionsAbsoluteTimeout(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	m := NewSessions(newMemSessions(), clock)
	token, _, _ := m.Start(ctx, 1, false)
	for elapsed := time.Duration(0); elapsed < AbsoluteTimeout-10*time.Minute; elapsed += 10 * time.Minute {
		clock.Advance(10 * time.Minute)
		if _, err := m.Lookup(ctx, token); err != nil {
			t.Fatalf("at %v: %v", elapsed, err)
		}
	}
	clock.Advance(10 * time.Minute)
	if _, err := m.Lookup(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after 12 h of activity: err = %v, want ErrNoSession", err)
	}
}

func TestSessionsPromote(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	m := NewSessions(newMemSessions(), clock)
	pending, ps, _ := m.Start(ctx, 3, true)
	if !ps.Pending {
		t.Fatal("not pending")
	}
	clock.Advance(time.Minute)
	full, fs, err := m.Promote(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	if full == pending || fs.Pending || fs.UserID != 3 || !fs.CreatedAt.Equal(clock.Now()) {
		t.Errorf("promoted to %+v with token reuse %v", fs, full == pending)
	}
	if _, err := m.Lookup(ctx, pending); !errors.Is(err, ErrNoSession) {
		t.Error("the pending token still works")
	}
	if _, _, err := m.Promote(ctx, full); !errors.Is(err, baoxue.ErrInvalid) {
		t.Errorf("promoting a full session: err = %v", err)
	}
	late, _, _ := m.Start(ctx, 3, true)
	clock.Advance(PendingTimeout)
	if _, _, err := m.Promote(ctx, late); !errors.Is(err, ErrNoSession) {
		t.Errorf("promoting after 5 minutes: err = %v", err)
	}
}

func TestAPIToken(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	token, rec, err := NewAPIToken(9, "每晚导入脚本", now, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "bx_") || len(token) != 46 {
		t.Fatalf("token %q", token)
	}
	if rec.Hash != HashToken(token) || strings.Contains(rec.Hash, token[3:]) || rec.Hint != token[:7]+"…" {
		t.Errorf("record %+v", rec)
	}
	hash, err := ParseAPIToken(token)
	if err != nil || hash != rec.Hash {
		t.Errorf("ParseAPIToken = %q, %v", hash, err)
	}
	other, _, _ := NewAPIToken(9, "x", now, time.Hour)
	if other == token {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{"", "bx_", token[3:], "BX_" + token[3:], token + "x", token[:45], "bx_" + strings.Repeat("=", 43)} {
		if _, err := ParseAPIToken(bad); !errors.Is(err, ErrBadAPIToken) {
			t.Errorf("ParseAPIToken(%q): err = %v", bad, err)
		}
	}
	validity := []struct {
		name string
		t    APIToken
		at   time.Time
		want bool
	}{
		{"new", rec, now, true},
		{"last day", rec, now.Add(90*24*time.Hour - time.Second), true},
		{"expired", rec, now.Add(90 * 24 * time.Hour), false},
		{"revoked", APIToken{ExpiresAt: rec.ExpiresAt, Revoked: true}, now, false},
	}
	for _, v := range validity {
		if got := v.t.Valid(v.at); got != v.want {
			t.Errorf("%s: Valid = %v, want %v", v.name, got, v.want)
		}
	}
	for _, ttl := range []time.Duration{0, -time.Hour, MaxAPITokenTTL + time.Hour} {
		if _, _, err := NewAPIToken(9, "x", now, ttl); !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("ttl %v: err = %v", ttl, err)
		}
	}
}
