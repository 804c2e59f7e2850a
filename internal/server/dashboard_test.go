package server

import (
	"testing"

	"github.com/baoxue/baoxue"
)

// The semester a day falls in begins on 1 September or 1 March.
func TestSemesterStart(t *testing.T) {
	for _, tt := range []struct{ day, want baoxue.Date }{
		{baoxue.MakeDate(2025, 9, 1), baoxue.MakeDate(2025, 9, 1)},
		{baoxue.MakeDate(2025, 12, 31), baoxue.MakeDate(2025, 9, 1)},
		{baoxue.MakeDate(2026, 1, 15), baoxue.MakeDate(2025, 9, 1)},
		{baoxue.MakeDate(2026, 2, 28), baoxue.MakeDate(2025, 9, 1)},
		{baoxue.MakeDate(2024, 2, 29), baoxue.MakeDate(2023, 9, 1)},
		{baoxue.MakeDate(2026, 3, 1), baoxue.MakeDate(2026, 3, 1)},
		{baoxue.MakeDate(2026, 8, 31), baoxue.MakeDate(2026, 3, 1)},
	} {
		if got := semesterStart(tt.day); got != tt.want {
			t.Errorf("semesterStart(%s) = %s, want %s", tt.day, got, tt.want)
		}
	}
}
