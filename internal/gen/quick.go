package gen

import (
	"context"
	"fmt"

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
