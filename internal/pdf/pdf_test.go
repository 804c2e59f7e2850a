package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// testdata/mini.ttf is a subset of WenQuanYi Micro Hei (Apache-2.0, see
// internal/notice/font) with ASCII and the CJK characters these tests print.

func miniFont(t testing.TB) *Font {
	t.Helper()
	b, err := os.ReadFile("testdata/mini.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFont(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseFont(t *testing.T) {
	f := miniFont(t)
	for _, r := range "A保学〔" {
		if _, ok := f.Glyph(r); !ok {
			t.Errorf("font lacks %q", r)
		}
	}
	if _, ok := f.Glyph('龘'); ok {
		t.Error("mini font has a character it was not made with")
	}
	if a := f.Advance('保'); a < 900 || a > 1100 {
		t.Errorf("CJK advance %v, want about one em", a)
	}
	if a := f.Advance('i'); a <= 0 || a >= 700 {
		t.Errorf("Latin advance %v", a)
	}
	if len(f.Runes()) < 140 {
		t.Errorf("only %d characters", len(f.Runes()))
	}
}

// A subset is a valid font with the same metrics, fewer glyphs, and composite references
// renumbered inside it.
func TestSubsetRoundTrip(t *testing.T) {
	f := miniFont(t)
	runes := []rune("保学劝返A1。")
	s, err := f.Subset(runes)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseFont(s.Font)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	if g.numGlyphs != len(s.Widths) || g.numGlyphs >= f.numGlyphs {
		t.Errorf("subset has %d glyphs (widths %d), original %d", g.numGlyphs, len(s.Widths), f.numGlyphs)
	}
	for _, r := range runes {
		id, ok := g.Glyph(r)
		if !ok || id != s.Glyphs[r] || s.Unicode[id] != r {
			t.Errorf("%q: subset cmap %d %v, Glyphs %d", r, id, ok, s.Glyphs[r])
		}
		if g.Advance(r) != f.Advance(r) {
			t.Errorf("%q: advance %v, was %v", r, g.Advance(r), f.Advance(r))
		}
	}
	for i := 0; i < g.numGlyphs; i++ {
		d := g.glyphData(i)
		if len(d) >= compositeHeader && int16(binary.BigEndian.Uint16(d)) < 0 {
			_, err := components(d, func(off int) {
				if c := int(binary.BigEndian.Uint16(d[off:])); c >= g.numGlyphs {
					t.Errorf("glyph %d refers to glyph %d of %d", i, c, g.numGlyphs)
				}
			})
			if err != nil {
				t.Error(err)
			}
		}
	}
	if sum := checksum(s.Font); sum != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", sum)
	}
}

var streamRE = regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)

func TestDocumentStructure(t *testing.T) {
	d := New(miniFont(t), "劝返复学通知书")
	d.Para("劝返复学通知书", Style{Size: 22, Bold: true, Align: Center})
	d.Para(strings.Repeat("监护人适龄儿童少年义务教育法，", 20), Style{Indent: 2})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"%PDF-1.7", "/Subtype /Type0", "/CIDFontType2", "/Identity-H", "/ToUnicode", "/FontFile2", "/CIDToGIDMap /Identity", "%%EOF"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
	// Every stream inflates, and the xref offsets point at their objects.
	for _, m := range streamRE.FindAllSubmatch(b, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(zr); err != nil {
			t.Fatalf("stream does not inflate: %v", err)
		}
	}
	xref := bytes.LastIndex(b, []byte("\nxref\n"))
	for i, line := range strings.Split(string(b[xref+6:]), "\n")[2:] {
		if !strings.HasSuffix(line, " n ") {
			break
		}
		var off int
		for _, c := range line[:10] {
			off = off*10 + int(c-'0')
		}
		if want := []byte(strconv.Itoa(i+1) + " 0 obj"); !bytes.HasPrefix(b[off:], want) {
			t.Errorf("xref entry %d points at %q", i+1, b[off:off+10])
		}
	}
	again, _ := d.Bytes()
	if !bytes.Equal(b, again) {
		t.Error("the same document gives different bytes")
	}
}

// Text extracted by poppler's pdftotext is the text that was laid out, in order, and long
// paragraphs wrap onto lines no wider than the text block.
func TestExtractedText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install -y poppler-utils): PDF text extraction not checked")
	}
	body := strings.Repeat("监护人适龄儿童少年义务教育法第五十八条，责令限期改正。", 30)
	d := New(miniFont(t), "test")
	d.Para("劝返复学通知书", Style{Size: 22, Bold: true, Align: Center})
	d.Para("临教劝〔2025〕3号", Style{Align: Center})
	d.Para(body, Style{Indent: 2})
	d.Para("临夏县教育局", Style{Align: Right, SpaceBefore: 1})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	want := squeeze("劝返复学通知书临教劝〔2025〕3号" + body + "临夏县教育局")
	// Page numbers (— 1 —) sit in the footer; pdftotext may read them between lines.
	if got := pageNumbers.ReplaceAllString(squeeze(string(out)), ""); got != want {
		t.Errorf("extracted text differs:\n got %s\nwant %s", got, want)
	}
	if pages := bytes.Count(b, []byte("/Type /Page ")); pages != 2 {
		t.Errorf("%d pages, want 2 for %d characters", pages, len([]rune(body)))
	}
}

var pageNumbers = regexp.MustCompile(`—\d+—`)

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\f' {
			return -1
		}
		return r
	}, s)
}

func TestBreakLines(t *testing.T) {
	d := New(miniFont(t), "")
	// A line holds 27 CJK characters of 16 pt (156 mm); the 28th, a comma, hangs at the end.
	text := []rune(strings.Repeat("保", 27) + "，" + "学")
	lines := d.breakLines(text, 16, Style{})
	if len(lines) != 2 || string(lines[1]) != "学" {
		t.Errorf("lines %q", lines)
	}
	open := d.breakLines([]rune(strings.Repeat("保", 26)+"“学”"), 16, Style{})
	if len(open) != 2 || string(open[1]) != "“学”" {
		t.Errorf("an opening quote ends a line: %q", open)
	}
	words := d.breakLines([]rune(strings.Repeat("保", 25)+" ABCDEFGH"), 16, Style{})
	if len(words) != 2 || string(words[1]) != "ABCDEFGH" {
		t.Errorf("a Latin word is split: %q", words)
	}
}

func FuzzParseFont(f *testing.F) {
	b, err := os.ReadFile("testdata/mini.ttf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:200])
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := ParseFont(data)
		if err != nil {
			return
		}
		runes := font.Runes()
		if len(runes) > 50 {
			runes = runes[:50]
		}
		if _, err := font.Subset(runes); err != nil {
			return
		}
		for _, r := range runes {
			font.Advance(r)
		}
	})
}
