// Command mkfont makes the font that internal/notice embeds: WenQuanYi Micro Hei from Debian's
// fonts-wqy-microhei package (Apache License 2.0, or GPL-3+ with the font exception; used here
// under Apache-2.0), reduced to the characters official documents and Chinese names use, without
// hinting, zlib-compressed. Run it from the repository root after
// `apt-get install fonts-wqy-microhei`:
//
//	go run ./internal/notice/mkfont [-src /usr/share/fonts/truetype/wqy/wqy-microhei.ttc]
package main

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"os"

	"github.com/baoxue/baoxue/internal/pdf"
)

// ranges are the Unicode blocks kept: ASCII and Latin-1, general punctuation, letterlike
// symbols, number forms, arrows, enclosed numbers, geometric shapes, CJK symbols and
// punctuation, enclosed CJK, CJK Unified Ideographs with Extension A (rare characters occur in
// names), compatibility ideographs and the full-width forms.
var ranges = [][2]rune{
	{0x20, 0x7E}, {0xA0, 0xFF}, {0x2000, 0x206F}, {0x2100, 0x214F}, {0x2150, 0x218F}, {0x2190, 0x21FF},
	{0x2460, 0x24FF}, {0x25A0, 0x25FF}, {0x3000, 0x303F}, {0x3200, 0x32FF}, {0x3400, 0x4DBF},
	{0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0xFF00, 0xFFEF},
}

func main() {
	src := flag.String("src", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "source font (the first font of a collection)")
	out := flag.String("out", "internal/notice/font/baoxue-sans.ttf.z", "output (zlib-compressed TrueType)")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkfont:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := pdf.ParseFont(b)
	if err != nil {
		return err
	}
	var runes []rune
	for _, r := range ranges {
		for c := r[0]; c <= r[1]; c++ {
			if _, ok := f.Glyph(c); ok {
				runes = append(runes, c)
			}
		}
	}
	sub, err := f.Subset(runes)
	if err != nil {
		return err
	}
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(sub.Font)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, z.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d characters, %d glyphs, %d bytes, %d compressed\n", len(runes), len(sub.Widths), len(sub.Font), z.Len())
	return nil
}
