package casework

import (
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
)

// PlacementInput is what the placement rule looks at (see the package documentation).
type PlacementInput struct {
	BirthDate       baoxue.Date // for the age at return and the grade for that age
	DropoutDate     baoxue.Date
	ReturnDate      baoxue.Date
	LastGrade       int    // the last grade the child attended, 1…9; 0 unknown
	DisabilityClass string // 视力, 听力, 言语, 肢体, 智力, 精神, 多重; "" none
	DisabilityLevel int    // 1 (most severe) … 4; 0 unknown
}

// Placement is a recommendation and the reason for it, in Chinese.
type Placement struct {
	Code   string
	Reason string
}

// AgeOn is the age in whole years on day on of a child born on birth.
func AgeOn(birth, on baoxue.Date) int {
	if birth.IsZero() || on.IsZero() {
		return 0
	}
	age := on.Year() - birth.Year()
	if on.Month() < birth.Month() || (on.Month() == birth.Month() && on.Day() < birth.Day()) {
		age--
	}
	return age
}

// GradeForAge is the grade (1…9) a child born on birth should attend in the school year that
// contains on: the year starts on 1 September, and a child aged 6 on 31 August enters grade 1
// (DESIGN §6). 0 before school age; 9 for a child old enough to have finished.
func GradeForAge(birth, on baoxue.Date) int {
	if birth.IsZero() || on.IsZero() {
		return 0
	}
	y := on.Year()
	if on.Month() < time.September {
		y--
	}
	age := AgeOn(birth, baoxue.MakeDate(y, time.August, 31))
	g := age - 5
	switch {
	case g < 1:
		return 0
	case g > 9:
		return 9
	}
	return g
}

// MonthsBetween is the number of whole months from a to b (0 when b is not after a).
func MonthsBetween(a, b baoxue.Date) int {
	if a.IsZero() || b.IsZero() || b <= a {
		return 0
	}
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}

// RecommendPlacement applies the documented rule (package documentation, “Placement rule”).
func RecommendPlacement(in PlacementInput) Placement {
	switch lvl := in.DisabilityLevel; {
	case in.DisabilityClass != "" && lvl >= 1 && lvl <= 2:
		cognitive := in.DisabilityClass == "智力" || in.DisabilityClass == "精神" || in.DisabilityClass == "多重"
		if lvl == 1 && (cognitive || in.DisabilityClass == "肢体") {
			return Placement{"home_teaching", fmt.Sprintf("%s残疾%d级，难以到校就读，建议送教上门", in.DisabilityClass, lvl)}
		}
		return Placement{"special_school", fmt.Sprintf("%s残疾%d级，建议到特殊教育学校就读", in.DisabilityClass, lvl)}
	case in.DisabilityClass != "" && (in.DisabilityClass == "智力" || in.DisabilityClass == "精神" || in.DisabilityClass == "多重"):
		return Placement{"special_class", fmt.Sprintf("%s残疾（轻度），建议在普通学校特殊班就读", in.DisabilityClass)}
	case in.DisabilityClass != "":
		return Placement{"regular_class", fmt.Sprintf("%s残疾（轻度），建议随班就读并提供无障碍支持", in.DisabilityClass)}
	}
	age := AgeOn(in.BirthDate, in.ReturnDate)
	months := MonthsBetween(in.DropoutDate, in.ReturnDate)
	gap := 0
	if g := GradeForAge(in.BirthDate, in.ReturnDate); g > 0 && in.LastGrade > 0 && g > in.LastGrade {
		gap = g - in.LastGrade
	}
	switch {
	case age >= 15 && months >= 12 && gap >= 2:
		return Placement{"vocational", fmt.Sprintf("%d 岁，辍学 %d 个月，落后 %d 个年级，建议普职融合", age, months, gap)}
	case gap >= 2 || months >= 6:
		return Placement{"special_class", fmt.Sprintf("辍学 %d 个月，落后 %d 个年级，建议先入过渡班（特殊班）补习", months, gap)}
	}
	return Placement{"regular_class", fmt.Sprintf("辍学 %d 个月，落后 %d 个年级，建议随班就读并课后补习", months, gap)}
}

// ParseDisability reads the disability text of a ledger entry (肢体残疾三级, 残疾二级) into the
// category (肢体) and the level (3); "" and 0 for what it cannot tell.
func ParseDisability(text string) (class string, level int) {
	for i, l := range []string{"一级", "二级", "三级", "四级"} {
		if strings.HasSuffix(text, l) {
			level = i + 1
			text = strings.TrimSuffix(text, l)
			break
		}
	}
	class = strings.TrimSuffix(text, "残疾")
	if class == "" && (level > 0 || text != "") {
		class = "未分类"
	}
	return class, level
}
