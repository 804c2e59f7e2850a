package casework

import (
	"fmt"
	"sort"

	"github.com/baoxue/baoxue"
)

// Settings are the county's deadlines and schedules. The store keeps them as JSON; zero values
// mean the default (Normalize).
type Settings struct {
	VerifyDays          int   `json:"verify_days"`           // suspect → verified (default 7)
	ConfirmDays         int   `json:"confirm_days"`          // confirmed → cadre assigned, persuasion begun (3)
	PersuadeDays        int   `json:"persuade_days"`         // persuasion → returned (30)
	UnreachableDays     int   `json:"unreachable_days"`      // look again for a missing child (30)
	PlacementDays       int   `json:"placement_days"`        // returned → placed and watched (7)
	Checkpoints         []int `json:"checkpoints"`           // days after return (30, 90, 180)
	NoticeDays          int   `json:"notice_days"`           // 劝返复学通知书: return within (7)
	OrderDays           int   `json:"order_days"`            // 责令限期改正通知书: correct within (15)
	PenaltyDays         int   `json:"penalty_days"`          // 行政处罚决定书: comply within (15)
	LitigationDays      int   `json:"litigation_days"`       // court: follow up after (90)
	TransferDays        int   `json:"transfer_days"`         // receiving county answers within (15)
	EscalateAfterDays   int   `json:"escalate_after_days"`   // overdue days per escalation level (7)
	RecentlyClearedDays int   `json:"recently_cleared_days"` // a cleared child found again is not reopened within (90)
}

// DefaultSettings are the defaults of issue 6.
func DefaultSettings() Settings {
	return Settings{VerifyDays: 7, ConfirmDays: 3, PersuadeDays: 30, UnreachableDays: 30, PlacementDays: 7,
		Checkpoints: []int{30, 90, 180}, NoticeDays: 7, OrderDays: 15, PenaltyDays: 15, LitigationDays: 90,
		TransferDays: 15, EscalateAfterDays: 7, RecentlyClearedDays: 90}
}

// Normalize fills zero values with the defaults and sorts the checkpoints.
func (s Settings) Normalize() Settings {
	d := DefaultSettings()
	for _, p := range []struct{ v, def *int }{
		{&s.VerifyDays, &d.VerifyDays}, {&s.ConfirmDays, &d.ConfirmDays}, {&s.PersuadeDays, &d.PersuadeDays},
		{&s.UnreachableDays, &d.UnreachableDays}, {&s.PlacementDays, &d.PlacementDays},
		{&s.NoticeDays, &d.NoticeDays}, {&s.OrderDays, &d.OrderDays}, {&s.PenaltyDays, &d.PenaltyDays},
		{&s.LitigationDays, &d.LitigationDays}, {&s.TransferDays, &d.TransferDays},
		{&s.EscalateAfterDays, &d.EscalateAfterDays}, {&s.RecentlyClearedDays, &d.RecentlyClearedDays},
	} {
		if *p.v == 0 {
			*p.v = *p.def
		}
	}
	if len(s.Checkpoints) == 0 {
		s.Checkpoints = d.Checkpoints
	}
	s.Checkpoints = append([]int(nil), s.Checkpoints...)
	sort.Ints(s.Checkpoints)
	return s
}

// Validate refuses settings no county could mean: negative or absurd day counts, repeated
// checkpoints.
func (s Settings) Validate() error {
	s = s.Normalize()
	for _, v := range []int{s.VerifyDays, s.ConfirmDays, s.PersuadeDays, s.UnreachableDays, s.PlacementDays,
		s.NoticeDays, s.OrderDays, s.PenaltyDays, s.LitigationDays, s.TransferDays, s.EscalateAfterDays,
		s.RecentlyClearedDays} {
		if v < 1 || v > 730 {
			return fmt.Errorf("%w: 期限天数应在 1–730 之间", baoxue.ErrInvalid)
		}
	}
	if len(s.Checkpoints) > 12 {
		return fmt.Errorf("%w: 跟踪回访最多 12 次", baoxue.ErrInvalid)
	}
	for i, c := range s.Checkpoints {
		if c < 1 || c > 1095 || (i > 0 && c == s.Checkpoints[i-1]) {
			return fmt.Errorf("%w: 跟踪回访天数应为 1–1095 之间互不相同的数", baoxue.ErrInvalid)
		}
	}
	return nil
}

// Due is the due date of a case that entered state on since: the day by which the next step is
// owed. States whose due date comes from elsewhere (legal: the step's deadline; monitoring: the
// next checkpoint) and closed states give 0; so does a zero since.
func (s Settings) Due(state baoxue.CaseState, since baoxue.Date) baoxue.Date {
	s = s.Normalize()
	if since.IsZero() {
		return 0
	}
	switch state {
	case baoxue.CaseSuspected, baoxue.CaseVerifying:
		return since.AddDays(s.VerifyDays)
	case baoxue.CaseConfirmed:
		return since.AddDays(s.ConfirmDays)
	case baoxue.CasePersuading:
		return since.AddDays(s.PersuadeDays)
	case baoxue.CaseUnreachable:
		return since.AddDays(s.UnreachableDays)
	case baoxue.CaseReturned:
		return since.AddDays(s.PlacementDays)
	}
	return 0
}

// CheckpointDates are the follow-up checkpoints of a child who returned on returned.
func (s Settings) CheckpointDates(returned baoxue.Date) []baoxue.Date {
	s = s.Normalize()
	out := make([]baoxue.Date, len(s.Checkpoints))
	for i, d := range s.Checkpoints {
		out[i] = returned.AddDays(d)
	}
	return out
}

// TransferDue is the day by which the receiving county must answer a transfer asked on asked.
func (s Settings) TransferDue(asked baoxue.Date) baoxue.Date {
	return asked.AddDays(s.Normalize().TransferDays)
}

// Open reports whether a case in this state is still being worked on (not cleared, transferred
// or closed).
func Open(state baoxue.CaseState) bool {
	switch state {
	case baoxue.CaseCleared, baoxue.CaseTransferred, baoxue.CaseClosed:
		return false
	}
	return true
}

// CountsForZero reports whether a case counts against 动态清零 (DESIGN §5): a confirmed dropout
// not yet back (confirmed, persuading, legal, unreachable), or a suspect not verified by its due
// date.
func CountsForZero(state baoxue.CaseState, due, today baoxue.Date) bool {
	if baoxue.OpenForZero(state) {
		return true
	}
	return (state == baoxue.CaseSuspected || state == baoxue.CaseVerifying) && !due.IsZero() && due < today
}

// ZeroStates are the states that count against 动态清零 whatever the date.
var ZeroStates = []baoxue.CaseState{baoxue.CaseConfirmed, baoxue.CasePersuading, baoxue.CaseLegal, baoxue.CaseUnreachable}

// DaysOverdue is how many days past due a case is on today; 0 when not overdue or without due date.
func DaysOverdue(due, today baoxue.Date) int {
	if due.IsZero() || today <= due {
		return 0
	}
	return int(today.Time().Sub(due.Time()).Hours() / 24)
}

// EscalationLevel is how many levels above its own unit an overdue case has been raised to:
// 0 until EscalateAfterDays days overdue, then one more level every EscalateAfterDays days, at
// most 3 (village → township → county → prefecture).
func (s Settings) EscalationLevel(due, today baoxue.Date) int {
	n := s.Normalize().EscalateAfterDays
	lvl := DaysOverdue(due, today) / n
	if lvl > 3 {
		lvl = 3
	}
	return lvl
}

// EscalationRegion is the region whose officers hear of a case held by unit (its village, or
// township, region code) escalated level levels: level 1 is the unit's parent, and so on. It never
// goes above the prefecture; "" for level 0.
func EscalationRegion(unit string, level int) string {
	if level <= 0 {
		return ""
	}
	lengths := []int{2, 4, 6, 9, 12}
	idx := -1
	for i, n := range lengths {
		if len(unit) == n {
			idx = i
		}
	}
	if idx < 0 {
		return ""
	}
	idx -= level
	if idx < 1 {
		idx = 1
	}
	return unit[:lengths[idx]]
}

// NextAction is what is owed on a case in state, for task lists.
func NextAction(state baoxue.CaseState) string {
	switch state {
	case baoxue.CaseSuspected:
		return "待派发核查"
	case baoxue.CaseVerifying:
		return "待登记核查结果"
	case baoxue.CaseConfirmed:
		return "待指定包抓责任人、开始劝返"
	case baoxue.CasePersuading:
		return "劝返走访"
	case baoxue.CaseLegal:
		return "依法控辍：跟进文书期限"
	case baoxue.CaseUnreachable:
		return "查找下落"
	case baoxue.CaseReturned:
		return "确定安置方式"
	case baoxue.CaseMonitoring:
		return "跟踪回访"
	}
	return ""
}
