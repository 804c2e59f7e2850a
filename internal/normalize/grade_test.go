package normalize

import (
	"strconv"
	"testing"
)

func TestGrade(t *testing.T) {
	tests := []struct {
		in   string
		want int
		code string
	}{
		{"一年级", 1, ""},
		{"二年级", 2, ""},
		{"六年级", 6, ""},
		{"七年级", 7, ""},
		{"八年级", 8, ""},
		{"九年级", 9, ""},
		{"初一", 7, ""},
		{"初二", 8, ""},
		{"初三", 9, ""},
		{"初1", 7, ""},
		{"初中一年级", 7, ""},
		{"初中三年级", 9, ""},
		{"初中七年级", 7, ""},
		{"初中九年级", 9, ""},
		{"小学一年级", 1, ""},
		{"小学六年级", 6, ""},
		{"1", 1, ""},
		{"9", 9, ""},
		{"01", 1, ""},
		{"１", 1, ""},
		{"7.0", 7, ""},
		{"1年级", 1, ""},
		{"3年", 3, ""},
		{"一", 1, ""},
		{"G1", 1, ""},
		{"g9", 9, ""},
		{"Grade 7", 7, ""},
		{"三年级2班", 3, ""},
		{"三年级(2)班", 3, ""},
		{"七年级（3）班", 7, ""},
		{"三年级二班", 3, ""},
		{"三（2）班", 3, ""},
		{"七年级上", 7, ""},
		{"八年级下学期", 8, ""},
		{" 五年级 ", 5, ""},
		{"高一", 10, ""},
		{"高三", 12, ""},
		{"高中二年级", 11, ""},
		{"", 0, ""},
		{"无", 0, ""},
		{"0", 0, CodeGradeInvalid},
		{"10", 0, CodeGradeInvalid},
		{"十年级", 0, CodeGradeInvalid},
		{"初四", 0, CodeGradeInvalid},
		{"初中四年级", 0, CodeGradeInvalid},
		{"小学七年级", 0, CodeGradeInvalid},
		{"高四", 0, CodeGradeInvalid},
		{"2019级", 0, CodeGradeInvalid},
		{"2019", 0, CodeGradeInvalid},
		{"学前班", 0, CodeGradeInvalid},
		{"幼儿园", 0, CodeGradeInvalid},
		{"三年级学生", 0, CodeGradeInvalid},
		{"三年级()班", 0, CodeGradeInvalid},
		{"G", 0, CodeGradeInvalid},
		{"7.5", 0, CodeGradeInvalid},
	}
	for _, tt := range tests {
		got, p := Grade(tt.in)
		if got != tt.want {
			t.Errorf("Grade(%q) = %d, want %d (%v)", tt.in, got, tt.want, p)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestGradeLabel(t *testing.T) {
	want := map[int]string{1: "一年级", 6: "六年级", 7: "七年级", 9: "九年级", 10: "高一", 12: "高三", 0: "", 13: ""}
	for g, w := range want {
		if got := GradeLabel(g); got != w {
			t.Errorf("GradeLabel(%d) = %q, want %q", g, got, w)
		}
	}
}

func FuzzGrade(f *testing.F) {
	for _, s := range []string{"一年级", "初一", "七年级", "1", "1年级", "小学一年级", "初中一年级", "G1", "高一",
		"三年级(2)班", "2019级", "初四", "", "\xff", "7.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, p := Grade(s)
		if p != nil {
			if g != 0 || p.Code != CodeGradeInvalid {
				t.Errorf("Grade(%q) = %d %v", s, g, p)
			}
			return
		}
		if g == 0 {
			return
		}
		if g < 1 || g > 12 {
			t.Fatalf("Grade(%q) = %d", s, g)
		}
		if again, p := Grade(GradeLabel(g)); again != g || p != nil {
			t.Errorf("Grade(GradeLabel(%d)) = %d %v", g, again, p)
		}
		if g <= 9 {
			if again, p := Grade(strconv.Itoa(g)); again != g || p != nil {
				t.Errorf("Grade(%d) = %d %v", g, again, p)
			}
		}
	})
}
