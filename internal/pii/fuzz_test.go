package pii

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseKey(f *testing.F) {
	f.Add("5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")
	f.Add("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=")
	f.Add("")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err == nil && len(k) != MasterKeySize {
			t.Fatalf("ParseKey(%q) accepted a %d-byte key", s, len(k))
		}
	})
}

// Decrypt must reject anything that Encrypt did not produce, without panicking.
func FuzzDecrypt(f *testing.F) {
	k := testKeyring(f)
	good, _ := k.Encrypt([]byte("622921201403051234"), []byte("persons.id"))
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(bytes.Repeat([]byte{1}, Overhead))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Only genuine ciphertexts (the seed, made under the same fixed key in whichever process
		// runs this) may open, and they open to what was sealed.
		plain, err := k.Decrypt(b, []byte("persons.id"))
		if err == nil && string(plain) != "622921201403051234" {
			t.Fatalf("forged ciphertext %x accepted as %q", b, plain)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"622921201403051234", "13812345678", "马尔江·买买提", "欧阳娜娜", "", "6.22921201403051E+17", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := MaskID(s)
		trimmed := []rune(strings.TrimSpace(s))
		if utf8.RuneCountInString(id) != len(trimmed) {
			t.Fatalf("MaskID(%q) = %q changes the length", s, id)
		}
		if len(trimmed) == 18 && string([]rune(id)[3:14]) != strings.Repeat("*", 11) {
			t.Fatalf("MaskID(%q) = %q shows the middle", s, id)
		}
		if p := MaskPhone(s); utf8.RuneCountInString(p) != len(trimmed) {
			t.Fatalf("MaskPhone(%q) = %q changes the length", s, p)
		}
		// The mask keeps at most a two-character surname and hides the rest behind one "*".
		if n := MaskName(s); len(trimmed) > 1 && (!strings.HasSuffix(n, "*") || utf8.RuneCountInString(n) > 3) {
			t.Fatalf("MaskName(%q) = %q", s, n)
		}
	})
}
