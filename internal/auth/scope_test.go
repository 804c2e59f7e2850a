package auth

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/baoxue/baoxue"
	_ "modernc.org/sqlite"
)

func mustScope(t testing.TB, s string) Scope {
	t.Helper()
	sc, err := ParseScope(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in     string
		want   string // String() of the result; "" means rejected
		level  baoxue.RegionLevel
		school bool
		above  bool
	}{
		{"62", "62", baoxue.LevelProvince, false, true},
		{"6229", "6229", baoxue.LevelPrefecture, false, true},
		{"622921", "622921", baoxue.LevelCounty, false, false},
		{"622921100", "622921100", baoxue.LevelTownship, false, false},
		{"622921100201", "622921100201", baoxue.LevelVillage, false, false},
		{"620000", "62", baoxue.LevelProvince, false, true},
		{"622900", "6229", baoxue.LevelPrefecture, false, true},
		{"6200", "62", baoxue.LevelProvince, false, true},
		{"622921000000", "622921", baoxue.LevelCounty, false, false},
		{"622921100000", "622921100", baoxue.LevelTownship, false, false},
		{"622921000", "622921", baoxue.LevelCounty, false, false},
		{"620000000000", "62", baoxue.LevelProvince, false, true},
		{"school:2162292101", "school:2162292101", 0, true, false},
		{"", "", 0, false, false},
		{"6", "", 0, false, false},
		{"62292", "", 0, false, false},
		{"6229211", "", 0, false, false},
		{"62292110020", "", 0, false, false},
		{"6229211002011", "", 0, false, false},
		{"00", "", 0, false, false},
		{"000000", "", 0, false, false},
		{"062921", "", 0, false, false},
		{"62292a", "", 0, false, false},
		{"６２", "", 0, false, false},
		{" 622921", "", 0, false, false},
		{"school:216229210", "", 0, false, false},
		{"school:21622921011", "", 0, false, false},
		{"school:", "", 0, false, false},
		{"School:2162292101", "", 0, false, false},
		{"2162292101", "", 0, false, false}, // ten digits without the prefix is not a region
	}
	for _, tt := range tests {
		sc, err := ParseScope(tt.in)
		if tt.want == "" {
			if err == nil || !errors.Is(err, baoxue.ErrInvalid) {
				t.Errorf("ParseScope(%q) = %v, %v; want ErrInvalid", tt.in, sc, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseScope(%q): %v", tt.in, err)
			continue
		}
		if sc.String() != tt.want || sc.Level() != tt.level || sc.IsSchool() != tt.school || sc.AboveCounty() != tt.above {
			t.Errorf("ParseScope(%q) = %q level %d school %v above %v; want %q %d %v %v", tt.in,
				sc, sc.Level(), sc.IsSchool(), sc.AboveCounty(), tt.want, tt.level, tt.school, tt.above)
		}
	}
}

func TestScopeContains(t *testing.T) {
	tests := []struct {
		scope, region string
		want          bool
	}{
		{"62", "622921100201", true},
		{"62", "62", true},
		{"62", "620000", true},
		{"62", "63", false},
		{"62", "6", false},
		{"6229", "622921", true},
		{"6229", "622821", false},
		{"622921", "622921", true},
		{"622921", "622921100", true},
		{"622921", "622921100201", true},
		{"622921", "622922100201", false},
		{"622921", "6229", false}, // the prefecture is not inside the county
		{"622921", "", false},
		{"622921", "622921abc", false},
		{"622921100", "622921100201", true},
		{"622921100", "622921101201", false},
		{"622921100", "622921", false},
		{"622921100201", "622921100201", true},
		{"622921100201", "622921100202", false},
		{"school:2162292101", "622921", false},
		{"school:2162292101", "2162292101", false},
	}
	for _, tt := range tests {
		if got := mustScope(t, tt.scope).Contains(tt.region); got != tt.want {
			t.Errorf("%s.Contains(%q) = %v, want %v", tt.scope, tt.region, got, tt.want)
		}
	}
	if (Scope{}).Contains("62") || (Scope{}).ContainsSchool("2162292101", "622921") {
		t.Error("the zero Scope contains something")
	}
}

func TestScopeContainsSchool(t *testing.T) {
	tests := []struct {
		scope, school, region string
		want                  bool
	}{
		{"school:2162292101", "2162292101", "", true},
		{"school:2162292101", "2162292101", "110101", true}, // a school scope trusts the code, not the region
		{"school:2162292101", "2162292102", "622921", false},
		{"622921", "2162292101", "622921100", true},
		{"622921", "2162292101", "622922100", false},
		{"622921", "", "622921100", false},
		{"62", "2162292101", "622921", true},
		{"622921100", "2162292101", "622921", false}, // a county-level school is not inside a township
	}
	for _, tt := range tests {
		if got := mustScope(t, tt.scope).ContainsSchool(tt.school, tt.region); got != tt.want {
			t.Errorf("%s.ContainsSchool(%q, %q) = %v, want %v", tt.scope, tt.school, tt.region, got, tt.want)
		}
	}
}

func TestScopeCovers(t *testing.T) {
	tests := []struct {
		scope, other string
		want         bool
	}{
		{"62", "622921", true},
		{"622921", "622921", true},
		{"622921", "622921100", true},
		{"622921", "62", false},
		{"622921", "622922", false},
		{"622921", "school:2162292101", false},
		{"school:2162292101", "school:2162292101", true},
		{"school:2162292101", "school:2162292102", false},
		{"school:2162292101", "622921", false},
	}
	for _, tt := range tests {
		if got := mustScope(t, tt.scope).Covers(mustScope(t, tt.other)); got != tt.want {
			t.Errorf("%s.Covers(%s) = %v, want %v", tt.scope, tt.other, got, tt.want)
		}
	}
	if mustScope(t, "62").Covers(Scope{}) || (Scope{}).Covers(mustScope(t, "62")) {
		t.Error("zero Scope covers or is covered")
	}
}

// SQLPrefix selects in a real database exactly what Contains accepts.
func TestScopeSQLPrefix(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	codes := []string{"62", "6229", "622921", "622921100", "622921100201", "622921101201", "622922",
		"6228", "63", "6x2921", "6_2921"}
	if _, err := db.Exec(`CREATE TABLE r (code TEXT)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if _, err := db.Exec(`INSERT INTO r VALUES (?)`, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"62", "6229", "622921", "622921100", "622921100201"} {
		sc := mustScope(t, s)
		pattern, ok := sc.SQLPrefix()
		if !ok || pattern != s+"%" {
			t.Fatalf("%s.SQLPrefix() = %q, %v", s, pattern, ok)
		}
		rows, err := db.Query(`SELECT code FROM r WHERE code LIKE ? ESCAPE '\' ORDER BY code`, pattern)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			got = append(got, c)
		}
		rows.Close()
		var want []string
		for _, c := range codes {
			if sc.Contains(c) {
				want = append(want, c)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("scope %s: LIKE %q selects %v, Contains accepts %v", s, pattern, got, want)
		}
	}
	// The escaping itself, on text a scope never holds: _ must match only itself.
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM r WHERE code LIKE ? ESCAPE '\'`, EscapeLike("6_")+"%").Scan(&n); err != nil || n != 1 {
		t.Errorf("LIKE EscapeLike(6_)%%: %d rows, %v; want 1", n, err)
	}
	for _, s := range []Scope{{}, mustScope(t, "school:2162292101")} {
		if p, ok := s.SQLPrefix(); ok || p != "" {
			t.Errorf("%q.SQLPrefix() = %q, %v; want no pattern", s, p, ok)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"622921", "622921"},
		{"a%b_c", `a\%b\_c`},
		{`a\b`, `a\\b`},
		{`%_\`, `\%\_\\`},
	}
	for _, tt := range tests {
		if got := EscapeLike(tt.in); got != tt.want {
			t.Errorf("EscapeLike(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScopeText(t *testing.T) {
	type row struct {
		Scope Scope `json:"scope"`
	}
	for _, s := range []string{"62", "622921100201", "school:2162292101"} {
		b, err := json.Marshal(row{mustScope(t, s)})
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `{"scope":"`+s+`"}` {
			t.Errorf("marshal %s: %s", s, b)
		}
		var back row
		if err := json.Unmarshal(b, &back); err != nil || back.Scope != mustScope(t, s) {
			t.Errorf("unmarshal %s: %v, %v", b, back.Scope, err)
		}
	}
	var back row
	if err := json.Unmarshal([]byte(`{"scope":"6"}`), &back); err == nil {
		t.Error("unmarshal of a bad scope succeeded")
	}
}

// FuzzParseScope: accepted scopes are canonical (String parses back to the same scope and
// text), and contain their own region or school.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"62", "620000", "622921", "622921100201", "622921000000", "school:2162292101",
		"", "00", "school:", "6229211"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseScope(s)
		if err != nil {
			if sc != (Scope{}) {
				t.Fatalf("error %v with non-zero scope %v", err, sc)
			}
			return
		}
		back, err := ParseScope(sc.String())
		if err != nil || back != sc {
			t.Fatalf("%q → %q → %v, %v", s, sc, back, err)
		}
		if sc.IsSchool() {
			if !sc.ContainsSchool(sc.SchoolCode(), "") {
				t.Fatalf("%v does not contain its own school", sc)
			}
		} else if !sc.Contains(sc.RegionCode()) || !sc.Contains(s) || sc.Level() == 0 {
			t.Fatalf("%v does not contain its own code %q", sc, s)
		}
	})
}

func TestRequiresTOTP(t *testing.T) {
	tests := []struct {
		role  Role
		scope string
		want  bool
	}{
		{RoleOfficer, "622921", false},
		{RoleOfficer, "622921100", false},
		{RoleOfficer, "6229", true},
		{RoleOfficer, "62", true},
		{RoleViewer, "62", true},
		{RoleInspector, "6229", true},
		{RoleCadre, "622921100201", false},
		{RoleSchool, "school:2162292101", false},
		{RoleSysadmin, "622921", true},
		{RoleSecadmin, "622921", true},
		{RoleAuditor, "622921", true},
	}
	for _, tt := range tests {
		u := User{Role: tt.role, Scope: mustScope(t, tt.scope)}
		if got := RequiresTOTP(u); got != tt.want {
			t.Errorf("RequiresTOTP(%s at %s) = %v, want %v", tt.role, tt.scope, got, tt.want)
		}
	}
}
