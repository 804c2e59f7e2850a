package normalize

import (
	"strings"
	"testing"
)

func TestRegionCode(t *testing.T) {
	tree := testTree(t)
	tests := []struct{ in, want, code string }{
		{"622921", "622921", ""},             // 临夏县
		{"622921100", "622921100", ""},       // 韩集镇
		{"622921100201", "622921100201", ""}, // a village under 韩集镇
		{" ６２２９２１１００２０１\u3000", "622921100201", ""},
		{"'622921100201", "622921100201", ""},
		{`"622921100201"`, "622921100201", ""},
		{"622921100201.0", "622921100201", ""},
		{"622921100000", "622921100", ""}, // township padded to 12
		{"622921000000", "622921", ""},    // county padded to 12
		{"622921000", "622921", ""},       // county padded to 9
		{"441900", "441900", ""},          // 东莞市 is a county-level code ending in 00
		{"350527000", "350527000", ""},    // 金门县 is listed as a township ending in 000
		{"", "", ""},
		{"无", "", ""},
		{"620000", "62", CodeRegionLevel},
		{"622900", "6229", CodeRegionLevel},
		{"620000000000", "62", CodeRegionLevel},
		{"62", "62", CodeRegionLevel},
		{"6229", "6229", CodeRegionLevel},
		{"6200", "62", CodeRegionLevel},
		{"99", "", CodeRegionUnknown},
		{"622", "", CodeRegionFormat},
		{"6229211", "", CodeRegionFormat},
		{"62292110", "", CodeRegionFormat},
		{"622921100201001", "", CodeRegionFormat},
		{"62292a", "", CodeRegionFormat},
		{"临夏县", "", CodeRegionFormat},
		{"6.22921E+11", "", CodeRegionFormat},
		{"622921999001", "", CodeRegionUnknown}, // no such township
		{"622921999", "", CodeRegionUnknown},
		{"999999", "", CodeRegionUnknown},
		{"999999000000", "", CodeRegionUnknown},
		{"622901", "622901", ""},
		{"622922999201", "", CodeRegionUnknown}, // 康乐县 has no township 999
	}
	for _, tt := range tests {
		got, p := RegionCode(tt.in, tree)
		if got != tt.want {
			t.Errorf("RegionCode(%q) = %q, want %q (%v)", tt.in, got, tt.want, p)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestRegionCodeUnknownNamesAbolished(t *testing.T) {
	tree := testTree(t)
	// 620112 was 白银区 of 兰州市 from 1980 to 1984 (address-history.csv); it is no longer current.
	for _, in := range []string{"620112", "620112001", "620112001001"} {
		_, p := RegionCode(in, tree)
		checkProblem(t, in, p, CodeRegionUnknown)
		if p == nil || !strings.Contains(p.Message, "白银区") || !strings.Contains(p.Message, "已撤销") {
			t.Errorf("RegionCode(%s): message %v does not name 白银区", in, p)
		}
	}
}

func TestSchoolCode(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"2162011234", "2162011234", ""},
		{" ２１６２０１１２３４ ", "2162011234", ""},
		{"'2162011234", "2162011234", ""},
		{"2162011234.0", "2162011234", ""},
		{"", "", ""},
		{"216201123", "", CodeSchoolCodeFormat},
		{"21620112345", "", CodeSchoolCodeFormat},
		{"216201123X", "", CodeSchoolCodeFormat},
		{"2.16201E+09", "", CodeSchoolCodeFormat},
		{"临夏县第一中学", "", CodeSchoolCodeFormat},
	}
	for _, tt := range tests {
		got, p := SchoolCode(tt.in)
		if got != tt.want {
			t.Errorf("SchoolCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func FuzzRegionCode(f *testing.F) {
	for _, s := range []string{"622921", "622921100", "622921100201", "622921100000", "620000", "6.2E+11", "'622921",
		"622921999001", "441900", "", "\xff", "０"} {
		f.Add(s)
	}
	tree := testTree(f)
	f.Fuzz(func(t *testing.T, s string) {
		code, p := RegionCode(s, tree)
		if p.IsError() {
			if code != "" {
				t.Errorf("RegionCode(%q) = %q with %v", s, code, p)
			}
			return
		}
		if code == "" {
			return
		}
		if !tree.Known(code) {
			t.Errorf("RegionCode(%q) = %q, not a known region", s, code)
		}
		again, p2 := RegionCode(code, tree)
		if again != code || (p == nil) != (p2 == nil) {
			t.Errorf("RegionCode not idempotent: %q → %q %v → %q %v", s, code, p, again, p2)
		}
	})
}

func FuzzSchoolCode(f *testing.F) {
	for _, s := range []string{"2162011234", "'2162011234", "2.16E+09", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, p := SchoolCode(s)
		if p != nil && code != "" || code != "" && (len(code) != 10 || !allDigits(code)) {
			t.Errorf("SchoolCode(%q) = %q %v", s, code, p)
		}
		if code != "" {
			if again, p := SchoolCode(code); again != code || p != nil {
				t.Errorf("SchoolCode not idempotent on %q", s)
			}
		}
	})
}
