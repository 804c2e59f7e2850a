package ingest

import (
	"math/rand/v2"
	"testing"
)

// TestIDTable: every key reports the row it was first seen on, through several resizes, with
// keys that differ only in their last digits (one county's IDs) and keys that collide in the
// table's slots.
func TestIDTable(t *testing.T) {
	var tab idTable
	want := map[uint64]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	base := uint64(62292120150304001) * 11
	for row := 2; row < 50_000; row++ {
		var key uint64
		switch row % 3 {
		case 0:
			key = base + uint64(row%7000) // repeats
		case 1:
			key = 1 + rng.Uint64N(1<<40)
		default:
			key = uint64(row) << 40 // same low bits
		}
		first, dup := tab.firstRow(key, row)
		w, seen := want[key]
		if dup != seen || (seen && first != w) {
			t.Fatalf("row %d key %d: got (%d, %v), want (%d, %v)", row, key, first, dup, w, seen)
		}
		if !seen {
			want[key] = row
		}
	}
	if tab.n != len(want) {
		t.Errorf("%d keys held, want %d", tab.n, len(want))
	}
	if len(tab.keys) < idTableMinSize*4 {
		t.Errorf("table of %d slots: the test did not resize it", len(tab.keys))
	}
}

// TestIDTableReserve: a table reserved for n keys holds them without growing, keeps what it
// held before, and never shrinks.
func TestIDTableReserve(t *testing.T) {
	var tab idTable
	tab.firstRow(7, 2)
	tab.reserve(100_000)
	size := len(tab.keys)
	if size*3 <= 100_000*4 {
		t.Fatalf("reserved %d slots for 100000 keys", size)
	}
	if first, dup := tab.firstRow(7, 9); !dup || first != 2 {
		t.Errorf("key held before reserve: (%d, %v), want (2, true)", first, dup)
	}
	for k := uint64(8); k < 100_007; k++ {
		if _, dup := tab.firstRow(k, int(k)); dup {
			t.Fatalf("key %d reported as seen", k)
		}
	}
	if len(tab.keys) != size {
		t.Errorf("table grew from %d to %d slots after reserve", size, len(tab.keys))
	}
	tab.reserve(10)
	if len(tab.keys) != size {
		t.Errorf("reserve(10) shrank the table to %d slots", len(tab.keys))
	}
}

// BenchmarkIDTable: the duplicate check's cost per ID at county-to-province sizes (new IDs,
// the common case), against a Go map.
func BenchmarkIDTable(b *testing.B) {
	const n = 1 << 20
	keys := make([]uint64, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range keys {
		keys[i] = 62292120100101000*11 + rng.Uint64N(1e12)
	}
	b.Run("idTable", func(b *testing.B) {
		for b.Loop() {
			var tab idTable
			for i, k := range keys {
				tab.firstRow(k, i)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := map[uint64]int{}
			for i, k := range keys {
				if _, ok := m[k]; !ok {
					m[k] = i
				}
			}
		}
	})
}
