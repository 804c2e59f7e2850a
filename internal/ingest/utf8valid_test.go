package ingest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkValidUTF8 fails t if validUTF8 and utf8.Valid disagree on b.
func checkValidUTF8(t *testing.T, b []byte) {
	if got, want := validUTF8(b), utf8.Valid(b); got != want {
		t.Helper()
		t.Fatalf("validUTF8(%q) = %v, utf8.Valid = %v", b, got, want)
	}
}

// checkValidUTF8Embedded checks x alone, after 0..9 ASCII bytes (ending the buffer, and
// followed by a CJK character), and after 21 bytes of CJK and those ASCII bytes, which puts x
// in the 16-byte loop. It returns buf, grown to hold these.
func checkValidUTF8Embedded(t *testing.T, buf []byte, x []byte) []byte {
	checkValidUTF8(t, x)
	const lead = "城关区酒泉路中"
	for k := 0; k <= 9; k++ {
		buf = append(append(append(buf[:0], lead+"0123456789"[:k]...), x...), "张"...)
		checkValidUTF8(t, buf[len(lead):len(buf)-3])
		checkValidUTF8(t, buf[len(lead):])
		checkValidUTF8(t, buf)
	}
	return buf
}

func TestValidUTF8Table(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"\x00", true},
		{"\x7f", true},
		// Continuation bytes alone.
		{"\x80", false},
		{"\xbf", false},
		{"\x80\x80\x80", false},
		// 2-byte: C0 and C1 only start overlong forms.
		{"\xc0\x80", false},
		{"\xc0\xaf", false},
		{"\xc1\xbf", false},
		{"\xc2\x7f", false},
		{"\xc2\x80", true}, // U+0080
		{"\xc2\xbf", true},
		{"\xc2\xc0", false},
		{"\xdf\xbf", true}, // U+07FF
		{"\xdf\xc0", false},
		{"\xc2", false},
		{"\xc2\xb7", true}, // ·
		// 3-byte: E0 needs A0–BF next (below is overlong), ED needs 80–9F (above is a surrogate).
		{"\xe0\x80\x80", false},
		{"\xe0\x9f\xbf", false}, // overlong U+07FF
		{"\xe0\xa0\x80", true},  // U+0800
		{"\xe0\xbf\xbf", true},
		{"\xe0\xa0", false},
		{"\xe1\x80\x80", true}, // U+1000
		{"\xe1\x7f\x80", false},
		{"\xe1\x80\x7f", false},
		{"\xe1\xc0\x80", false},
		{"\xe1\x80\xc0", false},
		{"\xe3\x80\x81", true},  // 、
		{"\xe4\xb8\x80", true},  // 一 U+4E00
		{"\xe9\xbe\xa5", true},  // U+9FA5
		{"\xec\xbf\xbf", true},  // U+CFFF
		{"\xed\x80\x80", true},  // U+D000
		{"\xed\x9f\xbf", true},  // U+D7FF
		{"\xed\xa0\x80", false}, // U+D800
		{"\xed\xad\xbf", false}, // U+DB7F
		{"\xed\xb0\x80", false}, // U+DC00
		{"\xed\xbf\xbf", false}, // U+DFFF
		{"\xed\xa0\x80\xed\xb0\x80", false},
		{"\xee\x80\x80", true},  // U+E000
		{"\xef\xbb\xbf", true},  // BOM
		{"\xef\xbc\x8c", true},  // ，
		{"\xef\xbf\xbd", true},  // U+FFFD itself
		{"\xef\xbf\xbf", true},  // U+FFFF
		{"\xe4", false},         // cut off after 1 byte
		{"\xe4\xb8", false},     // cut off after 2 bytes
		{"\xe4\xb8\x41", false}, // ASCII where a continuation byte belongs
		{"\xe4\x41\xb8", false},
		{"\xe4\xe4\xb8\x80", false},
		{"\xe4\xb8\x80\x80", false}, // one continuation byte too many
		// 4-byte: F0 needs 90–BF next (below is overlong), F4 needs 80–8F (above is past U+10FFFF).
		{"\xf0\x80\x80\x80", false},
		{"\xf0\x8f\xbf\xbf", false}, // overlong U+FFFF
		{"\xf0\x90\x80\x80", true},  // U+10000
		{"\xf0\xa0\x80\x8b", true},  // 𠀋
		{"\xf0\xbf\xbf\xbf", true},
		{"\xf3\xbf\xbf\xbf", true},
		{"\xf4\x80\x80\x80", true},
		{"\xf4\x8f\xbf\xbf", true},  // U+10FFFF
		{"\xf4\x90\x80\x80", false}, // U+110000
		{"\xf4\xbf\xbf\xbf", false},
		{"\xf0\x90\x80", false},
		{"\xf0\x90", false},
		{"\xf0", false},
		{"\xf0\x90\x80\x41", false},
		// Bytes that never occur.
		{"\xf5\x80\x80\x80", false},
		{"\xf7\xbf\xbf\xbf", false},
		{"\xf8\x88\x80\x80\x80", false},
		{"\xfc\x84\x80\x80\x80\x80", false},
		{"\xfe", false},
		{"\xff", false},
		// GBK, as in files exported by older programs: 张三.
		{"\xd5\xc5\xc8\xfd", false},
		{"\xd5\xc5\xc8\xfd,620102201509170112", false},
		{"张子林,620102201509170112,男,2015-09-17", true},
		{"城关区酒泉路街道中心小学", true},
		{"张子林·买买提", true},
	}
	var buf []byte
	for _, tt := range tests {
		if got := utf8.Valid([]byte(tt.in)); got != tt.want {
			t.Fatalf("table wrong: utf8.Valid(%q) = %v", tt.in, got)
		}
		buf = checkValidUTF8Embedded(t, buf, []byte(tt.in))
		// At every offset from a word boundary, before and after CJK text and ASCII.
		for k := 0; k <= 24; k++ {
			for _, pre := range []string{strings.Repeat("a", k), strings.Repeat("张", k/3) + strings.Repeat("a", k%3)} {
				for _, post := range []string{"", "1", "号", ",620102201509170112", "城关区酒泉路街道中心小学"} {
					checkValidUTF8(t, []byte(pre+tt.in+post))
				}
			}
		}
	}
	for n := 0; n <= 40; n++ {
		ascii := []byte(strings.Repeat("0123456789,-", 4)[:n])
		checkValidUTF8(t, ascii)
		if !validUTF8(ascii) {
			t.Fatalf("validUTF8(%q) = false", ascii)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xc2, 0xe4, 0xed, 0xf0, 0xff} {
				b := append([]byte(nil), ascii...)
				b[i] = c
				checkValidUTF8(t, b)
			}
		}
	}
}

// TestValidUTF8Substrings checks every piece of a few lines, so that each sequence is cut off
// at each of its bytes at every position relative to the words validUTF8 reads.
func TestValidUTF8Substrings(t *testing.T) {
	lines := []string{
		"张子林,620102201509170112,男,2015-09-17,汉族,6201020010010001,子,甘肃省兰州市城关区酒泉路街道某某村12号,620102001001,正常,张建国,620102198001010019,13912345678",
		"阿依古丽·买买提,620102201509170112,女,2015-09-17,维吾尔族,地址（东区）𠀋号,€5,ÿ",
		"城关区酒泉路街道中心小学\xed\x9f\xbf\xe0\xa0\x80\xef\xbf\xbd\xf4\x8f\xbf\xbf",
	}
	for _, s := range lines {
		b := []byte(s)
		for i := range b {
			for j := i; j <= len(b); j++ {
				checkValidUTF8(t, b[i:j])
			}
		}
	}
}

// TestValidUTF8Exhaustive compares with utf8.Valid on every input of 1 to 3 bytes and on
// 4-byte inputs led by 0xF0–0xF4 with the other bytes sampled, each also embedded in text
// (see checkValidUTF8Embedded).
func TestValidUTF8Exhaustive(t *testing.T) {
	step := 5 // every input is about 35 CPU-seconds: BAOXUE_UTF8_EXHAUSTIVE=1 runs them all
	if os.Getenv("BAOXUE_UTF8_EXHAUSTIVE") == "1" {
		step = 1
	}
	if testing.Short() {
		step = 7 // still every first and second byte
	}
	if raceDetector {
		step = 31
	}
	t.Run("1-2", func(t *testing.T) {
		t.Parallel()
		var buf []byte
		for c := range 256 {
			buf = checkValidUTF8Embedded(t, buf, []byte{byte(c)})
		}
		for c := range 1 << 16 {
			buf = checkValidUTF8Embedded(t, buf, []byte{byte(c >> 8), byte(c)})
		}
	})
	for c0 := 0; c0 < 256; c0 += 16 {
		t.Run(fmt.Sprintf("3/%02x", c0), func(t *testing.T) {
			t.Parallel()
			var buf []byte
			x := make([]byte, 3)
			for c := c0 << 16; c < (c0+16)<<16; c += step {
				x[0], x[1], x[2] = byte(c>>16), byte(c>>8), byte(c)
				buf = checkValidUTF8Embedded(t, buf, x)
			}
		})
	}
	sample := []byte{0x00, 0x30, 0x41, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x9f, 0xa0, 0xaf, 0xb0, 0xbe, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	for c0 := 0xf0; c0 <= 0xf4; c0++ {
		t.Run(fmt.Sprintf("4/%02x", c0), func(t *testing.T) {
			t.Parallel()
			var buf []byte
			x := make([]byte, 4)
			for c1 := range 256 {
				for _, c2 := range sample {
					for _, c3 := range sample {
						x[0], x[1], x[2], x[3] = byte(c0), byte(c1), c2, c3
						buf = checkValidUTF8Embedded(t, buf, x)
					}
				}
			}
		})
	}
}

func FuzzValidUTF8(f *testing.F) {
	for _, s := range utf8TestLines(20) {
		f.Add(s)
	}
	for _, s := range []string{
		"",
		"\xd5\xc5\xc8\xfd",
		"\xd5\xc5\xc8\xfd,620102201509170112,\xc4\xd0,2015-09-17",
		"张子林,\xd5\xc5\xc8\xfd,城关区酒泉路街道中心小学",
		"城关区酒泉路街道中心小学\xe4\xb8",
		"\xed\xa0\x80\xed\xb0\x80",
		"\xef\xbb\xbf姓名,身份证号",
		"阿依古丽·买买提,地址（东区）𠀋号",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkValidUTF8(t, b)
		for _, pre := range []string{"张", "a张", "ab张子"} {
			checkValidUTF8(t, append([]byte(pre), b...))
		}
	})
}

// utf8TestLines returns n lines like those of a Chinese school registry exported as CSV.
func utf8TestLines(n int) [][]byte {
	var (
		surnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "欧阳"}
		given    = []rune("子林建国秀英伟芳娜敏静丽强磊军洋勇艳杰涛明超霞欣怡浩然梓涵宇轩一诺雨桐思远晨曦佳琪俊熙")
		cities   = []string{"兰州市城关区", "兰州市七里河区", "天水市秦州区", "白银市白银区", "酒泉市肃州区", "张掖市甘州区"}
		streets  = []string{"酒泉路街道", "西园街道", "大城街道", "人民路街道", "东岗西路街道", "火车站街道"}
		places   = []string{"某某村", "建工东路", "民主路", "中心小学", "幸福社区", "团结新村", "和平家园小区"}
		nations  = []string{"汉族", "回族", "藏族", "东乡族", "土族", "裕固族"}
		relation = []string{"子", "女", "孙子", "孙女"}
		status   = []string{"正常", "正常", "正常", "迁出"}
	)
	r := rand.New(rand.NewPCG(1, 2))
	name := func() string {
		s := surnames[r.IntN(len(surnames))]
		for k := 1 + r.IntN(2); k > 0; k-- {
			s += string(given[r.IntN(len(given))])
		}
		return s
	}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	lines := make([][]byte, n)
	for i := range lines {
		y, m, d := 2005+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28)
		sex := "男"
		if r.IntN(2) == 1 {
			sex = "女"
		}
		lines[i] = fmt.Appendf(nil, "%s,620102%04d%02d%02d%04d,%s,%04d-%02d-%02d,%s,62010200%08d,%s,甘肃省%s%s%s%d号,620102%06d,%s,%s,6201021980%02d%02d%04d,139%08d",
			name(), y, m, d, r.IntN(10000), sex, y, m, d, pick(nations), r.IntN(1e8), pick(relation),
			pick(cities), pick(streets), pick(places), 1+r.IntN(200), r.IntN(1e6), pick(status), name(), m, d, r.IntN(10000), r.IntN(1e8))
	}
	return lines
}

func BenchmarkValidUTF8(b *testing.B) {
	lines := utf8TestLines(10000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	for _, bm := range []struct {
		name  string
		valid func([]byte) bool
	}{{"stdlib", utf8.Valid}, {"fast", validUTF8}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, l := range lines {
					if !bm.valid(l) {
						b.Fatalf("%s: invalid %q", bm.name, l)
					}
				}
			}
		})
	}
}
