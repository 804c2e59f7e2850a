package normalize

import (
	"fmt"
	"strings"
	"testing"
)

func TestEthnicity(t *testing.T) {
	runVocab(t, "Ethnicity", Ethnicity, []vocabCase{
		{"汉", "汉族", ""},
		{"汉族", "汉族", ""},
		{" 汉 族 ", "汉族", ""},
		{"回", "回族", ""},
		{"回族", "回族", ""},
		{"东乡族", "东乡族", ""},
		{"东乡", "东乡族", ""},
		{"保安", "保安族", ""},
		{"撒拉族", "撒拉族", ""},
		{"裕固族", "裕固族", ""},
		{"蒙古", "蒙古族", ""},
		{"蒙族", "蒙古族", ""},
		{"维族", "维吾尔族", ""},
		{"土", "土族", ""},
		{"土家", "土家族", ""},
		{"01", "汉族", ""},
		{"1", "汉族", ""},
		{"03", "回族", ""},
		{"26", "东乡族", ""},
		{"56", "基诺族", ""},
		{"97", EthnicityOther, ""},
		{"未识别民族", EthnicityOther, ""},
		{"98", EthnicityForeign, ""},
		{"僮族", "壮族", ""},
		{"崩龙族", "德昂族", ""},
		{"毛难族", "毛南族", ""},
		{"", "", ""},
		{"57", "", CodeEthnicityUnknown},
		{"00", "", CodeEthnicityUnknown},
		{"族", "", CodeEthnicityUnknown},
		{"汉族族", "", CodeEthnicityUnknown},
		{"火星族", "", CodeEthnicityUnknown},
		{"穿青", "", CodeEthnicityUnknown},
	})
}

func TestEthnicityCodes(t *testing.T) {
	groups := strings.Fields(ethnicGroups)
	if len(groups) != 56 {
		t.Fatalf("%d ethnic groups, want 56", len(groups))
	}
	seen := map[string]bool{}
	for i, g := range groups {
		if seen[g] || !strings.HasSuffix(g, "族") {
			t.Errorf("bad or duplicate group %q", g)
		}
		seen[g] = true
		if got := EthnicityName(i + 1); got != g {
			t.Errorf("EthnicityName(%d) = %q, want %q", i+1, got, g)
		}
		for _, in := range []string{g, strings.TrimSuffix(g, "族"), fmt.Sprintf("%02d", i+1)} {
			if got, p := Ethnicity(in); got != g || p != nil {
				t.Errorf("Ethnicity(%q) = %q %v, want %q", in, got, p, g)
			}
		}
	}
	for _, n := range []int{0, 57, 96, 99} {
		if got := EthnicityName(n); got != "" {
			t.Errorf("EthnicityName(%d) = %q", n, got)
		}
	}
}
