package normalize

import (
	"strings"
	"testing"
)

func TestStudentNo(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"G622921201403051234", "G622921201403051234", ""},
		{"G62292120140305123X", "G62292120140305123X", ""},
		{"g62292120140305123x", "G62292120140305123X", ""},
		{"J622921201403051234", "J622921201403051234", ""},
		{"L622921201403051234", "L622921201403051234", ""},
		{" Ｇ６２２９２１２０１４０３０５１２３４ ", "G622921201403051234", ""},
		{"'G622921201403051234", "G622921201403051234", ""},
		{"G 6229 2120 1403 0512 34", "G622921201403051234", ""},
		{"", "", ""},
		{"无", "", ""},
		{"6229212014030512", "6229212014030512", CodeStudentNoFormat}, // an old provincial number
		{"G62292120140305123", "G62292120140305123", CodeStudentNoFormat},
		{"K622921201403051234", "K622921201403051234", CodeStudentNoFormat},
		{"G6229212014030512Y4", "G6229212014030512Y4", CodeStudentNoFormat},
		{"G62292120140305123-4", "", CodeStudentNoFormat},
		{"张三", "", CodeStudentNoFormat},
		{strings.Repeat("1", 41), "", CodeStudentNoFormat},
		{"6.22921E+17", "", CodeStudentNoFormat},
	}
	for _, tt := range tests {
		got, p := StudentNo(tt.in)
		if got != tt.want {
			t.Errorf("StudentNo(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
		if p != nil {
			wantSeverity(t, tt.in, p, Warning)
			if strings.Contains(p.Message, "2014") {
				t.Errorf("StudentNo(%q): message %q shows the number", tt.in, p.Message)
			}
		}
	}
}

func TestPhone(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"13812345678", "13812345678", ""},
		{"19912345678", "19912345678", ""},
		{"166 1234 5678", "16612345678", ""},
		{"138-1234-5678", "13812345678", ""},
		{"+86 138-1234-5678", "13812345678", ""},
		{"+8613812345678", "13812345678", ""},
		{"8613812345678", "13812345678", ""},
		{"008613812345678", "13812345678", ""},
		{"(+86)13812345678", "13812345678", ""},
		{"１３８１２３４５６７８", "13812345678", ""},
		{"13812345678.0", "13812345678", ""},
		{"13812345678.5", "", CodePhoneFormat},
		{"0931-8123456", "0931-8123456", ""},
		{"09318123456", "0931-8123456", ""},
		{"(0931)8123456", "0931-8123456", ""},
		{"0931 8123456", "0931-8123456", ""},
		{"010-62345678", "010-62345678", ""},
		{"01062345678", "010-62345678", ""},
		{"020-8123456", "020-8123456", ""},
		{"0931-8123456-801", "0931-8123456-801", ""},
		{"0931-8123456转801", "0931-8123456-801", ""},
		{"010-62345678 ext 12", "010-62345678-12", ""},
		{"+86 931 8123456", "0931-8123456", ""},
		{"0086-931-8123456", "0931-8123456", ""},
		{"", "", ""},
		{"无", "", ""},
		{"13812345678/13912345678", "13812345678", CodePhoneFormat},
		{"13812345678，13912345678", "13812345678", CodePhoneFormat},
		{"13812345678；", "13812345678", ""},
		{"138123/13912345678", "13912345678", CodePhoneFormat},
		{"1381234567", "", CodePhoneFormat},
		{"138123456789", "", CodePhoneFormat},
		{"12812345678", "", CodePhoneFormat},
		{"8123456", "", CodePhoneFormat}, // no area code
		{"0931-0123456", "", CodePhoneFormat},
		{"0931-812345", "", CodePhoneFormat},
		{"0931-8123456转", "", CodePhoneFormat},
		{"400-123-4567", "", CodePhoneFormat},
		{"1.38123E+10", "", CodePhoneFormat},
		{"张三13812345678", "", CodePhoneFormat},
		{strings.Repeat("1", 40), "", CodePhoneFormat},
	}
	for _, tt := range tests {
		got, p := Phone(tt.in)
		if got != tt.want {
			t.Errorf("Phone(%q) = %q, want %q (%v)", tt.in, got, tt.want, p)
		}
		checkProblem(t, tt.in, p, tt.code)
		if p != nil {
			wantSeverity(t, tt.in, p, Warning)
			// The message may show its own example, never the user's number.
			if strings.Contains(strings.ReplaceAll(p.Message, "0931-8123456", ""), "345") {
				t.Errorf("Phone(%q): message %q shows the number", tt.in, p.Message)
			}
		}
	}
	if a := testing.AllocsPerRun(100, func() { Phone("13812345678") }); a != 0 {
		t.Errorf("Phone of a clean mobile number: %v allocations", a)
	}
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "0931-8123456", "0931-8123456转801", "010-62345678-9",
		"13812345678/13912345678", "0086-931-8123456", "", "\xff", "转", "ext1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ph, p := Phone(s)
		if p != nil && p.Severity != Warning {
			t.Errorf("Phone(%q): %v", s, p)
		}
		if ph == "" {
			return
		}
		if !isMobile(ph) && !(ph[0] == '0' && strings.Count(ph, "-") >= 1) {
			t.Errorf("Phone(%q) = %q", s, ph)
		}
		if again, p := Phone(ph); again != ph || p != nil {
			t.Errorf("Phone not idempotent: %q → %q → %q %v", s, ph, again, p)
		}
	})
}

func FuzzStudentNo(f *testing.F) {
	for _, s := range []string{"G622921201403051234", "g62292120140305123x", "6229212014030512", "G 6229", "", "\xff",
		"J62292120140305123X", "L622921201403051230", "G62292120140305123x", "Ｇ622921201403051234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		no, p := StudentNo(s)
		// The shortcut for numbers already in the national form changes nothing.
		if slow, sp := studentNo(s); slow != no || (p == nil) != (sp == nil) || p != nil && *p != *sp {
			t.Errorf("StudentNo(%q) = %q %v, studentNo = %q %v", s, no, p, slow, sp)
		}
		if p != nil && p.Severity != Warning {
			t.Errorf("StudentNo(%q): %v", s, p)
		}
		if no == "" {
			return
		}
		again, p2 := StudentNo(no)
		if again != no || (p == nil) != (p2 == nil) {
			t.Errorf("StudentNo not idempotent: %q → %q %v → %q %v", s, no, p, again, p2)
		}
	})
}
