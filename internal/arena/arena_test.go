package arena

import (
	"strings"
	"testing"
	"unsafe"
)

// TestStrings: what an arena returns equals what was added, does not share memory with it,
// outlives changes to the source bytes, and shares blocks between small strings.
func TestStrings(t *testing.T) {
	var a Strings
	src := []byte("张子林,620102201509170112")
	got := a.AddBytes(src[:9])
	id := a.Add(string(src[10:]))
	copy(src, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
	if got != "张子林" || id != "620102201509170112" {
		t.Fatalf("arena strings %q %q after the source changed", got, id)
	}
	if unsafe.StringData(got) == &src[0] {
		t.Error("AddBytes returned a view of its argument")
	}
	// Small strings share a block: the second starts where the first ends.
	if p, q := uintptr(unsafe.Pointer(unsafe.StringData(got))), uintptr(unsafe.Pointer(unsafe.StringData(id))); q != p+uintptr(len(got)) {
		t.Errorf("second string at %#x, want right after the first (%#x)", q, p+uintptr(len(got)))
	}
	if a.Add("") != "" || a.AddBytes(nil) != "" {
		t.Error("empty input gave a non-empty string")
	}
	big := strings.Repeat("长", Block/4) // longer than a quarter block
	if s := a.Add(big); s != big || unsafe.StringData(s) == unsafe.StringData(big) {
		t.Error("a long string was not copied on its own")
	}
	// Filling past a block starts another; earlier strings are unchanged.
	var all []string
	for i := range 2 * Block / 16 {
		all = append(all, a.Add(strings.Repeat(string(rune('a'+i%26)), 16)))
	}
	for i, s := range all {
		if s != strings.Repeat(string(rune('a'+i%26)), 16) {
			t.Fatalf("string %d is %q", i, s)
		}
	}
}
