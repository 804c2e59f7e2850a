package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
)

// memUsers is a UserStore in a map.
type memUsers map[string]User

func (m memUsers) UserByName(_ context.Context, name string) (User, error) {
	if name == "broken-db" {
		return User{}, errors.New("disk I/O error")
	}
	u, ok := m[name]
	if !ok {
		return User{}, fmt.Errorf("user %s: %w", name, baoxue.ErrNotFound)
	}
	return u, nil
}

const testTOTPSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // RFC 6238's seed

func testUsers(t *testing.T) memUsers {
	t.Helper()
	current := mustHash(t, "Linxia-County-2024", DefaultParams())
	old := mustHash(t, "Linxia-County-2024", cheap())
	return memUsers{
		"officer":  {ID: 1, Username: "officer", Role: RoleOfficer, Scope: mustScope(t, "622921"), PasswordHash: current},
		"oldhash":  {ID: 2, Username: "oldhash", Role: RoleOfficer, Scope: mustScope(t, "622921"), PasswordHash: old},
		"disabled": {ID: 3, Username: "disabled", Role: RoleOfficer, Scope: mustScope(t, "622921"), PasswordHash: old, Disabled: true},
		"auditor":  {ID: 4, Username: "auditor", Role: RoleAuditor, Scope: mustScope(t, "622921"), PasswordHash: old, TOTPSecret: testTOTPSecret},
		"badhash":  {ID: 5, Username: "badhash", Role: RoleOfficer, Scope: mustScope(t, "622921"), PasswordHash: "!"},
	}
}

func TestCheckPassword(t *testing.T) {
	ctx := context.Background()
	users := testUsers(t)
	tests := []struct {
		name, user, password string
		err                  error
		reason               string
		rehash, second       bool
	}{
		{"right", "officer", "Linxia-County-2024", nil, "", false, false},
		{"name in another case", " Officer ", "Linxia-County-2024", nil, "", false, false},
		{"old parameters are upgraded", "oldhash", "Linxia-County-2024", nil, "", true, false},
		{"second factor owed", "auditor", "Linxia-County-2024", nil, "", true, true},
		{"wrong password", "officer", "Linxia-County-2025", ErrBadCredentials, ReasonBadPassword, false, false},
		{"unknown user", "nobody", "Linxia-County-2024", ErrBadCredentials, ReasonUnknownUser, false, false},
		{"malformed name", "a b", "Linxia-County-2024", ErrBadCredentials, ReasonUnknownUser, false, false},
		{"disabled, right password", "disabled", "Linxia-County-2024", ErrBadCredentials, ReasonDisabled, false, false},
		{"unreadable stored hash", "badhash", "Linxia-County-2024", ErrBadCredentials, ReasonBadHash, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAuthenticator(users, NewLockout(newFakeClock()), newFakeClock())
			in, err := a.CheckPassword(ctx, tt.user, tt.password)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if (in.NewHash != "") != tt.rehash || in.SecondFactor != tt.second {
					t.Errorf("SignIn = %+v; want rehash %v, second factor %v", in, tt.rehash, tt.second)
				}
				if in.NewHash != "" {
					if ok, again, _ := VerifyPassword(in.NewHash, tt.password); !ok || again {
						t.Errorf("NewHash %s does not verify with current parameters", in.NewHash)
					}
				}
				return
			}
			if !errors.Is(err, tt.err) || FailureReason(err) != tt.reason {
				t.Fatalf("err = %v (reason %q), want %v (%q)", err, FailureReason(err), tt.err, tt.reason)
			}
			// The user sees one sentence whatever the reason.
			if err.Error() != ErrBadCredentials.Error() {
				t.Errorf("message %q differs from %q", err.Error(), ErrBadCredentials.Error())
			}
		})
	}
}

func TestCheckPasswordStoreError(t *testing.T) {
	a := NewAuthenticator(testUsers(t), NewLockout(newFakeClock()), newFakeClock())
	_, err := a.CheckPassword(context.Background(), "broken-db", "x")
	if err == nil || errors.Is(err, ErrBadCredentials) || FailureReason(err) != "" {
		t.Errorf("err = %v: a database failure must not look like a wrong password", err)
	}
}

// Known and unknown names lock alike after five failures, and a locked name is refused even with
// the right password, without any hashing.
func TestCheckPasswordLockout(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	a := NewAuthenticator(testUsers(t), NewLockout(clock), clock)
	for _, name := range []string{"officer", "nobody"} {
		for i := 1; i <= MaxFailures; i++ {
			_, err := a.CheckPassword(ctx, name, "wrong-password-1")
			want := ErrBadCredentials
			if i == MaxFailures {
				want = ErrLocked
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s, failure %d: err = %v, want %v", name, i, err, want)
			}
		}
		start := time.Now()
		_, err := a.CheckPassword(ctx, name, "Linxia-County-2024")
		if !errors.Is(err, ErrLocked) || FailureReason(err) != ReasonLocked {
			t.Errorf("%s locked, right password: err = %v", name, err)
		}
		if d := time.Since(start); d > 5*time.Millisecond {
			t.Logf("locked answer took %v (no hashing expected)", d)
		}
	}
	clock.Advance(LockDuration)
	if _, err := a.CheckPassword(ctx, "officer", "Linxia-County-2024"); err != nil {
		t.Errorf("after 15 minutes: %v", err)
	}
}

// A right password does not reset the count while the second factor is owed, so a thief with the
// password cannot guess TOTP codes forever by signing in again between guesses.
func TestCheckTOTP(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	a := NewAuthenticator(testUsers(t), NewLockout(clock), clock)
	in, err := a.CheckPassword(ctx, "auditor", "Linxia-County-2024")
	if err != nil || !in.SecondFactor {
		t.Fatalf("password step: %+v, %v", in, err)
	}
	u := in.User
	right, err := TOTPCode(u.TOTPSecret, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	for i := 1; i <= MaxFailures-1; i++ {
		if _, err := a.CheckTOTP(u, wrong); !errors.Is(err, ErrTOTPInvalid) || FailureReason(err) != ReasonBadTOTP {
			t.Fatalf("wrong code %d: err = %v", i, err)
		}
		if _, err := a.CheckPassword(ctx, "auditor", "Linxia-County-2024"); err != nil {
			t.Fatalf("password again: %v", err)
		}
	}
	if _, err := a.CheckTOTP(u, wrong); !errors.Is(err, ErrLocked) {
		t.Fatalf("fifth wrong code: err = %v, want ErrLocked", err)
	}
	if _, err := a.CheckTOTP(u, right); !errors.Is(err, ErrLocked) {
		t.Fatalf("right code while locked: err = %v, want ErrLocked", err)
	}
	clock.Advance(LockDuration)
	right, _ = TOTPCode(u.TOTPSecret, clock.Now())
	step, err := a.CheckTOTP(u, right)
	if err != nil || step != TOTPStep(clock.Now()) {
		t.Fatalf("right code: step %d, err %v", step, err)
	}
	u.TOTPLastStep = step
	if _, err := a.CheckTOTP(u, right); !errors.Is(err, ErrTOTPReplay) || FailureReason(err) != ReasonTOTPReplay {
		t.Errorf("replay: err = %v", err)
	}
	if _, err := a.CheckTOTP(User{Username: "x", TOTPSecret: "not base32!"}, right); err == nil || FailureReason(err) != "" {
		t.Errorf("broken secret: err = %v", err)
	}
}

func TestCheckPasswordCancelled(t *testing.T) {
	a := NewAuthenticator(testUsers(t), NewLockout(newFakeClock()), newFakeClock())
	for range cap(a.slots) {
		a.slots <- struct{}{} // every hashing slot busy
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.CheckPassword(ctx, "officer", "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestUserCan(t *testing.T) {
	u := User{Role: RoleOfficer, Scope: mustScope(t, "622921")}
	if !u.Can(PermImportData) {
		t.Error("county officer cannot import")
	}
	u.Disabled = true
	if u.Can(PermViewDashboard) {
		t.Error("a disabled user can do something")
	}
	if (User{Role: RoleOfficer}).Can(PermViewDashboard) {
		t.Error("an officer without scope can do something")
	}
}

func TestNormalizeUsername(t *testing.T) {
	tests := []struct{ in, want string }{
		{"zhangsan", "zhangsan"},
		{" ZhangSan ", "zhangsan"},
		{"zhang.san-01", "zhang.san-01"},
		{"z_s", "z_s"},
		{"007", "007"},
		{"ab", ""},
		{strings.Repeat("a", 33), ""},
		{".zhang", ""},
		{"zhang san", ""},
		{"张三", ""},
		{"zhang@san", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeUsername(tt.in)
		if tt.want == "" {
			if !errors.Is(err, baoxue.ErrInvalid) {
				t.Errorf("NormalizeUsername(%q) = %q, %v; want ErrInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeUsername(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckAssignment(t *testing.T) {
	tests := []struct {
		role  Role
		scope string
		ok    bool
	}{
		{RoleOfficer, "62", true},
		{RoleOfficer, "622921100201", true},
		{RoleOfficer, "school:2162292101", false},
		{RoleSchool, "school:2162292101", true},
		{RoleSchool, "622921", false},
		{RoleCadre, "622921100", true},
		{RoleCadre, "622921100201", true},
		{RoleCadre, "622921", false},
		{RoleSysadmin, "622921", true},
		{RoleAuditor, "school:2162292101", false},
		{Role("root"), "622921", false},
	}
	for _, tt := range tests {
		err := CheckAssignment(tt.role, mustScope(t, tt.scope))
		if (err == nil) != tt.ok {
			t.Errorf("CheckAssignment(%s, %s) = %v, want ok %v", tt.role, tt.scope, err, tt.ok)
		}
	}
	if err := CheckAssignment(RoleOfficer, Scope{}); err == nil {
		t.Error("zero scope accepted")
	}
}
