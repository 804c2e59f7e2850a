package compare

import (
	"fmt"
	"testing"

	"github.com/baoxue/baoxue"
)

// background returns n ordinary enrolled children (rows 1000…) so that the matcher's estimates
// see a county rather than a handful of records.
func background(t testing.TB, n int) ([]baoxue.Person, []baoxue.Enrollment) {
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭罗")
	given := []rune("伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华")
	var reg []baoxue.Person
	var enr []baoxue.Enrollment
	for i := range n {
		name := string(surnames[i%len(surnames)]) + string(given[i/len(surnames)%len(given)]) + string(given[(i*7+3)%len(given)])
		birth := baoxue.MakeDate(2011+i%9, 1+baoxue.Date(i/9%12).Month(), 1+i%28)
		b := birth.String()
		b = b[:4] + b[5:7] + b[8:]
		sex := baoxue.Male
		if i%2 == 1 {
			sex = baoxue.Female
		}
		id := makeID(t, b, 500+i%400*2+i%2)
		reg = append(reg, person(1000+i, id, name, b, sex))
		enr = append(enr, student(1000+i, id, name, b, sex, baoxue.EnrollActive, 1+i%9))
	}
	return reg, enr
}

func TestStatuses(t *testing.T) {
	const b = "20140305"
	id := makeID(t, b, 11)
	active := func(mod func(*baoxue.Enrollment)) []baoxue.Enrollment {
		e := student(1, id, "马小龙", b, baoxue.Male, baoxue.EnrollActive, 6)
		if mod != nil {
			mod(&e)
		}
		return []baoxue.Enrollment{e}
	}
	type want struct {
		status baoxue.LedgerStatus
		method baoxue.MatchMethod
		detail string
	}
	cases := []struct {
		name  string
		reg   func(p *baoxue.Person)
		enr   []baoxue.Enrollment
		nat   []baoxue.Enrollment
		want  want
		inLed bool
	}{
		{"enrolled", nil, active(nil), nil, want{baoxue.StatusEnrolled, baoxue.MatchIDExact, ""}, true},
		{"national", nil, nil, active(nil), want{baoxue.StatusEnrolledElsewhere, baoxue.MatchIDExact, ""}, true},
		{"home taught", nil, active(func(e *baoxue.Enrollment) { e.HomeTaught = true }), nil,
			want{baoxue.StatusHomeTaught, baoxue.MatchIDExact, ""}, true},
		{"graduated from junior high", nil, active(func(e *baoxue.Enrollment) { e.Status, e.Grade = baoxue.EnrollGraduated, 9 }), nil,
			want{baoxue.StatusCompleted, baoxue.MatchIDExact, ""}, true},
		{"graduated from primary, no junior high", nil, active(func(e *baoxue.Enrollment) { e.Status, e.Grade = baoxue.EnrollGraduated, 6 }), nil,
			want{baoxue.StatusSuspected, baoxue.MatchIDExact, "六年级毕业，未找到升学后的学籍"}, true},
		{"dropped", nil, active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollDropped }), nil,
			want{baoxue.StatusSuspected, baoxue.MatchIDExact, "学籍状态为辍学（临夏县第一小学，六年级，辍学）"}, true},
		{"suspended", nil, active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollSuspended }), nil,
			want{baoxue.StatusEnrolled, baoxue.MatchIDExact, "学籍状态为休学"}, true},
		{"transferred only", nil, active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollTransferred }), nil,
			want{baoxue.StatusSuspected, baoxue.MatchIDExact, "学籍已转出"}, true},
		{"transferred locally, active in another province (one 学籍号)", nil,
			active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollTransferred }), active(nil),
			want{baoxue.StatusEnrolledElsewhere, baoxue.MatchIDExact, ""}, true},
		{"transferred locally, active in another province (two 学籍号)", nil,
			active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollTransferred }),
			active(func(e *baoxue.Enrollment) { e.StudentNo, e.Name = "G"+id[:17]+"0", "马小" }),
			want{baoxue.StatusEnrolledElsewhere, baoxue.MatchIDExact, "另有1条学籍使用同一身份证号"}, true},
		{"own row dropped, a sibling's active row carries the ID", nil,
			append(active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollDropped }),
				active(func(e *baoxue.Enrollment) { e.StudentNo, e.Name, e.SourceRow = "G"+id[:17]+"1", "马秀英", 2 })...), nil,
			want{baoxue.StatusSuspected, baoxue.MatchIDExact, "学籍状态为辍学"}, true},
		{"dropped, then back in school", nil,
			append(active(func(e *baoxue.Enrollment) { e.Status = baoxue.EnrollDropped }), active(func(e *baoxue.Enrollment) { e.SourceRow = 2 })...), nil,
			want{baoxue.StatusEnrolled, baoxue.MatchIDExact, ""}, true},
		{"deceased", func(p *baoxue.Person) { p.Status = baoxue.RegistryDeceased }, nil, nil,
			want{baoxue.StatusExempt, baoxue.MatchNone, "户籍人员状态为死亡"}, true},
		{"deceased but enrolled", func(p *baoxue.Person) { p.Status = baoxue.RegistryDeceased }, active(nil), nil,
			want{baoxue.StatusExempt, baoxue.MatchIDExact, "但学籍中有在读记录"}, true},
		{"emigrated", func(p *baoxue.Person) { p.Status = baoxue.RegistryEmigrated }, nil, nil,
			want{baoxue.StatusExempt, baoxue.MatchNone, "出国(境)"}, true},
		{"moved out", func(p *baoxue.Person) { p.Status = baoxue.RegistryMovedOut }, nil, nil, want{}, false},
		{"cancelled, not found", func(p *baoxue.Person) { p.Status, p.StatusRaw = baoxue.RegistryCancelled, "注销" }, nil, nil,
			want{baoxue.StatusReview, baoxue.MatchNone, "户籍人员状态为“注销”；学籍中未找到"}, true},
		{"not found", nil, nil, nil, want{baoxue.StatusSuspected, baoxue.MatchNone, "未找到学籍"}, true},
		{"invalid registry ID, not found", func(p *baoxue.Person) { p.IDNumber, p.IDRaw, p.IDError = "", typo(id, 11), "ID_CHECKSUM" }, nil, nil,
			want{baoxue.StatusInvalidID, baoxue.MatchNone, "户籍身份证号无效：身份证号末位校验码不符"}, true},
		{"invalid registry ID, found by variant", func(p *baoxue.Person) { p.IDNumber, p.IDRaw, p.IDError = "", typo(id, 11), "ID_CHECKSUM" }, active(nil), nil,
			want{baoxue.StatusInvalidID, baoxue.MatchIDVariant, "学籍中找到本人"}, true},
		{"registry ID lost to Excel, found", func(p *baoxue.Person) {
			p.IDNumber, p.IDRaw, p.IDError = "", "6.22921201403050E+17", "ID_PRECISION_LOST"
		}, active(nil), nil, want{baoxue.StatusInvalidID, "", "被Excel按数字保存"}, true},
		{"empty registry ID", func(p *baoxue.Person) { p.IDNumber, p.IDRaw, p.IDError = "", "", "ID_EMPTY" }, active(nil), nil,
			want{baoxue.StatusInvalidID, "", "身份证号为空"}, true},
		{"学籍 ID mistyped", nil, active(func(e *baoxue.Enrollment) { e.IDNumber, e.IDRaw, e.IDError = "", typo(id, 12), "ID_CHECKSUM" }), nil,
			want{baoxue.StatusEnrolled, baoxue.MatchIDVariant, "按身份证号近似比对：身份证号第13位不同"}, true},
		{"学籍 ID missing", nil, active(func(e *baoxue.Enrollment) { e.IDNumber, e.IDRaw, e.IDError = "", "", "ID_EMPTY" }), nil,
			want{baoxue.StatusEnrolled, baoxue.MatchFuzzy, "按姓名、出生日期等比对"}, true},
		{"the same mistyped ID in a 转出 row and an active row of one 学籍号", nil,
			active(func(e *baoxue.Enrollment) {
				e.IDNumber, e.IDRaw, e.IDError, e.Status = "", typo(id, 12), "ID_CHECKSUM", baoxue.EnrollTransferred
			}),
			active(func(e *baoxue.Enrollment) { e.IDNumber, e.IDRaw, e.IDError = "", typo(id, 12), "ID_CHECKSUM" }),
			want{baoxue.StatusEnrolledElsewhere, baoxue.MatchIDVariant, "身份证号第13位不同"}, true},
		{"exact ID, another name", nil, active(func(e *baoxue.Enrollment) { e.Name = "李秀英" }), nil,
			want{baoxue.StatusReview, baoxue.MatchIDExact, "姓名不同"}, true},
		{"outside the window", func(p *baoxue.Person) {
			p.IDNumber = makeID(t, "20080305", 11)
			p.IDRaw, p.BirthDate = p.IDNumber, date("20080305")
		}, nil, nil, want{}, false},
	}
	bgReg, bgEnr := background(t, 300)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := person(1, id, "马小龙", b, baoxue.Male)
			if tc.reg != nil {
				tc.reg(&p)
			}
			reg := append([]baoxue.Person{p}, bgReg...)
			enr := append(append([]baoxue.Enrollment(nil), tc.enr...), bgEnr...)
			nat := tc.nat
			if nat == nil {
				nat = []baoxue.Enrollment{}
			}
			led, sum := runSlices(t, reg, enr, nat, nil, nil, Options{})
			if got := len(led) - len(bgReg); got != map[bool]int{true: 1, false: 0}[tc.inLed] {
				t.Fatalf("ledger has %d extra entries, want in ledger = %v", got, tc.inLed)
			}
			if tc.name == "moved out" && sum.MovedOut != 1 {
				t.Errorf("MovedOut = %d, want 1", sum.MovedOut)
			}
			if !tc.inLed {
				if led[0].SourceRow == 1 {
					t.Fatalf("row 1 is in the ledger")
				}
				return
			}
			e := led[0]
			if e.SourceRow != 1 {
				t.Fatalf("first entry is row %d", e.SourceRow)
			}
			if e.Status != tc.want.status || (tc.want.method != "" && e.MatchMethod != tc.want.method) || !contains(e.Detail, tc.want.detail) {
				t.Errorf("got %s/%s %q, want %s/%s containing %q", e.Status, e.MatchMethod, e.Detail, tc.want.status, tc.want.method, tc.want.detail)
			}
			if e.Status != baoxue.StatusEnrolled && e.Status != baoxue.StatusCompleted && e.Status != baoxue.StatusHomeTaught &&
				e.Status != baoxue.StatusEnrolledElsewhere && e.Detail == "" {
				t.Errorf("status %s without a reason", e.Status)
			}
			if e.MatchMethod != baoxue.MatchIDExact && e.MatchMethod != baoxue.MatchNone && e.Detail == "" {
				t.Errorf("non-exact link without a reason")
			}
			for _, x := range led[1:] {
				if x.Status != baoxue.StatusEnrolled {
					t.Fatalf("background row %d: %s %s", x.SourceRow, x.Status, x.Detail)
				}
			}
		})
	}
}

func TestLedgerFields(t *testing.T) {
	const b = "20150611"
	id := makeID(t, b, 22)
	p := person(7, id, "古丽·艾合买提", b, baoxue.Female)
	p.GuardianID = makeID(t, "19850101", 31)
	e := student(3, id, "古丽·艾合买提", b, baoxue.Female, baoxue.EnrollActive, 5)
	led, sum := runSlices(t, []baoxue.Person{p}, []baoxue.Enrollment{e}, nil, nil, nil, Options{})
	want := baoxue.LedgerEntry{SourceRow: 7, IDNumber: id, Name: "古丽·艾合买提", Sex: baoxue.Female, BirthDate: "2015-06-11",
		RegionCode: "622921100201", Status: baoxue.StatusEnrolled, MatchMethod: baoxue.MatchIDExact, MatchScore: 1,
		MatchedStudentNo: "G" + id, SchoolCode: "2622921001", SchoolName: "临夏县第一小学", PriorityGroups: []string{}}
	if len(led) != 1 || fmt.Sprint(led[0]) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v", led, want)
	}
	if sum.SchoolAge != 1 || sum.Statuses["enrolled"] != 1 || sum.Methods["id_exact"] != 1 || sum.RegistryRows != 1 || sum.EnrollmentRows != 1 {
		t.Errorf("summary %+v", sum)
	}
	if _, ok := sum.Statuses["suspected"]; !ok {
		t.Errorf("summary omits zero statuses: %v", sum.Statuses)
	}
}

func TestFlags(t *testing.T) {
	mk := func(row int, birth string, seq int, name string) baoxue.Person {
		p := person(row, makeID(t, birth, seq), name, birth, baoxue.Male)
		p.GuardianID = makeID(t, "19800101", seq)
		return p
	}
	reg := []baoxue.Person{
		mk(1, "20140101", 11, "马一"), // own poverty row
		mk(2, "20140102", 13, "马二"), // guardian's poverty row only
		mk(3, "20140103", 15, "马三"), // own row with a mistyped ID
		mk(4, "20140104", 17, "马四"), // disability by certificate number only
		mk(5, "20140105", 19, "马五"), // nothing
		mk(6, "20140106", 21, "马六"), // mistyped ID, another name: no flag
	}
	pov := []baoxue.PovertyRecord{
		{Name: "马一", IDNumber: reg[0].IDNumber, Type: "脱贫户"},
		{Name: "马父", IDNumber: reg[1].GuardianID, Type: "监测对象"},
		{Name: "马三", IDRaw: typo(reg[2].IDNumber, 14), IDError: "ID_CHECKSUM", Type: "脱贫不稳定户"},
		{Name: "王六", IDRaw: typo(reg[5].IDNumber, 14), IDError: "ID_CHECKSUM", Type: "脱贫户"},
	}
	dis := []baoxue.DisabilityRecord{
		{Name: "马一", IDNumber: reg[0].IDNumber, Category: "智力", Level: 2},
		{Name: "马一", IDNumber: reg[0].IDNumber, Category: "肢体", Level: 3},
		{Name: "马四", CertNo: reg[3].IDNumber + "14", Category: "肢体", Level: 4},
	}
	led, sum := runSlices(t, reg, nil, nil, pov, dis, Options{})
	want := []struct {
		pov, dis string
		groups   string
	}{
		{"脱贫户", "智力残疾二级", "[disabled poor]"},
		{"监测对象", "", "[poor]"},
		{"脱贫不稳定户", "", "[poor]"},
		{"", "肢体残疾四级", "[disabled]"},
		{"", "", "[]"},
		{"", "", "[]"},
	}
	for i, w := range want {
		e := led[i]
		if e.PovertyType != w.pov || e.Poverty != (w.pov != "") || e.Disability != w.dis || fmt.Sprint(e.PriorityGroups) != w.groups {
			t.Errorf("row %d: poverty %v %q disability %q groups %v; want %q %q %s", e.SourceRow, e.Poverty, e.PovertyType, e.Disability, e.PriorityGroups, w.pov, w.dis, w.groups)
		}
	}
	if sum.Poverty != 3 || sum.Disability != 2 || sum.PovertyRows != 4 || sum.DisabilityRows != 3 {
		t.Errorf("summary poverty %d/%d disability %d/%d", sum.Poverty, sum.PovertyRows, sum.Disability, sum.DisabilityRows)
	}
}

// TestMergeAcrossChunks merges two rows of one 学籍号 that fall on both sides of a recChunks
// boundary, in a file long enough for the chunks to be released while they are copied.
func TestMergeAcrossChunks(t *testing.T) {
	n := recChunk + 5000
	reg := make([]baoxue.Person, 0, n)
	enr := make([]baoxue.Enrollment, 0, n+1)
	for i := range n {
		b := baoxue.MakeDate(2012, 1, 1).AddDays(i / 900).String()
		b = b[:4] + b[5:7] + b[8:]
		id := makeID(t, b, i%900+100)
		reg = append(reg, person(i+1, id, "马一", b, baoxue.Male))
		enr = append(enr, student(i+1, id, "马一", b, baoxue.Male, baoxue.EnrollActive, 5))
	}
	// Row recChunk-1 is a 转出 row whose pupil's active row comes right after the boundary.
	k := recChunk - 1
	moved := enr[k]
	moved.Status = baoxue.EnrollTransferred
	enr[k] = moved
	active := moved
	active.Status, active.SourceRow = baoxue.EnrollActive, n+1
	enr = append(enr[:k+1], append([]baoxue.Enrollment{active}, enr[k+1:]...)...)
	led, sum := runSlices(t, reg, enr, nil, nil, nil, Options{})
	if sum.MergedRows != 1 || len(led) != n {
		t.Fatalf("merged %d, ledger %d", sum.MergedRows, len(led))
	}
	for _, e := range led {
		if e.Status != baoxue.StatusEnrolled || e.MatchMethod != baoxue.MatchIDExact {
			t.Fatalf("row %d: %s %s %q", e.SourceRow, e.Status, e.MatchMethod, e.Detail)
		}
	}
}
