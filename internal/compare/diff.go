package compare

import (
	"context"

	"github.com/baoxue/baoxue"
)

// ChildKey identifies a child across runs: the ID number when it is valid, otherwise name, birth
// date and region code (an invalid ID may be repaired between two runs, which then counts as a
// new child; that errs on the side of a second look). The store keys the same children by the
// blind index of the ID; this key lives in memory only.
func ChildKey(e *baoxue.LedgerEntry) string {
	if len(e.IDNumber) == 18 && e.Status != baoxue.StatusInvalidID {
		return "id:" + e.IDNumber
	}
	return "nb:" + e.Name + "|" + e.BirthDate + "|" + e.RegionCode
}

// Open reports whether an entry needs someone to act: suspected or review (DESIGN §2: the
// suspects handed on to verification).
func Open(e *baoxue.LedgerEntry) bool {
	return e.Status == baoxue.StatusSuspected || e.Status == baoxue.StatusReview
}

// Changes compares the open entries of a run with those of the previous run (DESIGN §2 step 1:
// new suspects, resolved ones). Its JSON form is part of the database-mode summary.
type Changes struct {
	PreviousRun int64 `json:"previous_run"`
	NewOpen     int   `json:"new_suspects"` // open now, not open in the previous run
	StillOpen   int   `json:"still_open"`   // open in both
	Resolved    int   `json:"resolved"`     // open before, not open now (or no longer in the ledger)
	prev        map[string]bool
	seen        map[string]bool
}

// NewChanges reads the previous run's entries; prev streams them (store.LedgerEntries).
func NewChanges(ctx context.Context, previousRun int64, prev Stream[baoxue.LedgerEntry]) (*Changes, error) {
	c := &Changes{PreviousRun: previousRun, prev: map[string]bool{}, seen: map[string]bool{}}
	if prev == nil {
		return c, nil
	}
	err := prev(ctx, func(e *baoxue.LedgerEntry) error {
		if Open(e) {
			c.prev[ChildKey(e)] = true
		}
		return nil
	})
	return c, err
}

// Add counts one entry of the new run.
func (c *Changes) Add(e *baoxue.LedgerEntry) {
	if !Open(e) {
		return
	}
	k := ChildKey(e)
	if c.seen[k] {
		return // the same child twice in one registry: counted once
	}
	c.seen[k] = true
	if c.prev[k] {
		c.StillOpen++
	} else {
		c.NewOpen++
	}
}

// Finish computes Resolved once every entry has been added.
func (c *Changes) Finish() {
	c.Resolved = 0
	for k := range c.prev {
		if !c.seen[k] {
			c.Resolved++
		}
	}
}
