package compare

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/baoxue/baoxue/internal/gen"
	"github.com/baoxue/baoxue/internal/ingest"
)

// TestReadShortcutsKeepTheLedger: the registry read with ingest's SkipOutsideWindow (rows of
// adults skipped before conversion, as file mode does) and NarrowWindow (only the school-age
// window kept, not two more cohorts each side) gives byte for byte the ledger of the full
// validation, on generated realistic and hard counties of several seeds. (The generated
// registries' birth columns disagree with the IDs now and then, and the hard profile writes
// dates as yyyy/m/d; ingest's TestSkipOutsideWindow covers each kind of row.)
func TestReadShortcutsKeepTheLedger(t *testing.T) {
	rows, seeds := 20_000, 3
	if testing.Short() {
		seeds = 1
	}
	for _, profile := range []string{gen.ProfileRealistic, gen.ProfileHard} {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", profile, seed), func(t *testing.T) {
				dir := t.TempDir()
				if _, err := gen.GenerateCounty(context.Background(), dir, rows, seed, profile); err != nil {
					t.Fatal(err)
				}
				full := readCounty(t, dir, ingest.ImportOptions{})
				want := encode(t, full, Options{})
				got := encode(t, readCounty(t, dir, ingest.ImportOptions{SkipOutsideWindow: true, NarrowWindow: true}), Options{})
				if !bytes.Equal(got, want) {
					t.Errorf("with SkipOutsideWindow the ledger differs (%d bytes, want %d)", len(got), len(want))
				}
			})
		}
	}
}
