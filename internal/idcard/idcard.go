// Package idcard parses and validates resident ID numbers (公民身份号码, GB 11643-1999) as they
// arrive in officials' spreadsheets: it normalises them, upgrades 15-digit legacy numbers, and
// says in one Code why a number is unusable. It is pure (no I/O) and allocation-free on the hot
// path, because the comparison validates every row of a province's registry.
//
// # Order of checks
//
// Check reports the first failure in this order, chosen so that the message points at the part
// of the number that is wrong:
//
//  1. ErrEmpty: nothing left after trimming blanks and quotes.
//  2. ErrFormat, or ErrPrecisionLost for scientific notation: the text must be 17 digits plus a
//     digit or X, or 15 digits. Anything in scientific notation with an exponent of 14–17
//     (6.22921201403051E+17, 6.22921E+17, 6.22921E+14) is an ID that Excel turned into a
//     number, so it is ErrPrecisionLost rather than ErrFormat.
//  3. ErrPrecisionLost: an 18-digit number ending in 000 that fails its check digit, see below.
//  4. ErrBirthdate: digits 7–14 must be a real calendar day, not before 1900-01-01 and not after
//     the Validator's today.
//  5. ErrRegion: digits 1–6 must be an address code that was in force at some time (current
//     divisions or historical codes, so 110103 崇文区, abolished in 2010, is still accepted).
//  6. ErrChecksum: the ISO 7064 MOD 11-2 check character.
//
// The checksum comes last on purpose: a single mistyped digit in the date or the address code
// also breaks the checksum, and "the birth date is impossible" tells the person repairing the
// row where to look, while "the checksum fails" does not. So 110105194913310025 (month 13) is
// ErrBirthdate even though its check digit is also wrong, and 110105194912310021 (everything
// plausible, check digit should be X) is ErrChecksum.
//
// # Precision lost by Excel
//
// Excel keeps 15 significant digits, so an 18-digit ID stored in a numeric cell comes back as
// 6.22921201403051E+17 or as 622921201403051000: the last three digits are gone. CheckCell is
// told whether the cell was numeric. For a numeric cell, an 18-digit value ending in 000 is
// ErrPrecisionLost even when the remaining digits happen to pass the checksum (one truncated
// number in eleven does), because a numeric cell cannot hold those digits. For text (Check, or
// CheckCell with numeric=false) an 18-digit value ending in 000 is ErrPrecisionLost only if its
// check digit fails: a CSV saved from Excel has lost the cell type but not the damage, and a
// genuine ID ending in 000 still passes. The price is that a mistyped ID that happens to end in
// 000 is reported as precision loss instead of a checksum failure; both send the official back to
// the source, and the precision message names the usual cause.
//
// # Legacy numbers
//
// A 15-digit number (issued before 1999) is upgraded by inserting "19" before its six-digit birth
// date and computing the check character; it is then validated like an 18-digit number and the
// result has Upgraded set.
package idcard

import (
	"encoding/binary"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/region"
)

// Number is a valid, normalised 18-character ID number and what it encodes.
type Number struct {
	Digits   [18]byte    // ASCII digits; the last may be 'X'
	Birth    baoxue.Date // digits 7–14
	Sex      baoxue.Sex  // digit 17: odd male, even female
	Address  uint32      // digits 1–6, the address code at registration
	Upgraded bool        // converted from a 15-digit legacy number
}

// String returns the 18 characters.
func (n Number) String() string { return string(n.Digits[:]) }

// AppendTo appends the 18 characters to dst, for writers that must not allocate.
func (n Number) AppendTo(dst []byte) []byte { return append(dst, n.Digits[:]...) }

// IsZero reports whether n is the zero Number, which Check returns with every error.
func (n Number) IsZero() bool { return n.Digits[0] == 0 }

// numberOf decodes the fields of an 18-character ID whose characters are already known to be
// well formed; it does not validate the date or the address.
func numberOf(d *[18]byte, upgraded bool) Number {
	n := Number{Digits: *d, Upgraded: upgraded}
	n.Address = uint32(d[0]-'0')*100000 + uint32(d[1]-'0')*10000 + uint32(d[2]-'0')*1000 +
		uint32(d[3]-'0')*100 + uint32(d[4]-'0')*10 + uint32(d[5]-'0')
	n.Birth = baoxue.Date(uint32(d[6]-'0')*10000000 + uint32(d[7]-'0')*1000000 +
		uint32(d[8]-'0')*100000 + uint32(d[9]-'0')*10000 + uint32(d[10]-'0')*1000 +
		uint32(d[11]-'0')*100 + uint32(d[12]-'0')*10 + uint32(d[13]-'0'))
	if (d[16]-'0')%2 == 1 {
		n.Sex = baoxue.Male
	} else {
		n.Sex = baoxue.Female
	}
	return n
}

// Validator checks ID numbers against the address codes and today's date. It is immutable and
// safe for concurrent use.
type Validator struct {
	addr  *region.AddressSet
	today baoxue.Date
}

// NewValidator returns a validator that accepts the address codes in addr (use
// region.Tree.Address(): current and historical codes) and birth dates up to today. A nil addr
// skips the address check and a zero today skips the future-date check; both exist for callers
// that have no tree or clock at hand, not for production use.
func NewValidator(addr *region.AddressSet, today baoxue.Date) *Validator {
	return &Validator{addr: addr, today: today}
}

// maxInput bounds the trimmed input that is normalised. The longest acceptable form is 18
// full-width characters (54 bytes); anything longer is ErrFormat without further work, which
// also keeps the normalisation buffer on the stack.
const maxInput = 64

// Check normalises and validates a value from a text cell or a CSV field.
func (v *Validator) Check(raw string) (Number, Code) { return v.CheckCell(raw, false) }

// CheckCell normalises and validates a spreadsheet value; numeric tells whether the cell held a
// number rather than text, which makes an 18-digit value ending in 000 certain precision loss.
func (v *Validator) CheckCell(raw string, numeric bool) (Number, Code) {
	var d [18]byte
	// Fast path: most cells already hold exactly 18 clean characters, which need no
	// normalisation.
	if len(raw) == 18 {
		copy(d[:], raw)
		if wellFormed18(&d) {
			return v.validate18(&d, numeric, false)
		}
	}
	s := trim(raw)
	if len(s) == 0 {
		return Number{}, ErrEmpty
	}
	if len(s) > maxInput {
		return Number{}, ErrFormat
	}
	var buf [maxInput]byte
	norm := convert(buf[:0], s)
	switch len(norm) {
	case 18:
		copy(d[:], norm)
		if wellFormed18(&d) {
			return v.validate18(&d, numeric, false)
		}
	case 15:
		if allDigits(norm) {
			copy(d[:6], norm[:6])
			d[6], d[7] = '1', '9'
			copy(d[8:17], norm[6:])
			d[17] = CheckDigit(d[:17])
			return v.validate18(&d, numeric, true)
		}
	}
	if isScientific(norm) {
		return Number{}, ErrPrecisionLost
	}
	return Number{}, ErrFormat
}

// wellFormed18 reports whether d is 17 ASCII digits followed by a digit or X. The first 16 bytes
// are tested eight at a time: a byte is a digit iff its high nibble is 3 and adding 6 to it does
// not carry out of the low nibble.
func wellFormed18(d *[18]byte) bool {
	const threes, sixes, highs = 0x3030303030303030, 0x0606060606060606, 0xF0F0F0F0F0F0F0F0
	a := binary.LittleEndian.Uint64(d[0:8])
	b := binary.LittleEndian.Uint64(d[8:16])
	return a&highs == threes && (a+sixes)&highs == threes &&
		b&highs == threes && (b+sixes)&highs == threes &&
		isDigit(d[16]) && (isDigit(d[17]) || d[17] == 'X')
}

// validate18 checks a well-formed 18-character number (see the package doc for the order). It
// is written out digit by digit because it runs once per registry row.
func (v *Validator) validate18(d *[18]byte, numeric, upgraded bool) (Number, Code) {
	// MOD 11-2 weighted sum of the first 17 digits; the weights add up to 100, so the ASCII
	// offset comes off in one subtraction.
	sum := int(d[0])*7 + int(d[1])*9 + int(d[2])*10 + int(d[3])*5 + int(d[4])*8 + int(d[5])*4 +
		int(d[6])*2 + int(d[7])*1 + int(d[8])*6 + int(d[9])*3 + int(d[10])*7 + int(d[11])*9 +
		int(d[12])*10 + int(d[13])*5 + int(d[14])*8 + int(d[15])*4 + int(d[16])*2 - '0'*100
	check := checkChars[sum%11]
	if !upgraded && d[15] == '0' && d[16] == '0' && d[17] == '0' && (numeric || check != d[17]) {
		return Number{}, ErrPrecisionLost
	}

	y := int(d[6]-'0')*1000 + int(d[7]-'0')*100 + int(d[8]-'0')*10 + int(d[9]-'0')
	m := int(d[10]-'0')*10 + int(d[11]-'0')
	day := int(d[12]-'0')*10 + int(d[13]-'0')
	birth := baoxue.Date(y*10000 + m*100 + day)
	if y < 1900 || m < 1 || m > 12 || day < 1 || day > daysIn(y, m) || (v.today != 0 && birth > v.today) {
		return Number{}, ErrBirthdate
	}

	addr := uint32(d[0]-'0')*100000 + uint32(d[1]-'0')*10000 + uint32(d[2]-'0')*1000 +
		uint32(d[3]-'0')*100 + uint32(d[4]-'0')*10 + uint32(d[5]-'0')
	if v.addr != nil && !v.addr.Has(addr) {
		return Number{}, ErrRegion
	}

	if check != d[17] {
		return Number{}, ErrChecksum
	}
	n := Number{Digits: *d, Birth: birth, Sex: baoxue.Female, Address: addr, Upgraded: upgraded}
	if d[16]&1 == 1 { // '1','3',… are odd bytes too
		n.Sex = baoxue.Male
	}
	return n, OK
}

// daysIn is the length of month m (1–12) of year y.
func daysIn(y, m int) int {
	if m == 2 {
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + int((0b1_0101_1010_1010>>m)&1) // 31 in Jan, Mar, May, Jul, Aug, Oct, Dec
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s []byte) bool {
	for _, c := range s {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// isScientific reports whether s is a number in scientific notation whose exponent (14–17) makes
// it a 15- or 18-digit ID that a spreadsheet turned into a float: 6.22921201403051E+17.
func isScientific(s []byte) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i >= len(s) || (s[i] != 'E' && s[i] != 'e') {
		return false
	}
	i++
	if i < len(s) && s[i] == '+' {
		i++
	}
	// LibreOffice writes three exponent digits (6.20102201403051E+017); Excel two.
	for i < len(s)-1 && s[i] == '0' {
		i++
	}
	if i == len(s) || len(s)-i > 2 {
		return false
	}
	exp := 0
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
		exp = exp*10 + int(s[i]-'0')
	}
	return exp >= 14 && exp <= 17
}
