package baoxue

import "time"

// The records below are what importers produce and the store keeps. ID numbers travel in clear
// only in memory; the store encrypts them (DESIGN §9). SourceRow is the row number as the user
// sees it in the spreadsheet, so that every message can point back to it.

// Sex is "M" or "F"; "" when unknown.
type Sex string

const (
	Male   Sex = "M"
	Female Sex = "F"
)

// Label gives 男/女.
func (s Sex) Label() string {
	switch s {
	case Male:
		return "男"
	case Female:
		return "女"
	}
	return ""
}

// Village is a 村(社区) under a township.
type Village struct {
	Code string // 12 digits
	Name string
}

// School is a school with its 10-digit 学校标识码.
type School struct {
	Code       string
	Name       string
	RegionCode string
	Kind       string // 小学, 初中, 九年一贯制, 特殊教育, 职业, …
	Boarding   bool
}

// Dataset is one imported file, an immutable snapshot (DESIGN §4).
type Dataset struct {
	ID          int64
	Kind        DatasetKind
	FileName    string
	SHA256      string // hex
	Sheet       string
	RowsRead    int
	Accepted    int
	Rejected    int
	Warnings    int
	ErrorCounts map[string]int // error code → count
	Importer    string
	ImportedAt  time.Time
	AsOf        Date // the date the export was taken, when known
}

// Registry status values (人员状态) after normalisation.
const (
	RegistryNormal     = "normal"    // 正常
	RegistryDeceased   = "deceased"  // 死亡
	RegistryEmigrated  = "emigrated" // 出国(境)
	RegistryMovedOut   = "moved_out" // 迁出
	RegistryCancelled  = "cancelled" // 注销 (other)
	RegistryOtherState = "other"     // anything else, kept verbatim in StatusRaw
)

// Person is a household-registry row (户籍): a school-age child, or a guardian kept with them.
type Person struct {
	SourceRow    int
	IDNumber     string // normalised 18 characters, "" when unusable
	IDRaw        string // as it was in the file, for data repair
	IDError      string // idcard error code when IDNumber is unusable
	Name         string
	Sex          Sex
	BirthDate    Date
	Ethnicity    string
	HouseholdNo  string
	Relation     string
	Address      string
	RegionCode   string
	Status       string // one of the Registry* values
	StatusRaw    string
	GuardianName string
	GuardianID   string
	Phone        string
}

// Enrollment status values (学籍状态) after normalisation.
const (
	EnrollActive      = "active"      // 在读 / 在校
	EnrollSuspended   = "suspended"   // 休学
	EnrollTransferred = "transferred" // 转出
	EnrollGraduated   = "graduated"   // 毕业
	EnrollDropped     = "dropped"     // 辍学
)

// Enrollment is a 学籍 row, local or national.
type Enrollment struct {
	SourceRow  int
	StudentNo  string // G/J/L + 18
	IDNumber   string
	IDRaw      string
	IDError    string
	Name       string
	Sex        Sex
	BirthDate  Date
	SchoolCode string
	SchoolName string
	Grade      int // 1…9; 0 unknown
	Status     string
	StatusRaw  string
	HomeTaught bool
	National   bool // from the national (other-province) file
}

// PovertyRecord is a row of the 脱贫户 / 监测对象 registry.
type PovertyRecord struct {
	SourceRow   int
	HouseholdNo string
	Name        string
	IDNumber    string
	IDRaw       string
	IDError     string
	Relation    string
	Type        string // 脱贫户, 监测对象, 脱贫不稳定户, 边缘易致贫户, 突发严重困难户 …
	RegionCode  string
}

// DisabilityRecord is a row of the disability registry.
type DisabilityRecord struct {
	SourceRow int
	Name      string
	IDNumber  string
	IDRaw     string
	IDError   string
	CertNo    string // 残疾人证号 (20 digits: ID + category + level)
	Category  string // 视力, 听力, 言语, 肢体, 智力, 精神, 多重
	Level     int    // 1…4
}

// LedgerEntry is one school-age child in a comparison run (DESIGN §6, §8).
type LedgerEntry struct {
	SourceRow        int          `json:"source_row"`
	IDNumber         string       `json:"id_number"`
	Name             string       `json:"name"`
	Sex              Sex          `json:"sex"`
	BirthDate        string       `json:"birth_date"`
	RegionCode       string       `json:"region_code"`
	Status           LedgerStatus `json:"status"`
	Detail           string       `json:"detail"`
	MatchMethod      MatchMethod  `json:"match_method"`
	MatchScore       float64      `json:"match_score"`
	MatchedStudentNo string       `json:"matched_student_no"`
	SchoolCode       string       `json:"school_code"`
	SchoolName       string       `json:"school_name"`
	Poverty          bool         `json:"poverty"`
	PovertyType      string       `json:"poverty_type"`
	Disability       string       `json:"disability"`
	PriorityGroups   []string     `json:"priority_groups"`
}

// AuditRecord is one entry of the append-only audit log (DESIGN §9).
type AuditRecord struct {
	Seq       int64
	Time      time.Time
	Actor     string
	Role      string
	Scope     string
	Action    string
	Object    string
	Result    string
	RequestID string
	Detail    string
	PrevHash  string // hex of the previous record's hash
	Hash      string // hex of this record's hash
}
