package casework

import "github.com/baoxue/baoxue"

// Sources of a case (issue 6 item 1). Screening, attendance alerts and tips are filled by later
// issues; their codes exist now so that cases and ledgers can name them.
const (
	SourceComparison = "comparison"
	SourceScreening  = "screening"
	SourceAttendance = "attendance"
	SourceTip        = "tip"
	SourceManual     = "manual"
)

// Sources lists the case sources with labels.
var Sources = []baoxue.Code{
	{ID: SourceComparison, Label: "比对发现"},
	{ID: SourceScreening, Label: "入户排查"},
	{ID: SourceAttendance, Label: "考勤预警"},
	{ID: SourceTip, Label: "线索举报"},
	{ID: SourceManual, Label: "手工登记"},
}

// VisitMethods are how a persuasion visit was made (DESIGN §4).
var VisitMethods = []baoxue.Code{
	{ID: "home", Label: "上门"},
	{ID: "phone", Label: "电话"},
	{ID: "interview", Label: "约谈"},
	{ID: "group", Label: "集中劝返"},
}

// VisitResults are what a visit achieved.
var VisitResults = []baoxue.Code{
	{ID: "agreed", Label: "同意复学"},
	{ID: "considering", Label: "有所松动，需继续做工作"},
	{ID: "refused", Label: "拒绝复学"},
	{ID: "not_met", Label: "未见到学生或监护人"},
	{ID: "returned", Label: "已返校"},
}

// SupportMeasures are the help a family gets (issue 6 item 4).
var SupportMeasures = []baoxue.Code{
	{ID: "aid", Label: "资助"},
	{ID: "transport", Label: "交通"},
	{ID: "boarding", Label: "寄宿"},
	{ID: "home_teaching", Label: "送教上门"},
	{ID: "counselling", Label: "心理辅导"},
	{ID: "tutoring", Label: "学业帮扶"},
}

// Positions of the responsibility chain (DESIGN §2 step 3): the government line 县—乡—村, the
// education line 局—校—班主任, and the guardian.
var Positions = []baoxue.Code{
	{ID: "gov_county", Label: "县级责任人"},
	{ID: "gov_township", Label: "乡镇责任人"},
	{ID: "gov_village", Label: "村级责任人"},
	{ID: "edu_bureau", Label: "教育局责任人"},
	{ID: "edu_school", Label: "学校责任人（校长）"},
	{ID: "edu_teacher", Label: "班主任"},
	{ID: "guardian", Label: "监护人"},
}

// ReferralStatuses track a referral to labour inspection.
var ReferralStatuses = []baoxue.Code{
	{ID: "referred", Label: "已移送"},
	{ID: "investigating", Label: "查处中"},
	{ID: "concluded", Label: "已办结"},
}

// Checkpoint results.
const (
	CheckpointInSchool = "in_school" // 在校就读: passed
	CheckpointDropped  = "dropped"   // 再次辍学: the case goes back to confirmed
)

// CheckpointResults lists them with labels.
var CheckpointResults = []baoxue.Code{
	{ID: CheckpointInSchool, Label: "在校就读"},
	{ID: CheckpointDropped, Label: "再次辍学"},
}

// Transfer statuses.
const (
	TransferPending  = "pending"
	TransferAccepted = "accepted"
	TransferRejected = "rejected"
)
