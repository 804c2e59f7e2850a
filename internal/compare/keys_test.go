package compare

import (
	"context"
	"slices"
	"testing"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/match"
)

func TestMatchKey(t *testing.T) {
	id := makeID(t, "20140305", 11)
	cases := []struct {
		name       string
		id, raw    string
		idErr      string
		wantDigits string
		want       match.KeyState
	}{
		{"valid", id, "", "", id, match.KeyValid},
		{"mistyped", "", typo(id, 12), "ID_CHECKSUM", typo(id, 12), match.KeyInvalid},
		{"mistyped with apostrophe and full-width digits", "", "'６２２９２１" + typo(id, 12)[6:], "ID_CHECKSUM", typo(id, 12), match.KeyInvalid},
		{"impossible birth date", "", "622921201413050011", "ID_BIRTHDATE", "622921201413050011", match.KeyInvalid},
		{"Excel kept 15 digits", "", id[:15] + "000", "ID_PRECISION_LOST", id[:15] + "000", match.KeyTruncated},
		{"Excel scientific, 15 digits", "", "6.22921201403050E+17", "ID_PRECISION_LOST", "622921201403050000", match.KeyTruncated},
		{"Excel scientific, too few digits", "", "6.22921E+17", "ID_PRECISION_LOST", "", 0},
		{"empty", "", "", "ID_EMPTY", "", 0},
		{"format", "", "62292120140305", "ID_FORMAT", "", 0},
		{"mistyped but not 18 characters", "", "6229212014030500", "ID_CHECKSUM", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, ks := matchKey(tc.id, tc.raw, tc.idErr)
			want := uint64(0)
			if tc.wantDigits != "" {
				want = match.PackDigits(tc.wantDigits)
			}
			if k != want || (k != 0 && ks != tc.want) {
				t.Errorf("matchKey = %d/%v, want %d/%v", k, ks, want, tc.want)
			}
		})
	}
}

func FuzzTruncatedDigits(f *testing.F) {
	for _, s := range []string{"622921201403051000", "6.22921201403051E+17", "6.22921E+17", "6.2292120140305123E17", "", "E+17", "..E+17", "１２３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := truncatedDigits(s)
		if ok && (len(d) != 18 || !allDigits([]byte(d))) {
			t.Fatalf("truncatedDigits(%q) = %q", s, d)
		}
		matchKey("", s, idErrPrecisionLost)
		matchKey("", s, idErrChecksum)
	})
}

func TestKeyTable(t *testing.T) {
	keys := []uint64{5, 0, 7, 5, 9, 5, 0}
	tab := newKeyTable(keys)
	var got []int32
	for p := tab.first(5); p >= 0; p = tab.next[p] {
		got = append(got, p)
	}
	if !slices.Equal(got, []int32{0, 3, 5}) {
		t.Errorf("chain of 5 = %v", got)
	}
	if tab.first(7) != 2 || tab.first(9) != 4 || tab.next[2] != -1 {
		t.Errorf("single keys")
	}
	if tab.first(0) != -1 || tab.first(6) != -1 {
		t.Errorf("absent keys found")
	}
	if newKeyTable(nil).first(5) != -1 {
		t.Errorf("empty table")
	}
}

func TestVariantKeys(t *testing.T) {
	id := makeID(t, "20140305", 11)
	key := match.PackDigits(id)
	vs := variantKeys(nil, key)
	has := func(s string) bool { return slices.Contains(vs, match.PackDigits(s)) }
	swapped := []byte(id)
	swapped[8], swapped[9] = swapped[9], swapped[8]
	if !has(typo(id, 12)) || !has(typo(id, 0)) || !has(string(swapped)) || !has(id[:17]+"X") && id[17] != 'X' {
		t.Errorf("variants lack a substitution, a transposition or another check character")
	}
	if slices.Contains(vs, key) {
		t.Errorf("variants contain the key itself")
	}
	if n := len(vs); n < 150 || n > 180 {
		t.Errorf("%d variants", n)
	}
}

func TestChanges(t *testing.T) {
	e := func(id, name string, st baoxue.LedgerStatus) baoxue.LedgerEntry {
		return baoxue.LedgerEntry{IDNumber: id, Name: name, BirthDate: "2014-03-05", RegionCode: "622921100201", Status: st}
	}
	a, b, c, d := makeID(t, "20140305", 11), makeID(t, "20140305", 13), makeID(t, "20140305", 15), makeID(t, "20140305", 17)
	prev := []baoxue.LedgerEntry{
		e(a, "甲", baoxue.StatusSuspected),         // still open
		e(b, "乙", baoxue.StatusReview),            // resolved: enrolled now
		e(c, "丙", baoxue.StatusEnrolled),          // new suspect now
		e("6.2E+17", "丁", baoxue.StatusInvalidID), // not open
		e(d, "戊", baoxue.StatusSuspected),         // resolved: gone from the ledger
	}
	ch, err := NewChanges(context.Background(), 3, sliceStream(prev))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []baoxue.LedgerEntry{e(a, "甲", baoxue.StatusSuspected), e(b, "乙", baoxue.StatusEnrolled),
		e(c, "丙", baoxue.StatusSuspected), e(c, "丙", baoxue.StatusSuspected), e("6.2E+17", "丁", baoxue.StatusInvalidID)} {
		ch.Add(&x)
	}
	ch.Finish()
	if ch.PreviousRun != 3 || ch.NewOpen != 1 || ch.StillOpen != 1 || ch.Resolved != 2 {
		t.Errorf("changes %+v", ch)
	}
	inv := e("6.2E+17", "丁", baoxue.StatusInvalidID)
	if ChildKey(&inv) != "nb:丁|2014-03-05|622921100201" {
		t.Errorf("key of an invalid ID: %q", ChildKey(&inv))
	}
}
