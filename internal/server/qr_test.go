package server

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baoxue/baoxue/internal/auth"
)

// qrTexts cover every version from 1 to 10 and a real enrolment URI.
func qrTexts() []string {
	texts := []string{"A", "otpauth://totp/x", auth.TOTPURI(totpIssuer, "admin", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
		auth.TOTPURI(totpIssuer, strings.Repeat("a", 32), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")}
	for _, n := range []int{14, 26, 42, 62, 84, 106, 122, 152, 180, 213} { // each version's capacity
		texts = append(texts, strings.Repeat("保", n/3)+strings.Repeat("x", n%3))
	}
	return texts
}

// TestQRStructure reads each symbol back without a scanner: finder patterns, format bits, and the
// Reed–Solomon check of every block.
func TestQRStructure(t *testing.T) {
	for _, text := range qrTexts() {
		q, err := encodeQR(text)
		if err != nil {
			t.Fatalf("%d bytes: %v", len(text), err)
		}
		version := (q.size - 17) / 4
		// Finder corners are dark, their separators light.
		for _, c := range [][2]int{{0, 0}, {q.size - 1, 0}, {0, q.size - 1}} {
			if !q.dark[c[1]][c[0]] {
				t.Errorf("v%d: finder corner %v light", version, c)
			}
		}
		if q.dark[7][7] || !q.dark[q.size-8][8] {
			t.Errorf("v%d: separator or dark module wrong", version)
		}
		// The two copies of the format bits agree and decode to level M.
		var a, b int
		for i := 0; i <= 5; i++ {
			a |= bit(q.dark[i][8]) << i
		}
		a |= bit(q.dark[7][8])<<6 | bit(q.dark[8][8])<<7 | bit(q.dark[8][7])<<8
		for i := 9; i < 15; i++ {
			a |= bit(q.dark[8][14-i]) << i
		}
		for i := range 8 {
			b |= bit(q.dark[8][q.size-1-i]) << i
		}
		for i := 8; i < 15; i++ {
			b |= bit(q.dark[q.size-15+i][8]) << i
		}
		if a != b || (a^0x5412)>>13 != 0 {
			t.Errorf("v%d: format copies %015b %015b", version, a, b)
		}
		mask := (a ^ 0x5412) >> 10 & 7
		// Unmask, read the codewords back and check every block's syndromes.
		m := newQRMatrix(q.size)
		m.drawFunctions(version)
		for y := range q.size {
			for x := range q.size {
				if !m.function[y][x] {
					m.dark[y][x] = q.dark[y][x] != qrMaskBit(mask, x, y)
				}
			}
		}
		var cw []byte
		var cur byte
		n := 0
		for right := q.size - 1; right >= 1; right -= 2 {
			if right == 6 {
				right = 5
			}
			for vert := range q.size {
				for j := range 2 {
					x, y := right-j, vert
					if (right+1)&2 == 0 {
						y = q.size - 1 - vert
					}
					if m.function[y][x] {
						continue
					}
					cur = cur<<1 | byte(bit(m.dark[y][x]))
					if n++; n%8 == 0 {
						cw = append(cw, cur)
					}
				}
			}
		}
		bl := qrVersionsM[version]
		nb := bl.n1 + bl.n2
		total := bl.dataLen() + nb*bl.ec
		cw = cw[:total]
		var data []byte
		for bi := range nb {
			size := bl.data1
			if bi >= bl.n1 {
				size = bl.data2
			}
			var block []byte
			for i := range size {
				idx := i*nb + bi
				if i == bl.data1 { // only long blocks have this column
					idx = bl.data1*nb + (bi - bl.n1)
				}
				block = append(block, cw[idx])
			}
			data = append(data, block...)
			for i := range bl.ec {
				block = append(block, cw[bl.dataLen()+i*nb+bi])
			}
			if !rsValid(block, bl.ec) {
				t.Errorf("v%d: block %d fails the Reed–Solomon check", version, bi)
			}
		}
		// Byte mode, length, text.
		countBits := 8
		if version >= 10 {
			countBits = 16
		}
		r := bitReader{data: data}
		if r.read(4) != 4 || r.read(countBits) != len(text) {
			t.Fatalf("v%d: header wrong", version)
		}
		got := make([]byte, len(text))
		for i := range got {
			got[i] = byte(r.read(8))
		}
		if string(got) != text {
			t.Errorf("v%d: read back %q", version, got)
		}
	}
	if _, err := encodeQR(strings.Repeat("x", 214)); err == nil {
		t.Error("214 bytes accepted")
	}
	if qrSVG(strings.Repeat("x", 300)) != "" {
		t.Error("SVG for an oversized text")
	}
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

type bitReader struct {
	data []byte
	pos  int
}

func (r *bitReader) read(n int) int {
	v := 0
	for range n {
		v = v<<1 | int(r.data[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

// rsValid evaluates the codeword polynomial at α⁰…α^(ec−1): all zero for an intact block.
func rsValid(block []byte, ec int) bool {
	root := byte(1)
	for range ec {
		var s byte
		for _, c := range block {
			s = gfMul(s, root) ^ c
		}
		if s != 0 {
			return false
		}
		root = gfMul(root, 2)
	}
	return true
}

// TestQRScans decodes the symbols with zbarimg (Debian package zbar-tools), a scanner written
// independently of this encoder. Skipped when zbarimg is not installed.
func TestQRScans(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	dir := t.TempDir()
	for i, text := range qrTexts() {
		q, err := encodeQR(text)
		if err != nil {
			t.Fatal(err)
		}
		const scale, quiet = 4, 4
		w := (q.size + 2*quiet) * scale
		img := image.NewGray(image.Rect(0, 0, w, w))
		for y := range w {
			for x := range w {
				mx, my := x/scale-quiet, y/scale-quiet
				c := color.Gray{255}
				if mx >= 0 && my >= 0 && mx < q.size && my < q.size && q.dark[my][mx] {
					c = color.Gray{0}
				}
				img.SetGray(x, y, c)
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "qr"+itoa(int64(i))+".png")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--quiet", "--raw", "-Sbinary", path).Output()
		if err != nil {
			t.Errorf("v%d (%d bytes): zbarimg could not read it: %v", (q.size-17)/4, len(text), err)
			continue
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != text {
			t.Errorf("v%d: zbarimg read %q, want %q", (q.size-17)/4, got, text)
		}
	}
}

func TestTOTPEnrolmentShowsQR(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser("secadmin", auth.RoleSecadmin, "622921")
	c := e.client()
	e.login(c, "secadmin", testPassword)
	r := e.get(c, "/login/totp")
	if !strings.Contains(r.body, `<div class="qr"><svg`) || strings.Contains(r.body, " style=") {
		t.Fatalf("no inline SVG QR code on the enrolment page")
	}
}
