package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
)

// Session lifetimes (DESIGN §9 and issue 5).
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// PendingTimeout bounds the wait between an accepted password and the second factor.
	PendingTimeout = 5 * time.Minute
	// touchInterval: LastSeen is written at most this often, so browsing does not turn every page
	// view into a database write; the idle timeout is therefore exact to within this interval.
	touchInterval = time.Minute
)

// APITokenPrefix starts every API token, so that secret scanners and people recognise one.
const APITokenPrefix = "bx_"

// tokenBytes of randomness in session and API tokens.
const tokenBytes = 32

// ErrNoSession means the request carries no valid session: absent, unknown, expired or signed
// out. The message is what the sign-in page shows.
var ErrNoSession = errors.New("登录已过期或无效，请重新登录")

// ErrBadAPIToken means an API token is malformed, unknown, revoked or expired.
var ErrBadAPIToken = errors.New("API 令牌无效或已过期")

// newToken returns 32 random bytes in unpadded base64url (43 characters) and the SHA-256 of that
// text in hex. Only the hash is stored: a copy of the database does not let anyone sign in.
func newToken() (token, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a session or API token: hex SHA-256 of its text. A fast hash
// is right here, unlike for passwords: the token has 256 random bits, nothing to guess.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports a token of newToken's shape, so that garbage never reaches the store.
func wellFormed(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

// Session is a signed-in browser. The cookie holds the token; the store holds TokenHash.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	LastSeen  time.Time
	// Pending marks a session whose password was accepted but whose second factor is still owed:
	// it may reach the TOTP form and nothing else, for PendingTimeout.
	Pending bool
}

// Valid reports whether the session may be used at now: seen within IdleTimeout and created
// within AbsoluteTimeout (PendingTimeout for a pending one).
func (s Session) Valid(now time.Time) bool {
	return now.Before(s.ExpiresAt()) && !now.Before(s.CreatedAt.Add(-time.Minute))
}

// ExpiresAt is when the session ends if not used again: the earlier of the idle and the absolute
// deadline.
func (s Session) ExpiresAt() time.Time {
	if s.Pending {
		return s.CreatedAt.Add(PendingTimeout)
	}
	idle, abs := s.LastSeen.Add(IdleTimeout), s.CreatedAt.Add(AbsoluteTimeout)
	if idle.Before(abs) {
		return idle
	}
	return abs
}

// SessionStore keeps sessions. The storage package implements it; lookups of a hash that is not
// stored return an error wrapping baoxue.ErrNotFound.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, tokenHash string) (Session, error)
	TouchSession(ctx context.Context, tokenHash string, lastSeen time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs a user out everywhere (password reset, account disabled).
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// Sessions starts, looks up and ends sessions over a SessionStore.
type Sessions struct {
	store SessionStore
	clock Clock
}

// NewSessions makes a Sessions reading time from clock.
func NewSessions(store SessionStore, clock Clock) *Sessions {
	return &Sessions{store: store, clock: clock}
}

// Start creates a new session for a user who has just signed in (pending when the second factor
// is still owed) and returns its token for the cookie. Always a fresh token: a session id fixed
// before sign-in is never promoted.
func (m *Sessions) Start(ctx context.Context, userID int64, pending bool) (token string, s Session, err error) {
	token, hash, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	now := m.clock.Now()
	s = Session{TokenHash: hash, UserID: userID, CreatedAt: now, LastSeen: now, Pending: pending}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return token, s, nil
}

// Lookup finds the valid session for a cookie's token, refreshing its LastSeen (at most once a
// touchInterval). An unknown, malformed or expired token gives ErrNoSession; an expired session
// is deleted.
func (m *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if !wellFormed(token) {
		return Session{}, ErrNoSession
	}
	hash := HashToken(token)
	s, err := m.store.SessionByHash(ctx, hash)
	if errors.Is(err, baoxue.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	now := m.clock.Now()
	if !s.Valid(now) {
		if err := m.store.DeleteSession(ctx, hash); err != nil && !errors.Is(err, baoxue.ErrNotFound) {
			return Session{}, fmt.Errorf("delete expired session: %w", err)
		}
		return Session{}, ErrNoSession
	}
	if now.Sub(s.LastSeen) >= touchInterval {
		if err := m.store.TouchSession(ctx, hash, now); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
		s.LastSeen = now
	}
	return s, nil
}

// Promote ends a pending session whose second factor has just been checked and starts a full one
// with a new token, so the token that travelled before the second factor is worth nothing after.
func (m *Sessions) Promote(ctx context.Context, pendingToken string) (token string, s Session, err error) {
	old, err := m.Lookup(ctx, pendingToken)
	if err != nil {
		return "", Session{}, err
	}
	if !old.Pending {
		return "", Session{}, fmt.Errorf("%w: session is not waiting for a second factor", baoxue.ErrInvalid)
	}
	if err := m.End(ctx, pendingToken); err != nil {
		return "", Session{}, err
	}
	return m.Start(ctx, old.UserID, false)
}

// End signs a session out. Ending a session that is already gone is not an error.
func (m *Sessions) End(ctx context.Context, token string) error {
	if !wellFormed(token) {
		return nil
	}
	err := m.store.DeleteSession(ctx, HashToken(token))
	if err != nil && !errors.Is(err, baoxue.ErrNotFound) {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// APIToken lets a script call /api/v1 as a user (Authorization: Bearer bx_…). Only Hash is
// stored; the token itself is shown once, when it is made.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string // what the script is for, chosen by the user
	Hash       string // HashToken of the full token
	Hint       string // the first characters, to tell tokens apart in lists: "bx_Ab12…"
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time
	Revoked    bool
}

// MaxAPITokenTTL caps how long an API token lives; scripts get a new one once a year.
const MaxAPITokenTTL = 366 * 24 * time.Hour

// NewAPIToken makes a token for a user, valid for ttl (at most MaxAPITokenTTL). It returns the
// token text to show once and the record to store.
func NewAPIToken(userID int64, name string, now time.Time, ttl time.Duration) (token string, t APIToken, err error) {
	if ttl <= 0 || ttl > MaxAPITokenTTL {
		return "", APIToken{}, fmt.Errorf("%w: API 令牌有效期应在 1 秒到 366 天之间", baoxue.ErrInvalid)
	}
	raw, _, err := newToken()
	if err != nil {
		return "", APIToken{}, err
	}
	token = APITokenPrefix + raw
	t = APIToken{
		UserID:    userID,
		Name:      name,
		Hash:      HashToken(token),
		Hint:      token[:len(APITokenPrefix)+4] + "…",
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
	}
	return token, t, nil
}

// ParseAPIToken checks the shape of a presented token and returns the hash to look it up by.
func ParseAPIToken(token string) (hash string, err error) {
	raw, ok := strings.CutPrefix(token, APITokenPrefix)
	if !ok || !wellFormed(raw) {
		return "", ErrBadAPIToken
	}
	return HashToken(token), nil
}

// Valid reports whether a stored token may be used at now.
func (t APIToken) Valid(now time.Time) bool {
	return !t.Revoked && now.Before(t.ExpiresAt)
}
