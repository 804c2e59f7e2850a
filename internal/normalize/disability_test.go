package normalize

import (
	"strings"
	"testing"
)

func TestDisabilityCategory(t *testing.T) {
	runVocab(t, "DisabilityCategory", DisabilityCategory, []vocabCase{
		{"视力", DisabilityVisual, ""},
		{"视力残疾", DisabilityVisual, ""},
		{"听力残疾", DisabilityHearing, ""},
		{"听力语言残疾", DisabilityHearing, ""},
		{"言语", DisabilitySpeech, ""},
		{"语言残疾", DisabilitySpeech, ""},
		{"肢体残疾", DisabilityPhysical, ""},
		{"智力残疾", DisabilityIntellectual, ""},
		{"智障", DisabilityIntellectual, ""},
		{"精神", DisabilityMental, ""},
		{"多重残疾", DisabilityMultiple, ""},
		{"1", DisabilityVisual, ""},
		{"2", DisabilityHearing, ""},
		{"3", DisabilitySpeech, ""},
		{"4", DisabilityPhysical, ""},
		{"5", DisabilityIntellectual, ""},
		{"6", DisabilityMental, ""},
		{"7", DisabilityMultiple, ""},
		{"７", DisabilityMultiple, ""},
		{"5.0", DisabilityIntellectual, ""},
		{"", "", ""},
		{"8", "", CodeDisabilityCategory},
		{"残疾", "", CodeDisabilityCategory},
		{"心理", "", CodeDisabilityCategory},
	})
}

func TestDisabilityLevel(t *testing.T) {
	tests := []struct {
		in   string
		want int
		code string
	}{
		{"一级", 1, ""}, {"二级", 2, ""}, {"三级", 3, ""}, {"四级", 4, ""},
		{"1", 1, ""}, {"4", 4, ""}, {"1级", 1, ""}, {"３级", 3, ""}, {"Ⅱ级", 2, ""}, {"IV级", 4, ""},
		{"极重度", 1, ""}, {"重度", 2, ""}, {"中度", 3, ""}, {"轻度", 4, ""}, {"一级残疾", 1, ""},
		{"", 0, ""}, {"不详", 0, ""},
		{"五级", 0, CodeDisabilityLevel}, {"0", 0, CodeDisabilityLevel}, {"严重", 0, CodeDisabilityLevel},
	}
	for _, tt := range tests {
		got, p := DisabilityLevel(tt.in)
		if got != tt.want {
			t.Errorf("DisabilityLevel(%q) = %d, want %d", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestDisabilityCert(t *testing.T) {
	tests := []struct {
		in, id, category string
		level            int
		code             string
	}{
		{"62292120140305123452", "622921201403051234", DisabilityIntellectual, 2, ""},
		{"62292120140305123X71", "62292120140305123X", DisabilityMultiple, 1, ""},
		{"62292120140305123x44", "62292120140305123X", DisabilityPhysical, 4, ""},
		{" '62292120140305123411B1 ", "622921201403051234", DisabilityVisual, 1, ""},
		{"", "", "", 0, ""},
		{"622921201403051234", "", "", 0, CodeDisabilityCertFormat},   // the ID alone
		{"62292120140305123481", "", "", 0, CodeDisabilityCertFormat}, // category 8
		{"62292120140305123415", "", "", 0, CodeDisabilityCertFormat}, // level 5
		{"6.22921201403051E+19", "", "", 0, CodeDisabilityCertFormat},
	}
	for _, tt := range tests {
		id, cat, lvl, p := DisabilityCert(tt.in)
		if id != tt.id || cat != tt.category || lvl != tt.level {
			t.Errorf("DisabilityCert(%q) = %q %q %d, want %q %q %d", tt.in, id, cat, lvl, tt.id, tt.category, tt.level)
		}
		checkProblem(t, tt.in, p, tt.code)
		if p != nil && strings.Contains(p.Message, "2014") {
			t.Errorf("DisabilityCert(%q): message %q shows the ID", tt.in, p.Message)
		}
	}
}

func FuzzDisabilityCert(f *testing.F) {
	for _, s := range []string{"62292120140305123452", "62292120140305123X71B2", "", "\xff", "6.2E+19"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, cat, lvl, p := DisabilityCert(s)
		if p != nil && (id != "" || cat != "" || lvl != 0) {
			t.Errorf("DisabilityCert(%q) = %q %q %d with %v", s, id, cat, lvl, p)
		}
		if id == "" {
			return
		}
		if len(id) != 18 || lvl < 1 || lvl > 4 {
			t.Fatalf("DisabilityCert(%q) = %q %q %d", s, id, cat, lvl)
		}
		if c, _ := DisabilityCategory(cat); c != cat {
			t.Errorf("DisabilityCert(%q) category %q is not a normalised category", s, cat)
		}
	})
}
