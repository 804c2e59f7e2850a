package notice

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sync"

	"github.com/baoxue/baoxue/internal/pdf"
)

//go:embed font/baoxue-sans.ttf.z
var fontZ []byte

//go:embed templates/print.css
var printCSS string

//go:embed templates/document.html
var documentHTML string

// Renderer writes documents as HTML and PDF. The font is decompressed and parsed on first use
// (about 4 MB held in memory from then on); a Renderer is safe for concurrent use.
type Renderer struct {
	once sync.Once
	font *pdf.Font
	err  error
	page *template.Template
}

// NewRenderer parses the HTML template; the font waits for the first document.
func NewRenderer() (*Renderer, error) {
	t, err := template.New("document").Parse(documentHTML)
	if err != nil {
		return nil, fmt.Errorf("notice: parse template: %w", err)
	}
	return &Renderer{page: t}, nil
}

// Font returns the embedded font.
func (r *Renderer) Font() (*pdf.Font, error) {
	r.once.Do(func() {
		zr, err := zlib.NewReader(bytes.NewReader(fontZ))
		if err != nil {
			r.err = fmt.Errorf("notice: font: %w", err)
			return
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			r.err = fmt.Errorf("notice: font: %w", err)
			return
		}
		r.font, r.err = pdf.ParseFont(b)
	})
	return r.font, r.err
}

// PDF writes the document as an A4 PDF.
func (r *Renderer) PDF(doc *Document) ([]byte, error) {
	f, err := r.Font()
	if err != nil {
		return nil, err
	}
	d := pdf.New(f, doc.Title)
	prev := ""
	for _, b := range doc.Blocks {
		var st pdf.Style
		switch b.Kind {
		case BlockTitle:
			st = pdf.Style{Size: 22, Bold: true, Align: pdf.Center}
		case BlockNumber:
			st = pdf.Style{Align: pdf.Center}
		case BlockSalutation:
			st = pdf.Style{}
		case BlockPara:
			st = pdf.Style{Indent: 2}
		case BlockItem:
			st = pdf.Style{Hanging: 2}
		case BlockSign:
			st = pdf.Style{Align: pdf.Right}
		}
		// One blank line after the heading and before the signature, as in print.css.
		if (prev == BlockTitle || prev == BlockNumber) && b.Kind != BlockNumber ||
			b.Kind == BlockSign && prev != BlockSign {
			st.SpaceBefore = 1
		}
		d.Para(b.Text, st)
		prev = b.Kind
	}
	return d.Bytes()
}

// HTML writes the document as a standalone A4 print page: no script, no external resource, the
// style inline and the glyphs it uses embedded as a font. csp is the Content-Security-Policy to
// serve it with, which allows exactly that style and nothing else.
func (r *Renderer) HTML(doc *Document) (page []byte, csp string, err error) {
	f, err := r.Font()
	if err != nil {
		return nil, "", err
	}
	used := map[rune]bool{}
	for _, b := range doc.Blocks {
		for _, c := range b.Text {
			used[c] = true
		}
	}
	runes := make([]rune, 0, len(used))
	for c := range used {
		runes = append(runes, c)
	}
	slices.Sort(runes)
	sub, err := f.Subset(runes)
	if err != nil {
		return nil, "", err
	}
	css := `@font-face { font-family: "BaoxueDoc"; src: url(data:font/ttf;base64,` +
		base64.StdEncoding.EncodeToString(sub.Font) + `) format("truetype"); }` + "\n" + printCSS
	var buf bytes.Buffer
	number := ""
	for _, b := range doc.Blocks {
		if b.Kind == BlockNumber {
			number = b.Text
		}
	}
	err = r.page.Execute(&buf, struct {
		Title, Number string
		CSS           template.CSS
		Blocks        []Block
	}{doc.Title, number, template.CSS(css), doc.Blocks})
	if err != nil {
		return nil, "", fmt.Errorf("notice: render %s: %w", doc.Kind, err)
	}
	sum := sha256.Sum256([]byte(css))
	csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; font-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	return buf.Bytes(), csp, nil
}
