package baoxue

// Code is a stable identifier with a Chinese label. Identifiers are what files, the database and
// the API carry; labels are what officials read.
type Code struct {
	ID    string
	Label string
}

// DatasetKind is the kind of an imported file (DESIGN §4, §7).
type DatasetKind string

const (
	KindRegistry   DatasetKind = "registry"
	KindEnrollment DatasetKind = "enrollment"
	KindNational   DatasetKind = "national"
	KindPoverty    DatasetKind = "poverty"
	KindDisability DatasetKind = "disability"
	KindSchools    DatasetKind = "schools"
	KindVillages   DatasetKind = "villages"
)

// DatasetKinds lists every kind, in the order officials import them.
var DatasetKinds = []Code{
	{string(KindVillages), "村(社区)"},
	{string(KindSchools), "学校"},
	{string(KindRegistry), "户籍"},
	{string(KindEnrollment), "学籍(本地)"},
	{string(KindNational), "全国学籍(外省在读)"},
	{string(KindPoverty), "脱贫户/监测对象"},
	{string(KindDisability), "残疾人"},
}

// LedgerStatus is the status of one school-age child in a comparison run (DESIGN §6).
type LedgerStatus string

const (
	StatusEnrolled          LedgerStatus = "enrolled"
	StatusEnrolledElsewhere LedgerStatus = "enrolled_elsewhere"
	StatusHomeTaught        LedgerStatus = "home_taught"
	StatusCompleted         LedgerStatus = "completed"
	StatusExempt            LedgerStatus = "exempt"
	StatusReview            LedgerStatus = "review"
	StatusSuspected         LedgerStatus = "suspected"
	StatusInvalidID         LedgerStatus = "invalid_id"
)

// LedgerStatuses lists every ledger status with its label.
var LedgerStatuses = []Code{
	{string(StatusEnrolled), "本地在读"},
	{string(StatusEnrolledElsewhere), "外地在读"},
	{string(StatusHomeTaught), "送教上门"},
	{string(StatusCompleted), "已完成义务教育"},
	{string(StatusExempt), "免予统计(死亡/出国/缓学)"},
	{string(StatusReview), "待人工确认"},
	{string(StatusSuspected), "疑似失学辍学"},
	{string(StatusInvalidID), "身份证号无效"},
}

// MatchMethod says how a registry child was linked to a student record (DESIGN §6).
type MatchMethod string

const (
	MatchIDExact   MatchMethod = "id_exact"
	MatchIDVariant MatchMethod = "id_variant"
	MatchFuzzy     MatchMethod = "fuzzy"
	MatchNone      MatchMethod = "none"
)

// CaseState is the state of a case file (DESIGN §5).
type CaseState string

const (
	CaseSuspected   CaseState = "suspected"
	CaseVerifying   CaseState = "verifying"
	CaseCleared     CaseState = "cleared"
	CaseConfirmed   CaseState = "confirmed"
	CasePersuading  CaseState = "persuading"
	CaseLegal       CaseState = "legal"
	CaseUnreachable CaseState = "unreachable"
	CaseTransferred CaseState = "transferred"
	CaseReturned    CaseState = "returned"
	CaseMonitoring  CaseState = "monitoring"
	CaseClosed      CaseState = "closed"
)

// CaseStates lists every case state with its label.
var CaseStates = []Code{
	{string(CaseSuspected), "疑似"},
	{string(CaseVerifying), "核查中"},
	{string(CaseCleared), "已核销"},
	{string(CaseConfirmed), "确认辍学·建档"},
	{string(CasePersuading), "劝返中"},
	{string(CaseLegal), "依法控辍"},
	{string(CaseUnreachable), "失联/下落不明"},
	{string(CaseTransferred), "移交"},
	{string(CaseReturned), "已复学"},
	{string(CaseMonitoring), "巩固跟踪"},
	{string(CaseClosed), "销号"},
}

// caseNext is the transition table of DESIGN §5: from a state, the states it may move to.
var caseNext = map[CaseState][]CaseState{
	CaseSuspected:   {CaseVerifying},
	CaseVerifying:   {CaseCleared, CaseConfirmed, CaseUnreachable, CaseTransferred},
	CaseCleared:     {CaseVerifying},
	CaseConfirmed:   {CasePersuading},
	CasePersuading:  {CaseReturned, CaseLegal, CaseUnreachable, CaseTransferred},
	CaseLegal:       {CaseReturned},
	CaseUnreachable: {CaseVerifying, CasePersuading},
	CaseTransferred: nil,
	CaseReturned:    {CaseMonitoring},
	CaseMonitoring:  {CaseClosed, CaseConfirmed},
	CaseClosed:      {CaseConfirmed},
}

// CanTransition reports whether the state machine allows moving a case from one state to another.
func CanTransition(from, to CaseState) bool {
	for _, s := range caseNext[from] {
		if s == to {
			return true
		}
	}
	return false
}

// OpenForZero reports whether a case in this state counts against 动态清零 (DESIGN §5). Suspects
// count only once past their deadline, which the caller decides.
func OpenForZero(s CaseState) bool {
	switch s {
	case CaseConfirmed, CasePersuading, CaseLegal, CaseUnreachable:
		return true
	}
	return false
}

// VerificationOutcomes are the 核查结果 codes that clear a suspect (DESIGN §5).
var VerificationOutcomes = []Code{
	{"in_school_local", "在本地就读"},
	{"in_school_elsewhere", "在外地就读"},
	{"no_xueji_in_school", "在校无学籍"},
	{"home_taught", "送教上门"},
	{"deferred", "缓学/休学"},
	{"deceased", "死亡"},
	{"emigrated", "出国(境)"},
	{"registry_error", "户籍问题"},
	{"over_age", "超出义务教育年龄"},
	{"completed", "已完成义务教育"},
}

// DropoutReasons are the 辍学原因 codes (DESIGN §5); several may apply to one child.
var DropoutReasons = []Code{
	{"learning_difficulty", "学习困难/厌学"},
	{"work", "外出务工"},
	{"early_marriage", "早婚早育"},
	{"religion", "宗教因素"},
	{"illness_disability", "疾病/残疾"},
	{"poverty", "家庭经济困难"},
	{"distance", "上学远/上学难"},
	{"guardian_attitude", "家长观念"},
	{"guardianship_gap", "监护缺失/留守/困境"},
	{"other", "其他"},
}

// Placements are the 安置方式 codes (DESIGN §5).
var Placements = []Code{
	{"regular_class", "随班就读/插班"},
	{"special_class", "特殊班"},
	{"special_school", "特殊教育学校"},
	{"home_teaching", "送教上门"},
	{"remote", "远程教育"},
	{"vocational", "普职融合/职业学校"},
	{"deferred", "缓学/休学"},
}

// LegalSteps are the rungs of the legal ladder, in order (DESIGN §5).
var LegalSteps = []Code{
	{"notice", "劝返复学通知书"},
	{"order", "责令限期改正通知书"},
	{"penalty", "行政处罚决定书"},
	{"litigation", "起诉/申请强制执行"},
}

// PriorityGroups are the groups that get priority attention (DESIGN §5).
var PriorityGroups = []Code{
	{"orphan", "孤儿"},
	{"unsupported", "事实无人抚养"},
	{"disabled", "残疾"},
	{"left_behind", "留守"},
	{"difficult", "困境"},
	{"migrant", "随迁"},
	{"poor", "脱贫户/监测户"},
}

// Label returns the label of id in codes, or id itself when it is not a known code.
func Label(codes []Code, id string) string {
	for _, c := range codes {
		if c.ID == id {
			return c.Label
		}
	}
	return id
}

// Known reports whether id is one of codes.
func Known(codes []Code, id string) bool {
	for _, c := range codes {
		if c.ID == id {
			return true
		}
	}
	return false
}
