package idcard

// Pack packs the 18 characters of n into a uint64 for hash joins and sorting: the first 17
// digits as a decimal number, times 11, plus the check character (X counts as 10). The packing
// is injective and preserves the order of the strings; 10^17·11 < 2^64. The zero Number packs to
// 0, which no valid number does (no address code starts with 0).
func (n Number) Pack() uint64 {
	if n.Digits[0] == 0 {
		return 0
	}
	var v uint64
	for _, c := range n.Digits[:17] {
		v = v*10 + uint64(c-'0')
	}
	last := uint64(10)
	if c := n.Digits[17]; c != 'X' {
		last = uint64(c - '0')
	}
	return v*11 + last
}

// Unpack is the inverse of Pack: it restores the digits and decodes Birth, Sex and Address from
// them. Upgraded is not packed and comes back false. Unpack(0) is the zero Number; a value that
// did not come from Pack yields some well-formed but meaningless number.
func Unpack(v uint64) Number {
	if v == 0 {
		return Number{}
	}
	var d [18]byte
	if last := v % 11; last == 10 {
		d[17] = 'X'
	} else {
		d[17] = '0' + byte(last)
	}
	v /= 11
	for i := 16; i >= 0; i-- {
		d[i] = '0' + byte(v%10)
		v /= 10
	}
	return numberOf(&d, false)
}
