package auth

import (
	"strings"
	"sync"
	"time"
)

// Lockout policy: this many failed sign-ins in a row lock the account name for LockDuration.
const (
	MaxFailures  = 5
	LockDuration = 15 * time.Minute
)

// Clock gives the time; tests pass a fake one so that nothing sleeps.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Lockout counts failed sign-ins per user name, for existing and unknown names alike (so that
// being locked does not reveal that a name exists). Failures are forgotten LockDuration after the
// last one, or at a successful sign-in. The state lives in memory: a restart forgets it, and the
// audit log keeps every failure. A Lockout is safe for concurrent use.
type Lockout struct {
	clock Clock

	mu        sync.Mutex
	entries   map[string]*lockEntry
	lastPrune time.Time
}

type lockEntry struct {
	failures    int
	last        time.Time // last failure
	lockedUntil time.Time
}

// NewLockout makes a Lockout reading time from clock (SystemClock{} in production).
func NewLockout(clock Clock) *Lockout {
	return &Lockout{clock: clock, entries: make(map[string]*lockEntry)}
}

func lockKey(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// Locked reports whether the name is locked now, and until when.
func (l *Lockout) Locked(username string) (until time.Time, locked bool) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[lockKey(username)]
	if e != nil && now.Before(e.lockedUntil) {
		return e.lockedUntil, true
	}
	return time.Time{}, false
}

// Fail records a failed attempt. It reports whether the name is locked after it, and until when;
// the MaxFailures-th failure in a row starts a lock of LockDuration. Failures while locked do not
// extend the lock (callers check Locked first and never verify a password then).
func (l *Lockout) Fail(username string) (until time.Time, locked bool) {
	now := l.clock.Now()
	key := lockKey(username)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	e := l.entries[key]
	if e == nil {
		e = &lockEntry{}
		l.entries[key] = e
	}
	if now.Before(e.lockedUntil) {
		return e.lockedUntil, true
	}
	if now.Sub(e.last) >= LockDuration {
		e.failures = 0 // an old streak has lapsed
	}
	e.failures++
	e.last = now
	if e.failures >= MaxFailures {
		e.failures = 0
		e.lockedUntil = now.Add(LockDuration)
		return e.lockedUntil, true
	}
	return time.Time{}, false
}

// Reset forgets the failures of a name, after a successful sign-in or an administrator's unlock.
func (l *Lockout) Reset(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, lockKey(username))
}

// prune drops entries that no longer matter, at most once a minute, so that names tried once by
// a scanner do not pile up.
func (l *Lockout) prune(now time.Time) {
	if len(l.entries) < 1024 || now.Sub(l.lastPrune) < time.Minute {
		return
	}
	l.lastPrune = now
	for k, e := range l.entries {
		if !now.Before(e.lockedUntil) && now.Sub(e.last) >= LockDuration {
			delete(l.entries, k)
		}
	}
}
