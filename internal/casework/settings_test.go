package casework

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
)

func d(y int, m time.Month, day int) baoxue.Date { return baoxue.MakeDate(y, m, day) }

func TestDue(t *testing.T) {
	s := Settings{VerifyDays: 10} // the rest default
	since := d(2025, time.January, 28)
	tests := []struct {
		state baoxue.CaseState
		want  baoxue.Date
	}{
		{baoxue.CaseSuspected, d(2025, time.February, 7)},
		{baoxue.CaseVerifying, d(2025, time.February, 7)},
		{baoxue.CaseConfirmed, d(2025, time.January, 31)},
		{baoxue.CasePersuading, d(2025, time.February, 27)},
		{baoxue.CaseUnreachable, d(2025, time.February, 27)},
		{baoxue.CaseReturned, d(2025, time.February, 4)},
		{baoxue.CaseLegal, 0}, {baoxue.CaseMonitoring, 0}, {baoxue.CaseCleared, 0}, {baoxue.CaseClosed, 0},
		{baoxue.CaseTransferred, 0},
	}
	for _, tt := range tests {
		if got := s.Due(tt.state, since); got != tt.want {
			t.Errorf("%s: due %s, want %s", tt.state, got, tt.want)
		}
	}
	if DefaultSettings().Due(baoxue.CaseSuspected, since) != d(2025, time.February, 4) {
		t.Error("default verification deadline is not 7 days")
	}
}

func TestCheckpointDates(t *testing.T) {
	got := DefaultSettings().CheckpointDates(d(2025, time.March, 1))
	want := []baoxue.Date{d(2025, time.March, 31), d(2025, time.May, 30), d(2025, time.August, 28)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checkpoints %v, want %v", got, want)
	}
	got = Settings{Checkpoints: []int{60, 14}}.CheckpointDates(d(2025, time.March, 1))
	if !reflect.DeepEqual(got, []baoxue.Date{d(2025, time.March, 15), d(2025, time.April, 30)}) {
		t.Errorf("custom checkpoints %v", got)
	}
}

func TestValidate(t *testing.T) {
	for _, bad := range []Settings{{VerifyDays: -1}, {Checkpoints: []int{30, 30}}, {Checkpoints: []int{0}}, {OrderDays: 1000}} {
		if err := bad.Validate(); !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if err := (Settings{}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestCountsForZero(t *testing.T) {
	today := d(2025, time.March, 10)
	tests := []struct {
		state baoxue.CaseState
		due   baoxue.Date
		want  bool
	}{
		{baoxue.CaseConfirmed, 0, true}, {baoxue.CasePersuading, today.AddDays(9), true}, {baoxue.CaseLegal, 0, true},
		{baoxue.CaseUnreachable, 0, true}, {baoxue.CaseSuspected, today, false}, {baoxue.CaseSuspected, today.AddDays(-1), true},
		{baoxue.CaseVerifying, today.AddDays(-3), true}, {baoxue.CaseVerifying, today.AddDays(3), false},
		{baoxue.CaseReturned, 0, false}, {baoxue.CaseMonitoring, today.AddDays(-50), false}, {baoxue.CaseClosed, 0, false},
		{baoxue.CaseCleared, 0, false}, {baoxue.CaseTransferred, 0, false},
	}
	for _, tt := range tests {
		if got := CountsForZero(tt.state, tt.due, today); got != tt.want {
			t.Errorf("%s due %s: %v", tt.state, tt.due, got)
		}
	}
}

func TestEscalation(t *testing.T) {
	s := DefaultSettings()
	due := d(2025, time.March, 1)
	for _, tt := range []struct {
		today baoxue.Date
		level int
	}{{due, 0}, {due.AddDays(6), 0}, {due.AddDays(7), 1}, {due.AddDays(13), 1}, {due.AddDays(14), 2}, {due.AddDays(100), 3}} {
		if got := s.EscalationLevel(due, tt.today); got != tt.level {
			t.Errorf("%d days overdue: level %d, want %d", DaysOverdue(due, tt.today), got, tt.level)
		}
	}
	for _, tt := range []struct {
		unit  string
		level int
		want  string
	}{
		{"622921100201", 1, "622921100"}, {"622921100201", 2, "622921"}, {"622921100201", 3, "6229"},
		{"622921100201", 9, "6229"}, {"622921100", 1, "622921"}, {"622921", 1, "6229"}, {"622921", 2, "6229"},
		{"622921100201", 0, ""}, {"bad", 1, ""},
	} {
		if got := EscalationRegion(tt.unit, tt.level); got != tt.want {
			t.Errorf("EscalationRegion(%s, %d) = %q, want %q", tt.unit, tt.level, got, tt.want)
		}
	}
}

func TestRecommendPlacement(t *testing.T) {
	birth := d(2011, time.May, 3) // 13 on 31 Aug 2024: grade 8 in school year 2024
	ret := d(2025, time.March, 1)
	tests := []struct {
		name string
		in   PlacementInput
		want string
	}{
		{"recent dropout, on level", PlacementInput{BirthDate: birth, DropoutDate: d(2024, time.December, 1), ReturnDate: ret, LastGrade: 8}, "regular_class"},
		{"two grades behind", PlacementInput{BirthDate: birth, DropoutDate: d(2024, time.December, 1), ReturnDate: ret, LastGrade: 6}, "special_class"},
		{"six months out", PlacementInput{BirthDate: birth, DropoutDate: d(2024, time.September, 1), ReturnDate: ret, LastGrade: 8}, "special_class"},
		{"older, long absent, behind", PlacementInput{BirthDate: d(2009, time.June, 1), DropoutDate: d(2023, time.September, 1), ReturnDate: ret, LastGrade: 7}, "vocational"},
		{"older but not behind", PlacementInput{BirthDate: d(2009, time.June, 1), DropoutDate: d(2023, time.September, 1), ReturnDate: ret, LastGrade: 9}, "special_class"},
		{"severe intellectual", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "智力", DisabilityLevel: 1}, "home_teaching"},
		{"severe physical", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "肢体", DisabilityLevel: 1}, "home_teaching"},
		{"level 2 visual", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "视力", DisabilityLevel: 2}, "special_school"},
		{"level 2 mental", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "精神", DisabilityLevel: 2}, "special_school"},
		{"mild intellectual", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "智力", DisabilityLevel: 4}, "special_class"},
		{"mild hearing", PlacementInput{BirthDate: birth, ReturnDate: ret, DisabilityClass: "听力", DisabilityLevel: 3}, "regular_class"},
	}
	for _, tt := range tests {
		p := RecommendPlacement(tt.in)
		if p.Code != tt.want || p.Reason == "" {
			t.Errorf("%s: %s (%s), want %s", tt.name, p.Code, p.Reason, tt.want)
		}
		if !baoxue.Known(baoxue.Placements, p.Code) {
			t.Errorf("%s: %s is not a placement code", tt.name, p.Code)
		}
	}
	if g := GradeForAge(birth, ret); g != 8 {
		t.Errorf("grade for age %d, want 8", g)
	}
	if g := GradeForAge(d(2020, time.January, 1), ret); g != 0 {
		t.Errorf("a five-year-old has grade %d", g)
	}
	if m := MonthsBetween(d(2024, time.December, 15), d(2025, time.March, 14)); m != 2 {
		t.Errorf("months %d", m)
	}
}

func TestLegalLadder(t *testing.T) {
	today := d(2025, time.April, 1)
	served := LegalRecord{Step: StepNotice, Served: d(2025, time.March, 1), Deadline: d(2025, time.March, 8)}
	tests := []struct {
		name  string
		actor Actor
		step  string
		taken []LegalRecord
		want  string
	}{
		{"notice first", ActorSchool, StepNotice, nil, ""},
		{"order before notice", ActorCounty, StepOrder, nil, "应先制发劝返复学通知书"},
		{"school may not order", ActorSchool, StepOrder, []LegalRecord{served}, "学校不能制发责令限期改正通知书"},
		{"order after a served, lapsed notice", ActorLocal, StepOrder, []LegalRecord{served}, ""},
		{"notice not served", ActorCounty, StepOrder, []LegalRecord{{Step: StepNotice, Deadline: d(2025, time.March, 8)}}, "尚未送达"},
		{"deadline running", ActorCounty, StepOrder, []LegalRecord{{Step: StepNotice, Served: d(2025, time.March, 30), Deadline: d(2025, time.April, 6)}}, "未届满"},
		{"refused before the deadline", ActorCounty, StepOrder, []LegalRecord{{Step: StepNotice, Served: d(2025, time.March, 30), Deadline: d(2025, time.April, 6), Outcome: OutcomeNotComplied}}, ""},
		{"complied", ActorCounty, StepOrder, []LegalRecord{{Step: StepNotice, Served: d(2025, time.March, 1), Outcome: OutcomeComplied}}, "已按劝返复学通知书改正"},
		{"penalty by township", ActorLocal, StepPenalty, nil, "不能制发行政处罚决定书"},
		{"notice twice", ActorCounty, StepNotice, []LegalRecord{served}, "应先制发责令限期改正通知书"},
		{"ladder done", ActorCounty, StepLitigation, []LegalRecord{served, {Step: StepOrder}, {Step: StepPenalty}, {Step: StepLitigation}}, "均已完成"},
		{"unknown", ActorCounty, "duel", nil, "未知的依法控辍步骤"},
	}
	for _, tt := range tests {
		err := CanIssue(tt.actor, tt.step, tt.taken, today)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: want %q, got %v", tt.name, tt.want, err)
		}
	}
	if got := DefaultSettings().LegalDeadline(StepOrder, d(2025, time.March, 1)); got != d(2025, time.March, 16) {
		t.Errorf("order deadline %s", got)
	}
}

func TestDocNumber(t *testing.T) {
	if got := DocNumber(CountyAbbrev("临夏县"), StepNotice, 2025, 3); got != "临教劝〔2025〕3号" {
		t.Errorf("got %s", got)
	}
	if got := DocNumber("东", StepPenalty, 2026, 120); got != "东教罚〔2026〕120号" {
		t.Errorf("got %s", got)
	}
	if CountyAbbrev("") != "" {
		t.Error("empty abbrev")
	}
}

func TestParseDisability(t *testing.T) {
	for _, tt := range []struct {
		text  string
		class string
		level int
	}{{"肢体残疾三级", "肢体", 3}, {"智力残疾一级", "智力", 1}, {"残疾二级", "未分类", 2}, {"视力残疾", "视力", 0}, {"", "", 0}} {
		c, l := ParseDisability(tt.text)
		if c != tt.class || l != tt.level {
			t.Errorf("%q: %q %d", tt.text, c, l)
		}
	}
}
