package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTrim(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"张三", "张三"},
		{"  张三\t", "张三"},
		{"\u3000张三\u3000", "张三"},
		{"\u00a0张三\u00a0", "张三"},
		{"\ufeff张三", "张三"},
		{"\u200b张三\u200b\r\n", "张三"},
		{"张 三", "张 三"}, // inside is left alone
		{"\u3000\u00a0\u200b \t", ""},
		{"\xff张三", "\xff张三"}, // invalid UTF-8 is content, not blank
	}
	for _, tt := range tests {
		if got := Trim(tt.in); got != tt.want {
			t.Errorf("Trim(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"张三", "张三"},
		{"ＡＢＣ１２３", "ABC123"},
		{"ｇ６２２９２１", "g622921"},
		{"出国（境）", "出国(境)"},
		{"０９３１－８１２３４５６", "0931-8123456"},
		{"张\u3000三", "张 三"},
		{"・", "・"}, // U+30FB is not a full-width ASCII form
		{"ｾ", "ｾ"}, // half-width katakana stays
		{"～！", "~!"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The whole full-width ASCII block maps onto printable ASCII.
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		if got := Fold(string(r)); got != string(r-0xFF01+'!') {
			t.Errorf("Fold(%U) = %q", r, got)
		}
	}
}

func TestBlank(t *testing.T) {
	for _, in := range []string{"", " ", "\u3000", "无", "不详", "-", "—", "／", "N/A", "null", " NULL "} {
		if !Blank(in) {
			t.Errorf("Blank(%q) = false", in)
		}
	}
	for _, in := range []string{"0", "张三", "无锡", "2014"} {
		if Blank(in) {
			t.Errorf("Blank(%q) = true", in)
		}
	}
}

func TestCleanNoAlloc(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = Clean("\u3000 阿卜杜拉·马木提\u00a0")
	})
	if allocs != 0 {
		t.Errorf("Clean allocates %v times on a clean value", allocs)
	}
}

func FuzzTrimFold(f *testing.F) {
	for _, s := range []string{"", " 张三 ", "ＡＢＣ", "\u3000\u200b", "\xff\xfe", "（境）", "张\u3000", "\u3000䀀", "\xe4\x80\x80 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr := Trim(s)
		if want := strings.TrimFunc(s, IsSpace); tr != want {
			t.Errorf("Trim(%q) = %q, want %q", s, tr, want)
		}
		fo := Fold(s)
		if want := foldByByte(s); fo != want {
			t.Errorf("Fold(%q) = %q, byte by byte %q", s, fo, want)
		}
		if Fold(fo) != fo {
			t.Errorf("Fold not idempotent on %q", s)
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(fo) != utf8.RuneCountInString(s) {
			t.Errorf("Fold(%q) = %q changed the number of characters", s, fo)
		}
		c := Clean(s)
		if Clean(c) != c {
			t.Errorf("Clean not idempotent on %q", s)
		}
	})
}

// foldByByte is Fold as first written, looking at every byte: the reference for the word-at-a-
// time Fold.
func foldByByte(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c == 0xEF || c == 0xE3 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if foldRune(r) != r {
				break
			}
		}
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// TestFoldWords: a foldable or near-foldable character at every offset of text longer than a
// word folds as byte by byte.
func TestFoldWords(t *testing.T) {
	for _, x := range []string{"Ａ", "３", "（", "\u3000", "\u3001", "\uFF5E", "\uFFE5", "\uFF61", "\xef", "\xe3\x80", "\xef\xbc\xa1"} {
		for pre := range 20 {
			for _, base := range []string{"甘肃省兰州市城关区", "0123456789abcdefghij"} {
				s := base[:min(pre, len(base))] + x + "张三李四abc"
				if got, want := Fold(s), foldByByte(s); got != want {
					t.Errorf("Fold(%q) = %q, byte by byte %q", s, got, want)
				}
			}
		}
	}
}
