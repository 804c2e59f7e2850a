package match

// keyIndex maps packed IDs to positions in the matcher's record array. It is an open-addressing
// table with linear probing whose slots hold a 32-bit fingerprint of the key and the position
// plus one, so that a miss — the common case when probing the ~180 variants of an ID — reads
// only the slot array. Capacity is the power of two that keeps the load between 3/8 and 3/4:
// 8 bytes per slot, about 11–21 bytes per indexed record.
type keyIndex struct {
	slots []uint64
	mask  uint64
}

func hashKey(k uint64) uint64 {
	// A 64-bit finaliser (murmur3 fmix64): packed IDs share long prefixes.
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

func newKeyIndex(n int) keyIndex {
	c := 16
	for c*3/4 < n {
		c <<= 1
	}
	return keyIndex{slots: make([]uint64, c), mask: uint64(c - 1)}
}

// insert adds key at pos unless it is present; it returns the position already stored for key,
// or pos.
func (ix *keyIndex) insert(key uint64, pos uint32, keyAt func(uint32) uint64) uint32 {
	h := hashKey(key)
	fp := h >> 32
	for i := h & ix.mask; ; i = (i + 1) & ix.mask {
		s := ix.slots[i]
		if s == 0 {
			ix.slots[i] = fp<<32 | uint64(pos+1)
			return pos
		}
		if s>>32 == fp {
			if p := uint32(s) - 1; keyAt(p) == key {
				return p
			}
		}
	}
}

// lookup returns the position stored for key.
func (ix *keyIndex) lookup(key uint64, keyAt func(uint32) uint64) (uint32, bool) {
	if len(ix.slots) == 0 {
		return 0, false
	}
	h := hashKey(key)
	fp := h >> 32
	for i := h & ix.mask; ; i = (i + 1) & ix.mask {
		s := ix.slots[i]
		if s == 0 {
			return 0, false
		}
		if s>>32 == fp {
			if p := uint32(s) - 1; keyAt(p) == key {
				return p, true
			}
		}
	}
}
