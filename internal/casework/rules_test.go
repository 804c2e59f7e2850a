package casework

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

var today = baoxue.MakeDate(2025, time.March, 10)

// fullInput supplies every field any rule asks for, with valid values and facts that satisfy
// every precondition.
func fullInput() Input {
	return Input{
		Verifier: "li.si", Outcome: "in_school_elsewhere", Note: "已入户核实", DropoutDate: today.AddDays(-40),
		Reasons: []string{"work", "poverty"}, Cadre: "wang.wu", ReturnDate: today.AddDays(-1), ReturnSchool: "6229210001",
		ReturnGrade: 7, Placement: "regular_class", Recommended: "regular_class", ToCounty: "620102",
		Today: today, CaseCounty: "622921", Visits: 2, CheckpointsTotal: 3, CheckpointsPassed: 3, TransferAccepted: true,
	}
}

// without blanks one field.
func without(in Input, f Field) Input {
	switch f {
	case FieldVerifier:
		in.Verifier = " "
	case FieldOutcome:
		in.Outcome = ""
	case FieldNote:
		in.Note = ""
	case FieldDropoutDate:
		in.DropoutDate = 0
	case FieldReasons:
		in.Reasons = nil
	case FieldCadre:
		in.Cadre = ""
	case FieldReturnDate:
		in.ReturnDate = 0
	case FieldReturnSchool:
		in.ReturnSchool = ""
	case FieldReturnGrade:
		in.ReturnGrade = 0
	case FieldPlacement:
		in.Placement = ""
	case FieldPlacementReason:
		in.Placement, in.PlacementReason = "special_class", "" // overriding without a reason
	case FieldToCounty:
		in.ToCounty = ""
	}
	return in
}

var allActors = []Actor{ActorCounty, ActorLocal, ActorCadre, ActorSchool, ActorSystem, ""}

func states() []baoxue.CaseState {
	var out []baoxue.CaseState
	for _, c := range baoxue.CaseStates {
		out = append(out, baoxue.CaseState(c.ID))
	}
	return out
}

// The table has exactly the edges of the root state machine.
func TestRulesMatchStateMachine(t *testing.T) {
	for _, from := range states() {
		for _, to := range states() {
			_, ok := Lookup(from, to)
			if ok != baoxue.CanTransition(from, to) {
				t.Errorf("%s → %s: in table %v, in state machine %v", from, to, ok, baoxue.CanTransition(from, to))
			}
		}
	}
	seen := map[[2]baoxue.CaseState]bool{}
	for _, r := range Rules() {
		k := [2]baoxue.CaseState{r.From, r.To}
		if seen[k] {
			t.Errorf("%s → %s listed twice", r.From, r.To)
		}
		seen[k] = true
		if r.Name == "" || len(r.Actors) == 0 {
			t.Errorf("%s → %s: no name or no actors", r.From, r.To)
		}
	}
}

// Every allowed transition works for each of its actors with every field; each other actor is
// refused (ErrDenied); each missing field is refused (ErrInvalid) naming the field.
func TestTransitionTable(t *testing.T) {
	for _, r := range Rules() {
		name := string(r.From) + "→" + string(r.To)
		for _, a := range allActors {
			err := Check(a, r.From, r.To, fullInput())
			switch {
			case r.Allows(a) && err != nil:
				t.Errorf("%s by %s with every field: %v", name, a, err)
			case !r.Allows(a) && !errors.Is(err, baoxue.ErrDenied):
				t.Errorf("%s by %s: want ErrDenied, got %v", name, a, err)
			case !r.Allows(a) && !strings.Contains(err.Error(), "不能执行“"+r.Name+"”"):
				t.Errorf("%s by %s: message %q does not say what was refused", name, a, err)
			}
		}
		actor := r.Actors[0]
		for _, f := range r.Fields {
			err := Check(actor, r.From, r.To, without(fullInput(), f))
			if !errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), f.Label()) {
				t.Errorf("%s without %s: want ErrInvalid naming %q, got %v", name, f, f.Label(), err)
			}
		}
	}
}

// Every pair the state machine does not have is refused with a message naming both states.
func TestTransitionOutsideTable(t *testing.T) {
	for _, from := range states() {
		for _, to := range states() {
			if baoxue.CanTransition(from, to) {
				continue
			}
			for _, a := range allActors {
				err := Check(a, from, to, fullInput())
				want := "不能从“" + StateLabel(from) + "”变为“" + StateLabel(to) + "”"
				if !errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s → %s by %s: got %v", from, to, a, err)
				}
			}
		}
	}
}

func TestTransitionChecks(t *testing.T) {
	tests := []struct {
		name     string
		from, to baoxue.CaseState
		edit     func(*Input)
		want     string // "" for success
	}{
		{"unknown outcome", "verifying", "cleared", func(in *Input) { in.Outcome = "moon" }, "未知的核查结果"},
		{"unknown reason", "verifying", "confirmed", func(in *Input) { in.Reasons = []string{"work", "x"} }, "未知的辍学原因"},
		{"dropout in the future", "verifying", "confirmed", func(in *Input) { in.DropoutDate = today.AddDays(1) }, "辍学时间不能晚于今天"},
		{"grade 10", "persuading", "returned", func(in *Input) { in.ReturnGrade = 10 }, "复学年级应为 1–9"},
		{"return tomorrow", "legal", "returned", func(in *Input) { in.ReturnDate = today.AddDays(1) }, "复学时间不能晚于今天"},
		{"legal without a visit", "persuading", "legal", func(in *Input) { in.Visits = 0 }, "至少登记一次劝返走访"},
		{"close before the last checkpoint", "monitoring", "closed", func(in *Input) { in.CheckpointsPassed = 2 }, "已通过 2/3 次"},
		{"close without checkpoints", "monitoring", "closed", func(in *Input) { in.CheckpointsTotal, in.CheckpointsPassed = 0, 0 }, "已通过 0/0 次"},
		{"transfer not accepted", "persuading", "transferred", func(in *Input) { in.TransferAccepted = false }, "确认接收"},
		{"transfer to itself", "verifying", "transferred", func(in *Input) { in.ToCounty = "622921" }, "不能是本县"},
		{"transfer to a township", "verifying", "transferred", func(in *Input) { in.ToCounty = "622921100" }, "6 位行政区划代码"},
		{"unknown placement", "returned", "monitoring", func(in *Input) { in.Placement, in.Recommended = "zoo", "zoo" }, "未知的安置方式"},
		{"override with a reason", "returned", "monitoring", func(in *Input) { in.Placement, in.PlacementReason = "home_teaching", "家长要求" }, ""},
		{"no recommendation, no reason", "returned", "monitoring", func(in *Input) { in.Placement, in.Recommended = "remote", "" }, ""},
	}
	for _, tt := range tests {
		in := fullInput()
		tt.edit(&in)
		r, _ := Lookup(tt.from, tt.to)
		err := Check(r.Actors[0], tt.from, tt.to, in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, baoxue.ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: want ErrInvalid with %q, got %v", tt.name, tt.want, err)
		}
	}
}

// Actors follow from roles and scopes, and every actor allowed anything holds the permission the
// web routes for case work require of it.
func TestActorOf(t *testing.T) {
	sc := func(s string) auth.Scope {
		v, err := auth.ParseScope(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		role  auth.Role
		scope string
		want  Actor
	}{
		{auth.RoleOfficer, "62", ""}, {auth.RoleOfficer, "6229", ""}, {auth.RoleOfficer, "622921", ActorCounty},
		{auth.RoleOfficer, "622921100", ActorLocal}, {auth.RoleOfficer, "622921100201", ActorLocal},
		{auth.RoleCadre, "622921100", ActorCadre}, {auth.RoleSchool, "school:6229210001", ActorSchool},
		{auth.RoleInspector, "622921", ""}, {auth.RoleViewer, "622921", ""}, {auth.RoleSupervisor, "622921", ""},
		{auth.RoleSysadmin, "622921", ""}, {auth.RoleSecadmin, "622921", ""}, {auth.RoleAuditor, "622921", ""},
	}
	for _, tt := range tests {
		s := sc(tt.scope)
		a := ActorOf(tt.role, s)
		if a != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.role, tt.scope, a, tt.want)
		}
		if a != "" && !auth.Can(tt.role, s.Level(), auth.PermVerifySuspect) {
			t.Errorf("%s %s is a case actor without %s", tt.role, tt.scope, auth.PermVerifySuspect)
		}
	}
}

func TestAllowed(t *testing.T) {
	if err := Allowed(ActorCadre, ActVisit); err != nil {
		t.Error(err)
	}
	err := Allowed(ActorCadre, ActReferral)
	if !errors.Is(err, baoxue.ErrDenied) || !strings.Contains(err.Error(), "包抓干部不能移送童工专项查处") {
		t.Errorf("cadre referral: %v", err)
	}
	for act := range actionActors {
		if err := Allowed("", act); !errors.Is(err, baoxue.ErrDenied) {
			t.Errorf("no actor may %s: %v", act, err)
		}
	}
}
