package auth

import (
	"bufio"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// cheap gives argon2id parameters that make tests fast; DefaultParams() is used where the
// production cost is the point.
func cheap() Params { return Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} }

func mustHash(t testing.TB, password string, p Params) string {
	t.Helper()
	h, err := HashPasswordParams(password, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type referenceHash struct{ password, phc string }

func readReference(t testing.TB) []referenceHash {
	t.Helper()
	f, err := os.Open("testdata/argon2-reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []referenceHash
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pw, phc, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, referenceHash{pw, phc})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 3 {
		t.Fatalf("only %d reference hashes", len(out))
	}
	return out
}

// Hashes made by the argon2 reference implementation verify here, so a hash written by baoxue can
// be checked by other tools and the other way round.
func TestVerifyReferenceHashes(t *testing.T) {
	for _, ref := range readReference(t) {
		t.Run(ref.password, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(ref.phc, ref.password)
			if err != nil || !ok {
				t.Fatalf("VerifyPassword(reference) = %v, %v", ok, err)
			}
			// Only the first reference hash has the OWASP parameters (and 16/32-byte salt/key).
			wantRehash := !strings.Contains(ref.phc, "$m=19456,t=2,p=1$")
			if rehash != wantRehash {
				t.Errorf("needsRehash = %v, want %v", rehash, wantRehash)
			}
			if ok, _, _ := VerifyPassword(ref.phc, ref.password+" "); ok {
				t.Error("a different password verified")
			}
			h, err := parsePHC(ref.phc)
			if err != nil {
				t.Fatal(err)
			}
			if h.String() != ref.phc {
				t.Errorf("re-encoded as %s", h.String())
			}
		})
	}
}

func TestHashPasswordDefault(t *testing.T) {
	start := time.Now()
	h, err := HashPassword("Zhang.San-2024")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("HashPassword with DefaultParams: %v", time.Since(start))
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %s does not carry the OWASP parameters", h)
	}
	p, err := parsePHC(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.salt) != 16 || len(p.key) != 32 {
		t.Errorf("salt %d bytes, key %d bytes; want 16 and 32", len(p.salt), len(p.key))
	}
	ok, rehash, err := VerifyPassword(h, "Zhang.San-2024")
	if !ok || rehash || err != nil {
		t.Errorf("VerifyPassword = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	h2, _ := HashPassword("Zhang.San-2024")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyPassword(t *testing.T) {
	old := mustHash(t, "旧参数Password1", cheap())
	tests := []struct {
		name       string
		encoded    string
		password   string
		ok, rehash bool
		malformed  bool
	}{
		{"right, old parameters", old, "旧参数Password1", true, true, false},
		{"wrong", old, "旧参数Password2", false, false, false},
		{"empty password", old, "", false, false, false},
		{"case matters", old, "旧参数password1", false, false, false},
		{"argon2i", strings.Replace(old, "argon2id", "argon2i", 1), "旧参数Password1", false, false, true},
		{"old version", strings.Replace(old, "v=19", "v=16", 1), "旧参数Password1", false, false, true},
		{"empty hash", "", "x", false, false, true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "x", false, false, true},
		{"disabled marker", "!", "x", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(tt.encoded, tt.password)
			if tt.malformed != errors.Is(err, ErrMalformedHash) {
				t.Fatalf("err = %v, malformed want %v", err, tt.malformed)
			}
			if ok != tt.ok || rehash != tt.rehash {
				t.Errorf("= %v, %v; want %v, %v", ok, rehash, tt.ok, tt.rehash)
			}
		})
	}
}

func TestParsePHCRejects(t *testing.T) {
	const good = "$argon2id$v=19$m=19456,t=2,p=1$YmFveHVlLXNhbHQtMTZieQ$nEyVT2VGgRQ4KRc9ujc+P7bUrbn7OkGp68NPCWW5uM8"
	if _, err := parsePHC(good); err != nil {
		t.Fatalf("good hash rejected: %v", err)
	}
	bad := map[string]string{
		"params out of order":    strings.Replace(good, "m=19456,t=2,p=1", "t=2,m=19456,p=1", 1),
		"leading zero":           strings.Replace(good, "t=2", "t=02", 1),
		"plus sign":              strings.Replace(good, "t=2", "t=+2", 1),
		"memory too large":       strings.Replace(good, "m=19456", "m=4194304", 1),
		"memory below 8p":        strings.Replace(good, "m=19456", "m=7", 1),
		"zero passes":            strings.Replace(good, "t=2", "t=0", 1),
		"too many passes":        strings.Replace(good, "t=2", "t=17", 1),
		"zero lanes":             strings.Replace(good, "p=1", "p=0", 1),
		"lanes overflow uint8":   strings.Replace(good, "p=1", "p=257", 1),
		"extra parameter":        strings.Replace(good, "p=1", "p=1,keyid=x", 1),
		"padded salt":            strings.Replace(good, "LXNhbHQtMTZieQ$", "LXNhbHQtMTZieQ==$", 1),
		"url base64 key":         strings.Replace(good, "+", "-", 1),
		"short salt":             "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$nEyVT2VGgRQ4KRc9ujc+P7bUrbn7OkGp68NPCWW5uM8",
		"short key":              "$argon2id$v=19$m=19456,t=2,p=1$YmFveHVlLXNhbHQtMTZieQ$nEyVT2VGgRQ",
		"non-zero trailing bits": "$argon2id$v=19$m=19456,t=2,p=1$YmFveHVlLXNhbHQtMTZieR$nEyVT2VGgRQ4KRc9ujc+P7bUrbn7OkGp68NPCWW5uM8",
		"missing version":        "$argon2id$m=19456,t=2,p=1$YmFveHVlLXNhbHQtMTZieQ$nEyVT2VGgRQ4KRc9ujc+P7bUrbn7OkGp68NPCWW5uM8",
		"newline in key":         strings.Replace(good, "$nEyV", "$nE\nyV", 1),
		"trailing field":         good + "$",
		"no leading dollar":      good[1:],
	}
	for name, s := range bad {
		if _, err := parsePHC(s); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: parsePHC(%q) err = %v, want ErrMalformedHash", name, s, err)
		}
	}
}

// FuzzParsePHC: the parser never panics, and whatever it accepts re-encodes to the same text and
// is within the limits, so a stored hash has one spelling and bounded cost.
func FuzzParsePHC(f *testing.F) {
	for _, ref := range readReference(f) {
		f.Add(ref.phc)
	}
	f.Add("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Add("$argon2id$v=19$m=4294967296,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")
	f.Add("")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		if got := h.String(); got != s {
			t.Fatalf("accepted %q but re-encodes as %q", s, got)
		}
		if h.params.check() != nil || h.params.Memory > maxMemory {
			t.Fatalf("accepted parameters out of range: %+v", h.params)
		}
	})
}

// An unknown user costs what a wrong password costs: the same argon2 memory (measured exactly,
// as bytes allocated) and about the same time (minimum of interleaved runs, so that a busy
// machine can only slow either side down; the bound is loose for the same reason).
func TestDummyVerifyCostsLikeVerify(t *testing.T) {
	h, err := HashPassword("Zhang.San-2024")
	if err != nil {
		t.Fatal(err)
	}
	verify := func() { _, _, _ = VerifyPassword(h, "wrong password") }
	dummy := func() { dummyVerify("wrong password") }
	allocated := func(fn func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	vb, db := allocated(verify), allocated(dummy)
	t.Logf("allocated: verify %d bytes, dummy %d bytes", vb, db)
	if vb < 19*1024*1024 || db < vb*99/100 || db > vb*101/100 {
		t.Errorf("dummy verify allocates %d bytes, a real one %d: not the same argon2 work", db, vb)
	}
	if testing.Short() {
		return
	}
	bestV, bestD := time.Duration(1<<62), time.Duration(1<<62)
	for range 4 {
		start := time.Now()
		verify()
		bestV = min(bestV, time.Since(start))
		start = time.Now()
		dummy()
		bestD = min(bestD, time.Since(start))
	}
	t.Logf("time: verify %v, dummy %v", bestV, bestD)
	if ratio := float64(bestD) / float64(bestV); ratio < 0.3 || ratio > 3 {
		t.Errorf("dummy verify takes %v, a real one %v: the difference tells names apart", bestD, bestV)
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword("Zhang.San-2024")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_, _, _ = VerifyPassword(h, "Zhang.San-2024")
	}
}
