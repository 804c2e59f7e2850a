package gen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
)

func TestDeterministic(t *testing.T) {
	for _, profile := range []string{ProfileClean, ProfileHard} {
		t.Run(profile, func(t *testing.T) {
			a, _ := generate(t, Options{Rows: 8000, Seed: 7, Profile: profile, Workers: 1})
			b, _ := generate(t, Options{Rows: 8000, Seed: 7, Profile: profile, Workers: 4})
			c, _ := generate(t, Options{Rows: 8000, Seed: 8, Profile: profile})
			for f := range numOutFiles {
				name := outName(f) + ".csv"
				fa, fb, fc := readFile(t, a, name), readFile(t, b, name), readFile(t, c, name)
				if !bytes.Equal(fa, fb) {
					t.Errorf("%s differs between two runs with the same seed (1 and 4 workers)", name)
				}
				if f != outSchools && f != outVillages && bytes.Equal(fa, fc) {
					t.Errorf("%s is the same for seeds 7 and 8", name)
				}
			}
		})
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCleanTruthAgrees parses the clean files back and checks that truth.csv says what they say.
func TestCleanTruthAgrees(t *testing.T) {
	const n = 20000
	dir, sum := generate(t, Options{Rows: n, Seed: 1, Profile: ProfileClean})
	tabs := readAll(t, dir, false)
	reg, enr, nat, truth := tabs["registry"], tabs["enrollment"], tabs["national"], tabs["truth"]
	if len(reg.rows) != n || sum.Rows["registry"] != n {
		t.Fatalf("registry has %d rows (summary %d), want %d", len(reg.rows), sum.Rows["registry"], n)
	}
	v := idcard.NewValidator(testTree(t).Address(), DefaultAsOfValue)

	// Every registry ID is valid and unique; guardians live in the same household and are adults.
	ids := map[string]int{}
	household := map[string]string{}
	for i, row := range reg.rows {
		id := reg.get(row, colRegID...)
		if num, code := v.Check(id); code != idcard.OK || num.String() != id {
			t.Fatalf("registry row %d: ID %q: %v", i+1, id, code)
		}
		if j, dup := ids[id]; dup {
			t.Fatalf("registry rows %d and %d share ID %s", j, i+1, id)
		}
		ids[id] = i + 1
		household[id] = reg.get(row, "户号")
	}
	for i, row := range reg.rows {
		gid := reg.get(row, "监护人公民身份号码")
		if gid == "" {
			continue
		}
		id := reg.get(row, colRegID...)
		if household[gid] != household[id] {
			t.Fatalf("registry row %d: guardian %s is not in household %s", i+1, gid, household[id])
		}
		if gap := ageYears(gid, id); gap < 18 || gap > 70 {
			t.Fatalf("registry row %d: guardian born %d years before the child", i+1, gap)
		}
	}

	records := map[string][]rec{}
	for _, x := range []*table{enr, nat} {
		seen := map[string]bool{}
		for _, row := range x.rows {
			s := x.get(row, colStuNo...)
			if seen[s] {
				t.Fatalf("student number %s twice in one file", s)
			}
			seen[s] = true
		}
	}
	for _, x := range []struct {
		name string
		tb   *table
	}{{"enrollment", enr}, {"national", nat}} {
		for _, row := range x.tb.rows {
			id := x.tb.get(row, colEnrID...)
			records[id] = append(records[id], rec{x.name, x.tb.get(row, colStatus...), x.tb.get(row, "是否送教上门"), x.tb.get(row, "年级"), x.tb.get(row, colStuNo...)})
		}
	}
	active := func(id string) []rec {
		var out []rec
		for _, r := range records[id] {
			if r.status == "在读" {
				out = append(out, r)
			}
		}
		return out
	}
	counts := map[string]int{}
	var inWindow, oosInWindow, migrants int
	for i, row := range truth.rows {
		id, status := truth.get(row, "id_number"), truth.get(row, "status")
		counts[status]++
		if num, code := v.Check(id); code != idcard.OK || num.String() != id {
			t.Fatalf("truth row %d: ID %q: %v", i+1, id, code)
		}
		regRow, _ := strconv.Atoi(truth.get(row, "registry_row"))
		if truth.get(row, "migrant") == "1" {
			migrants++
			if regRow != 0 || ids[id] != 0 {
				t.Errorf("truth row %d: migrant %s is in the registry", i+1, id)
			}
		} else {
			if regRow < 1 || regRow > len(reg.rows) || reg.get(reg.rows[regRow-1], colRegID...) != id {
				t.Fatalf("truth row %d: registry_row %d does not hold %s", i+1, regRow, id)
			}
			r := reg.rows[regRow-1]
			if reg.get(r, colName...) != truth.get(row, "name") || reg.get(r, "出生日期") != truth.get(row, "birth_date") {
				t.Errorf("truth row %d: name/birth differ from registry row %d", i+1, regRow)
			}
			if truth.get(row, "in_window") == "1" {
				inWindow++
				if status == "out_of_school" {
					oosInWindow++
				}
			}
		}
		act := active(id)
		switch status {
		case "enrolled", "home_taught":
			if len(act) != 1 || act[0].file != "enrollment" || act[0].stuNo != truth.get(row, "student_no") {
				t.Errorf("truth row %d: %s child %s has active records %+v", i+1, status, id, act)
				continue
			}
			if want := map[string]string{"enrolled": "否", "home_taught": "是"}[status]; act[0].home != want {
				t.Errorf("truth row %d: %s child has 是否送教上门=%s", i+1, status, act[0].home)
			}
			if act[0].grade != truth.get(row, "grade") {
				t.Errorf("truth row %d: grade %s, record says %s", i+1, truth.get(row, "grade"), act[0].grade)
			}
			if truth.get(row, "in_window") == "1" {
				g, _ := strconv.Atoi(act[0].grade)
				age := ageOn(dayOfISO(truth.get(row, "birth_date")), dayOf(2026, 8, 31))
				if d := age - 5 - g; d < -1 || d > 3 {
					t.Errorf("truth row %d: aged %d in grade %d", i+1, age, g)
				}
			}
		case "enrolled_elsewhere":
			if len(act) != 1 || act[0].file != "national" {
				t.Errorf("truth row %d: enrolled_elsewhere child %s has active records %+v", i+1, id, act)
			}
		case "out_of_school", "suspended", "completed", "deceased", "emigrated", "moved_out", "under_age", "over_age":
			if len(act) != 0 {
				t.Errorf("truth row %d: %s child %s has an active record %+v", i+1, status, id, act)
			}
		default:
			t.Errorf("truth row %d: unknown status %q", i+1, status)
		}
		wantRec := map[string]string{"completed": "毕业", "suspended": "休学"}[status]
		if wantRec != "" && !hasStatus(records[id], wantRec) {
			t.Errorf("truth row %d: %s child %s has no %s record", i+1, status, id, wantRec)
		}
		wantReg := map[string]string{"deceased": "死亡", "emigrated": "出国(境)", "moved_out": "迁出"}[status]
		if wantReg != "" && reg.get(reg.rows[regRow-1], "人员状态") != wantReg {
			t.Errorf("truth row %d: %s child's registry status is %s", i+1, status, reg.get(reg.rows[regRow-1], "人员状态"))
		}
	}
	// Every registry child of the widened window has its truth row, and nobody else.
	first, last := baoxue.DefaultAgeRule().WindowWidened(DefaultAsOfValue, 1)
	wide := 0
	for _, row := range reg.rows {
		if d := dateISO(reg.get(row, "出生日期")); d >= first && d <= last {
			wide++
		}
	}
	if wide+migrants != len(truth.rows) {
		t.Errorf("truth has %d rows; the registry has %d children of the widened window and there are %d migrants", len(truth.rows), wide, migrants)
	}
	if int64(inWindow) != sum.SchoolAge || int64(oosInWindow) != sum.OutOfSchool {
		t.Errorf("summary school_age %d, out_of_school %d; truth says %d, %d", sum.SchoolAge, sum.OutOfSchool, inWindow, oosInWindow)
	}
	for _, s := range []string{"enrolled", "enrolled_elsewhere", "home_taught", "completed", "out_of_school", "under_age", "over_age", "moved_out"} {
		if counts[s] == 0 {
			t.Errorf("no child with status %s among %d", s, len(truth.rows))
		}
	}
	if migrants == 0 {
		t.Error("no migrant pupils")
	}
	rate := float64(sum.OutOfSchool) / float64(sum.SchoolAge)
	if rate < 0.002 || rate > 0.012 {
		t.Errorf("out-of-school rate %.3f%%, want 0.2–1.2%%", 100*rate)
	}
	t.Logf("statuses %v, school age %d, out of school %.2f%%, migrants %d", counts, sum.SchoolAge, 100*rate, migrants)
}

type rec struct{ file, status, home, grade, stuNo string }

func hasStatus(rs []rec, s string) bool {
	for _, r := range rs {
		if r.status == s {
			return true
		}
	}
	return false
}

func dateISO(s string) baoxue.Date {
	d, err := baoxue.ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayOfISO(s string) int32 { return dayOfDate(dateISO(s)) }

// ageYears is how many whole years the first ID's holder was born before the second's.
func ageYears(older, younger string) int {
	a, _ := strconv.Atoi(older[6:14])
	b, _ := strconv.Atoi(younger[6:14])
	return ageOn(dayOfDate(baoxue.Date(a)), dayOfDate(baoxue.Date(b)))
}

// TestPeople checks the population looks like Linxia: surnames, names, ethnicity, households.
func TestPeople(t *testing.T) {
	dir, _ := generate(t, Options{Rows: 20000, Seed: 2, Profile: ProfileClean})
	tabs := readAll(t, dir, false)
	reg := tabs["registry"]
	surnames := map[string]int{}
	names := map[string]int{}
	eth := map[string]int{}
	relations := map[string]int{}
	dotted := 0
	for _, row := range reg.rows {
		name := reg.get(row, colName...)
		names[name]++
		if strings.Contains(name, "·") {
			dotted++
		} else {
			r, _ := utf8.DecodeRuneInString(name)
			surnames[string(r)]++
		}
		eth[reg.get(row, "民族")]++
		relations[reg.get(row, "与户主关系")]++
		if p := reg.get(row, "联系电话"); p != "" && (len(p) != 11 || p[0] != '1' || p[1] < '3') {
			t.Errorf("bad phone %q", p)
		}
	}
	for _, s := range strings.Fields(heteronymousSurnames) {
		if surnames[s] == 0 {
			t.Errorf("no one with the heteronymous surname %s", s)
		}
	}
	if top := surnames["马"]; top < len(reg.rows)/8 {
		t.Errorf("马 is the surname of %d of %d people; Linxia's Hui make it far more common", top, len(reg.rows))
	}
	if dotted < 20 {
		t.Errorf("%d dotted minority names", dotted)
	}
	clusters, big := 0, 0
	for _, c := range names {
		if c >= 2 {
			clusters++
		}
		if c >= 10 {
			big++
		}
	}
	if clusters < 500 || big < 20 {
		t.Errorf("%d names shared by two or more, %d by ten or more: too few 重名", clusters, big)
	}
	for _, e := range []string{"汉族", "回族", "东乡族"} {
		if eth[e] == 0 {
			t.Errorf("no %s", e)
		}
	}
	if eth["回族"] < eth["汉族"] {
		t.Errorf("回族 %d < 汉族 %d in 临夏县", eth["回族"], eth["汉族"])
	}
	for _, r := range []string{"户主", "配偶", "子", "女", "孙子", "孙女", "父亲", "母亲", "儿媳"} {
		if relations[r] == 0 {
			t.Errorf("no %s", r)
		}
	}
	// Poverty: 10–20 % of households; disability: about 1–2.5 % of children.
	hh := map[string]bool{}
	for _, row := range reg.rows {
		hh[reg.get(row, "户号")] = true
	}
	pov := tabs["poverty"]
	poorHH := map[string]bool{}
	for _, row := range pov.rows {
		poorHH[pov.get(row, "户编号")] = true
	}
	if share := float64(len(poorHH)) / float64(len(hh)); share < 0.10 || share > 0.22 {
		t.Errorf("%.1f%% of households are poor, want 10–20%%", 100*share)
	}
	truth := tabs["truth"]
	disabled := 0
	for _, row := range truth.rows {
		if truth.get(row, "disability") != "" {
			disabled++
		}
	}
	if share := float64(disabled) / float64(len(truth.rows)); share < 0.008 || share > 0.03 {
		t.Errorf("%.2f%% of children are disabled", 100*share)
	}
	// Villages: 12-digit codes under the county's real townships.
	vil := tabs["villages"]
	tree := testTree(t)
	for _, row := range vil.rows {
		if code := row[0]; !tree.ValidVillageCode(code) || code[:6] != CountyCode {
			t.Errorf("village code %s", code)
		}
	}
	sch := tabs["schools"]
	for _, row := range sch.rows {
		if len(row[0]) != 10 {
			t.Errorf("school code %s is not 10 digits", row[0])
		}
	}
}

// TestProfilesShareTruth: damage never changes the people, only the files.
func TestProfilesShareTruth(t *testing.T) {
	a, _ := generate(t, Options{Rows: 6000, Seed: 3, Profile: ProfileClean})
	b, _ := generate(t, Options{Rows: 6000, Seed: 3, Profile: ProfileHard})
	ta := readTable(t, filepath.Join(a, "truth.csv"), false)
	tb := readTable(t, filepath.Join(b, "truth.csv"), false)
	if len(ta.rows) != len(tb.rows) {
		t.Fatalf("truth rows %d vs %d", len(ta.rows), len(tb.rows))
	}
	damaged := 0
	for i := range ta.rows {
		ra, rb := ta.rows[i], tb.rows[i]
		keep := func(r []string) []string { return append([]string{}, r[:len(r)-1]...) }
		sa, sb := keep(ra), keep(rb)
		// The student number differs when the 学籍 side lost or mistyped the ID.
		sa[ta.col["student_no"]], sb[tb.col["student_no"]] = "", ""
		if strings.Join(sa, ",") != strings.Join(sb, ",") {
			t.Fatalf("truth row %d differs between profiles:\n%v\n%v", i+1, ra, rb)
		}
		if ra[len(ra)-1] != "" {
			t.Fatalf("clean truth row %d has damage %q", i+1, ra[len(ra)-1])
		}
		if rb[len(rb)-1] != "" {
			damaged++
		}
	}
	if damaged == 0 {
		t.Error("hard profile damaged no child")
	}
}

func TestOptionsRejected(t *testing.T) {
	tests := []Options{
		{Scale: "city", Out: "x"},
		{Rows: -1, Out: "x"},
		{Profile: "messy", Out: "x"},
		{Format: "ods", Out: "x"},
		{Encoding: "big5", Out: "x"},
		{Scale: ScaleProvince, Format: "xlsx", Out: "x"},
		{AsOf: 20260231, Out: "x"},
		{},
	}
	for _, o := range tests {
		_, err := Generate(context.Background(), o, testTree(t), nil)
		if !errors.Is(err, baoxue.ErrInvalid) {
			t.Errorf("Generate(%+v) = %v, want ErrInvalid", o, err)
		}
	}
	for _, s := range []string{"", "0", "-5", "abc", "60000001"} {
		if _, _, err := ParseScale(s); err == nil {
			t.Errorf("ParseScale(%q) accepted", s)
		}
	}
	for s, want := range map[string]int{"county": 0, "20000": 20000, "1_000": 1000} {
		if _, n, err := ParseScale(s); err != nil || n != want {
			t.Errorf("ParseScale(%q) = %d, %v", s, n, err)
		}
	}
}

func TestGenerateCounty(t *testing.T) {
	dir := t.TempDir()
	sum, err := GenerateCounty(context.Background(), dir, 2000, 5, ProfileClean)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows["registry"] != 2000 || sum.SchoolAge == 0 || sum.Rows["enrollment"] == 0 {
		t.Errorf("summary %+v", sum)
	}
}
