package match

import (
	"runtime"
	"testing"
)

// benchPopulation is shared by the benchmarks: 20,000 children of a county with the damage of
// genPopulation (≈ 11 % of the 学籍 IDs damaged or missing).
func benchPopulation(b *testing.B) population {
	b.Helper()
	return genPopulation(11, 20000)
}

// BenchmarkMatch measures Match per registry child over the whole mix (exact hits, variants,
// fuzzy), Resolve excluded.
func BenchmarkMatch(b *testing.B) {
	p := benchPopulation(b)
	m := NewMatcher(p.enrollments, Options{})
	i := 0
	for b.Loop() {
		m.Match(p.children[i])
		i++
		if i == len(p.children) {
			i = 0
			m.Resolve() // keep the pending set from growing without bound
		}
	}
}

// BenchmarkMatchUnmatched measures the expensive path: children with a valid ID that is not in
// the 学籍 (≈180 variant probes, then blocking and scoring).
func BenchmarkMatchUnmatched(b *testing.B) {
	p := benchPopulation(b)
	// Children whose record is missing from the index: every one goes through all stages.
	m := NewMatcher(p.enrollments[len(p.enrollments)/2:], Options{})
	kids := p.children[:len(p.children)/3]
	i := 0
	for b.Loop() {
		m.Match(kids[i])
		i++
		if i == len(kids) {
			i = 0
			m.Resolve()
		}
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	p := benchPopulation(b)
	for b.Loop() {
		NewMatcher(p.enrollments, Options{})
	}
}

// TestMemoryPerRecord bounds what the Matcher keeps per enrollment record, names excluded.
func TestMemoryPerRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a large index")
	}
	p := genPopulation(12, 25000)
	var enr []Record
	for len(enr) < 100000 {
		enr = append(enr, p.enrollments...)
	}
	for i := range enr {
		enr[i].Ref = int32(i)
		if enr[i].Key != 0 {
			enr[i].Key += uint64(i/len(p.enrollments)) * 11 * 1000 // distinct copies
		}
	}
	nameBytes := 0
	for _, e := range enr {
		nameBytes += len(e.Name) + len(e.Guardian)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := NewMatcher(enr, Options{})
	runtime.GC()
	runtime.ReadMemStats(&after)
	perRecord := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-int64(nameBytes)) / float64(len(enr))
	t.Logf("%d records: %.1f bytes per record beyond %d name bytes (pool %d)", len(enr), perRecord, nameBytes, m.nPool)
	if perRecord > 100 {
		t.Errorf("%.1f bytes per record, want ≤ 100", perRecord)
	}
	runtime.KeepAlive(m)
	runtime.KeepAlive(enr)
	runtime.KeepAlive(p)
}
