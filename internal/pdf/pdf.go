// Package pdf writes simple text documents as PDF with an embedded TrueType font: A4 pages,
// paragraphs laid out line by line (CJK text breaks between any two characters, Latin text
// between words, no line starts with closing punctuation), a centred title, right-aligned
// signature lines and page numbers. The font is embedded as a subset (only the glyphs used),
// as a Type0 font with a CIDFontType2 descendant, Identity-H encoding and a ToUnicode map, so
// that the text can be searched and extracted (pdftotext) and prints the same everywhere.
//
// It is deliberately small: no images, no tables, no colour — what printed notices need.
package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Page geometry in points (1/72 inch): A4 with the margins of GB/T 9704-2012 (党政机关公文格式):
// top 37 mm, left 28 mm, a 156 × 225 mm text block, 22 lines of 16 pt text per page.
const (
	PageWidth  = 595.28
	PageHeight = 841.89
	mm         = 72 / 25.4
	marginTop  = 37 * mm
	marginLeft = 28 * mm
	textWidth  = 156 * mm
	textHeight = 225 * mm
)

// Align is a paragraph's horizontal alignment.
type Align int

const (
	Left Align = iota
	Center
	Right
)

// Style is how a paragraph is set.
type Style struct {
	Size        float64 // points; 0 means 16 (三号, the body size of official documents)
	Bold        bool
	Align       Align
	Indent      float64 // first-line indent in ems (2 for body text)
	Hanging     float64 // indent of the lines after the first, in ems (numbered items)
	SpaceBefore float64 // in lines
}

type paragraph struct {
	text  string
	style Style
}

// Doc is a document being built. Add paragraphs, then call Bytes.
type Doc struct {
	font   *Font
	title  string
	paras  []paragraph
	footer bool
}

// New starts a document set in font; title goes into the document information.
func New(font *Font, title string) *Doc { return &Doc{font: font, title: title, footer: true} }

// Para adds a paragraph. Newlines inside text start new lines with the same style.
func (d *Doc) Para(text string, st Style) {
	d.paras = append(d.paras, paragraph{text, st})
}

// line is one laid-out line.
type line struct {
	runes []rune
	x, y  float64
	size  float64
	bold  bool
}

type page struct{ lines []line }

const bodySize = 16
const lineHeight = textHeight / 22

// layout breaks paragraphs into lines and lines into pages.
func (d *Doc) layout() []page {
	pages := []page{{}}
	y := 0.0 // distance below the top of the text block of the next baseline's line box
	for _, p := range d.paras {
		size := p.style.Size
		if size == 0 {
			size = bodySize
		}
		lh := lineHeight * size / bodySize
		if lh < lineHeight {
			lh = lineHeight
		}
		y += p.style.SpaceBefore * lineHeight
		for _, text := range strings.Split(p.text, "\n") {
			for i, ln := range d.breakLines([]rune(text), size, p.style) {
				if y+lh > textHeight+0.01 {
					pages = append(pages, page{})
					y = 0
				}
				indent := p.style.Hanging
				if i == 0 {
					indent = p.style.Indent
				}
				w := d.width(ln, size)
				x := marginLeft + indent*size
				switch p.style.Align {
				case Center:
					x = marginLeft + (textWidth-w)/2
				case Right:
					x = marginLeft + textWidth - w - size // one em from the right edge, as signatures sit
				}
				baseline := PageHeight - marginTop - y - lh + (lh-size)/2 + 0.12*size
				pages[len(pages)-1].lines = append(pages[len(pages)-1].lines,
					line{runes: ln, x: x, y: baseline, size: size, bold: p.style.Bold})
				y += lh
			}
		}
	}
	return pages
}

func (d *Doc) width(rs []rune, size float64) float64 {
	w := 0.0
	for _, r := range rs {
		w += d.font.Advance(r)
	}
	return w * size / 1000
}

// noLineStart are characters that may not begin a line (禁则): closing punctuation.
const noLineStart = "，。、；：？！）》」』】〕”’…—,.;:?!)]}%"

// noLineEnd are characters that may not end a line: opening punctuation.
const noLineEnd = "（《「『【〔“‘([{"

// breakLines splits text into lines no wider than the text block (less indents).
func (d *Doc) breakLines(text []rune, size float64, st Style) [][]rune {
	if len(text) == 0 {
		return [][]rune{nil}
	}
	var out [][]rune
	first := true
	for len(text) > 0 {
		indent := st.Hanging
		if first {
			indent = st.Indent
		}
		avail := textWidth - indent*size
		if st.Align == Right {
			avail -= size
		}
		n, w := 0, 0.0
		for n < len(text) {
			cw := d.font.Advance(text[n]) * size / 1000
			if w+cw > avail+0.01 && n > 0 {
				break
			}
			w += cw
			n++
		}
		if n < len(text) {
			// Keep a Latin word or number whole when it fits on a line by itself.
			if isWordRune(text[n]) && isWordRune(text[n-1]) {
				k := n
				for k > 0 && isWordRune(text[k-1]) {
					k--
				}
				if k > 0 {
					n = k
				}
			}
			// Closing punctuation hangs at the end of the line rather than start the next;
			// opening punctuation moves to the next line rather than end this one.
			if strings.ContainsRune(noLineStart, text[n]) {
				n++
			} else if n > 1 && strings.ContainsRune(noLineEnd, text[n-1]) {
				n--
			}
		}
		out = append(out, text[:n])
		text = text[n:]
		for len(text) > 0 && text[0] == ' ' {
			text = text[1:]
		}
		first = false
	}
	return out
}

func isWordRune(r rune) bool {
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' || r == '_' || r == '.')
}

// Bytes lays the document out and writes the PDF.
func (d *Doc) Bytes() ([]byte, error) {
	pages := d.layout()
	used := map[rune]bool{}
	for _, p := range pages {
		for _, l := range p.lines {
			for _, r := range l.runes {
				used[r] = true
			}
		}
	}
	if d.footer && len(pages) > 1 {
		for _, r := range "— 0123456789" {
			used[r] = true
		}
	}
	runes := make([]rune, 0, len(used))
	for r := range used {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	sub, err := d.font.Subset(runes)
	if err != nil {
		return nil, err
	}
	w := &writer{}
	w.header()
	// Object numbers: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 font file,
	// 7 ToUnicode, 8 info, then two per page (page, contents).
	tag := subsetTag(runes)
	name := tag + "+" + d.fontName()
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 9+2*i)
	}
	w.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.object(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 %.2f %.2f] >>",
		strings.Join(kids, " "), len(pages), PageWidth, PageHeight))
	w.object(3, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>", name))
	w.object(4, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W %s /CIDToGIDMap /Identity >>",
		name, widths(sub.Widths)))
	f := d.font
	scale := func(v int) int { return int(math.Round(float64(v) * 1000 / float64(f.unitsPerEm))) }
	w.object(5, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 6 0 R >>",
		name, scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]), scale(f.ascent), scale(f.descent), scale(f.capHeight)))
	if err := w.stream(6, fmt.Sprintf("/Length1 %d", len(sub.Font)), sub.Font); err != nil {
		return nil, err
	}
	if err := w.stream(7, "", toUnicode(sub.Unicode)); err != nil {
		return nil, err
	}
	w.object(8, fmt.Sprintf("<< /Title %s /Producer (baoxue) >>", utf16Text(d.title)))
	for i, p := range pages {
		pageObj, contentObj := 9+2*i, 10+2*i
		w.object(pageObj, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", contentObj))
		var c bytes.Buffer
		for _, l := range p.lines {
			if len(l.runes) == 0 {
				continue
			}
			if l.bold {
				fmt.Fprintf(&c, "BT 2 Tr %.2f w /F1 %.1f Tf %.2f %.2f Td <", l.size/30, l.size, l.x, l.y)
			} else {
				fmt.Fprintf(&c, "BT 0 Tr /F1 %.1f Tf %.2f %.2f Td <", l.size, l.x, l.y)
			}
			for _, r := range l.runes {
				fmt.Fprintf(&c, "%04X", sub.Glyphs[r])
			}
			c.WriteString("> Tj ET\n")
		}
		if d.footer && len(pages) > 1 {
			num := []rune(fmt.Sprintf("— %d —", i+1))
			x := PageWidth/2 - d.width(num, 14)/2
			fmt.Fprintf(&c, "BT 0 Tr /F1 14.0 Tf %.2f %.2f Td <", x, 20*mm)
			for _, r := range num {
				fmt.Fprintf(&c, "%04X", sub.Glyphs[r])
			}
			c.WriteString("> Tj ET\n")
		}
		if err := w.stream(contentObj, "", c.Bytes()); err != nil {
			return nil, err
		}
	}
	w.trailer(8 + 2*len(pages))
	return w.buf.Bytes(), nil
}

// fontName is the font's PostScript-safe family name for BaseFont.
func (d *Doc) fontName() string { return "BaoxueSans" }

// subsetTag is the six capital letters that name a subset (PDF 32000 §9.6.4), derived from the
// characters so the same text gives the same file.
func subsetTag(runes []rune) string {
	h := sha256.New()
	for _, r := range runes {
		h.Write(utf8.AppendRune(nil, r))
	}
	sum := h.Sum(nil)
	b := make([]byte, 6)
	for i := range b {
		b[i] = 'A' + sum[i]%26
	}
	return string(b)
}

// widths writes the /W array: one run of consecutive glyph widths.
func widths(ws []float64) string {
	var b strings.Builder
	b.WriteString("[0 [")
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d", int(math.Round(w)))
	}
	b.WriteString("]]")
	return b.String()
}

// toUnicode writes the CMap that maps glyph ids back to characters, for text extraction.
func toUnicode(m map[uint16]rune) []byte {
	gids := make([]int, 0, len(m))
	for g := range m {
		gids = append(gids, int(g))
	}
	slices.Sort(gids)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16Units(m[uint16(g)]) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

func utf16Units(r rune) []uint16 {
	if r < 0x10000 {
		return []uint16{uint16(r)}
	}
	r -= 0x10000
	return []uint16{uint16(0xD800 + r>>10), uint16(0xDC00 + r&0x3FF)}
}

// utf16Text is a PDF text string in UTF-16BE with a byte-order mark, as a hex string.
func utf16Text(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		for _, u := range utf16Units(r) {
			fmt.Fprintf(&b, "%04X", u)
		}
	}
	b.WriteString(">")
	return b.String()
}

// writer accumulates objects and their offsets for the cross-reference table.
type writer struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func (w *writer) header() {
	w.offsets = map[int]int{}
	w.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
}

func (w *writer) object(n int, body string) {
	w.offsets[n] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// stream writes a Flate-compressed stream object; extra goes into its dictionary.
func (w *writer) stream(n int, extra string, data []byte) error {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	w.offsets[n] = w.buf.Len()
	if extra != "" {
		extra = " " + extra
	}
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< /Length %d /Filter /FlateDecode%s >>\nstream\n", n, z.Len(), extra)
	w.buf.Write(z.Bytes())
	w.buf.WriteString("\nendstream\nendobj\n")
	return nil
}

func (w *writer) trailer(last int) {
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", last+1)
	for i := 1; i <= last; i++ {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", w.offsets[i])
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root 1 0 R /Info 8 0 R >>\nstartxref\n%d\n%%%%EOF\n", last+1, xref)
}
