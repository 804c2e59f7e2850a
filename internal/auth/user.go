package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
)

// User is an account. The store keeps it; TOTPSecret is personal-grade secret material and is
// stored encrypted (internal/pii), like ID numbers.
type User struct {
	ID                 int64
	Username           string // normalised by NormalizeUsername
	DisplayName        string // 姓名 as shown in the UI and audit views
	Role               Role
	Scope              Scope
	PasswordHash       string // PHC string from HashPassword
	MustChangePassword bool   // set for the first admin and after a reset
	Disabled           bool
	TOTPSecret         string // base32; "" until the user enrols
	TOTPLastStep       int64  // last accepted TOTP step, for replay protection
	CreatedAt          time.Time
	PasswordChangedAt  time.Time
}

// Can reports whether the user may do p; disabled users may do nothing. Scope still applies:
// the store limits rows to u.Scope.
func (u User) Can(p Permission) bool {
	return !u.Disabled && Can(u.Role, u.Scope.Level(), p)
}

// RequiresTOTP reports whether the user must sign in with a second factor: the three powers, and
// anyone whose scope spans more than one county.
func RequiresTOTP(u User) bool {
	return u.Role.Power() != PowerNone || u.Scope.AboveCounty()
}

// NormalizeUsername trims and lower-cases a user name and checks its form: 3 to 32 of a–z, 0–9,
// '.', '_' and '-', starting with a letter or digit. Names are compared in this form, so "Zhang"
// and "zhang" are one account.
func NormalizeUsername(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	ok := len(name) >= 3 && len(name) <= 32
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			ok = false
		}
	}
	if !ok {
		return "", fmt.Errorf("%w: 用户名应为 3–32 位字母、数字、点、下划线或连字符，并以字母或数字开头", baoxue.ErrInvalid)
	}
	return name, nil
}

// CheckAssignment says whether a role may have a scope: a school account has a school scope and
// nobody else does; a cadre works in a township or village.
func CheckAssignment(role Role, scope Scope) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	switch {
	case scope.IsZero():
		return fmt.Errorf("%w: 必须指定管辖范围", baoxue.ErrInvalid)
	case role == RoleSchool && !scope.IsSchool():
		return fmt.Errorf("%w: 学校账号的管辖范围必须是一所学校（school:学校标识码）", baoxue.ErrInvalid)
	case role != RoleSchool && scope.IsSchool():
		return fmt.Errorf("%w: 只有学校账号的管辖范围可以是学校", baoxue.ErrInvalid)
	case role == RoleCadre && scope.Level() < baoxue.LevelTownship:
		return fmt.Errorf("%w: 包抓干部的管辖范围应为乡镇或村", baoxue.ErrInvalid)
	}
	return nil
}
