package auth

import (
	"encoding/base32"
	"errors"
	"net/url"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238 Appendix B and RFC 4226 Appendix D.
const rfcSecret = "12345678901234567890"

func rfcSecretBase32() string { return base32.StdEncoding.EncodeToString([]byte(rfcSecret)) }

// RFC 4226 Appendix D: HOTP values for counters 0..9.
func TestHOTPRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for c, w := range want {
		if got := hotp([]byte(rfcSecret), uint64(c), 6); got != w {
			t.Errorf("HOTP(counter %d) = %s, want %s", c, got, w)
		}
	}
}

// RFC 6238 Appendix B, the SHA1 rows (8 digits), and the 6-digit codes apps show at those times
// (the low six digits of the same truncated value).
func TestTOTPRFC6238(t *testing.T) {
	tests := []struct {
		unix int64
		step int64
		want string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	}
	for _, tt := range tests {
		at := time.Unix(tt.unix, 0).UTC()
		if s := TOTPStep(at); s != tt.step {
			t.Errorf("TOTPStep(%d) = %#x, want %#x", tt.unix, s, tt.step)
		}
		if got := hotp([]byte(rfcSecret), uint64(tt.step), 8); got != tt.want {
			t.Errorf("TOTP8(%d) = %s, want %s", tt.unix, got, tt.want)
		}
		got6, err := TOTPCode(rfcSecretBase32(), at)
		if err != nil {
			t.Fatal(err)
		}
		if got6 != tt.want[2:] {
			t.Errorf("TOTPCode(%d) = %s, want %s", tt.unix, got6, tt.want[2:])
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret := rfcSecretBase32()
	now := time.Unix(1111111111, 0) // step 0x23523ED, code 050471
	cur := TOTPStep(now)
	code := func(step int64) string { return hotp([]byte(rfcSecret), uint64(step), 6) }
	tests := []struct {
		name     string
		code     string
		lastStep int64
		want     int64
		err      error
	}{
		{"current step", code(cur), 0, cur, nil},
		{"one step behind", code(cur - 1), 0, cur - 1, nil},
		{"one step ahead", code(cur + 1), 0, cur + 1, nil},
		{"two steps behind", code(cur - 2), 0, 0, ErrTOTPInvalid},
		{"two steps ahead", code(cur + 2), 0, 0, ErrTOTPInvalid},
		{"typed with a space", code(cur)[:3] + " " + code(cur)[3:], 0, cur, nil},
		{"replay of the same step", code(cur), cur, 0, ErrTOTPReplay},
		{"older step after a newer one", code(cur - 1), cur, 0, ErrTOTPReplay},
		{"next step after the last", code(cur + 1), cur, cur + 1, nil},
		{"wrong code", "000000", 0, 0, ErrTOTPInvalid},
		{"5 digits", code(cur)[:5], 0, 0, ErrTOTPInvalid},
		{"8-digit form", "14050471", 0, 0, ErrTOTPInvalid},
		{"empty", "", 0, 0, ErrTOTPInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := VerifyTOTP(secret, tt.code, now, tt.lastStep)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if step != tt.want {
				t.Errorf("step = %#x, want %#x", step, tt.want)
			}
		})
	}
}

// The step returned, stored as lastStep, makes the same code useless for the rest of its window.
func TestVerifyTOTPReplayFlow(t *testing.T) {
	secret, err := GenerateTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 8, 30, 10, 0, time.UTC)
	c, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	last, err := VerifyTOTP(secret, c, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, later := range []time.Duration{time.Second, 25 * time.Second, 45 * time.Second} {
		if _, err := VerifyTOTP(secret, c, now.Add(later), last); !errors.Is(err, ErrTOTPReplay) {
			t.Errorf("same code %v later: err = %v, want ErrTOTPReplay", later, err)
		}
	}
	next, _ := TOTPCode(secret, now.Add(TOTPPeriod*time.Second))
	if s, err := VerifyTOTP(secret, next, now.Add(TOTPPeriod*time.Second), last); err != nil || s != last+1 {
		t.Errorf("next code: step %d, err %v; want %d, nil", s, err, last+1)
	}
}

func TestTOTPSecret(t *testing.T) {
	a, err := GenerateTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateTOTPSecret()
	if len(a) != 32 || a == b {
		t.Fatalf("secrets %q, %q: want 32 random base32 characters", a, b)
	}
	key, err := decodeSecret(a)
	if err != nil || len(key) != 20 {
		t.Fatalf("decode: %d bytes, %v", len(key), err)
	}
	// People copy secrets in groups, lower case, with padding.
	spaced := "gezd gnbv gy3t qojq gezd gnbv gy3t qojq"
	if k, err := decodeSecret(spaced); err != nil || string(k) != rfcSecret {
		t.Errorf("decodeSecret(%q) = %q, %v", spaced, k, err)
	}
	if k, err := decodeSecret(rfcSecretBase32() + "===="); err != nil || string(k) != rfcSecret {
		t.Errorf("padded: %q, %v", k, err)
	}
	for _, bad := range []string{"", "GEZDGNBV", "not base32!", "18181818"} {
		if _, err := VerifyTOTP(bad, "123456", time.Now(), 0); err == nil || errors.Is(err, ErrTOTPInvalid) {
			t.Errorf("secret %q: err = %v, want a secret error", bad, err)
		}
	}
}

func TestTOTPURI(t *testing.T) {
	uri := TOTPURI("保学 临夏县", "zhang.san", "JBSWY3DPEHPK3PXP")
	want := "otpauth://totp/%E4%BF%9D%E5%AD%A6%20%E4%B8%B4%E5%A4%8F%E5%8E%BF:zhang.san?secret=JBSWY3DPEHPK3PXP&issuer=%E4%BF%9D%E5%AD%A6%20%E4%B8%B4%E5%A4%8F%E5%8E%BF&algorithm=SHA1&digits=6&period=30"
	if uri != want {
		t.Fatalf("TOTPURI =\n%s\nwant\n%s", uri, want)
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("issuer") != "保学 临夏县" || q.Get("secret") != "JBSWY3DPEHPK3PXP" {
		t.Errorf("parsed back: %s %s %v", u.Scheme, u.Host, q)
	}
	if label, _ := url.PathUnescape(u.EscapedPath()); label != "/保学 临夏县:zhang.san" {
		t.Errorf("label %q", label)
	}
}
