package compare

import (
	"context"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/gen"
)

// slices holds a county's records in memory, so that a benchmark times the comparison alone.
type countySlices struct {
	reg      []baoxue.Person
	enr, nat []baoxue.Enrollment
	pov      []baoxue.PovertyRecord
	dis      []baoxue.DisabilityRecord
	header   int
}

func collect[T any](t testing.TB, s Stream[T]) []T {
	var out []T
	if err := s(context.Background(), func(r *T) error { out = append(out, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func loadSlices(b *testing.B, rows int) countySlices {
	c := loadCounty(b, rows, 1, gen.ProfileRealistic)
	return countySlices{reg: collect(b, c.in.Registry), enr: collect(b, c.in.Enrollment), nat: collect(b, c.in.National),
		pov: collect(b, c.in.Poverty), dis: collect(b, c.in.Disability), header: c.in.RegistryHeaderRow}
}

func benchRun(b *testing.B, exactOnly bool) {
	s := loadSlices(b, gen.CountyRows)
	in := Inputs{Registry: sliceStream(s.reg), Enrollment: sliceStream(s.enr), National: sliceStream(s.nat),
		RegistryHeaderRow: s.header}
	if !exactOnly {
		in.Poverty, in.Disability = sliceStream(s.pov), sliceStream(s.dis)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		sum, err := Run(context.Background(), in, Options{AsOf: gen.DefaultAsOfValue, ExactOnly: exactOnly},
			func(*baoxue.LedgerEntry) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		n = sum.SchoolAge
	}
	b.ReportMetric(float64(len(s.reg)), "stored-registry-rows")
	b.ReportMetric(float64(n), "children")
}

// BenchmarkRunCounty times the comparison of a county (the registry rows the importer keeps —
// the window widened by two cohorts — 学籍, national, poverty and disability) from records in
// memory: the engine's own cost, without reading files.
func BenchmarkRunCounty(b *testing.B) { benchRun(b, false) }

// BenchmarkRunCountyExactOnly is the same with the exact stage alone.
func BenchmarkRunCountyExactOnly(b *testing.B) { benchRun(b, true) }
