package auth

import (
	"fmt"

	"github.com/baoxue/baoxue"
)

// Role is what a user is, and with the scope's level decides what the user may do (DESIGN §9).
type Role string

// The roles. Officer rights depend on the level of the officer's scope; the last three are the
// separate powers of 三权分立.
const (
	RoleOfficer    Role = "officer"    // 教育、乡镇行政人员 (province … village)
	RoleCadre      Role = "cadre"      // 包抓干部: assigned cases, own village's screening
	RoleSchool     Role = "school"     // 学校 (principal, class teacher)
	RoleInspector  Role = "inspector"  // 督查组 / 第三方核查
	RoleViewer     Role = "viewer"     // read-only
	RoleSupervisor Role = "supervisor" // 社会监督员
	RoleSysadmin   Role = "sysadmin"   // 系统管理员: users, settings
	RoleSecadmin   Role = "secadmin"   // 安全管理员: security policy, unmask approvals
	RoleAuditor    Role = "auditor"    // 审计管理员: audit log
)

// Roles lists every role, in the order forms show them.
func Roles() []Role {
	return []Role{RoleOfficer, RoleCadre, RoleSchool, RoleInspector, RoleViewer, RoleSupervisor,
		RoleSysadmin, RoleSecadmin, RoleAuditor}
}

// ParseRole reads a role identifier.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: 未知角色“%.32s”", baoxue.ErrInvalid, s)
}

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleOfficer:
		return "行政人员"
	case RoleCadre:
		return "包抓干部"
	case RoleSchool:
		return "学校"
	case RoleInspector:
		return "督查人员"
	case RoleViewer:
		return "只读用户"
	case RoleSupervisor:
		return "社会监督员"
	case RoleSysadmin:
		return "系统管理员"
	case RoleSecadmin:
		return "安全管理员"
	case RoleAuditor:
		return "审计管理员"
	}
	return "未知角色"
}

// Power is one of the three separate administrative powers (三权分立).
type Power int

const (
	PowerNone     Power = iota // business roles
	PowerSystem                // sysadmin
	PowerSecurity              // secadmin
	PowerAudit                 // auditor
)

// Power tells which of the three powers the role is, if any.
func (r Role) Power() Power {
	switch r {
	case RoleSysadmin:
		return PowerSystem
	case RoleSecadmin:
		return PowerSecurity
	case RoleAuditor:
		return PowerAudit
	}
	return PowerNone
}

// Permission is one thing a user may do. Handlers ask User.Can for exactly one permission; the
// store then limits the rows to the user's scope.
type Permission string

// The permissions; the package documentation has the matrix of who holds which.
const (
	PermViewDashboard        Permission = "view_dashboard"
	PermViewLedger           Permission = "view_ledger"
	PermExportLedger         Permission = "export_ledger"
	PermViewReports          Permission = "view_reports"
	PermImportData           Permission = "import_data"
	PermRunCompare           Permission = "run_compare"
	PermDecideReview         Permission = "decide_review"
	PermManageCases          Permission = "manage_cases"
	PermVerifySuspect        Permission = "verify_suspect"
	PermRecordVisit          Permission = "record_visit"
	PermManageScreening      Permission = "manage_screening"
	PermRecordScreening      Permission = "record_screening"
	PermManagePlacement      Permission = "manage_placement"
	PermManageInspections    Permission = "manage_inspections"
	PermHandleTips           Permission = "handle_tips"
	PermSubmitTip            Permission = "submit_tip"
	PermUnmaskPII            Permission = "unmask_pii"
	PermManageUsers          Permission = "manage_users"
	PermManageSettings       Permission = "manage_settings"
	PermManageSecurityPolicy Permission = "manage_security_policy"
	PermApproveUnmask        Permission = "approve_unmask"
	PermViewAudit            Permission = "view_audit"
)

// Permissions lists every permission, in the order of the documented matrix.
func Permissions() []Permission {
	return []Permission{PermViewDashboard, PermViewLedger, PermExportLedger, PermViewReports,
		PermImportData, PermRunCompare, PermDecideReview, PermManageCases, PermVerifySuspect,
		PermRecordVisit, PermManageScreening, PermRecordScreening, PermManagePlacement,
		PermManageInspections, PermHandleTips, PermSubmitTip, PermUnmaskPII, PermManageUsers,
		PermManageSettings, PermManageSecurityPolicy, PermApproveUnmask, PermViewAudit}
}

// Label is the Chinese name of the permission, for admin pages and denied-access messages.
func (p Permission) Label() string {
	switch p {
	case PermViewDashboard:
		return "查看工作看板"
	case PermViewLedger:
		return "查看台账与学生详情（脱敏）"
	case PermExportLedger:
		return "导出台账"
	case PermViewReports:
		return "查看月报、考核与逾期清单"
	case PermImportData:
		return "导入数据"
	case PermRunCompare:
		return "发起比对"
	case PermDecideReview:
		return "复核疑似匹配"
	case PermManageCases:
		return "管理案件（建档、指派、依法控辍）"
	case PermVerifySuspect:
		return "登记核查结果"
	case PermRecordVisit:
		return "登记劝返走访"
	case PermManageScreening:
		return "组织排查"
	case PermRecordScreening:
		return "登记入户排查"
	case PermManagePlacement:
		return "登记复学安置与跟踪"
	case PermManageInspections:
		return "督查抽查复验"
	case PermHandleTips:
		return "处理线索举报"
	case PermSubmitTip:
		return "提交线索"
	case PermUnmaskPII:
		return "查看完整个人信息（须说明理由）"
	case PermManageUsers:
		return "管理用户"
	case PermManageSettings:
		return "系统设置"
	case PermManageSecurityPolicy:
		return "安全策略"
	case PermApproveUnmask:
		return "审批解除脱敏"
	case PermViewAudit:
		return "查看审计日志"
	}
	return "未知权限"
}

// Power tells which of the three powers a permission belongs to; PowerNone for business ones.
func (p Permission) Power() Power {
	switch p {
	case PermManageUsers, PermManageSettings:
		return PowerSystem
	case PermManageSecurityPolicy, PermApproveUnmask:
		return PowerSecurity
	case PermViewAudit:
		return PowerAudit
	}
	return PowerNone
}

// position is a column of the permission matrix: a role, with officers split by scope level.
type position uint16

const (
	posOfficerHigh   position = 1 << iota // officer, province or prefecture scope
	posOfficerCounty                      // officer, county scope
	posOfficerLocal                       // officer, township or village scope
	posCadre
	posSchool
	posInspector
	posViewer
	posSupervisor
	posSysadmin
	posSecadmin
	posAuditor
)

func positionOf(role Role, level baoxue.RegionLevel) position {
	switch role {
	case RoleOfficer:
		switch level {
		case baoxue.LevelProvince, baoxue.LevelPrefecture:
			return posOfficerHigh
		case baoxue.LevelCounty:
			return posOfficerCounty
		case baoxue.LevelTownship, baoxue.LevelVillage:
			return posOfficerLocal
		}
	case RoleCadre:
		return posCadre
	case RoleSchool:
		return posSchool
	case RoleInspector:
		return posInspector
	case RoleViewer:
		return posViewer
	case RoleSupervisor:
		return posSupervisor
	case RoleSysadmin:
		return posSysadmin
	case RoleSecadmin:
		return posSecadmin
	case RoleAuditor:
		return posAuditor
	}
	return 0
}

// holders is the permission matrix, one row per permission. Keep it in step with the table in
// doc.go; a test compares the two.
func holders(p Permission) position {
	const officers = posOfficerHigh | posOfficerCounty | posOfficerLocal
	switch p {
	case PermViewDashboard, PermViewLedger:
		return officers | posCadre | posSchool | posInspector | posViewer
	case PermExportLedger:
		return officers | posInspector
	case PermViewReports:
		return officers | posInspector | posViewer
	case PermImportData, PermRunCompare:
		return posOfficerHigh | posOfficerCounty
	case PermDecideReview:
		return posOfficerCounty
	case PermManageCases, PermManageScreening, PermHandleTips:
		return posOfficerCounty | posOfficerLocal
	case PermVerifySuspect, PermRecordVisit:
		return posOfficerCounty | posOfficerLocal | posCadre | posSchool
	case PermRecordScreening:
		return posOfficerLocal | posCadre
	case PermManagePlacement:
		return posOfficerCounty | posSchool
	case PermManageInspections:
		return posOfficerHigh | posInspector
	case PermSubmitTip:
		return posSupervisor
	case PermUnmaskPII:
		return posOfficerCounty | posOfficerLocal | posCadre | posSchool | posInspector
	case PermManageUsers, PermManageSettings:
		return posSysadmin
	case PermManageSecurityPolicy, PermApproveUnmask:
		return posSecadmin
	case PermViewAudit:
		return posAuditor
	}
	return 0
}

// Can reports whether a role at a scope level holds a permission. The level matters only for
// officers (a county officer imports and compares; a township officer verifies and visits); pass
// the user's Scope().Level(), which is 0 for a school scope. Unknown roles and permissions hold
// nothing.
func Can(role Role, level baoxue.RegionLevel, p Permission) bool {
	pos := positionOf(role, level)
	return pos != 0 && holders(p)&pos != 0
}
