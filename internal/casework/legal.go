package casework

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
)

// The rungs of the legal ladder (依法控辍, DESIGN §5), in order.
const (
	StepNotice     = "notice"     // 劝返复学通知书 (school, township or county)
	StepOrder      = "order"      // 责令限期改正通知书 (township government or county bureau, 义务教育法 Art. 58)
	StepPenalty    = "penalty"    // 行政处罚决定书 (county)
	StepLitigation = "litigation" // 起诉 / 申请强制执行 (court)
)

// Outcomes of a legal step.
const (
	OutcomePending     = ""             // deadline not reached, nothing recorded
	OutcomeComplied    = "complied"     // 已按期改正（送子女复学）
	OutcomeNotComplied = "not_complied" // 逾期未改正
)

// LegalOutcomes are the outcome codes with labels.
var LegalOutcomes = []baoxue.Code{
	{ID: OutcomeComplied, Label: "已按期改正"},
	{ID: OutcomeNotComplied, Label: "逾期未改正"},
}

// ServeMethods are the ways a document is served (送达方式).
var ServeMethods = []baoxue.Code{
	{ID: "direct", Label: "直接送达"},
	{ID: "left", Label: "留置送达"},
	{ID: "post", Label: "邮寄送达"},
	{ID: "entrusted", Label: "委托送达"},
	{ID: "announced", Label: "公告送达"},
}

var stepActors = map[string][]Actor{
	StepNotice:     {ActorCounty, ActorLocal, ActorSchool},
	StepOrder:      {ActorCounty, ActorLocal},
	StepPenalty:    {ActorCounty},
	StepLitigation: {ActorCounty},
}

// StepIndex is the position of a step on the ladder, -1 for an unknown step.
func StepIndex(step string) int {
	for i, c := range baoxue.LegalSteps {
		if c.ID == step {
			return i
		}
	}
	return -1
}

// LegalRecord is what CanIssue needs to know of a step already taken.
type LegalRecord struct {
	Step     string
	Served   baoxue.Date
	Deadline baoxue.Date
	Outcome  string
}

// NextStep is the rung after the highest one taken, "" when the ladder is exhausted.
func NextStep(taken []LegalRecord) string {
	hi := -1
	for _, r := range taken {
		if i := StepIndex(r.Step); i > hi {
			hi = i
		}
	}
	if hi+1 >= len(baoxue.LegalSteps) {
		return ""
	}
	return baoxue.LegalSteps[hi+1].ID
}

// CanIssue says whether actor may take step now: steps go in order, the previous one must have
// been served and must have run out (its deadline passed, or its outcome recorded as not
// complied). Errors wrap baoxue.ErrDenied or baoxue.ErrInvalid with a Chinese message.
func CanIssue(a Actor, step string, taken []LegalRecord, today baoxue.Date) error {
	i := StepIndex(step)
	if i < 0 {
		return fmt.Errorf("%w: 未知的依法控辍步骤“%.32s”", baoxue.ErrInvalid, step)
	}
	label := baoxue.LegalSteps[i].Label
	allowed := false
	for _, x := range stepActors[step] {
		allowed = allowed || x == a
	}
	if !allowed {
		return fmt.Errorf("%w: %s不能制发%s", baoxue.ErrDenied, a.Label(), label)
	}
	if next := NextStep(taken); next != step {
		if next == "" {
			return fmt.Errorf("%w: 依法控辍各步骤均已完成", baoxue.ErrInvalid)
		}
		return fmt.Errorf("%w: 应先制发%s", baoxue.ErrInvalid, baoxue.Label(baoxue.LegalSteps, next))
	}
	if i == 0 {
		return nil
	}
	var prev *LegalRecord
	for k := range taken {
		if taken[k].Step == baoxue.LegalSteps[i-1].ID {
			prev = &taken[k]
		}
	}
	prevLabel := baoxue.LegalSteps[i-1].Label
	switch {
	case prev == nil:
		return fmt.Errorf("%w: 应先制发%s", baoxue.ErrInvalid, prevLabel)
	case prev.Served.IsZero():
		return fmt.Errorf("%w: %s尚未送达，不能制发%s", baoxue.ErrInvalid, prevLabel, label)
	case prev.Outcome == OutcomeComplied:
		return fmt.Errorf("%w: 监护人已按%s改正，无需制发%s", baoxue.ErrInvalid, prevLabel, label)
	case prev.Outcome != OutcomeNotComplied && (prev.Deadline.IsZero() || today <= prev.Deadline):
		return fmt.Errorf("%w: %s的期限（%s）未届满，不能制发%s", baoxue.ErrInvalid, prevLabel, prev.Deadline, label)
	}
	return nil
}

// LegalDeadline is the deadline a step sets when issued on issued.
func (s Settings) LegalDeadline(step string, issued baoxue.Date) baoxue.Date {
	s = s.Normalize()
	days := map[string]int{StepNotice: s.NoticeDays, StepOrder: s.OrderDays, StepPenalty: s.PenaltyDays,
		StepLitigation: s.LitigationDays}[step]
	if days == 0 || issued.IsZero() {
		return 0
	}
	return issued.AddDays(days)
}

// stepMark is the character of a step in its document number: 劝, 责, 罚, 诉.
var stepMark = map[string]string{StepNotice: "劝", StepOrder: "责", StepPenalty: "罚", StepLitigation: "诉"}

// CountyAbbrev is the one-character short name a county's documents use, from its name: 临夏县 → 临.
func CountyAbbrev(countyName string) string {
	r, _ := utf8.DecodeRuneInString(countyName)
	if r == utf8.RuneError {
		return ""
	}
	return string(r)
}

// DocNumber formats a 文号 in the style of GB/T 9704 (党政机关公文格式): the issuer's short
// name, the series, the year in 六角括号 and the sequence number without leading zeros:
// 临教劝〔2025〕3号. abbrev is the county's short name (CountyAbbrev).
func DocNumber(abbrev, step string, year, seq int) string {
	var b strings.Builder
	b.WriteString(abbrev)
	b.WriteString("教")
	b.WriteString(stepMark[step])
	fmt.Fprintf(&b, "〔%d〕%d号", year, seq)
	return b.String()
}

// MayIssue reports whether actor may issue, serve and record the outcome of step.
func MayIssue(a Actor, step string) bool {
	for _, x := range stepActors[step] {
		if x == a {
			return true
		}
	}
	return false
}
