package region

import (
	"testing"

	"github.com/baoxue/baoxue"
)

func load(t testing.TB) *Tree {
	t.Helper()
	tr, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestCounts(t *testing.T) {
	tr := load(t)
	if n := len(tr.Children("")); n != 0 {
		t.Fatalf("root children = %d", n)
	}
	counts := map[baoxue.RegionLevel]int{}
	for _, r := range tr.byCode {
		counts[r.Level]++
	}
	want := map[baoxue.RegionLevel]int{1: 31, 2: 342, 3: 2978, 4: 41352}
	for l, n := range want {
		if counts[l] != n {
			t.Errorf("level %v: %d regions, want %d", l, counts[l], n)
		}
	}
	// Gansu (DESIGN §1 and the data's SOURCE.md): 14 prefectures, 88 county-level rows, 1,403 townships.
	var counties, towns int
	for _, p := range tr.Children("62") {
		for _, c := range tr.Children(p.Code) {
			counties++
			towns += len(tr.Children(c.Code))
		}
	}
	if n := len(tr.Children("62")); n != 14 || counties != 88 || towns != 1403 {
		t.Errorf("Gansu: %d prefectures, %d counties, %d townships", n, counties, towns)
	}
}

func TestLookupAndPath(t *testing.T) {
	tr := load(t)
	tests := []struct{ code, path string }{
		{"62", "甘肃省"},
		{"6229", "甘肃省 / 临夏回族自治州"},
		{"622921", "甘肃省 / 临夏回族自治州 / 临夏县"},
		{"622921100", "甘肃省 / 临夏回族自治州 / 临夏县 / 韩集镇"},
		{"110101", "北京市 / 东城区"},
		{"999999", ""},
	}
	for _, tc := range tests {
		if got := tr.Path(tc.code); got != tc.path {
			t.Errorf("Path(%s) = %q, want %q", tc.code, got, tc.path)
		}
	}
	r, ok := tr.Lookup("622921")
	if !ok || r.Name != "临夏县" || r.Level != baoxue.LevelCounty || r.Parent != "6229" {
		t.Errorf("Lookup(622921) = %+v, %v", r, ok)
	}
	if ch := tr.Chain("622921100"); len(ch) != 4 || ch[0].Code != "62" || ch[3].Code != "622921100" {
		t.Errorf("Chain = %+v", ch)
	}
	kids := tr.Children("622921")
	if len(kids) != 25 || kids[0].Name != "韩集镇" {
		t.Errorf("Children(临夏县) = %d, first %+v", len(kids), kids[0])
	}
}

func TestVillages(t *testing.T) {
	tr := load(t)
	tests := []struct {
		code string
		ok   bool
	}{
		{"622921100201", true},
		{"622921100000", false}, // the township itself padded, not a village
		{"622921999201", false}, // unknown township
		{"62292110020", false},
		{"62292110020X", false},
	}
	for _, tc := range tests {
		if got := tr.ValidVillageCode(tc.code); got != tc.ok {
			t.Errorf("ValidVillageCode(%s) = %v", tc.code, got)
		}
	}
	if err := tr.AddVillage("622921100201", "韩集村"); err != nil {
		t.Fatal(err)
	}
	if err := tr.AddVillage("622921999201", "某村"); err == nil {
		t.Error("AddVillage under unknown township succeeded")
	}
	if got := tr.Path("622921100201"); got != "甘肃省 / 临夏回族自治州 / 临夏县 / 韩集镇 / 韩集村" {
		t.Errorf("village path %q", got)
	}
	if kids := tr.Children("622921100"); len(kids) != 1 || kids[0].Name != "韩集村" {
		t.Errorf("township children %+v", kids)
	}
}

func TestAddressCodes(t *testing.T) {
	tr := load(t)
	a := tr.Address()
	tests := []struct {
		code uint32
		ok   bool
	}{
		{622921, true},
		{110103, true}, // 崇文区, abolished 2010 but valid in old IDs
		{110105, true},
		{999999, false},
		{620000, true},
		{123456, false},
		{2000000, false},
	}
	for _, tc := range tests {
		if got := a.Has(tc.code); got != tc.ok {
			t.Errorf("Has(%d) = %v", tc.code, got)
		}
	}
	if n, ok := tr.AddressName(110103); !ok || n != "崇文区" {
		t.Errorf("AddressName(110103) = %q %v", n, ok)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
