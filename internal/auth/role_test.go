package auth

import (
	"os"
	"strings"
	"testing"

	"github.com/baoxue/baoxue"
)

// column is one column of the documented matrix: a role, with a level where it matters.
type column struct {
	head  string
	role  Role
	level baoxue.RegionLevel
}

func columns() []column {
	return []column{
		{"off-P", RoleOfficer, baoxue.LevelProvince}, {"off-C", RoleOfficer, baoxue.LevelCounty},
		{"off-T", RoleOfficer, baoxue.LevelTownship}, {"cadre", RoleCadre, baoxue.LevelVillage},
		{"school", RoleSchool, 0}, {"insp", RoleInspector, baoxue.LevelCounty},
		{"viewer", RoleViewer, baoxue.LevelCounty}, {"super", RoleSupervisor, baoxue.LevelCounty},
		{"sys", RoleSysadmin, baoxue.LevelCounty}, {"sec", RoleSecadmin, baoxue.LevelCounty},
		{"audit", RoleAuditor, baoxue.LevelCounty},
	}
}

// everyPosition is every (role, level) a user can have, including officers at each level.
func everyPosition() []column {
	var out []column
	for _, r := range Roles() {
		for _, l := range []baoxue.RegionLevel{0, baoxue.LevelProvince, baoxue.LevelPrefecture,
			baoxue.LevelCounty, baoxue.LevelTownship, baoxue.LevelVillage} {
			out = append(out, column{string(r) + "@" + l.String(), r, l})
		}
	}
	return out
}

// The table in doc.go is the matrix the code enforces, cell by cell.
func TestDocumentedMatrix(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	cols := columns()
	seen := make(map[Permission]bool)
	for line := range strings.SplitSeq(string(src), "\n") {
		row, ok := strings.CutPrefix(line, "//\t|")
		if !ok {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(row, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != len(cols)+1 {
			t.Fatalf("doc row %q has %d cells, want %d", line, len(cells), len(cols)+1)
		}
		if cells[0] == "permission" {
			for i, c := range cols {
				if cells[i+1] != c.head {
					t.Fatalf("doc column %d is %q, want %q", i+1, cells[i+1], c.head)
				}
			}
			continue
		}
		p := Permission(cells[0])
		seen[p] = true
		for i, c := range cols {
			doc := cells[i+1] == "x"
			if got := Can(c.role, c.level, p); got != doc {
				t.Errorf("%s × %s: code says %v, doc.go says %v", p, c.head, got, doc)
			}
		}
	}
	for _, p := range Permissions() {
		if !seen[p] {
			t.Errorf("permission %s is missing from the table in doc.go", p)
		}
	}
}

// No role, at any level, holds permissions of two of the three powers; the powers hold nothing
// else; business roles hold none of them.
func TestThreePowersDisjoint(t *testing.T) {
	for _, pos := range everyPosition() {
		powers := make(map[Power]bool)
		for _, p := range Permissions() {
			if !Can(pos.role, pos.level, p) {
				continue
			}
			if p.Power() != PowerNone {
				powers[p.Power()] = true
			}
			if rp := pos.role.Power(); p.Power() != rp {
				t.Errorf("%s holds %s, which belongs to power %d, not its own %d", pos.head, p, p.Power(), rp)
			}
		}
		if len(powers) > 1 {
			t.Errorf("%s holds permissions of %d powers", pos.head, len(powers))
		}
	}
	// Spelled out, the lines DESIGN §9 draws.
	for _, tt := range []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleSysadmin, PermManageUsers, true},
		{RoleSysadmin, PermViewLedger, false},
		{RoleSysadmin, PermViewDashboard, false},
		{RoleSysadmin, PermViewAudit, false},
		{RoleSysadmin, PermApproveUnmask, false},
		{RoleSecadmin, PermManageSecurityPolicy, true},
		{RoleSecadmin, PermApproveUnmask, true},
		{RoleSecadmin, PermUnmaskPII, false},
		{RoleSecadmin, PermManageUsers, false},
		{RoleSecadmin, PermViewAudit, false},
		{RoleAuditor, PermViewAudit, true},
		{RoleAuditor, PermViewLedger, false},
		{RoleAuditor, PermManageUsers, false},
		{RoleOfficer, PermViewAudit, false},
		{RoleOfficer, PermManageUsers, false},
	} {
		if got := Can(tt.role, baoxue.LevelCounty, tt.perm); got != tt.want {
			t.Errorf("Can(%s, county, %s) = %v, want %v", tt.role, tt.perm, got, tt.want)
		}
	}
}

func TestCanByLevel(t *testing.T) {
	tests := []struct {
		role  Role
		level baoxue.RegionLevel
		perm  Permission
		want  bool
	}{
		{RoleOfficer, baoxue.LevelCounty, PermImportData, true},
		{RoleOfficer, baoxue.LevelProvince, PermImportData, true},
		{RoleOfficer, baoxue.LevelPrefecture, PermUnmaskPII, false},
		{RoleOfficer, baoxue.LevelTownship, PermImportData, false},
		{RoleOfficer, baoxue.LevelVillage, PermRecordVisit, true},
		{RoleOfficer, baoxue.LevelCounty, PermDecideReview, true},
		{RoleOfficer, baoxue.LevelProvince, PermDecideReview, false},
		{RoleOfficer, 0, PermViewDashboard, false}, // an officer with a school scope is misconfigured
		{RoleCadre, baoxue.LevelVillage, PermRecordScreening, true},
		{RoleCadre, baoxue.LevelVillage, PermExportLedger, false},
		{RoleSchool, 0, PermManagePlacement, true},
		{RoleViewer, baoxue.LevelProvince, PermUnmaskPII, false},
		{RoleViewer, baoxue.LevelCounty, PermExportLedger, false},
		{RoleSupervisor, baoxue.LevelCounty, PermSubmitTip, true},
		{RoleSupervisor, baoxue.LevelCounty, PermViewLedger, false},
		{Role("root"), baoxue.LevelCounty, PermViewDashboard, false},
		{RoleOfficer, baoxue.LevelCounty, Permission("everything"), false},
	}
	for _, tt := range tests {
		if got := Can(tt.role, tt.level, tt.perm); got != tt.want {
			t.Errorf("Can(%s, %s, %s) = %v, want %v", tt.role, tt.level, tt.perm, got, tt.want)
		}
	}
}

// Every permission is held by someone, and every role can do something.
func TestMatrixHasNoDeadRowsOrColumns(t *testing.T) {
	for _, p := range Permissions() {
		held := false
		for _, c := range everyPosition() {
			held = held || Can(c.role, c.level, p)
		}
		if !held {
			t.Errorf("nobody holds %s", p)
		}
		if p.Label() == "未知权限" {
			t.Errorf("%s has no label", p)
		}
	}
	for _, c := range columns() {
		n := 0
		for _, p := range Permissions() {
			if Can(c.role, c.level, p) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s holds nothing", c.head)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles() {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
		if r.Label() == "未知角色" {
			t.Errorf("%s has no label", r)
		}
	}
	for _, bad := range []string{"", "admin", "Officer", "sysadmin "} {
		if _, err := ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) accepted", bad)
		}
	}
}
