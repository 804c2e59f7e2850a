package ingest

// idTable remembers the first row of each packed ID number, for the duplicate check. It is an
// open-addressing table with linear probing: a lookup touches one slot of the keys array in the
// usual case (most IDs are new), where a Go map touches a control word and a slot in two places
// — on a province's registry the map's cache misses were an eighth of the comparison's CPU.
// Keys are idcard.Number.Pack values, never 0 (0 marks an empty slot); rows are read only on a
// hit, so they live in an array of their own.
type idTable struct {
	keys  []uint64
	rows  []int32
	n     int
	shift uint // 64 - log2(len(keys))
}

const idTableMinSize = 1 << 12

// firstRow returns the row recorded for key, or records row for it and returns false.
func (t *idTable) firstRow(key uint64, row int) (int, bool) {
	if t.keys == nil {
		t.resize(idTableMinSize)
	}
	mask := uint64(len(t.keys) - 1)
	for i := t.slot(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return int(t.rows[i]), true
		case 0:
			if t.n >= maxTrackedIDs {
				return 0, false
			}
			t.keys[i], t.rows[i] = key, int32(min(row, 1<<31-1))
			t.n++
			if t.n*4 >= len(t.keys)*3 { // load ¾
				t.resize(2 * len(t.keys))
			}
			return 0, false
		}
	}
}

// reserve grows the table, once, to hold n keys below the load limit: rehashing through every
// doubling from idTableMinSize cost a province's comparison ~0.7 CPU-seconds.
func (t *idTable) reserve(n int) {
	n = min(n, maxTrackedIDs)
	size := idTableMinSize
	for size*3 <= n*4 {
		size *= 2
	}
	if size > len(t.keys) {
		t.resize(size)
	}
}

// slot spreads the key: packed IDs of one county share their leading digits.
func (t *idTable) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> t.shift }

func (t *idTable) resize(size int) {
	keys, rows := t.keys, t.rows
	t.keys, t.rows = make([]uint64, size), make([]int32, size)
	// Writing the zeros the memory already holds is not redundant: a lookup reads a slot before
	// it writes one, and a page of fresh memory first read is mapped to the kernel's zero page,
	// so its first write faults again, copies, and flushes the other cores' TLBs. perf showed
	// that on a province comparison; clear writes every page once, in order.
	clear(t.keys)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	mask := uint64(size - 1)
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := t.slot(k)
		for t.keys[i] != 0 {
			i = (i + 1) & mask
		}
		t.keys[i], t.rows[i] = k, rows[j]
	}
}
