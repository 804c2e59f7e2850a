package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password length bounds, in characters. The upper bound keeps hashing cost and form sizes sane;
// it is far above what anyone types.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// PolicyError lists every way a proposed password falls short, in Chinese, so the form can show
// them all at once.
type PolicyError struct {
	Problems []string
}

func (e *PolicyError) Error() string { return strings.Join(e.Problems, "；") }

// CheckPasswordPolicy says whether password may be set for username. The rules follow the usual
// 等保 requirements and NIST SP 800-63B: long enough, not trivially guessable, not the user's own
// name; no rules on which exact character kinds appear beyond "not one kind only".
func CheckPasswordPolicy(username, password string) error {
	var problems []string
	add := func(p string) { problems = append(problems, p) }

	if !utf8.ValidString(password) {
		return &PolicyError{Problems: []string{"密码含有无效字符"}}
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		add("密码至少需要 10 个字符")
	}
	if n > MaxPasswordLen {
		add("密码不能超过 128 个字符")
	}
	var letters, digits, others bool
	distinct := make(map[rune]bool)
	for _, r := range password {
		switch {
		case unicode.IsControl(r):
			add("密码不能包含控制字符")
			return &PolicyError{Problems: problems}
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			letters = true
		case r >= '0' && r <= '9':
			digits = true
		default:
			others = true // symbols, spaces, and non-ASCII letters such as 汉字
		}
		distinct[unicode.ToLower(r)] = true
	}
	kinds := 0
	for _, k := range []bool{letters, digits, others} {
		if k {
			kinds++
		}
	}
	switch {
	case n > 0 && digits && kinds == 1:
		add("密码不能全部是数字")
	case n > 0 && kinds == 1:
		add("密码须至少包含字母、数字、符号中的两类")
	}
	if n >= MinPasswordLen && len(distinct) < 5 {
		add("密码中不同的字符太少")
	}
	lower := strings.ToLower(password)
	user := strings.ToLower(strings.TrimSpace(username))
	switch {
	case user != "" && (lower == user || lower == reverse(user)):
		add("密码不能与用户名相同")
	case utf8.RuneCountInString(user) >= 4 && strings.Contains(lower, user):
		add("密码不能包含用户名")
	}
	if n >= MinPasswordLen && (isCommonPassword(lower) || isSequence(lower)) {
		add("密码过于常见，容易被猜中")
	}
	if len(problems) > 0 {
		return &PolicyError{Problems: problems}
	}
	return nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// isSequence catches runs such as abcdefghij, 9876543210 and qwertyuiop: every character is the
// next (or previous) one of the alphabet, the digits or a keyboard row.
func isSequence(s string) bool {
	for _, line := range []string{
		"abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
		"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p",
	} {
		if strings.Contains(line, s) || strings.Contains(reverse(line), s) {
			return true
		}
	}
	return false
}

// isCommonPassword checks the lowercased password against passwords of ten or more characters
// that top the published leak lists, Chinese ones included.
func isCommonPassword(lower string) bool {
	switch lower {
	case "1234567890", "12345678910", "123456789a", "a123456789", "abc1234567", "abcd123456",
		"password12", "password123", "password1234", "p@ssw0rd123", "passw0rd123",
		"admin12345", "admin123456", "admin@1234", "admin@12345", "root123456",
		"qwe1234567", "qwer123456", "1qaz2wsx3edc", "1qaz@wsx3edc", "1qaz!qaz2wsx", "zaq12wsxcde",
		"1q2w3e4r5t", "q1w2e3r4t5", "woaini1314", "woaini520520", "5201314520", "aa12345678",
		"iloveyou123", "baoxue12345", "baoxue123456", "changeme123":
		return true
	}
	return false
}
