package store

import (
	"reflect"
	"testing"
)

func TestPackFields(t *testing.T) {
	if packFields("", "", "") != nil {
		t.Fatal("all-empty fields must pack to nil (stored as NULL)")
	}
	in := []string{"'622921201403051234", "", "甘肃省临夏县", "马福", "13812345678"}
	b := packFields(in...)
	out := make([]string, len(in)+1) // one more field than stored: left empty
	ptrs := make([]*string, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := unpackFields(b, ptrs...); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out[:len(in)], in) || out[len(in)] != "" {
		t.Fatalf("round trip %q", out)
	}
}

func FuzzUnpackFields(f *testing.F) {
	f.Add(packFields("a", "", "甘肃"))
	f.Add([]byte{1, 200})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var x, y, z string
		if err := unpackFields(b, &x, &y, &z); err != nil {
			return
		}
		// Whatever decodes must re-encode to a prefix-compatible blob.
		again := packFields(x, y, z)
		var x2, y2, z2 string
		if err := unpackFields(again, &x2, &y2, &z2); err != nil || x2 != x || y2 != y || z2 != z {
			t.Fatalf("re-encode of %x: %q %q %q vs %q %q %q (%v)", b, x, y, z, x2, y2, z2, err)
		}
	})
}
