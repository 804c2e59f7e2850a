package pinyin

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// spell renders syllables as "zhang wei" for readable failures.
func spell(t *Table, ss []Syllable) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = t.Spell(s)
		if s == None {
			parts[i] = "?"
		}
	}
	return strings.Join(parts, " ")
}

func TestName(t *testing.T) {
	tb := New()
	tests := []struct{ name, want string }{
		{"张伟", "zhang wei"},
		{"张玮", "zhang wei"},
		{"吕小红", "lv xiao hong"},
		{"单伟", "shan wei"}, // surname reading, not dān
		{"孙单", "sun dan"},  // 单 inside a given name keeps its common reading
		{"曾小龙", "zeng xiao long"},
		{"解放", "xie fang"},
		{"区家乐", "ou jia le"},
		{"仇海", "qiu hai"},
		{"朴永", "piao yong"},
		{"覃丽", "qin li"},
		{"乐乐", "yue le"},
		{"查文", "zha wen"},
		{"盖明", "ge ming"},
		{"缪斌", "miao bin"},
		{"召军", "shao jun"},
		{"折伟", "she wei"},
		{"种强", "chong qiang"},
		{"么红", "yao hong"},
		{"牟丽", "mu li"},
		{"员华", "yun hua"},
		{"洗军", "xian jun"},
		{"秘书", "bi shu"},
		{"繁花", "po hua"},
		{"宓妃", "fu fei"},
		{"黑小虎", "he xiao hu"},
		{"长生", "chang sheng"},
		{"尉迟敬德", "yu chi jing de"},
		{"尉伟", "wei wei"},
		{"万俟卨", "mo qi xie"},
		{"万军", "wan jun"},
		{"长孙无忌", "zhang sun wu ji"},
		{"欧阳修", "ou yang xiu"},
		{"诸葛亮", "zhu ge liang"},
		{"单于", "chan yu"},
		{"古丽·艾合买提", "gu li ai he mai ti"}, // the middle dot is skipped
		{"古丽•艾合买提", "gu li ai he mai ti"},
		{"张 三", "zhang san"},
		{"张\ue000三", "zhang ? san"}, // private-use character: no reading, position kept
		{"𠀋", "?"},                  // Extension B character the dictionary lacks → None
		{"𠀀", "he"},                 // Extension B, from the sparse part of the table
		{"Li", "? ?"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := spell(tb, tb.Name(nil, tt.name)); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestReadings(t *testing.T) {
	tb := New()
	tests := []struct {
		r    rune
		want string
	}{
		{'单', "dan chan shan"},
		{'曾', "ceng zeng"},
		{'长', "zhang chang"},
		{'伟', "wei"},
		{'黑', "hei he"}, // the surname reading is appended: the dictionary only has hēi
		{'行', "xing hang heng"},
		{'A', ""},
	}
	for _, tt := range tests {
		if got := spell(tb, tb.Readings(tt.r)); got != tt.want {
			t.Errorf("Readings(%c) = %q, want %q", tt.r, got, tt.want)
		}
		if p := tb.Primary(tt.r); len(tt.want) > 0 && tb.Spell(p) != strings.Fields(tt.want)[0] {
			t.Errorf("Primary(%c) = %q", tt.r, tb.Spell(p))
		}
	}
}

func TestSyllables(t *testing.T) {
	tb := New()
	if n := tb.Syllables(); n < 400 || n > 440 {
		t.Errorf("Syllables() = %d, want about 410", n)
	}
	for s := 1; s <= tb.Syllables(); s++ {
		sp := tb.Spell(Syllable(s))
		if sp == "" || tb.Lookup(sp) != Syllable(s) {
			t.Errorf("syllable %d spells %q, which looks up to %d", s, sp, tb.Lookup(sp))
		}
		if strings.Trim(sp, "abcdefghijklmnopqrstuvwxyz") != "" || strings.Contains(sp, "u:") {
			t.Errorf("syllable %q is not plain toneless ASCII", sp)
		}
	}
	for _, want := range []string{"lv", "nv", "lve", "zhuang", "a", "er", "ng"} {
		if tb.Lookup(want) == None {
			t.Errorf("Lookup(%q) = None", want)
		}
	}
	if tb.Spell(None) != "" || tb.Spell(Syllable(60000)) != "" || tb.Lookup("xyz") != None {
		t.Error("None and unknown values must spell and look up to nothing")
	}
}

func TestNearSound(t *testing.T) {
	tb := New()
	tests := []struct {
		a, b string
		want bool
	}{
		{"ning", "ling", true},
		{"lan", "nan", true},
		{"zhi", "zi", true},
		{"chen", "cen", true},
		{"shi", "si", true},
		{"fu", "hu", true},
		{"fang", "huang", false}, // h~f: huang folds to fuan, fang to fan
		{"fang", "fan", true},
		{"cheng", "chen", true},
		{"cheng", "cen", true}, // two merges at once
		{"jing", "jin", true},
		{"xiang", "xian", true},
		{"zhuang", "zuan", true},
		{"long", "lon", false}, // ong stays
		{"wei", "wei", true},
		{"wei", "hui", false},
		{"li", "ni", true},
		{"ng", "n", false},
		{"zhang", "wang", false},
	}
	for _, tt := range tests {
		a, b := tb.Lookup(tt.a), tb.Lookup(tt.b)
		if a == None || (b == None && tt.b != "lon") {
			t.Fatalf("unknown syllable in %q/%q", tt.a, tt.b)
		}
		if got := tb.NearSound(a, b); got != tt.want {
			t.Errorf("NearSound(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if tb.NearSound(None, None) != true || tb.NearSound(None, tb.Lookup("a")) {
		t.Error("None is near only to itself")
	}
	// The representative is the smallest member, and folding is idempotent.
	for s := 1; s <= tb.Syllables(); s++ {
		f := tb.Fold(Syllable(s))
		if f > Syllable(s) || tb.Fold(f) != f {
			t.Errorf("Fold(%s) = %s", tb.Spell(Syllable(s)), tb.Spell(f))
		}
	}
}

func TestSameSound(t *testing.T) {
	tb := New()
	tests := []struct {
		a, b       rune
		same, near bool
	}{
		{'伟', '玮', true, true},
		{'单', '善', true, true}, // via the heteronym shàn
		{'曾', '层', true, true}, // céng
		{'林', '玲', false, true},
		{'陈', '程', false, true},
		{'宁', '玲', false, true},
		{'志', '子', false, true},
		{'伟', '虎', false, false},
		{'龙', '虎', false, false},
		{'黑', '贺', true, true}, // surname reading he
		{'张', '张', true, true},
	}
	for _, tt := range tests {
		if got := tb.SameSound(tt.a, tt.b); got != tt.same {
			t.Errorf("SameSound(%c, %c) = %v", tt.a, tt.b, got)
		}
		if got := tb.NearSoundRunes(tt.a, tt.b); got != tt.near {
			t.Errorf("NearSoundRunes(%c, %c) = %v", tt.a, tt.b, got)
		}
	}
}

func TestSurnameLen(t *testing.T) {
	tb := New()
	for name, want := range map[string]int{"欧阳修": 2, "欧文": 1, "张伟": 1, "司马光": 2, "司伟": 1, "": 0, "尉迟": 2} {
		if got := tb.SurnameLen(name); got != want {
			t.Errorf("SurnameLen(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestDecodeRejectsCorruptTable(t *testing.T) {
	for name, d := range map[string]string{
		"empty":     "",
		"magic":     "XXXX" + tableData[4:],
		"truncated": tableData[:len(tableData)/2],
		"trailing":  tableData + "\x00",
	} {
		if _, err := decode(d); err == nil {
			t.Errorf("%s: decode succeeded", name)
		}
	}
	if _, err := decode(tableData); err != nil {
		t.Fatal(err)
	}
}

// FuzzName checks the invariants of Name on any input: no panic, one syllable per non-separator
// rune (compound surnames give two syllables for two runes), and dst is appended to, not
// replaced.
func FuzzName(f *testing.F) {
	for _, s := range []string{"张伟", "尉迟敬德", "古丽·艾合买提", "\xe5\xbc", "a\xffb", "欧", "单", "万俟"} {
		f.Add(s)
	}
	tb := New()
	f.Fuzz(func(t *testing.T, s string) {
		prefix := []Syllable{1, 2}
		got := tb.Name(slices.Clone(prefix), s)
		if !slices.Equal(got[:2], prefix) {
			t.Fatal("prefix overwritten")
		}
		if !utf8.ValidString(s) {
			return
		}
		n := 0
		for _, r := range s {
			if !isSeparator(r) {
				n++
			}
		}
		if len(got)-2 != n {
			t.Errorf("Name(%q) gave %d syllables for %d characters", s, len(got)-2, n)
		}
	})
}
