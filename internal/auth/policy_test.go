package auth

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, username, password string
		problems                 []string // expected messages, in order; nil means accepted
	}{
		{"good", "zhangsan", "Gansu-Linxia-2024", nil},
		{"good with 汉字", "zhangsan", "临夏县控辍保学2024", nil},
		{"good passphrase", "lisi", "correct horse battery staple", nil},
		{"exactly 10", "lisi", "ab3$ef7&ij", nil},
		{"9 characters", "lisi", "ab3$ef7&i", []string{"密码至少需要 10 个字符"}},
		{"9 汉字 count as characters, not bytes", "lisi", "控辍保学很重要1", []string{"密码至少需要 10 个字符"}},
		{"empty", "lisi", "", []string{"密码至少需要 10 个字符"}},
		{"all digits", "lisi", "4839201756", []string{"密码不能全部是数字"}},
		{"all letters", "lisi", "Gansulinxiaxian", []string{"密码须至少包含字母、数字、符号中的两类"}},
		{"equals username", "Zhang.San-2024", "zhang.san-2024", []string{"密码不能与用户名相同"}},
		{"username reversed", "wang.wu-9871", "1789-uw.gnaw", []string{"密码不能与用户名相同"}},
		{"contains username", "wangwu", "wangwu@Linxia2024", []string{"密码不能包含用户名"}},
		{"short username may appear", "li", "li-Gansu-2024x", nil},
		{"few distinct characters", "lisi", "ab12ab12ab12", []string{"密码中不同的字符太少"}},
		{"common", "lisi", "Password123", []string{"密码过于常见，容易被猜中"}},
		{"keyboard walk", "lisi", "1qaz2wsx3edc", []string{"密码过于常见，容易被猜中"}},
		{"alphabet run", "lisi", "abcdefghijkl", []string{"密码须至少包含字母、数字、符号中的两类", "密码过于常见，容易被猜中"}},
		{"digit run", "lisi", "0123456789", []string{"密码不能全部是数字", "密码过于常见，容易被猜中"}},
		{"control character", "lisi", "Gansu\x00Linxia2024", []string{"密码不能包含控制字符"}},
		{"invalid UTF-8", "lisi", "Gansu\xffLinxia2024", []string{"密码含有无效字符"}},
		{"too long", "lisi", strings.Repeat("aB3$xY7!", 17), []string{"密码不能超过 128 个字符"}},
		{"short and all digits", "lisi", "12345", []string{"密码至少需要 10 个字符", "密码不能全部是数字"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.username, tt.password)
			if tt.problems == nil {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PolicyError", err)
			}
			if !slices.Equal(pe.Problems, tt.problems) {
				t.Errorf("problems %q, want %q", pe.Problems, tt.problems)
			}
			if err.Error() != strings.Join(tt.problems, "；") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
