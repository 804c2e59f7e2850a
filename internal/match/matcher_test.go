package match

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/idcard"
)

// validKey packs the 17 digits given with their correct check character.
func validKey(t testing.TB, d17 string) uint64 {
	t.Helper()
	k := PackDigits(d17 + string(idcard.CheckDigit([]byte(d17))))
	if k == 0 {
		t.Fatalf("bad digits %q", d17)
	}
	return k
}

// typo returns key with the character at 0-based position i replaced (check character: 'X' ok).
func typo(t testing.TB, key uint64, i int, c byte) uint64 {
	t.Helper()
	b := []byte(idcard.Unpack(key).String())
	b[i] = c
	return PackDigits(string(b))
}

func swapAt(t testing.TB, key uint64, i int) uint64 {
	t.Helper()
	b := []byte(idcard.Unpack(key).String())
	b[i], b[i+1] = b[i+1], b[i]
	return PackDigits(string(b))
}

// decide matches one child against the enrollments and resolves.
func decide(t testing.TB, enrollments []Record, child Record) Result {
	t.Helper()
	m := NewMatcher(enrollments, Options{})
	r := m.Match(child)
	for _, d := range m.Resolve() {
		if d.Child != child.Ref {
			t.Fatalf("decision for unknown child %d", d.Child)
		}
		if !r.Pending {
			t.Fatal("a final result must not be decided again")
		}
		r = d.Result
	}
	if r.Pending {
		t.Fatal("result still pending after Resolve")
	}
	return r
}

func TestMatchDamage(t *testing.T) {
	key := validKey(t, "62292120140305001")
	child := Record{Key: key, Name: "张伟", Birth: 20140305, Sex: baoxue.Male, Region: "622921100201", Guardian: "张建国", Ref: 7}
	// base is the clean enrollment of child; each case edits a copy.
	base := Record{Key: key, Name: "张伟", Birth: 20140305, Sex: baoxue.Male, Region: "622921100", Ref: 70}
	other := Record{Key: validKey(t, "62292120120101002"), Name: "李娜", Birth: 20120101, Sex: baoxue.Female, Region: "622921100", Ref: 71}

	type want struct {
		method baoxue.MatchMethod
		ref    int32
		review bool
		reason string
	}
	tests := []struct {
		name  string
		child func(*Record)
		enr   func(*Record)
		want  want
	}{
		{"exact", nil, nil, want{baoxue.MatchIDExact, 70, false, "身份证号相同"}},
		{"exact, homophone name", nil, func(e *Record) { e.Name = "张玮" },
			want{baoxue.MatchIDExact, 70, false, "身份证号相同；姓名同音（张伟/张玮）"}},
		{"exact, different name", nil, func(e *Record) { e.Name = "王芳" },
			want{baoxue.MatchIDExact, 70, true, "身份证号相同；姓名不同（张伟/王芳）"}},
		{"exact, birth off by one", nil, func(e *Record) { e.Birth = 20140306 },
			want{baoxue.MatchIDExact, 70, false, "身份证号相同；出生日期相差一天（2014-03-05/2014-03-06）"}},
		{"substituted digit, homophone (the issue's example)", func(c *Record) { c.Name = "张玮"; c.Region = "" },
			func(e *Record) { e.Key, e.KeyState, e.Region = typo(t, key, 11, '9'), KeyInvalid, "" },
			want{baoxue.MatchIDVariant, 70, false, "身份证号第12位不同；姓名同音（张玮/张伟）；出生日期相同"}},
		{"adjacent digits swapped", nil, func(e *Record) { e.Key, e.KeyState = swapAt(t, key, 8), KeyInvalid },
			want{baoxue.MatchIDVariant, 70, false, "身份证号第9、10位颠倒；姓名相同；出生日期相同；同乡镇"}},
		{"check character mistyped", nil, func(e *Record) { e.Key, e.KeyState = typo(t, key, 17, 'X'), KeyInvalid },
			want{baoxue.MatchIDVariant, 70, false, "身份证号第18位（校验码）不同；姓名相同；出生日期相同；同乡镇"}},
		{"registry ID mistyped, school's right", func(c *Record) { c.Key, c.KeyState = typo(t, key, 3, '5'), KeyInvalid }, nil,
			want{baoxue.MatchIDVariant, 70, false, "身份证号第4位不同；姓名相同；出生日期相同；同乡镇"}},
		{"variant, birth off by one", nil, func(e *Record) { e.Key, e.KeyState, e.Birth = typo(t, key, 15, '7'), KeyInvalid, 20140304 },
			want{baoxue.MatchIDVariant, 70, false, "身份证号第16位不同；姓名相同；出生日期相差一天（2014-03-05/2014-03-04）；同乡镇"}},
		{"variant, near-sound name and a day off: review", func(c *Record) { c.Name = "马晓玲" },
			func(e *Record) {
				e.Name, e.Key, e.KeyState, e.Birth = "马晓宁", typo(t, key, 15, '7'), KeyInvalid, 20140304
			},
			want{baoxue.MatchIDVariant, 70, true, "身份证号第16位不同；姓名近音（马晓玲/马晓宁）；出生日期相差一天（2014-03-05/2014-03-04）；同乡镇"}},
		{"variant, different name: no link", nil, func(e *Record) { e.Name, e.Key, e.KeyState = "王芳", typo(t, key, 15, '7'), KeyInvalid },
			want{baoxue.MatchNone, -1, false, ""}},
		{"no ID in 学籍", nil, func(e *Record) { e.Key = 0 },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名相同；出生日期相同；同乡镇"}},
		{"no ID, homophone", nil, func(e *Record) { e.Key, e.Name = 0, "章伟" },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名同音（张伟/章伟）；出生日期相同；同乡镇"}},
		{"no ID, n/l near sound", func(c *Record) { c.Name = "马晓玲" }, func(e *Record) { e.Key, e.Name = 0, "马晓宁" },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名近音（马晓玲/马晓宁）；出生日期相同；同乡镇"}},
		{"no ID, dropped character: review", func(c *Record) { c.Name = "马小龙" }, func(e *Record) { e.Key, e.Name = 0, "马龙" },
			want{baoxue.MatchFuzzy, 70, true, "学籍无身份证号；姓名差一字（马小龙/马龙）；出生日期相同；同乡镇"}},
		{"no ID, separator variant", func(c *Record) { c.Name = "古丽·艾合买提" }, func(e *Record) { e.Key, e.Name = 0, "古丽•艾合买提" },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名相同（分隔符不同：古丽·艾合买提/古丽•艾合买提）；出生日期相同；同乡镇"}},
		{"no ID, minority name truncated: review", func(c *Record) { c.Name = "热依拉·吐尔逊" }, func(e *Record) { e.Key, e.Name = 0, "热依拉·吐" },
			want{baoxue.MatchFuzzy, 70, true, "学籍无身份证号；少数民族姓名截断（热依拉·吐尔逊/热依拉·吐）；出生日期相同；同乡镇"}},
		{"no ID, birth off by one", nil, func(e *Record) { e.Key, e.Birth = 0, 20140306 },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名相同；出生日期相差一天（2014-03-05/2014-03-06）；同乡镇"}},
		{"no ID, month and day swapped", nil, func(e *Record) { e.Key, e.Birth = 0, 20140503 },
			want{baoxue.MatchFuzzy, 70, false, "学籍无身份证号；姓名相同；出生日期月日颠倒（2014-03-05/2014-05-03）；同乡镇"}},
		{"no ID, birth year wrong: found by pinyin, review", nil, func(e *Record) { e.Key, e.Birth = 0, 20150305 },
			want{baoxue.MatchFuzzy, 70, true, "学籍无身份证号；姓名相同；出生日期不同（2014-03-05/2015-03-05）；同乡镇"}},
		{"no ID, sex wrong: review", nil, func(e *Record) { e.Key, e.Sex = 0, baoxue.Female },
			want{baoxue.MatchFuzzy, 70, true, "学籍无身份证号；姓名相同；出生日期相同；性别不同；同乡镇"}},
		{"ID truncated by Excel", nil, func(e *Record) {
			e.Key, e.KeyState = typo(t, typo(t, typo(t, key, 15, '0'), 16, '0'), 17, '0'), KeyTruncated
		},
			want{baoxue.MatchFuzzy, 70, false, "学籍身份证号被Excel截断，前15位相同；姓名相同；出生日期相同；同乡镇"}},
		{"registry without ID", func(c *Record) { c.Key = 0 }, nil,
			want{baoxue.MatchFuzzy, 70, false, "户籍无身份证号；姓名相同；出生日期相同；同乡镇"}},
		{"no ID, different name: no link", nil, func(e *Record) { e.Key, e.Name = 0, "张强" },
			want{baoxue.MatchNone, -1, false, ""}},
		{"学籍 has a different valid ID: no link", nil, func(e *Record) { e.Key = validKey(t, "62292120140305003") },
			want{baoxue.MatchNone, -1, false, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, e := child, base
			if tt.child != nil {
				tt.child(&c)
			}
			if tt.enr != nil {
				tt.enr(&e)
			}
			r := decide(t, []Record{other, e}, c)
			if r.Method != tt.want.method || r.Ref != tt.want.ref || r.Review != tt.want.review || r.Reason != tt.want.reason {
				t.Errorf("got  %s ref %d review %v %q (score %.4f)\nwant %s ref %d review %v %q",
					r.Method, r.Ref, r.Review, r.Reason, r.Score, tt.want.method, tt.want.ref, tt.want.review, tt.want.reason)
			}
			switch {
			case r.Method == baoxue.MatchIDExact && r.Score != 1,
				r.Method == baoxue.MatchNone && r.Score != 0,
				r.Score < 0 || r.Score > 1,
				!r.Review && (r.Method == baoxue.MatchFuzzy || r.Method == baoxue.MatchIDVariant) && r.Score < 0.999:
				t.Errorf("score %v does not fit %s (review %v)", r.Score, r.Method, r.Review)
			}
		})
	}
}

func TestExactDuplicates(t *testing.T) {
	key := validKey(t, "62292120140305001")
	enr := []Record{
		{Key: key, Name: "王芳", Birth: 20140305, Ref: 1},
		{Key: key, Name: "张伟", Birth: 20140305, Ref: 2},
		{Key: key, Name: "张伟", Birth: 20140305, Ref: 3},
	}
	r := decide(t, enr, Record{Key: key, Name: "张伟", Birth: 20140305})
	if r.Method != baoxue.MatchIDExact || r.Ref != 2 || r.Duplicates != 2 || r.Reason != "身份证号相同；另有2条学籍使用同一身份证号" {
		t.Errorf("got %+v", r)
	}
}

// Twins share birth date, sex, village and guardian; only the name tells them apart.
func TestTwinsDoNotLinkToEachOther(t *testing.T) {
	kA, kB := validKey(t, "62292120140305001"), validKey(t, "62292120140305003")
	a := Record{Key: kA, Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100201", Guardian: "马建国", Ref: 0}
	b := Record{Key: kB, Name: "马小虎", Birth: 20140305, Sex: baoxue.Male, Region: "622921100201", Guardian: "马建国", Ref: 1}
	for _, enr := range [][]Record{
		{{Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100", Ref: 10}},                          // A's 学籍 without ID
		{{Key: kA, Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100", Ref: 10}},                 // with ID
		{{Key: swapAt(t, kA, 14), KeyState: KeyInvalid, Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Ref: 10}}, // typo'd ID
	} {
		m := NewMatcher(enr, Options{})
		res := map[int32]Result{0: m.Match(a), 1: m.Match(b)}
		for _, d := range m.Resolve() {
			res[d.Child] = d.Result
		}
		if res[0].Ref != 10 || res[0].Review {
			t.Errorf("twin A not linked to its own record: %+v", res[0])
		}
		if res[1].Ref != -1 || res[1].Method != baoxue.MatchNone {
			t.Errorf("twin B (a dropout) linked to A's record: %+v", res[1])
		}
	}
}

// Two children with the same name, birth date and township and one 学籍 without ID: neither may
// be linked automatically, both go to review.
func TestSameNameSameBirthIsAmbiguous(t *testing.T) {
	c1 := Record{Key: validKey(t, "62292120140305001"), Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100201", Ref: 0}
	c2 := Record{Key: validKey(t, "62292120140305005"), Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100202", Ref: 1}
	enr := []Record{{Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Region: "622921100", Ref: 10}}
	m := NewMatcher(enr, Options{})
	m.Match(c2)
	m.Match(c1)
	ds := m.Resolve()
	if len(ds) != 2 || ds[0].Child != 0 || ds[1].Child != 1 {
		t.Fatalf("decisions %+v", ds)
	}
	for _, d := range ds {
		if !d.Review || d.Ref != 10 || !strings.HasSuffix(d.Reason, "另有儿童与该学籍同样相近") || d.Score > 0.6 {
			t.Errorf("child %d: %+v", d.Child, d.Result)
		}
	}
}

// A record taken by an exact ID match is no candidate for anyone else, whatever the order.
func TestExactClaimBeatsFuzzy(t *testing.T) {
	k := validKey(t, "62292120140305001")
	owner := Record{Key: k, Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Ref: 0}
	namesake := Record{Key: validKey(t, "62292120140305005"), Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Ref: 1}
	// The record's ID is typo'd in the 学籍 and the registry alike: an exact match on the bad ID.
	bad := swapAt(t, k, 14)
	owner.Key, owner.KeyState = bad, KeyInvalid
	enr := []Record{{Key: bad, KeyState: KeyInvalid, Name: "马小龙", Birth: 20140305, Sex: baoxue.Male, Ref: 10}}
	for _, order := range [][]Record{{namesake, owner}, {owner, namesake}} {
		m := NewMatcher(enr, Options{})
		res := map[int32]Result{}
		for _, c := range order {
			res[c.Ref] = m.Match(c)
		}
		for _, d := range m.Resolve() {
			res[d.Child] = d.Result
		}
		if res[0].Method != baoxue.MatchIDExact || res[0].Ref != 10 {
			t.Errorf("owner: %+v", res[0])
		}
		if res[1].Ref != -1 {
			t.Errorf("namesake got the owner's record: %+v", res[1])
		}
	}
}

// The same inputs in another order give the same decision for every child.
func TestDeterministicAcrossOrders(t *testing.T) {
	p := genPopulation(3, 4000)
	run := func(children, enrollments []Record, workers int) map[int32]Result {
		m := NewMatcher(enrollments, Options{})
		out := make(map[int32]Result, len(children))
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan Record)
		for range workers {
			wg.Go(func() {
				for c := range next {
					r := m.Match(c)
					mu.Lock()
					out[c.Ref] = r
					mu.Unlock()
				}
			})
		}
		for _, c := range children {
			next <- c
		}
		close(next)
		wg.Wait()
		for _, d := range m.Resolve() {
			out[d.Child] = d.Result
		}
		return out
	}
	want := run(p.children, p.enrollments, 1)
	r := rand.New(rand.NewPCG(9, 9))
	children := append([]Record(nil), p.children...)
	enrollments := append([]Record(nil), p.enrollments...)
	r.Shuffle(len(children), func(i, j int) { children[i], children[j] = children[j], children[i] })
	r.Shuffle(len(enrollments), func(i, j int) { enrollments[i], enrollments[j] = enrollments[j], enrollments[i] })
	got := run(children, enrollments, 2)
	diff := 0
	for ref, w := range want {
		if g := got[ref]; g != w {
			diff++
			if diff < 5 {
				t.Errorf("child %d: %+v, in another order %+v", ref, w, g)
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d decisions depend on the order", diff, len(want))
	}
}

func TestEmptyMatcher(t *testing.T) {
	m := NewMatcher(nil, Options{})
	r := m.Match(Record{Key: validKey(t, "62292120140305001"), Name: "张伟", Birth: 20140305})
	if r.Method != baoxue.MatchNone || r.Ref != -1 || r.Pending {
		t.Errorf("got %+v", r)
	}
	if len(m.Resolve()) != 0 {
		t.Error("nothing should be pending")
	}
}
