package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Font is a parsed TrueType font (glyf outlines): enough to measure text, map characters to
// glyphs, and write a subset that holds only the glyphs a document uses.
type Font struct {
	tables     map[string][]byte
	unitsPerEm int
	numGlyphs  int
	advance    []uint16        // per glyph, font units
	cmap       map[rune]uint16 // character → glyph
	loca       []uint32        // numGlyphs+1 offsets into glyf
	glyf       []byte
	// Metrics in font units, for the PDF font descriptor.
	ascent, descent, capHeight int
	bbox                       [4]int
}

// ErrFont reports a font file this package cannot use.
var ErrFont = errors.New("pdf: unusable TrueType font")

func fontErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFont, fmt.Sprintf(format, a...))
}

// ParseFont reads a TrueType font (.ttf with glyf outlines, not CFF), or the first font of a
// TrueType collection (.ttc).
func ParseFont(b []byte) (*Font, error) {
	if len(b) < 12 {
		return nil, fontErr("file too short")
	}
	dir := 0
	if string(b[:4]) == "ttcf" {
		if len(b) < 16 || binary.BigEndian.Uint32(b[8:]) == 0 {
			return nil, fontErr("empty font collection")
		}
		dir = int(binary.BigEndian.Uint32(b[12:]))
		if dir < 0 || dir > len(b)-12 {
			return nil, fontErr("collection offset outside the file")
		}
	}
	if v := binary.BigEndian.Uint32(b[dir:]); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, fontErr("not a TrueType font (version %#x)", v)
	}
	n := int(binary.BigEndian.Uint16(b[dir+4:]))
	if len(b) < dir+12+16*n {
		return nil, fontErr("table directory truncated")
	}
	f := &Font{tables: map[string][]byte{}}
	for i := 0; i < n; i++ {
		r := b[dir+12+16*i:]
		tag := string(r[:4])
		off, length := binary.BigEndian.Uint32(r[8:]), binary.BigEndian.Uint32(r[12:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return nil, fontErr("table %q outside the file", tag)
		}
		f.tables[tag] = b[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[t] == nil {
			return nil, fontErr("missing table %q", t)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, fontErr("head, hhea or maxp truncated")
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	if f.unitsPerEm == 0 {
		return nil, fontErr("unitsPerEm is 0")
	}
	for i := range f.bbox {
		f.bbox[i] = int(int16(binary.BigEndian.Uint16(head[36+2*i:])))
	}
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.ascent = int(int16(binary.BigEndian.Uint16(hhea[4:])))
	f.descent = int(int16(binary.BigEndian.Uint16(hhea[6:])))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = int(int16(binary.BigEndian.Uint16(os2[88:])))
	}
	if err := f.parseMetrics(int(binary.BigEndian.Uint16(hhea[34:]))); err != nil {
		return nil, err
	}
	if err := f.parseLoca(longLoca); err != nil {
		return nil, err
	}
	if err := f.parseCmap(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Font) parseMetrics(numHMetrics int) error {
	hmtx := f.tables["hmtx"]
	if numHMetrics == 0 || numHMetrics > f.numGlyphs || len(hmtx) < 4*numHMetrics {
		return fontErr("hmtx truncated")
	}
	f.advance = make([]uint16, f.numGlyphs)
	for g := 0; g < f.numGlyphs; g++ {
		k := min(g, numHMetrics-1)
		f.advance[g] = binary.BigEndian.Uint16(hmtx[4*k:])
	}
	return nil
}

func (f *Font) parseLoca(long bool) error {
	loca := f.tables["loca"]
	f.glyf = f.tables["glyf"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for i := range f.loca {
		switch {
		case long && len(loca) >= 4*(i+1):
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		case !long && len(loca) >= 2*(i+1):
			f.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		default:
			return fontErr("loca truncated")
		}
		if f.loca[i] > uint32(len(f.glyf)) || (i > 0 && f.loca[i] < f.loca[i-1]) {
			return fontErr("loca offset %d out of order", i)
		}
	}
	return nil
}

// parseCmap reads the Unicode subtable: format 12 (full repertoire) if present, else format 4.
func (f *Font) parseCmap() error {
	cm := f.tables["cmap"]
	if len(cm) < 4 {
		return fontErr("cmap truncated")
	}
	var best []byte
	bestFormat := uint16(0)
	n := int(binary.BigEndian.Uint16(cm[2:]))
	for i := 0; i < n && 4+8*i+8 <= len(cm); i++ {
		r := cm[4+8*i:]
		pid, eid, off := binary.BigEndian.Uint16(r), binary.BigEndian.Uint16(r[2:]), binary.BigEndian.Uint32(r[4:])
		unicode := pid == 0 || (pid == 3 && (eid == 1 || eid == 10))
		if !unicode || int(off)+2 > len(cm) {
			continue
		}
		format := binary.BigEndian.Uint16(cm[off:])
		if (format == 12 && bestFormat != 12) || (format == 4 && bestFormat == 0) {
			best, bestFormat = cm[off:], format
		}
	}
	f.cmap = map[rune]uint16{}
	switch bestFormat {
	case 4:
		return f.cmap4(best)
	case 12:
		return f.cmap12(best)
	}
	return fontErr("no Unicode cmap of format 4 or 12")
}

func (f *Font) cmap4(t []byte) error {
	if len(t) < 14 {
		return fontErr("cmap 4 truncated")
	}
	segs := int(binary.BigEndian.Uint16(t[6:])) / 2
	end, start, delta, rangeOff := 14, 16+2*segs, 16+4*segs, 16+6*segs
	if len(t) < rangeOff+2*segs {
		return fontErr("cmap 4 truncated")
	}
	u16 := func(o int) int { return int(binary.BigEndian.Uint16(t[o:])) }
	for s := 0; s < segs; s++ {
		lo, hi, d, ro := u16(start+2*s), u16(end+2*s), u16(delta+2*s), u16(rangeOff+2*s)
		for c := lo; c <= hi && c != 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + d) & 0xFFFF
			} else {
				o := rangeOff + 2*s + ro + 2*(c-lo)
				if o+2 > len(t) {
					return fontErr("cmap 4 glyph index outside the table")
				}
				if g = u16(o); g != 0 {
					g = (g + d) & 0xFFFF
				}
			}
			if g != 0 && g < f.numGlyphs {
				f.cmap[rune(c)] = uint16(g)
			}
		}
	}
	return nil
}

func (f *Font) cmap12(t []byte) error {
	if len(t) < 16 {
		return fontErr("cmap 12 truncated")
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	if n < 0 || len(t) < 16+12*n {
		return fontErr("cmap 12 truncated")
	}
	for i := 0; i < n; i++ {
		r := t[16+12*i:]
		lo, hi, g := binary.BigEndian.Uint32(r), binary.BigEndian.Uint32(r[4:]), binary.BigEndian.Uint32(r[8:])
		if hi < lo || hi > 0x10FFFF || hi-lo > 0x10000 {
			return fontErr("cmap 12 group %d out of range", i)
		}
		for c := lo; c <= hi; c++ {
			if gi := g + (c - lo); gi != 0 && int(gi) < f.numGlyphs {
				f.cmap[rune(c)] = uint16(gi)
			}
		}
	}
	return nil
}

// Glyph returns the glyph of r, and false when the font lacks it.
func (f *Font) Glyph(r rune) (uint16, bool) {
	g, ok := f.cmap[r]
	return g, ok
}

// Advance is the advance width of r in thousandths of the font size (0 for a missing character,
// which draws as the .notdef glyph's width).
func (f *Font) Advance(r rune) float64 {
	g := f.cmap[r]
	return float64(f.advance[g]) * 1000 / float64(f.unitsPerEm)
}

// Runes lists the characters the font maps, in order.
func (f *Font) Runes() []rune {
	out := make([]rune, 0, len(f.cmap))
	for r := range f.cmap {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// glyph flags of composite glyphs.
const (
	argsAreWords    = 0x0001
	weHaveScale     = 0x0008
	moreComponents  = 0x0020
	weHaveXYScale   = 0x0040
	weHave2x2       = 0x0080
	weHaveInstrs    = 0x0100
	compositeHeader = 10
)

// glyphData returns glyph g's outline (nil for an empty glyph).
func (f *Font) glyphData(g int) []byte {
	return f.glyf[f.loca[g]:f.loca[g+1]]
}

// components calls fn with the offset of each component's glyph index in a composite glyph, and
// returns the end of the component records (where instructions would start).
func components(d []byte, fn func(off int)) (int, error) {
	o := compositeHeader
	for {
		if o+4 > len(d) {
			return 0, fontErr("composite glyph truncated")
		}
		flags := binary.BigEndian.Uint16(d[o:])
		fn(o + 2)
		o += 4
		if flags&argsAreWords != 0 {
			o += 4
		} else {
			o += 2
		}
		switch {
		case flags&weHaveScale != 0:
			o += 2
		case flags&weHaveXYScale != 0:
			o += 4
		case flags&weHave2x2 != 0:
			o += 8
		}
		if flags&moreComponents == 0 {
			if o > len(d) {
				return 0, fontErr("composite glyph truncated")
			}
			return o, nil
		}
	}
}

// stripHints returns a copy of glyph data without TrueType instructions: the subset drops the
// hinting programs (fpgm, prep, cvt), so instructions that call into them must go too. PDF
// viewers render CJK text at print sizes well without hints.
func stripHints(d []byte) ([]byte, error) {
	if len(d) < compositeHeader {
		return nil, nil
	}
	nContours := int(int16(binary.BigEndian.Uint16(d)))
	if nContours < 0 {
		end, err := components(d, func(int) {})
		if err != nil {
			return nil, err
		}
		out := slices.Clone(d[:end])
		// clear WE_HAVE_INSTRUCTIONS on every component
		_, _ = components(out, func(off int) {
			flags := binary.BigEndian.Uint16(out[off-2:])
			binary.BigEndian.PutUint16(out[off-2:], flags&^weHaveInstrs)
		})
		return out, nil
	}
	o := compositeHeader + 2*nContours
	if o+2 > len(d) {
		return nil, fontErr("glyph truncated")
	}
	n := int(binary.BigEndian.Uint16(d[o:]))
	if o+2+n > len(d) {
		return nil, fontErr("glyph instructions truncated")
	}
	out := make([]byte, 0, len(d)-n)
	out = append(out, d[:o]...)
	out = append(out, 0, 0)
	out = append(out, d[o+2+n:]...)
	return out, nil
}

// Subset is a font reduced to some characters, with glyphs renumbered from 1 in the order of
// the original glyph ids (0 stays .notdef).
type Subset struct {
	Font    []byte          // a complete TrueType file
	Glyphs  map[rune]uint16 // character → glyph id in the subset
	Widths  []float64       // per subset glyph: advance in thousandths of the font size
	Unicode map[uint16]rune // subset glyph → the character it stands for, for ToUnicode
}

// Subset writes a TrueType font holding .notdef, the glyphs of runes and the glyphs those refer
// to (composite parts). Characters the font lacks are left out of Glyphs.
func (f *Font) Subset(runes []rune) (*Subset, error) {
	keep := map[int]bool{0: true}
	var queue []int
	for _, r := range runes {
		if g, ok := f.cmap[r]; ok && !keep[int(g)] {
			keep[int(g)] = true
			queue = append(queue, int(g))
		}
	}
	for len(queue) > 0 { // closure over composite components
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		d := f.glyphData(g)
		if len(d) >= compositeHeader && int16(binary.BigEndian.Uint16(d)) < 0 {
			_, err := components(d, func(off int) {
				c := int(binary.BigEndian.Uint16(d[off:]))
				if c < f.numGlyphs && !keep[c] {
					keep[c] = true
					queue = append(queue, c)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	old := make([]int, 0, len(keep))
	for g := range keep {
		old = append(old, g)
	}
	sort.Ints(old)
	newID := make(map[int]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	s := &Subset{Glyphs: map[rune]uint16{}, Unicode: map[uint16]rune{}, Widths: make([]float64, len(old))}
	for _, r := range runes {
		if g, ok := f.cmap[r]; ok {
			n := newID[int(g)]
			s.Glyphs[r] = n
			if prev, seen := s.Unicode[n]; !seen || r < prev {
				s.Unicode[n] = r
			}
		}
	}
	var glyf []byte
	loca := make([]uint32, 0, len(old)+1)
	hmtx := make([]byte, 0, 4*len(old))
	for i, g := range old {
		loca = append(loca, uint32(len(glyf)))
		d, err := stripHints(f.glyphData(g))
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", g, err)
		}
		if len(d) >= compositeHeader && int16(binary.BigEndian.Uint16(d)) < 0 {
			_, _ = components(d, func(off int) {
				c := int(binary.BigEndian.Uint16(d[off:]))
				binary.BigEndian.PutUint16(d[off:], newID[c])
			})
		}
		glyf = append(glyf, d...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, f.advance[g])
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.lsb(g)))
		s.Widths[i] = float64(f.advance[g]) * 1000 / float64(f.unitsPerEm)
	}
	loca = append(loca, uint32(len(glyf)))
	locaB := make([]byte, 0, 4*len(loca))
	for _, o := range loca {
		locaB = binary.BigEndian.AppendUint32(locaB, o)
	}
	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(old)))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(old)))
	post := make([]byte, 32)
	binary.BigEndian.PutUint32(post, 0x00030000) // version 3: no glyph names
	copy(post[4:16], f.tables["post"][4:min(16, len(f.tables["post"]))])
	tables := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx, "loca": locaB, "glyf": glyf,
		"cmap": cmapFormat4(s.Glyphs), "post": post,
	}
	for _, t := range []string{"OS/2", "name"} {
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	s.Font = writeFont(tables)
	return s, nil
}

// lsb is glyph g's left side bearing: its xMin (fonts set lsb = xMin for TrueType outlines).
func (f *Font) lsb(g int) int16 {
	d := f.glyphData(g)
	if len(d) < compositeHeader {
		return 0
	}
	return int16(binary.BigEndian.Uint16(d[2:]))
}

// cmapFormat4 builds a cmap with one (3,1) format 4 subtable for BMP characters.
func cmapFormat4(m map[rune]uint16) []byte {
	var codes []int
	for r := range m {
		if r < 0xFFFF {
			codes = append(codes, int(r))
		}
	}
	sort.Ints(codes)
	type seg struct{ lo, hi, delta int }
	var segs []seg
	for _, c := range codes {
		g := int(m[rune(c)])
		if n := len(segs); n > 0 && segs[n-1].hi == c-1 && (segs[n-1].delta+c)&0xFFFF == g {
			segs[n-1].hi = c
			continue
		}
		segs = append(segs, seg{c, c, (g - c) & 0xFFFF})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	t := make([]byte, 0, 16+8*n)
	u16 := func(v int) { t = binary.BigEndian.AppendUint16(t, uint16(v)) }
	u16(0)
	u16(1) // one subtable
	u16(3)
	u16(1)
	t = binary.BigEndian.AppendUint32(t, 12)
	sub := len(t)
	u16(4)
	u16(0) // length, set below
	u16(0) // language
	u16(2 * n)
	p := 1
	for p*2 <= n {
		p *= 2
	}
	u16(2 * p)
	u16(log2(p))
	u16(2*n - 2*p)
	for _, s := range segs {
		u16(s.hi)
	}
	u16(0)
	for _, s := range segs {
		u16(s.lo)
	}
	for _, s := range segs {
		u16(s.delta)
	}
	for range segs {
		u16(0)
	}
	binary.BigEndian.PutUint16(t[sub+2:], uint16(len(t)-sub))
	return t
}

func log2(p int) int {
	n := 0
	for p > 1 {
		p /= 2
		n++
	}
	return n
}

// writeFont assembles a TrueType file from its tables, with checksums and the head table's
// checkSumAdjustment.
func writeFont(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	p := 1
	for p*2 <= n {
		p *= 2
	}
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16*p))
	binary.BigEndian.PutUint16(out[8:], uint16(log2(p)))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16*p))
	headOff := 0
	for i, tag := range tags {
		data := tables[tag]
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		r := out[12+16*i:]
		copy(r, tag)
		binary.BigEndian.PutUint32(r[4:], checksum(data))
		binary.BigEndian.PutUint32(r[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(r[12:], uint32(len(data)))
		if tag == "head" {
			headOff = len(out)
		}
		out = append(out, data...)
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	binary.BigEndian.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
