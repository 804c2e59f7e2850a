package auth

import (
	"fmt"
	"strings"

	"github.com/baoxue/baoxue"
)

// SchoolScopePrefix marks a school scope in its text form: "school:2162292101".
const SchoolScopePrefix = "school:"

// Scope is the part of the country a user sees: a region (every code starting with its prefix)
// or one school. The zero Scope contains nothing, so a user whose scope failed to load sees
// nothing rather than everything.
type Scope struct {
	region string // 2, 4, 6, 9 or 12 digits, canonical (no trailing zero groups)
	school string // 10 digits
}

// ParseScope reads a scope as written by String: a region code of 2, 4, 6, 9 or 12 digits, or
// "school:" and a 10-digit school code. Region codes padded with zeros the way GB/T 2260 writes
// them (620000 for Gansu, 620702000000 for a county) are shortened to their real level.
func ParseScope(s string) (Scope, error) {
	if code, ok := strings.CutPrefix(s, SchoolScopePrefix); ok {
		return SchoolScope(code)
	}
	return RegionScope(s)
}

// RegionScope is the scope of a region code.
func RegionScope(code string) (Scope, error) {
	if !allDigits(code) || baoxue.LevelOfCode(code) == 0 {
		return Scope{}, fmt.Errorf("%w: 管辖范围“%.20s”应为 2、4、6、9 或 12 位行政区划代码", baoxue.ErrInvalid, code)
	}
	code = canonicalRegion(code)
	if code == "00" || code[0] == '0' {
		return Scope{}, fmt.Errorf("%w: 管辖范围“%.20s”不是有效的行政区划代码", baoxue.ErrInvalid, code)
	}
	return Scope{region: code}, nil
}

// SchoolScope is the scope of one school, by its 10-digit 学校标识码.
func SchoolScope(code string) (Scope, error) {
	if len(code) != 10 || !allDigits(code) {
		return Scope{}, fmt.Errorf("%w: 学校标识码“%.20s”应为 10 位数字", baoxue.ErrInvalid, code)
	}
	return Scope{school: code}, nil
}

// canonicalRegion drops trailing all-zero levels: 620000 → 62, 620700 → 6207,
// 620702000000 → 620702, 620702100000 → 620702100.
func canonicalRegion(code string) string {
	for {
		switch {
		case len(code) == 12 && strings.HasSuffix(code, "000"):
			code = code[:9]
		case len(code) == 9 && strings.HasSuffix(code, "000"):
			code = code[:6]
		case len(code) == 6 && strings.HasSuffix(code, "00"):
			code = code[:4]
		case len(code) == 4 && strings.HasSuffix(code, "00"):
			code = code[:2]
		default:
			return code
		}
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String is the stored form: the region code, or "school:" and the school code; "" for the zero
// Scope.
func (s Scope) String() string {
	if s.school != "" {
		return SchoolScopePrefix + s.school
	}
	return s.region
}

// MarshalText stores a scope in a column or JSON as its String.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// IsZero reports the zero Scope, which contains nothing.
func (s Scope) IsZero() bool { return s.region == "" && s.school == "" }

// IsSchool reports a school scope.
func (s Scope) IsSchool() bool { return s.school != "" }

// RegionCode is the region prefix, "" for a school scope.
func (s Scope) RegionCode() string { return s.region }

// SchoolCode is the school's code, "" for a region scope.
func (s Scope) SchoolCode() string { return s.school }

// Level is the region level of a region scope, 0 for a school scope.
func (s Scope) Level() baoxue.RegionLevel { return baoxue.LevelOfCode(s.region) }

// AboveCounty reports a province or prefecture scope: such users see more than one county, so
// they must use a second factor.
func (s Scope) AboveCounty() bool {
	l := s.Level()
	return l == baoxue.LevelProvince || l == baoxue.LevelPrefecture
}

// Contains reports whether a region (of any level) lies in a region scope. A school scope
// contains no region: a school sees its own pupils, selected by school code, not by address.
func (s Scope) Contains(regionCode string) bool {
	return s.region != "" && len(regionCode) >= len(s.region) && allDigits(regionCode) &&
		strings.HasPrefix(regionCode, s.region)
}

// ContainsSchool reports whether a school lies in the scope: for a school scope, the school
// itself; for a region scope, a school whose region (schoolRegion, from the school list) is in
// it. A school code does not say where the school is, hence the second argument.
func (s Scope) ContainsSchool(schoolCode, schoolRegion string) bool {
	if s.school != "" {
		return schoolCode == s.school
	}
	return schoolCode != "" && s.Contains(schoolRegion)
}

// Covers reports whether every region of other lies in s, e.g. whether an administrator scoped to
// a county may give a user a township scope. A school scope covers only itself; whether a region
// covers a school needs the school's region: use ContainsSchool.
func (s Scope) Covers(other Scope) bool {
	switch {
	case s.IsZero() || other.IsZero():
		return false
	case other.school != "":
		return s.school == other.school
	}
	return s.Contains(other.region)
}

// SQLPrefix gives the pattern for `region_code LIKE ? ESCAPE '\'` (the same text on SQLite and
// PostgreSQL): the region prefix with LIKE's special characters escaped, and a trailing %. ok is
// false for school and zero scopes, which must filter on school_code or return nothing; there is
// no pattern that means "everything".
func (s Scope) SQLPrefix() (pattern string, ok bool) {
	if s.region == "" {
		return "", false
	}
	return EscapeLike(s.region) + "%", true
}

// EscapeLike escapes \, % and _ with a backslash, for LIKE … ESCAPE '\'.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
