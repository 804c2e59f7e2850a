package baoxue

import (
	"fmt"
	"time"
)

// AgeRule decides who is of compulsory-education age on a given day (DESIGN §6). Age is reckoned
// on the cut-off day (31 August by default); the school year starts the day after it.
type AgeRule struct {
	EntryAge    int        // youngest age in the window, reached on or before the cut-off day (6)
	MaxAge      int        // oldest age in the window on the cut-off day (15)
	CutoffMonth time.Month // month of the cut-off day (August)
	CutoffDay   int        // day of the cut-off day (31)
}

// DefaultAgeRule is the national rule: aged 6 to 15 on 31 August of the school year.
func DefaultAgeRule() AgeRule {
	return AgeRule{EntryAge: 6, MaxAge: 15, CutoffMonth: time.August, CutoffDay: 31}
}

// Validate reports a rule that cannot be applied.
func (r AgeRule) Validate() error {
	if r.EntryAge < 3 || r.EntryAge > 10 || r.MaxAge < r.EntryAge || r.MaxAge > 20 {
		return fmt.Errorf("入学年龄 %d、最大年龄 %d 不合理: %w", r.EntryAge, r.MaxAge, ErrInvalid)
	}
	if !ValidDate(2001, int(r.CutoffMonth), r.CutoffDay) {
		return fmt.Errorf("截止日 %d月%d日 不是有效日期: %w", r.CutoffMonth, r.CutoffDay, ErrInvalid)
	}
	return nil
}

func (r AgeRule) cutoff(year int) Date { return MakeDate(year, r.CutoffMonth, r.CutoffDay) }

// SchoolYear returns Y, the year in which the school year containing asOf began: the year of asOf
// when asOf is after the cut-off day, else the year before.
func (r AgeRule) SchoolYear(asOf Date) int {
	y := asOf.Year()
	if asOf > r.cutoff(y) {
		return y
	}
	return y - 1
}

// Window returns the first and last birth dates (inclusive) of the children of compulsory age on
// asOf: born after the cut-off day of Y−MaxAge−1 and on or before the cut-off day of Y−EntryAge.
func (r AgeRule) Window(asOf Date) (first, last Date) {
	return r.WindowWidened(asOf, 0)
}

// WindowWidened is Window with extra cohorts on each side; importers keep these so that a change of
// as-of date or a mistyped birth date does not lose a child.
func (r AgeRule) WindowWidened(asOf Date, cohorts int) (first, last Date) {
	y := r.SchoolYear(asOf)
	first = r.cutoff(y - r.MaxAge - 1 - cohorts).AddDays(1)
	last = r.cutoff(y - r.EntryAge + cohorts)
	return first, last
}

// InWindow reports whether a child born on birth is of compulsory age on asOf.
func (r AgeRule) InWindow(birth, asOf Date) bool {
	first, last := r.Window(asOf)
	return birth >= first && birth <= last
}

// AgeOn returns the age in whole years of someone born on birth, on day.
func AgeOn(birth, day Date) int {
	age := day.Year() - birth.Year()
	if day%10000 < birth%10000 {
		age--
	}
	return age
}
