package normalize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		// Clean names pass unchanged.
		{"张三", "张三", ""},
		{"欧阳娜娜", "欧阳娜娜", ""},
		{"阿卜杜拉·马木提", "阿卜杜拉·马木提", ""},
		{"阿卜杜热合曼·买买提明·艾则孜", "阿卜杜热合曼·买买提明·艾则孜", ""},
		{"𠮷田", "𠮷田", ""},             // CJK extension B
		{"王\ue000明", "王\ue000明", ""}, // a rare character in the private-use area
		{"李〇", "李〇", ""},             // U+3007 is a Han character, not a digit
		// Blanks.
		{"  张三\u3000", "张三", ""},
		{"\u00a0张三\ufeff", "张三", ""},
		{"张 三", "张三", ""},
		{"马 小 龙", "马小龙", ""},
		{"张\u3000三", "张三", ""},
		{"张\u200b三", "张三", ""},
		{"张\t三", "张三", ""},
		{"'张三", "张三", ""}, // Excel's text mark
		{"葛\U000E0100优", "葛优", ""},
		// Middle dots.
		{"古丽•艾合买提", "古丽·艾合买提", ""},
		{"古丽・艾合买提", "古丽·艾合买提", ""},
		{"古丽･艾合买提", "古丽·艾合买提", ""},
		{"古丽．艾合买提", "古丽·艾合买提", ""},
		{"古丽‧艾合买提", "古丽·艾合买提", ""},
		{"古丽∙艾合买提", "古丽·艾合买提", ""},
		{"古丽⋅艾合买提", "古丽·艾合买提", ""},
		{"古丽.艾合买提", "古丽·艾合买提", ""},
		{"古丽-艾合买提", "古丽·艾合买提", ""},
		{"古丽—艾合买提", "古丽·艾合买提", ""},
		{"古丽 · 艾合买提", "古丽·艾合买提", ""},
		{"古丽··艾合买提", "古丽·艾合买提", ""},
		{"古丽.·艾合买提", "古丽·艾合买提", ""},
		{"·古丽·艾合买提·", "古丽·艾合买提", ""},
		{"张三.", "张三", ""},
		// '?' from a GBK export.
		{"阿卜杜拉?马木提", "阿卜杜拉·马木提", CodeNameLostDot},
		{"阿卜杜拉？马木提", "阿卜杜拉·马木提", CodeNameLostDot},
		{"阿卜杜拉 ? 马木提", "阿卜杜拉·马木提", CodeNameLostDot},
		{"阿卜杜拉\ufffd马木提", "阿卜杜拉·马木提", CodeNameLostDot},
		{"古丽?艾合买提?阿不都", "古丽·艾合买提·阿不都", CodeNameLostDot},
		{"王?明", "", CodeNameChars},
		{"王明?", "", CodeNameChars},
		{"?王明", "", CodeNameChars},
		{"?", "", CodeNameEmpty},
		{"A?B", "", CodeNameChars},
		// Latin names: accepted with a warning, full-width folded, one space between words.
		{"John Smith", "John Smith", CodeNameLatin},
		{"ＪＯＨＮ\u3000\u3000ＳＭＩＴＨ", "JOHN SMITH", CodeNameLatin},
		{"J. Smith", "J. Smith", CodeNameLatin},
		{"Jean-Pierre O'Brien", "Jean-Pierre O'Brien", CodeNameLatin},
		{"Mary · Jane", "Mary·Jane", CodeNameLatin},
		{"Zhāng Sān", "Zhāng Sān", CodeNameLatin},
		{"Zha\u0304ng", "Zha\u0304ng", CodeNameLatin}, // a decomposed accent
		// Other scripts: accepted with a warning.
		{"ཚེ་རིང", "ཚེ་རིང", CodeNameScript}, // with the syllable mark U+0F0B
		{"ᠪᠠᠲᠤ", "ᠪᠠᠲᠤ", CodeNameScript},
		{"Иван Петров", "Иван Петров", CodeNameScript},
		// Empty and placeholders.
		{"", "", CodeNameEmpty},
		{" \u3000 ", "", CodeNameEmpty},
		{"无", "", CodeNameEmpty},
		{"不详", "", CodeNameEmpty},
		{"不 详", "", CodeNameEmpty},
		{"NULL", "", CodeNameEmpty},
		{"-", "", CodeNameEmpty},
		{"·", "", CodeNameEmpty},
		// Digits.
		{"张三1", "", CodeNameDigits},
		{"张三１", "", CodeNameDigits},
		{"张三②", "", CodeNameDigits},
		{"622921201403051234", "", CodeNameDigits},
		// Characters that do not belong in a name.
		{"张三(小)", "", CodeNameChars},
		{"张三（曾用名李四）", "", CodeNameChars},
		{"张三/李四", "", CodeNameChars},
		{"张三、李四", "", CodeNameChars},
		{"张三A", "", CodeNameChars},
		{"Tom张", "", CodeNameChars},
		{"张-Tom", "", CodeNameChars},
		{"张'三", "", CodeNameChars},
		{"张三\xff", "", CodeNameChars},
		{"Иван Smith", "", CodeNameChars},
		// Length.
		{strings.Repeat("张", 30), strings.Repeat("张", 30), ""},
		{strings.Repeat("张", 31), "", CodeNameLength},
		{strings.Repeat("阿卜杜拉·", 7) + "马", "", CodeNameLength},
		{strings.Repeat("张", 10000), "", CodeNameLength},
	}
	for _, tt := range tests {
		got, p := Name(tt.in)
		if got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestNameDoesNotAllocateWhenClean(t *testing.T) {
	for _, in := range []string{"张三", " 阿卜杜拉·马木提\u3000", "阿卜杜热合曼·买买提明·艾则孜"} {
		if a := testing.AllocsPerRun(100, func() { Name(in) }); a != 0 {
			t.Errorf("Name(%q): %v allocations, want 0", in, a)
		}
	}
	if a := testing.AllocsPerRun(100, func() { Name("古丽•艾合买提") }); a > 1 {
		t.Errorf("Name with a bullet: %v allocations, want at most 1", a)
	}
}

// checkName asserts the properties every accepted name has.
func checkName(t *testing.T, in, name string, p *Problem) {
	t.Helper()
	if p.IsError() {
		if name != "" {
			t.Errorf("Name(%q) = %q with error %v", in, name, p)
		}
		return
	}
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameRunes {
		t.Fatalf("Name(%q) = %q", in, name)
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsDigit(r) || IsSpace(r) && r != ' ' }) {
		t.Errorf("Name(%q) = %q keeps digits or odd blanks", in, name)
	}
	if Trim(name) != name || strings.Contains(name, "  ") || strings.HasPrefix(name, "·") || strings.HasSuffix(name, "·") {
		t.Errorf("Name(%q) = %q is not tidy", in, name)
	}
	// The second pass gives the same name, and no problem beyond the first one's (a warning
	// about a rewrite, such as NAME_LOST_DOT, is not repeated).
	again, p2 := Name(name)
	if again != name || p2 != nil && (p == nil || p.Code != p2.Code) {
		t.Errorf("Name not idempotent: %q → %q (%v) → %q (%v)", in, name, p, again, p2)
	}
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"张三", " 张 三 ", "阿卜杜拉·马木提", "古丽•艾合买提", "马 小 龙", "John  Smith", "张三A",
		"J. O'Brien-Smith", "张.三", "阿卜杜拉?马木提", "王?明", "张三.", "·", "\xff", "ᠪᠠᠲᠤ", "张\ue000", "ＡＢ", "张-", "-张", "A -B", "A'-.B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, p := Name(s)
		checkName(t, s, name, p)
	})
}

func BenchmarkName(b *testing.B) {
	b.Run("clean", func(b *testing.B) {
		for b.Loop() {
			Name("阿卜杜拉·马木提")
		}
	})
	b.Run("common", func(b *testing.B) {
		for b.Loop() {
			Name("王小明")
		}
	})
	b.Run("rewrite", func(b *testing.B) {
		for b.Loop() {
			Name(" 古丽 • 艾合买提\u3000")
		}
	})
}
