package normalize

import (
	"testing"

	"github.com/baoxue/baoxue"
)

func TestSex(t *testing.T) {
	tests := []struct {
		in   string
		want baoxue.Sex
		code string
	}{
		{"男", baoxue.Male, ""},
		{" 女 ", baoxue.Female, ""},
		{"男性", baoxue.Male, ""},
		{"女性", baoxue.Female, ""},
		{"1", baoxue.Male, ""},
		{"2", baoxue.Female, ""},
		{"１", baoxue.Male, ""},
		{"2.0", baoxue.Female, ""},
		{"M", baoxue.Male, ""},
		{"m", baoxue.Male, ""},
		{"F", baoxue.Female, ""},
		{"f", baoxue.Female, ""},
		{"Ｆ", baoxue.Female, ""},
		{"male", baoxue.Male, ""},
		{"MALE", baoxue.Male, ""},
		{"Female", baoxue.Female, ""},
		{"", "", ""},
		{"不详", "", ""},
		{"0", "", CodeSexInvalid},
		{"9", "", CodeSexInvalid},
		{"未说明", "", CodeSexInvalid},
		{"男女", "", CodeSexInvalid},
		{"3", "", CodeSexInvalid},
	}
	for _, tt := range tests {
		got, p := Sex(tt.in)
		if got != tt.want {
			t.Errorf("Sex(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkProblem(t, tt.in, p, tt.code)
	}
}

func TestSexMismatch(t *testing.T) {
	tests := []struct {
		declared, fromID baoxue.Sex
		code             string
	}{
		{baoxue.Male, baoxue.Male, ""},
		{baoxue.Female, baoxue.Female, ""},
		{"", baoxue.Male, ""},
		{baoxue.Female, "", ""},
		{baoxue.Female, baoxue.Male, CodeSexMismatch},
		{baoxue.Male, baoxue.Female, CodeSexMismatch},
	}
	for _, tt := range tests {
		p := SexMismatch(tt.declared, tt.fromID)
		checkProblem(t, string(tt.declared)+"/"+string(tt.fromID), p, tt.code)
		if p != nil {
			wantSeverity(t, "mismatch", p, Warning)
		}
	}
}

func FuzzSex(f *testing.F) {
	for _, s := range []string{"男", "女", "1", "F", "male", "FEMALE", "0", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sex, p := Sex(s)
		switch {
		case p != nil && sex != "":
			t.Errorf("Sex(%q) = %q with %v", s, sex, p)
		case sex != "" && sex != baoxue.Male && sex != baoxue.Female:
			t.Errorf("Sex(%q) = %q", s, sex)
		}
		if sex != "" {
			if again, p := Sex(string(sex)); again != sex || p != nil {
				t.Errorf("Sex not idempotent: %q → %q → %q %v", s, sex, again, p)
			}
			if again, p := Sex(sex.Label()); again != sex || p != nil {
				t.Errorf("Sex(%q) = %q %v", sex.Label(), again, p)
			}
		}
	})
}
