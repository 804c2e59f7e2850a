package gen

import (
	"context"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// GenerateCounty writes a 临夏县 of rows registry rows into dir with the default as-of date:
// the quick path for the demo and for other packages' tests (20,000 rows take a fraction of a
// second).
func GenerateCounty(ctx context.Context, dir string, rows int, seed uint64, profile string) (Summary, error) {
	tree, err := region.Load()
	if err != nil {
		return Summary{}, fmt.Errorf("加载区划: %w", err)
	}
	return Generate(ctx, Options{Rows: rows, Seed: seed, Profile: profile, Out: dir}, tree, nil)
}

// ExpectedLedgerStatus is the ledger status (DESIGN §6) a perfect comparison gives a registry
// child of this truth status on clean files; "" for children outside the window's ledger
// (under_age, over_age) and unknown statuses. moved_out is taken as exempt: the child has left
// the county's registry.
func ExpectedLedgerStatus(truthStatus string) baoxue.LedgerStatus {
	switch truthStatus {
	case "enrolled":
		return baoxue.StatusEnrolled
	case "enrolled_elsewhere":
		return baoxue.StatusEnrolledElsewhere
	case "home_taught":
		return baoxue.StatusHomeTaught
	case "completed":
		return baoxue.StatusCompleted
	case "suspended", "deceased", "emigrated", "moved_out":
		return baoxue.StatusExempt
	case "out_of_school":
		return baoxue.StatusSuspected
	}
	return ""
}
