package pii

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GB/T 32905-2016 (SM3) Appendix A examples.
func TestSM3KnownAnswers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
		{strings.Repeat("abcd", 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"},
	}
	for _, tt := range tests {
		got := sm3.Sum([]byte(tt.in))
		if hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("SM3(%q) = %x, want %s", tt.in, got, tt.want)
		}
	}
}

// GB/T 32907-2016 (SM4) Appendix A: one block, and the same block encrypted 1,000,000 times.
func TestSM4KnownAnswers(t *testing.T) {
	key := mustHex(t, "0123456789abcdeffedcba9876543210")
	block, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(key) // the plaintext equals the key in the standard's example
	block.Encrypt(buf, buf)
	if got := hex.EncodeToString(buf); got != "681edf34d206965e86b3e94f536e4246" {
		t.Fatalf("SM4 one block = %s", got)
	}
	block.Decrypt(buf, buf)
	if !bytes.Equal(buf, key) {
		t.Fatalf("SM4 decrypt = %x", buf)
	}
	if testing.Short() {
		t.Skip("1,000,000 iterations skipped in -short mode")
	}
	for range 1_000_000 {
		block.Encrypt(buf, buf)
	}
	if got := hex.EncodeToString(buf); got != "595298c7c6fd271f0402f804c33d3f66" {
		t.Fatalf("SM4 1e6 iterations = %s", got)
	}
}

// HMAC-SM3 vectors from GM/T 0042-2015 Appendix D.3 (as published in OpenSSL's test data) and
// from Bouncy Castle's HMacTest.
func TestHMACSM3KnownAnswers(t *testing.T) {
	tests := []struct{ key, msg, want string }{
		{
			"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
			hex.EncodeToString([]byte(strings.Repeat("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 2))),
			"ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a",
		},
		{
			"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425",
			strings.Repeat("cd", 50),
			"220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae",
		},
		{
			strings.Repeat("0b", 20),
			hex.EncodeToString([]byte("Hi There")),
			"51b00d1fb49832bfb01c3ce27848e59f871d9ba938dc563b338ca964755cce70",
		},
	}
	for _, tt := range tests {
		m := hmac.New(sm3.New, mustHex(t, tt.key))
		m.Write(mustHex(t, tt.msg))
		if got := hex.EncodeToString(m.Sum(nil)); got != tt.want {
			t.Errorf("HMAC-SM3(key %s…) = %s, want %s", tt.key[:8], got, tt.want)
		}
	}
}

func testKeyring(t testing.TB) *Keyring {
	t.Helper()
	k, err := New(bytes.Repeat([]byte{7}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEncryptRoundTripAndNonce(t *testing.T) {
	k := testKeyring(t)
	plain := []byte("622921201403051234")
	a, err := k.Encrypt(plain, []byte("persons.id"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Encrypt(plain, []byte("persons.id"))
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same value are equal: nonce reused")
	}
	if len(a) != len(plain)+Overhead {
		t.Fatalf("ciphertext length %d, want %d", len(a), len(plain)+Overhead)
	}
	if bytes.Contains(a, plain) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := k.Decrypt(a, []byte("persons.id"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
}

// The on-disk format is SM4-GCM as specified, readable by any implementation given the derived key.
func TestCiphertextIsStandardSM4GCM(t *testing.T) {
	master := bytes.Repeat([]byte{7}, MasterKeySize)
	k, _ := New(master)
	sealed, _ := k.Encrypt([]byte("hello"), []byte("aad"))
	encKey, _ := hkdf.Key(sm3.New, master, nil, "baoxue pii sm4-gcm v1", 16)
	block, _ := sm4.NewCipher(encKey)
	g, _ := cipher.NewGCM(block)
	got, err := g.Open(nil, sealed[1:13], sealed[13:], []byte("aad"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("independent SM4-GCM open = %q, %v", got, err)
	}
}

func TestDecryptDetectsTampering(t *testing.T) {
	k := testKeyring(t)
	sealed, _ := k.Encrypt([]byte("13812345678"), []byte("persons.phone"))
	other, _ := New(bytes.Repeat([]byte{8}, MasterKeySize))
	cases := map[string]func() ([]byte, error){
		"flipped bit": func() ([]byte, error) {
			c := bytes.Clone(sealed)
			c[len(c)/2] ^= 1
			return k.Decrypt(c, []byte("persons.phone"))
		},
		"flipped tag": func() ([]byte, error) {
			c := bytes.Clone(sealed)
			c[len(c)-1] ^= 0x80
			return k.Decrypt(c, []byte("persons.phone"))
		},
		"flipped nonce": func() ([]byte, error) {
			c := bytes.Clone(sealed)
			c[1] ^= 1
			return k.Decrypt(c, []byte("persons.phone"))
		},
		"truncated": func() ([]byte, error) { return k.Decrypt(sealed[:len(sealed)-1], []byte("persons.phone")) },
		"too short": func() ([]byte, error) { return k.Decrypt(sealed[:10], []byte("persons.phone")) },
		"wrong aad": func() ([]byte, error) { return k.Decrypt(sealed, []byte("persons.id")) },
		"wrong key": func() ([]byte, error) { return other.Decrypt(sealed, []byte("persons.phone")) },
		"wrong version": func() ([]byte, error) {
			c := bytes.Clone(sealed)
			c[0] = 2
			return k.Decrypt(c, []byte("persons.phone"))
		},
	}
	for name, f := range cases {
		if got, err := f(); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: Decrypt = %q, %v; want ErrDecrypt", name, got, err)
		}
	}
}

func TestEncryptStringEmptyIsNil(t *testing.T) {
	k := testKeyring(t)
	c, err := k.EncryptString("", "x")
	if err != nil || c != nil {
		t.Fatalf("EncryptString(\"\") = %v, %v", c, err)
	}
	s, err := k.DecryptString(nil, "x")
	if err != nil || s != "" {
		t.Fatalf("DecryptString(nil) = %q, %v", s, err)
	}
	c, _ = k.EncryptString("甘肃省临夏县", "persons.address")
	s, err = k.DecryptString(c, "persons.address")
	if err != nil || s != "甘肃省临夏县" {
		t.Fatalf("round trip = %q, %v", s, err)
	}
}

func TestBlindIndex(t *testing.T) {
	k := testKeyring(t)
	a := k.BlindIndex("622921201403051234")
	if len(a) != BlindIndexSize {
		t.Fatalf("len = %d", len(a))
	}
	if !bytes.Equal(a, k.BlindIndex("622921201403051234")) {
		t.Fatal("blind index is not deterministic")
	}
	if bytes.Equal(a, k.BlindIndex("622921201403051242")) {
		t.Fatal("different IDs share an index")
	}
	other, _ := New(bytes.Repeat([]byte{8}, MasterKeySize))
	if bytes.Equal(a, other.BlindIndex("622921201403051234")) {
		t.Fatal("blind index does not depend on the key")
	}
	if k.BlindIndex("") != nil {
		t.Fatal("empty ID must have no index")
	}
	// The index is HMAC-SM3 under the derived index key, truncated.
	m := hmac.New(sm3.New, k.macKey)
	m.Write([]byte("622921201403051234"))
	if !bytes.Equal(a, m.Sum(nil)[:BlindIndexSize]) {
		t.Fatal("blind index is not truncated HMAC-SM3")
	}
	// Pooled HMAC state must not leak between concurrent callers.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 1000 {
				id := "62292120140305123" + string(rune('0'+g))
				if x, y := k.BlindIndex(id), k.BlindIndex(id); !bytes.Equal(x, y) {
					t.Error("concurrent blind index differs")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	good := []string{
		hex.EncodeToString(raw),
		" " + strings.ToUpper(hex.EncodeToString(raw)) + "\n",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
	}
	for _, s := range good {
		b, err := ParseKey(s)
		if err != nil || !bytes.Equal(b, raw) {
			t.Errorf("ParseKey(%q) = %x, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "abcd", hex.EncodeToString(raw[:16]), "not a key at all!!"} {
		if _, err := ParseKey(s); !errors.Is(err, ErrKey) {
			t.Errorf("ParseKey(%q) err = %v, want ErrKey", s, err)
		}
	}
	if _, err := FromEnv(hex.EncodeToString(raw)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "baoxue.db.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := k1.Encrypt([]byte("x"), nil)
	if _, err := k2.Decrypt(sealed, nil); err != nil {
		t.Fatal("reloaded key differs from the created one")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, err := LoadOrCreateKey(path); !errors.Is(err, ErrKey) {
			t.Fatalf("world-readable key accepted: %v", err)
		}
		os.Chmod(path, 0o600)
	}
	os.WriteFile(path, []byte("garbage"), 0o600)
	if _, err := LoadOrCreateKey(path); !errors.Is(err, ErrKey) {
		t.Fatalf("garbage key accepted: %v", err)
	}
}

// Concurrent first runs must agree on one key.
func TestLoadOrCreateKeyRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	rings := make([]*Keyring, 8)
	var wg sync.WaitGroup
	for i := range rings {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			rings[i] = k
		})
	}
	wg.Wait()
	for _, k := range rings[1:] {
		if k != nil && !bytes.Equal(k.BlindIndex("1"), rings[0].BlindIndex("1")) {
			t.Fatal("racing first runs produced different keys")
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	k := testKeyring(b)
	plain := []byte("622921201403051234")
	aad := []byte("persons.id")
	buf := make([]byte, 0, 64)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		var err error
		buf, err = k.AppendEncrypt(buf[:0], plain, aad)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	k := testKeyring(b)
	sealed, _ := k.Encrypt([]byte("622921201403051234"), []byte("persons.id"))
	for b.Loop() {
		if _, err := k.Decrypt(sealed, []byte("persons.id")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := testKeyring(b)
	buf := make([]byte, 0, BlindIndexSize)
	for b.Loop() {
		buf = k.AppendBlindIndex(buf[:0], "622921201403051234")
	}
}
