package normalize

import (
	"os"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
)

// TestCodesProduced checks the code table against the parsers: every documented code, with its
// severity, comes out of some input, and the package documentation lists it.
func TestCodesProduced(t *testing.T) {
	tree := testTree(t)
	dp := DateParser{Today: today}
	first := func(_ string, p *Problem) *Problem { return p }
	firstInt := func(_ int, p *Problem) *Problem { return p }
	firstBool := func(_ bool, p *Problem) *Problem { return p }
	firstSex := func(_ baoxue.Sex, p *Problem) *Problem { return p }
	firstDate := func(_ baoxue.Date, p *Problem) *Problem { return p }
	_, _, _, certProblem := DisabilityCert("123")
	produced := []*Problem{
		first(Name("")), first(Name("张三1")), first(Name(strings.Repeat("张", 31))), first(Name("张(三)")),
		first(Name("John")), first(Name("Иван")), first(Name("阿卜杜拉?马木提")),
		firstSex(Sex("9")), SexMismatch(baoxue.Male, baoxue.Female),
		firstDate(dp.Date("2014-02-30", false)), firstDate(dp.Date("2031-03-05", false)),
		firstDate(dp.Date("1899-03-05", false)),
		first(RegionCode("62292110", tree)), first(RegionCode("622921999001", tree)), first(RegionCode("620000", tree)),
		first(SchoolCode("213456789")), firstInt(Grade("十年级")), first(StudentNo("62292120140305")),
		first(Phone("1381234567")), first(RegistryStatus("待核")), first(EnrollmentStatus("待定中")),
		firstBool(YesNo("偶尔")), first(PovertyType("一般户")), first(DisabilityCategory("8")),
		firstInt(DisabilityLevel("五级")), certProblem, first(Relation("邻居家孩子")), first(Ethnicity("火星族")),
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		code string
		sev  Severity
	}
	got := map[key]bool{}
	for _, p := range produced {
		if p == nil {
			t.Fatal("an example produced no problem")
		}
		got[key{p.Code, p.Severity}] = true
	}
	seen := map[key]bool{}
	for _, c := range Codes() {
		k := key{c.Code, c.Severity}
		if seen[k] {
			t.Errorf("%s %v listed twice", c.Code, c.Severity)
		}
		seen[k] = true
		if !got[k] {
			t.Errorf("%s (%v) is documented but no example produces it", c.Code, c.Severity)
		}
		if c.Field == "" || c.Example == "" {
			t.Errorf("%s: field or example missing", c.Code)
		}
		if !strings.Contains(string(doc), c.Code) {
			t.Errorf("%s is not in the package documentation", c.Code)
		}
	}
	for k := range got {
		if !seen[k] {
			t.Errorf("%s (%v) is produced but not in Codes()", k.code, k.sev)
		}
	}
}

func TestProblemString(t *testing.T) {
	var p *Problem
	if p.String() != "<nil>" || p.IsError() {
		t.Errorf("nil problem: %q %v", p.String(), p.IsError())
	}
	p = &Problem{Code: CodeDateInvalid, Severity: Error, Message: "日期无效"}
	if p.String() != "错误 DATE_INVALID: 日期无效" || !p.IsError() {
		t.Errorf("%q", p.String())
	}
	if w := (&Problem{Severity: Warning}); w.IsError() || Warning.String() != "警告" || Severity(0).String() != "未知" {
		t.Error("severity strings")
	}
}
