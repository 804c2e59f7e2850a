package casework

import (
	"fmt"
	"strings"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// Actor is who takes a step on a case, derived from a user's role and scope (ActorOf).
type Actor string

// The actors of case work.
const (
	ActorCounty Actor = "county" // 县教育局控辍保学办公室: officer with a county scope
	ActorLocal  Actor = "local"  // 乡镇、村: officer with a township or village scope
	ActorCadre  Actor = "cadre"  // 包抓干部
	ActorSchool Actor = "school" // 学校
	ActorSystem Actor = "system" // baoxue itself (comparison runs, transfers)
)

// Label is the Chinese name of the actor.
func (a Actor) Label() string {
	switch a {
	case ActorCounty:
		return "县级教育部门"
	case ActorLocal:
		return "乡镇（村）工作人员"
	case ActorCadre:
		return "包抓干部"
	case ActorSchool:
		return "学校"
	case ActorSystem:
		return "系统"
	}
	return "无案件办理职责的角色"
}

// ActorOf maps a user to an actor, or "" for a user who takes no step on cases (province and
// prefecture officers, inspectors, viewers, supervisors, the three powers).
func ActorOf(role auth.Role, scope auth.Scope) Actor {
	switch role {
	case auth.RoleOfficer:
		switch scope.Level() {
		case baoxue.LevelCounty:
			return ActorCounty
		case baoxue.LevelTownship, baoxue.LevelVillage:
			return ActorLocal
		}
	case auth.RoleCadre:
		return ActorCadre
	case auth.RoleSchool:
		if scope.IsSchool() {
			return ActorSchool
		}
	}
	return ""
}

// Field is something a transition requires the user to record.
type Field string

// The fields of the transition table.
const (
	FieldVerifier        Field = "verifier"         // 核查责任人 (user name)
	FieldOutcome         Field = "outcome"          // 核查结果 (baoxue.VerificationOutcomes)
	FieldNote            Field = "note"             // 情况说明
	FieldDropoutDate     Field = "dropout_date"     // 辍学时间
	FieldReasons         Field = "reasons"          // 辍学原因 (baoxue.DropoutReasons, several)
	FieldCadre           Field = "cadre"            // 包抓责任人 (user name)
	FieldReturnDate      Field = "return_date"      // 复学时间
	FieldReturnSchool    Field = "return_school"    // 复学学校
	FieldReturnGrade     Field = "return_grade"     // 复学年级
	FieldPlacement       Field = "placement"        // 安置方式 (baoxue.Placements)
	FieldPlacementReason Field = "placement_reason" // 未采用推荐安置方式的理由
	FieldToCounty        Field = "to_county"        // 接收县（区）
)

// Label is the Chinese name of the field, as forms and messages show it.
func (f Field) Label() string {
	switch f {
	case FieldVerifier:
		return "核查责任人"
	case FieldOutcome:
		return "核查结果"
	case FieldNote:
		return "情况说明"
	case FieldDropoutDate:
		return "辍学时间"
	case FieldReasons:
		return "辍学原因"
	case FieldCadre:
		return "包抓责任人"
	case FieldReturnDate:
		return "复学时间"
	case FieldReturnSchool:
		return "复学学校"
	case FieldReturnGrade:
		return "复学年级"
	case FieldPlacement:
		return "安置方式"
	case FieldPlacementReason:
		return "未采用推荐安置方式的理由"
	case FieldToCounty:
		return "接收县（区）"
	}
	return string(f)
}

// Input is what a user supplies with a transition, merged by the caller with what the case
// already holds (a cadre assigned earlier need not be chosen again), plus the facts about the
// case that some transitions depend on.
type Input struct {
	Verifier        string
	Outcome         string
	Note            string
	DropoutDate     baoxue.Date
	Reasons         []string
	Cadre           string
	ReturnDate      baoxue.Date
	ReturnSchool    string // school code or name
	ReturnGrade     int    // 1…9
	Placement       string
	Recommended     string // the placement RecommendPlacement gave, "" if none could be computed
	PlacementReason string
	ToCounty        string // 6-digit county code

	// Facts.
	Today             baoxue.Date
	CaseCounty        string // the county that holds the case
	Visits            int    // persuasion visits logged
	CheckpointsTotal  int    // follow-up checkpoints of the current watch period
	CheckpointsPassed int
	TransferAccepted  bool // the receiving county has accepted the transfer
}

// has reports whether the input supplies f.
func (in *Input) has(f Field) bool {
	switch f {
	case FieldVerifier:
		return strings.TrimSpace(in.Verifier) != ""
	case FieldOutcome:
		return in.Outcome != ""
	case FieldNote:
		return strings.TrimSpace(in.Note) != ""
	case FieldDropoutDate:
		return !in.DropoutDate.IsZero()
	case FieldReasons:
		return len(in.Reasons) > 0
	case FieldCadre:
		return strings.TrimSpace(in.Cadre) != ""
	case FieldReturnDate:
		return !in.ReturnDate.IsZero()
	case FieldReturnSchool:
		return strings.TrimSpace(in.ReturnSchool) != ""
	case FieldReturnGrade:
		return in.ReturnGrade != 0
	case FieldPlacement:
		return in.Placement != ""
	case FieldPlacementReason:
		return strings.TrimSpace(in.PlacementReason) != ""
	case FieldToCounty:
		return in.ToCounty != ""
	}
	return false
}

// Rule is one edge of the state machine: who may take it and what must be recorded.
type Rule struct {
	From, To baoxue.CaseState
	Name     string  // the action as a button says it
	Actors   []Actor // who may take it
	Fields   []Field // what must be supplied (FieldPlacementReason: only when overriding)
	// check validates the values and the facts once every field is present.
	check func(in *Input) error
}

// Allows reports whether actor may take the transition.
func (r Rule) Allows(a Actor) bool {
	for _, x := range r.Actors {
		if x == a {
			return true
		}
	}
	return false
}

var (
	officers        = []Actor{ActorCounty, ActorLocal}
	caseWorkers     = []Actor{ActorCounty, ActorLocal, ActorCadre, ActorSchool}
	fieldWorkers    = []Actor{ActorCounty, ActorLocal, ActorCadre}
	placementActors = []Actor{ActorCounty, ActorSchool}
	returnFields    = []Field{FieldReturnDate, FieldReturnSchool, FieldReturnGrade}
	dropoutFields   = []Field{FieldDropoutDate, FieldReasons, FieldNote}
)

// Rules is the transition table: one rule for every edge of baoxue.CanTransition, no more.
func Rules() []Rule {
	s := baoxue.CaseSuspected
	v, cl, co := baoxue.CaseVerifying, baoxue.CaseCleared, baoxue.CaseConfirmed
	p, l, u, t := baoxue.CasePersuading, baoxue.CaseLegal, baoxue.CaseUnreachable, baoxue.CaseTransferred
	re, m, c := baoxue.CaseReturned, baoxue.CaseMonitoring, baoxue.CaseClosed
	return []Rule{
		{s, v, "派发核查", officers, []Field{FieldVerifier}, nil},
		{v, cl, "核销（非辍学）", caseWorkers, []Field{FieldOutcome, FieldNote}, checkOutcome},
		{v, co, "确认辍学并建档", caseWorkers, dropoutFields, checkDropout},
		{v, u, "登记失联", caseWorkers, []Field{FieldNote}, nil},
		{v, t, "移交外县", []Actor{ActorCounty}, []Field{FieldToCounty}, checkTransfer},
		{cl, v, "重新核查", []Actor{ActorCounty, ActorLocal, ActorSystem}, []Field{FieldVerifier, FieldNote}, nil},
		{co, p, "开始劝返", officers, []Field{FieldCadre}, nil},
		{p, re, "登记复学", caseWorkers, returnFields, checkReturn},
		{p, l, "转入依法控辍", officers, []Field{FieldNote}, checkLegal},
		{p, u, "登记失联", fieldWorkers, []Field{FieldNote}, nil},
		{p, t, "移交外县", []Actor{ActorCounty}, []Field{FieldToCounty}, checkTransfer},
		{l, re, "登记复学", caseWorkers, returnFields, checkReturn},
		{u, v, "重新核查", fieldWorkers, []Field{FieldVerifier, FieldNote}, nil},
		{u, p, "恢复劝返", fieldWorkers, []Field{FieldCadre, FieldNote}, nil},
		{re, m, "确定安置并开始跟踪", placementActors, []Field{FieldPlacement, FieldPlacementReason}, checkPlacement},
		{m, c, "销号", []Actor{ActorCounty}, []Field{FieldNote}, checkClose},
		{m, co, "再次辍学", caseWorkers, dropoutFields, checkDropout},
		{c, co, "重新建档（再次辍学）", []Actor{ActorCounty, ActorLocal, ActorSchool}, dropoutFields, checkDropout},
	}
}

// Lookup returns the rule for a transition.
func Lookup(from, to baoxue.CaseState) (Rule, bool) {
	for _, r := range Rules() {
		if r.From == from && r.To == to {
			return r, true
		}
	}
	return Rule{}, false
}

// Next lists the rules leaving a state that actor may take, in table order.
func Next(from baoxue.CaseState, a Actor) []Rule {
	var out []Rule
	for _, r := range Rules() {
		if r.From == from && r.Allows(a) {
			out = append(out, r)
		}
	}
	return out
}

// StateLabel is the Chinese name of a case state.
func StateLabel(s baoxue.CaseState) string { return baoxue.Label(baoxue.CaseStates, string(s)) }

// Check says whether actor may move a case from one state to another with in. The error wraps
// baoxue.ErrInvalid for a transition the state machine does not have or a missing or bad field,
// and baoxue.ErrDenied for an actor who may not take it; its text is a Chinese sentence the user
// can act on.
func Check(a Actor, from, to baoxue.CaseState, in Input) error {
	r, ok := Lookup(from, to)
	if !ok || !baoxue.CanTransition(from, to) {
		return fmt.Errorf("%w: 案件不能从“%s”变为“%s”", baoxue.ErrInvalid, StateLabel(from), StateLabel(to))
	}
	if !r.Allows(a) {
		return fmt.Errorf("%w: %s不能执行“%s”（%s → %s）", baoxue.ErrDenied, a.Label(), r.Name,
			StateLabel(from), StateLabel(to))
	}
	var missing []string
	for _, f := range r.Fields {
		if f == FieldPlacementReason && (in.Recommended == "" || in.Placement == in.Recommended) {
			continue // a reason is owed only when the recommendation is overridden
		}
		if !in.has(f) {
			missing = append(missing, f.Label())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: “%s”须填写：%s", baoxue.ErrInvalid, r.Name, strings.Join(missing, "、"))
	}
	if r.check != nil {
		if err := r.check(&in); err != nil {
			return fmt.Errorf("%w: “%s”：%s", baoxue.ErrInvalid, r.Name, err.Error())
		}
	}
	return nil
}

// ruleError is a check's message without a sentinel; Check wraps it.
type ruleError string

func (e ruleError) Error() string { return string(e) }

func notAfterToday(d baoxue.Date, today baoxue.Date, what string) error {
	if !today.IsZero() && d > today {
		return ruleError(what + "不能晚于今天")
	}
	return nil
}

func checkOutcome(in *Input) error {
	if !baoxue.Known(baoxue.VerificationOutcomes, in.Outcome) {
		return ruleError(fmt.Sprintf("未知的核查结果“%.32s”", in.Outcome))
	}
	return nil
}

func checkDropout(in *Input) error {
	for _, r := range in.Reasons {
		if !baoxue.Known(baoxue.DropoutReasons, r) {
			return ruleError(fmt.Sprintf("未知的辍学原因“%.32s”", r))
		}
	}
	return notAfterToday(in.DropoutDate, in.Today, "辍学时间")
}

func checkReturn(in *Input) error {
	if in.ReturnGrade < 1 || in.ReturnGrade > 9 {
		return ruleError("复学年级应为 1–9 年级（小学一年级至初中三年级）")
	}
	return notAfterToday(in.ReturnDate, in.Today, "复学时间")
}

func checkLegal(in *Input) error {
	if in.Visits < 1 {
		return ruleError("转入依法控辍前须至少登记一次劝返走访（批评教育）记录")
	}
	return nil
}

func checkTransfer(in *Input) error {
	if len(in.ToCounty) != 6 || baoxue.LevelOfCode(in.ToCounty) != baoxue.LevelCounty {
		return ruleError("接收县（区）应为 6 位行政区划代码")
	}
	if in.ToCounty == in.CaseCounty {
		return ruleError("接收县（区）不能是本县")
	}
	if !in.TransferAccepted {
		return ruleError("须由接收县（区）确认接收")
	}
	return nil
}

func checkPlacement(in *Input) error {
	if !baoxue.Known(baoxue.Placements, in.Placement) {
		return ruleError(fmt.Sprintf("未知的安置方式“%.32s”", in.Placement))
	}
	return nil
}

func checkClose(in *Input) error {
	if in.CheckpointsTotal == 0 || in.CheckpointsPassed < in.CheckpointsTotal {
		return ruleError(fmt.Sprintf("须全部跟踪回访通过后方可销号（已通过 %d/%d 次）",
			in.CheckpointsPassed, in.CheckpointsTotal))
	}
	return nil
}

// Action is a step on a case that is not a state change.
type Action string

// The actions besides transitions, each with the actors who may take it (Allowed).
const (
	ActAssign      Action = "assign"      // choose the verifier or the 包抓 cadre
	ActResponsible Action = "responsible" // edit the responsibility chain
	ActVisit       Action = "visit"       // log a persuasion visit or call
	ActReasons     Action = "reasons"     // dropout reasons and support measures
	ActEvidence    Action = "evidence"    // upload evidence files
	ActReferral    Action = "referral"    // refer to labour inspection (童工专项查处) and track it
	ActPlacement   Action = "placement"   // individual plan (一生一案)
	ActCheckpoint  Action = "checkpoint"  // record a follow-up checkpoint
	ActTransfer    Action = "transfer"    // ask another county to take the case
	ActAccept      Action = "accept"      // accept or reject a transfer (receiving county)
	ActCreate      Action = "create"      // open a case by hand
)

var actionActors = map[Action][]Actor{
	ActAssign:      officers,
	ActResponsible: officers,
	ActVisit:       caseWorkers,
	ActReasons:     caseWorkers,
	ActEvidence:    caseWorkers,
	ActReferral:    officers,
	ActPlacement:   placementActors,
	ActCheckpoint:  placementActors,
	ActTransfer:    {ActorCounty},
	ActAccept:      {ActorCounty},
	ActCreate:      officers,
}

// Allowed reports whether actor may take action. The error, when not, is a Chinese sentence
// wrapping baoxue.ErrDenied.
func Allowed(a Actor, act Action) error {
	for _, x := range actionActors[act] {
		if x == a {
			return nil
		}
	}
	return fmt.Errorf("%w: %s不能%s", baoxue.ErrDenied, a.Label(), act.Label())
}

// Label is the action in Chinese, as it reads after “不能”.
func (act Action) Label() string {
	switch act {
	case ActAssign:
		return "指派核查人或包抓责任人"
	case ActResponsible:
		return "修改责任链"
	case ActVisit:
		return "登记劝返走访"
	case ActReasons:
		return "登记辍学原因和帮扶措施"
	case ActEvidence:
		return "上传佐证材料"
	case ActReferral:
		return "移送童工专项查处"
	case ActPlacement:
		return "制定个别化教育方案"
	case ActCheckpoint:
		return "登记跟踪回访"
	case ActTransfer:
		return "移交外县"
	case ActAccept:
		return "接收或退回移交"
	case ActCreate:
		return "新建案件"
	}
	return string(act)
}
