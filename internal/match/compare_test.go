package match

import (
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
	"github.com/baoxue/baoxue/internal/pinyin"
)

func TestCompareNames(t *testing.T) {
	py := pinyin.New()
	tests := []struct {
		a, b string
		want NameLevel
	}{
		{"张伟", "张伟", NameSame},
		{"古丽·艾合买提", "古丽•艾合买提", NameSame}, // separator variant
		{"古丽·艾合买提", "古丽艾合买提", NameSame},
		{"张伟", "张玮", NamePinyin},
		{"单伟", "善伟", NamePinyin}, // heteronym shàn
		{"马小龙", "马晓龙", NamePinyin},
		{"马晓玲", "马晓宁", NameNear}, // n/l, in/ing
		{"陈静", "程静", NameNear},   // en/eng, ch
		{"李志强", "李子强", NameNear}, // zh/z
		{"马小龙", "马小虎", NameDifferent},
		{"马小龙", "马龙", NameDropped},
		{"张若汐", "张汐", NameDropped},
		{"马小龙", "小龙", NameDropped}, // surname dropped
		{"马小龙", "马晓", NameDropped}, // last character dropped, the rest homophone
		{"热依拉·吐尔逊", "热依拉·吐", NameTruncated},
		{"阿卜杜拉·买买提", "阿卜杜拉", NameTruncated},
		{"阿依古丽·吐尔逊", "阿依古丽吐尔", NameTruncated},
		{"张伟", "张伟伟伟", NameDifferent}, // two characters more, not a minority name
		{"张", "张伟", NameDifferent},    // one character left is no evidence
		{"王芳", "李芳", NameDifferent},
		{"", "张伟", NameMissing},
		{"张伟", "", NameMissing},
		{"·", "张伟", NameMissing},
	}
	for _, tt := range tests {
		if got := CompareNames(py, tt.a, tt.b); got != tt.want {
			t.Errorf("CompareNames(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareNames(py, tt.b, tt.a); got != tt.want {
			t.Errorf("CompareNames(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestCompareBirth(t *testing.T) {
	d := func(s string) baoxue.Date {
		v, err := baoxue.ParseISODate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		a, b string
		want BirthLevel
	}{
		{"2014-03-05", "2014-03-05", BirthExact},
		{"2014-03-05", "2014-03-06", BirthOneDay},
		{"2014-03-01", "2014-02-28", BirthOneDay}, // across a month
		{"2013-12-31", "2014-01-01", BirthOneDay}, // across a year
		{"2016-02-29", "2016-03-01", BirthOneDay}, // leap day
		{"2014-03-05", "2014-05-03", BirthSwapped},
		{"2014-03-05", "2014-03-07", BirthDifferent},
		{"2014-03-05", "2015-03-05", BirthDifferent},
		{"2014-03-25", "2014-03-24", BirthOneDay},
	}
	for _, tt := range tests {
		if got := CompareBirth(d(tt.a), d(tt.b)); got != tt.want {
			t.Errorf("CompareBirth(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if CompareBirth(0, d("2014-03-05")) != BirthMissing || CompareBirth(baoxue.Date(20141305), d("2014-03-05")) != BirthMissing {
		t.Error("an unknown or impossible date must be BirthMissing")
	}
	if swapped(d("2014-03-03")) != 0 || swapped(d("2014-03-25")) != 0 {
		t.Error("swapped must be 0 when month and day are equal or the day is no month")
	}
}

func TestComparePlacesSexGuardians(t *testing.T) {
	places := []struct {
		a, b string
		want PlaceLevel
	}{
		{"622921100201", "622921100201", PlaceVillage},
		{"622921100201", "622921100202", PlaceTownship},
		{"622921100201", "622921100", PlaceTownship},
		{"622921100201", "622921101", PlaceCounty},
		{"622921100201", "622921", PlaceCounty},
		{"622921100", "622923100", PlaceDifferent},
		{"622921100201", "", PlaceMissing},
		{"62292110020x", "622921100201", PlaceMissing},
		{"6229", "622921", PlaceMissing},
	}
	for _, tt := range places {
		if got := ComparePlaces(tt.a, tt.b); got != tt.want {
			t.Errorf("ComparePlaces(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if CompareSex(baoxue.Male, baoxue.Male) != SexAgree || CompareSex(baoxue.Male, baoxue.Female) != SexDisagree || CompareSex("", baoxue.Female) != SexMissing {
		t.Error("CompareSex")
	}
	py := pinyin.New()
	guardians := []struct {
		a, b string
		want GuardianLevel
	}{
		{"马建国", "马建国", GuardianSame},
		{"马建国", "马健国", GuardianPinyin},
		{"马建国", "马海军", GuardianDifferent},
		{"马建国", "", GuardianMissing},
	}
	for _, tt := range guardians {
		if got := CompareGuardians(py, tt.a, tt.b); got != tt.want {
			t.Errorf("CompareGuardians(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCompareIDs(t *testing.T) {
	k := PackDigits("62292120140305001X")
	tests := []struct {
		b    string
		ks   KeyState
		want IDLevel
	}{
		{"622921201403050000", KeyTruncated, IDPrefix},
		{"622921201403060000", KeyTruncated, IDDifferent},
		{"622921201403050117", KeyInvalid, IDNear},
		{"622921201403051237", KeyInvalid, IDDifferent},
	}
	for _, tt := range tests {
		if got := compareIDs(k, KeyValid, PackDigits(tt.b), tt.ks); got != tt.want {
			t.Errorf("compareIDs(%s) = %d, want %d", tt.b, got, tt.want)
		}
	}
	if compareIDs(k, KeyValid, 0, KeyValid) != IDNone || compareIDs(0, KeyValid, k, KeyValid) != IDNone {
		t.Error("a missing ID is no evidence")
	}
}

func TestPackDigitsMatchesIdcard(t *testing.T) {
	v := idcard.NewValidator(nil, 0)
	for _, s := range []string{"11010519491231002X", "622921201403050014", "110105194912310021"} {
		n, code := v.Check(s)
		if code != idcard.OK {
			if PackDigits(s) == 0 {
				t.Errorf("PackDigits(%s) = 0 for a well-formed invalid ID", s)
			}
			continue
		}
		if got := PackDigits(s); got != n.Pack() {
			t.Errorf("PackDigits(%s) = %d, idcard packs %d", s, got, n.Pack())
		}
		if idcard.Unpack(PackDigits(s)).String() != s {
			t.Errorf("PackDigits(%s) does not unpack to itself", s)
		}
	}
	for _, s := range []string{"", "62292120140305001", "6229212014030500xX", "62292120140305001x", "A22921201403050014", "000000000000000000"} {
		if PackDigits(s) != 0 {
			t.Errorf("PackDigits(%q) != 0", s)
		}
	}
}

func FuzzPackDigits(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "622921201403050014", "", "x", "6229212014030500XX"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := PackDigits(s)
		if k == 0 {
			return
		}
		if got := idcard.Unpack(k).String(); got != s {
			t.Fatalf("PackDigits(%q) unpacks to %q", s, got)
		}
	})
}

func TestVariantKeys(t *testing.T) {
	const id = "62292120140305001X"
	k := PackDigits(id)
	vs := variantKeys(nil, k)
	want := 17*9 + 10 // substitutions
	for i := range 16 {
		if id[i] != id[i+1] {
			want++
		}
	}
	// X cannot move into position 17, so the last transposition is absent here.
	if len(vs) != want {
		t.Fatalf("%d variants, want %d", len(vs), want)
	}
	seen := map[uint64]bool{}
	for _, v := range vs {
		if seen[v] || v == k {
			t.Fatalf("duplicate or identity variant %s", idcard.Unpack(v))
		}
		seen[v] = true
		n, first, second := idDiff(k, v)
		s := idcard.Unpack(v).String()
		switch n {
		case 1:
		case 2:
			if second != first+1 || s[first] != id[second] || s[second] != id[first] {
				t.Errorf("variant %s is not an adjacent transposition of %s", s, id)
			}
		default:
			t.Errorf("variant %s differs from %s in %d places", s, id, n)
		}
	}
	// The transposition of the last digit with a numeric check character is generated.
	k2 := PackDigits("622921201403050127")
	if !contains(variantKeys(nil, k2), PackDigits("622921201403050172")) {
		t.Error("missing the transposition of positions 17 and 18")
	}
}

func contains(s []uint64, v uint64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestReasons(t *testing.T) {
	p := pair{childName: "张玮", enrName: "张伟", childBirth: 20140305, enrBirth: 20140305,
		childKey: PackDigits("622921201403050014"), enrKey: PackDigits("622921201407050014"), enrKS: KeyInvalid}
	tests := []struct {
		l    levels
		p    pair
		want string
	}{
		{levels{id: IDVariant, name: NamePinyin, birth: BirthExact, sex: SexAgree, place: PlaceMissing, guardian: GuardianMissing}, p,
			"身份证号第12位不同；姓名同音（张玮/张伟）；出生日期相同"},
		{levels{id: IDVariant, name: NameSame, birth: BirthOneDay, sex: SexDisagree, place: PlaceTownship, guardian: GuardianSame},
			pair{childName: "张伟", enrName: "张伟", childBirth: 20140305, enrBirth: 20140306, childKey: PackDigits("622921201403050014"), enrKey: PackDigits("622921201403500014")},
			"身份证号第13、14位颠倒；姓名相同；出生日期相差一天（2014-03-05/2014-03-06）；性别不同；同乡镇；监护人姓名相同"},
		{levels{id: IDVariant, name: NameNear, birth: BirthSwapped, place: PlaceVillage, guardian: GuardianPinyin},
			pair{childName: "马晓玲", enrName: "马晓宁", childBirth: 20140305, enrBirth: 20140503, childKey: PackDigits("622921201403050014"), enrKey: PackDigits("622921201403050013")},
			"身份证号第18位（校验码）不同；姓名近音（马晓玲/马晓宁）；出生日期月日颠倒（2014-03-05/2014-05-03）；同村；监护人姓名同音"},
		{levels{id: IDNone, name: NameDropped, birth: BirthDifferent, place: PlaceCounty, guardian: GuardianDifferent},
			pair{childName: "马小龙", enrName: "马龙", childBirth: 20140305, enrBirth: 20150305, childKey: 1},
			"学籍无身份证号；姓名差一字（马小龙/马龙）；出生日期不同（2014-03-05/2015-03-05）；同县；监护人姓名不同"},
		{levels{id: IDNone, name: NameTruncated, birth: BirthMissing, place: PlaceDifferent, guardian: GuardianMissing},
			pair{childName: "热依拉·吐尔逊", enrName: "热依拉·吐", enrKey: 1},
			"户籍无身份证号；少数民族姓名截断（热依拉·吐尔逊/热依拉·吐）；出生日期缺失；不同县"},
		{levels{id: IDPrefix, name: NameSame, sepDiff: true, birth: BirthExact, place: PlaceMissing, guardian: GuardianMissing},
			pair{childName: "古丽·艾合买提", enrName: "古丽•艾合买提", childKey: 1, enrKey: 2, enrKS: KeyTruncated},
			"学籍身份证号被Excel截断，前15位相同；姓名相同（分隔符不同：古丽·艾合买提/古丽•艾合买提）；出生日期相同"},
		{levels{id: IDPrefix, name: NameDifferent, birth: BirthExact, place: PlaceMissing, guardian: GuardianMissing},
			pair{childName: "王芳", enrName: "李芳", childKey: 1, enrKey: 2, childKS: KeyTruncated},
			"户籍身份证号被Excel截断，前15位相同；姓名不同（王芳/李芳）；出生日期相同"},
		{levels{id: IDNear, name: NameMissing, birth: BirthExact, place: PlaceMissing, guardian: GuardianMissing},
			pair{childKey: PackDigits("622921201403050014"), enrKey: PackDigits("622921201403050127")},
			"身份证号第16、17位不同；姓名缺失；出生日期相同"},
		{levels{id: IDDifferent, name: NameSame, birth: BirthExact, place: PlaceMissing, guardian: GuardianMissing},
			pair{childName: "张伟", enrName: "张伟", childKey: 1, enrKey: 2},
			"身份证号不同；姓名相同；出生日期相同"},
	}
	for i, tt := range tests {
		if got := reason(tt.l, tt.p); got != tt.want {
			t.Errorf("%d: reason = %q\nwant %q", i, got, tt.want)
		}
	}
}

// FuzzCompareNames checks that name comparison never panics, is symmetric, and rates a name
// against itself as the same (or missing, for a name of separators only).
func FuzzCompareNames(f *testing.F) {
	for _, p := range [][2]string{{"张伟", "张玮"}, {"热依拉·吐尔逊", "热依拉·吐"}, {"马小龙", "马龙"}, {"a\xff", "·"}, {"", "x"}} {
		f.Add(p[0], p[1])
	}
	py := pinyin.New()
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := CompareNames(py, a, b), CompareNames(py, b, a)
		if ab != ba {
			t.Fatalf("CompareNames(%q, %q) = %d but reversed %d", a, b, ab, ba)
		}
		if l := CompareNames(py, a, a); l != NameSame && l != NameMissing {
			t.Fatalf("CompareNames(%q, itself) = %d", a, l)
		}
	})
}
