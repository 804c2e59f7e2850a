package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLockout(t *testing.T) {
	// Each step: advance the clock, then do op on "zhangsan"; want is whether it is locked after.
	type step struct {
		advance time.Duration
		op      string // "fail", "reset", "check"
		locked  bool
	}
	fails := func(n int) []step {
		var s []step
		for range n {
			s = append(s, step{0, "fail", false})
		}
		return s
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"four failures do not lock", fails(4)},
		{"the fifth locks", append(fails(4), step{0, "fail", true}, step{0, "check", true})},
		{"still locked a second before 15 minutes", append(fails(4), step{0, "fail", true},
			step{LockDuration - time.Second, "check", true})},
		{"unlocked after 15 minutes", append(fails(4), step{0, "fail", true}, step{LockDuration, "check", false})},
		{"after the lock, five more tries", append(fails(4), step{0, "fail", true}, step{LockDuration, "fail", false},
			step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", true})},
		{"failures while locked do not extend it", append(fails(4), step{0, "fail", true},
			step{10 * time.Minute, "fail", true}, step{5 * time.Minute, "check", false})},
		{"success resets the count", append(fails(4), step{0, "reset", false}, step{0, "fail", false},
			step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", true})},
		{"a streak lapses after 15 quiet minutes", append(fails(4), step{LockDuration, "fail", false},
			step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", false}, step{0, "fail", true})},
		{"slow failures within the window still count", []step{{0, "fail", false}, {14 * time.Minute, "fail", false},
			{14 * time.Minute, "fail", false}, {14 * time.Minute, "fail", false}, {14 * time.Minute, "fail", true}}},
		{"reset unlocks", append(fails(4), step{0, "fail", true}, step{time.Minute, "reset", false}, step{0, "check", false})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			l := NewLockout(clock)
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				var locked bool
				var until time.Time
				switch s.op {
				case "fail":
					until, locked = l.Fail("zhangsan")
				case "reset":
					l.Reset("zhangsan")
					until, locked = l.Locked("zhangsan")
				case "check":
					until, locked = l.Locked("zhangsan")
				}
				if locked != s.locked {
					t.Fatalf("step %d (%s after %v): locked = %v, want %v", i, s.op, s.advance, locked, s.locked)
				}
				if locked && !until.After(clock.Now()) {
					t.Fatalf("step %d: locked until %v, not after now %v", i, until, clock.Now())
				}
			}
		})
	}
}

func TestLockoutPerName(t *testing.T) {
	clock := newFakeClock()
	l := NewLockout(clock)
	for range MaxFailures {
		l.Fail("ZhangSan ")
	}
	if _, locked := l.Locked("zhangsan"); !locked {
		t.Error("names differing in case and spaces are separate")
	}
	if _, locked := l.Locked("lisi"); locked {
		t.Error("another name is locked")
	}
	// Unknown names lock exactly like known ones: the store is not consulted.
	for range MaxFailures {
		l.Fail("nobody-by-this-name")
	}
	if _, locked := l.Locked("nobody-by-this-name"); !locked {
		t.Error("an unknown name does not lock")
	}
}

// Scanners trying many names leave no lasting state: stale entries are pruned.
func TestLockoutPrunes(t *testing.T) {
	clock := newFakeClock()
	l := NewLockout(clock)
	for i := range 3000 {
		l.Fail(fmt.Sprintf("user%d", i))
	}
	for range MaxFailures {
		l.Fail("victim")
	}
	clock.Advance(LockDuration - time.Minute)
	l.Fail("trigger")
	if _, locked := l.Locked("victim"); !locked {
		t.Fatal("pruning unlocked a locked name")
	}
	clock.Advance(2 * time.Minute)
	l.Fail("trigger2")
	l.mu.Lock()
	n := len(l.entries)
	l.mu.Unlock()
	if n > 10 {
		t.Errorf("%d entries left after pruning, want only the recent ones", n)
	}
}

func TestLockoutConcurrent(t *testing.T) {
	l := NewLockout(newFakeClock())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				l.Fail("shared")
				l.Locked("shared")
			}
		})
	}
	wg.Wait()
	if _, locked := l.Locked("shared"); !locked {
		t.Error("400 concurrent failures did not lock")
	}
}
