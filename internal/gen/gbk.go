package gen

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gbkTable maps every BMP rune to its two GBK bytes (0 when GBK has no such character). Built
// once per run from x/text's encoder, it lets the workers encode gigabytes with a table lookup
// per character instead of a transformer call.
type gbkTable struct{ code [0x10000]uint16 }

func newGBKTable() *gbkTable {
	t := &gbkTable{}
	enc := simplifiedchinese.GBK.NewEncoder()
	var src [4]byte
	var dst [8]byte
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		n := utf8.EncodeRune(src[:], r)
		enc.Reset()
		m, _, err := enc.Transform(dst[:], src[:n], true)
		if err == nil && m == 2 {
			t.code[r] = uint16(dst[0])<<8 | uint16(dst[1])
		}
	}
	return t
}

// encode appends src, converted from UTF-8 to GBK, to dst. A character GBK lacks becomes '?',
// exactly what Excel writes when it saves such a cell as "CSV (逗号分隔)"; bad counts them.
func (t *gbkTable) encode(dst, src []byte) (out []byte, bad int) {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			j := i + 1
			for j < len(src) && src[j] < utf8.RuneSelf {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r < 0x10000 {
			if g := t.code[r]; g != 0 {
				dst = append(dst, byte(g>>8), byte(g))
				continue
			}
		}
		dst = append(dst, '?')
		bad++
	}
	return dst, bad
}
