package server

import (
	"fmt"
	"html/template"
	"strings"
)

// A small QR code encoder (ISO/IEC 18004), enough for the otpauth:// URI of the TOTP enrolment
// page: byte mode, error correction level M, versions 1 to 10 (up to 213 bytes). The page must
// work offline and the module list allows no new dependency, so it is written here; the test
// decodes the output with zbarimg when it is installed.

// qrBlocks describes the error-correction blocks of one version at level M: EC codewords per
// block, then how many blocks of how many data codewords (short blocks first).
type qrBlocks struct {
	ec                   int
	n1, data1, n2, data2 int
}

// qrVersionsM is ISO/IEC 18004 table 9, level M, versions 1–10.
var qrVersionsM = [...]qrBlocks{
	1: {10, 1, 16, 0, 0}, 2: {16, 1, 28, 0, 0}, 3: {26, 1, 44, 0, 0}, 4: {18, 2, 32, 0, 0},
	5: {24, 2, 43, 0, 0}, 6: {16, 4, 27, 0, 0}, 7: {18, 4, 31, 0, 0}, 8: {22, 2, 38, 2, 39},
	9: {22, 3, 36, 2, 37}, 10: {26, 4, 43, 1, 44},
}

// qrAlign is the row/column of alignment pattern centres (table E.1), versions 1–10.
var qrAlign = [...][]int{
	1: nil, 2: {6, 18}, 3: {6, 22}, 4: {6, 26}, 5: {6, 30}, 6: {6, 34},
	7: {6, 22, 38}, 8: {6, 24, 42}, 9: {6, 26, 46}, 10: {6, 28, 50},
}

func (b qrBlocks) dataLen() int { return b.n1*b.data1 + b.n2*b.data2 }

// qrCode is a finished symbol: dark[y][x], y the row.
type qrCode struct {
	size int
	dark [][]bool
}

// encodeQR makes the smallest symbol at level M holding text in byte mode.
func encodeQR(text string) (*qrCode, error) {
	data := []byte(text)
	version := 0
	for v := 1; v < len(qrVersionsM); v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		if 4+countBits+8*len(data) <= 8*qrVersionsM[v].dataLen() {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, fmt.Errorf("qr: %d bytes do not fit in version 10-M", len(data))
	}
	blocks := qrVersionsM[version]

	// Bit stream: mode 0100 (byte), count, data, terminator, padding.
	var bits []bool
	put := func(v, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, v>>i&1 == 1)
		}
	}
	put(0b0100, 4)
	if version >= 10 {
		put(len(data), 16)
	} else {
		put(len(data), 8)
	}
	for _, c := range data {
		put(int(c), 8)
	}
	capacity := 8 * blocks.dataLen()
	put(0, min(4, capacity-len(bits)))
	for len(bits)%8 != 0 {
		bits = append(bits, false)
	}
	codewords := make([]byte, 0, blocks.dataLen())
	for i := 0; i < len(bits); i += 8 {
		var c byte
		for j := range 8 {
			if bits[i+j] {
				c |= 0x80 >> j
			}
		}
		codewords = append(codewords, c)
	}
	for pad := byte(0xEC); len(codewords) < blocks.dataLen(); pad ^= 0xEC ^ 0x11 {
		codewords = append(codewords, pad)
	}

	// Split into blocks, add Reed–Solomon error correction, interleave.
	var dataBlocks, ecBlocks [][]byte
	gen := rsGenerator(blocks.ec)
	off := 0
	for i := range blocks.n1 + blocks.n2 {
		n := blocks.data1
		if i >= blocks.n1 {
			n = blocks.data2
		}
		d := codewords[off : off+n]
		off += n
		dataBlocks = append(dataBlocks, d)
		ecBlocks = append(ecBlocks, rsRemainder(d, gen))
	}
	var final []byte
	for i := range max(blocks.data1, blocks.data2) {
		for _, d := range dataBlocks {
			if i < len(d) {
				final = append(final, d[i])
			}
		}
	}
	for i := range blocks.ec {
		for _, e := range ecBlocks {
			final = append(final, e[i])
		}
	}

	// Draw the function patterns, the data, then choose the mask with the lowest penalty.
	size := 17 + 4*version
	base := newQRMatrix(size)
	base.drawFunctions(version)
	base.drawCodewords(final)
	best, bestScore := (*qrMatrix)(nil), -1
	for mask := range 8 {
		m := base.clone()
		m.applyMask(mask)
		m.drawFormat(mask)
		if s := m.penalty(); bestScore < 0 || s < bestScore {
			best, bestScore = m, s
		}
	}
	return &qrCode{size: size, dark: best.dark}, nil
}

type qrMatrix struct {
	size     int
	dark     [][]bool
	function [][]bool // reserved for function patterns: no data, no mask
}

func newQRMatrix(size int) *qrMatrix {
	m := &qrMatrix{size: size, dark: make([][]bool, size), function: make([][]bool, size)}
	for y := range size {
		m.dark[y] = make([]bool, size)
		m.function[y] = make([]bool, size)
	}
	return m
}

func (m *qrMatrix) clone() *qrMatrix {
	c := newQRMatrix(m.size)
	for y := range m.size {
		copy(c.dark[y], m.dark[y])
		copy(c.function[y], m.function[y])
	}
	return c
}

func (m *qrMatrix) set(x, y int, dark bool) {
	m.dark[y][x] = dark
	m.function[y][x] = true
}

func (m *qrMatrix) drawFunctions(version int) {
	n := m.size
	for i := range n { // timing patterns
		m.set(6, i, i%2 == 0)
		m.set(i, 6, i%2 == 0)
	}
	finder := func(cx, cy int) { // 7×7 finder with its light separator
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := cx+dx, cy+dy
				if x < 0 || y < 0 || x >= n || y >= n {
					continue
				}
				d := max(abs(dx), abs(dy))
				m.set(x, y, d != 2 && d != 4)
			}
		}
	}
	finder(3, 3)
	finder(n-4, 3)
	finder(3, n-4)
	pos := qrAlign[version]
	for i, cy := range pos {
		for j, cx := range pos {
			if (i == 0 && j == 0) || (i == 0 && j == len(pos)-1) || (i == len(pos)-1 && j == 0) {
				continue // under a finder
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					m.set(cx+dx, cy+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	m.drawFormat(0) // reserves the format areas; redrawn for the chosen mask
	if version >= 7 {
		rem := version
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := version<<12 | rem
		for i := range 18 {
			dark := bits>>i&1 == 1
			a, b := n-11+i%3, i/3
			m.set(a, b, dark)
			m.set(b, a, dark)
		}
	}
}

// drawFormat writes the 15 format bits (level M, mask) in both copies, and the dark module.
func (m *qrMatrix) drawFormat(mask int) {
	data := 0b00<<3 | mask // level M is 00
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	n := m.size
	for i := 0; i <= 5; i++ {
		m.set(8, i, bit(i))
	}
	m.set(8, 7, bit(6))
	m.set(8, 8, bit(7))
	m.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		m.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		m.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		m.set(8, n-15+i, bit(i))
	}
	m.set(8, n-8, true)
}

// drawCodewords places the bits in the zigzag of two-module columns from the bottom right.
func (m *qrMatrix) drawCodewords(data []byte) {
	i := 0
	for right := m.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5 // skip the vertical timing pattern
		}
		for vert := range m.size {
			for j := range 2 {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = m.size - 1 - vert
				}
				if !m.function[y][x] && i < len(data)*8 {
					m.dark[y][x] = data[i>>3]>>(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
}

func qrMaskBit(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	}
	return ((x+y)%2+x*y%3)%2 == 0
}

func (m *qrMatrix) applyMask(mask int) {
	for y := range m.size {
		for x := range m.size {
			if !m.function[y][x] && qrMaskBit(mask, x, y) {
				m.dark[y][x] = !m.dark[y][x]
			}
		}
	}
}

// penalty scores a masked symbol by the four rules of ISO/IEC 18004 §8.8.2 (lower is better).
func (m *qrMatrix) penalty() int {
	n, score := m.size, 0
	at := func(x, y int, transpose bool) bool {
		if transpose {
			return m.dark[x][y]
		}
		return m.dark[y][x]
	}
	for _, tr := range []bool{false, true} {
		for y := range n {
			run := 1
			var line strings.Builder
			for x := range n {
				if at(x, y, tr) {
					line.WriteByte('1')
				} else {
					line.WriteByte('0')
				}
				if x > 0 && at(x, y, tr) == at(x-1, y, tr) {
					run++
					if run == 5 {
						score += 3
					} else if run > 5 {
						score++
					}
				} else {
					run = 1
				}
			}
			s := "0000" + line.String() + "0000"
			score += 40 * (strings.Count(s, "10111010000") + strings.Count(s, "00001011101"))
		}
	}
	dark := 0
	for y := range n {
		for x := range n {
			if m.dark[y][x] {
				dark++
			}
			if x > 0 && y > 0 && m.dark[y][x] == m.dark[y-1][x] && m.dark[y][x] == m.dark[y][x-1] && m.dark[y][x] == m.dark[y-1][x-1] {
				score += 3
			}
		}
	}
	k := abs(dark*20-n*n*10) / (n * n) // steps of 5% away from half dark
	return score + 10*k
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1.
func gfMul(a, b byte) byte {
	var p byte
	for b > 0 {
		if b&1 == 1 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1D
		}
		b >>= 1
	}
	return p
}

// rsGenerator is ∏(x − αⁱ), i < degree, highest coefficient (1) dropped.
func rsGenerator(degree int) []byte {
	g := make([]byte, degree)
	g[degree-1] = 1
	root := byte(1)
	for range degree {
		for j := range degree {
			g[j] = gfMul(g[j], root)
			if j+1 < degree {
				g[j] ^= g[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return g
}

// rsRemainder is the error-correction codewords of data.
func rsRemainder(data, gen []byte) []byte {
	r := make([]byte, len(gen))
	for _, b := range data {
		f := b ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		for i := range r {
			r[i] ^= gfMul(gen[i], f)
		}
	}
	return r
}

// qrSVG draws text as a QR code in inline SVG (dark modules as one path, four modules of quiet
// zone, no style attribute so the CSP holds); "" when the text is too long.
func qrSVG(text string) template.HTML {
	q, err := encodeQR(text)
	if err != nil {
		return ""
	}
	var p strings.Builder
	for y := range q.size {
		for x := 0; x < q.size; {
			if !q.dark[y][x] {
				x++
				continue
			}
			run := 0
			for x+run < q.size && q.dark[y][x+run] {
				run++
			}
			fmt.Fprintf(&p, "M%d %dh%dv1h-%dz", x+4, y+4, run, run)
			x += run
		}
	}
	w := q.size + 8
	// Everything interpolated is a number or the path built above from numbers.
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="二维码"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		w, w, w, w, p.String()))
}
