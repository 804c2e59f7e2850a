package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP settings (RFC 6238 with the values every authenticator app assumes): HMAC-SHA1, six digits,
// 30-second steps, and one step of clock drift either way.
const (
	TOTPDigits = 6
	TOTPPeriod = 30 // seconds
	TOTPSkew   = 1  // steps accepted before and after the current one
	totpSecret = 20 // bytes of secret, the HMAC-SHA1 block RFC 4226 recommends
)

// Errors of VerifyTOTP, worded for the sign-in form.
var (
	ErrTOTPInvalid = errors.New("动态验证码不正确，请核对手机上的验证码")
	ErrTOTPReplay  = errors.New("该动态验证码已经使用过，请等待下一个验证码")
)

// base32NoPad is how secrets are written: upper case, no padding, as authenticator apps expect.
func base32NoPad() *base32.Encoding { return base32.StdEncoding.WithPadding(base32.NoPadding) }

// GenerateTOTPSecret returns a new random 160-bit secret in base32 (32 characters).
func GenerateTOTPSecret() (string, error) {
	b := make([]byte, totpSecret)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: totp secret: %w", err)
	}
	return base32NoPad().EncodeToString(b), nil
}

// decodeSecret reads a base32 secret as people copy it: any case, with spaces or padding.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	s = strings.TrimRight(s, "=")
	key, err := base32NoPad().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("auth: totp secret is not base32: %w", err)
	}
	if len(key) < 10 {
		return nil, fmt.Errorf("auth: totp secret of %d bytes is too short", len(key))
	}
	return key, nil
}

// hotp is RFC 4226: HMAC-SHA1 of the counter, dynamic truncation, the low digits.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPStep is the time step t falls in: whole periods since the Unix epoch.
func TOTPStep(t time.Time) int64 {
	return t.Unix() / TOTPPeriod
}

// TOTPCode is the code an authenticator app shows at time t (for tests and the demo).
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(TOTPStep(t)), TOTPDigits), nil
}

// VerifyTOTP checks a code typed at time now against secret, accepting the current step and one
// on each side. lastStep is the step of the last code this user signed in with (0 if none): a step
// at or before it is refused, so a code seen over someone's shoulder cannot be used again. On
// success the matched step is returned and the caller must store it as the new lastStep.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, err
	}
	code = strings.Join(strings.Fields(code), "") // apps show "123 456"
	if len(code) != TOTPDigits {
		return 0, ErrTOTPInvalid
	}
	cur := TOTPStep(now)
	replayed := false
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		if s < 0 {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), TOTPDigits)), []byte(code)) != 1 {
			continue
		}
		if s <= lastStep {
			replayed = true
			continue
		}
		return s, nil
	}
	if replayed {
		return 0, ErrTOTPReplay
	}
	return 0, ErrTOTPInvalid
}

// TOTPURI is the otpauth:// URI (Google Authenticator key URI format) an app scans from a QR code
// to enrol: otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30.
func TOTPURI(issuer, account, secret string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
		esc(issuer), esc(account), esc(secret), esc(issuer), TOTPDigits, TOTPPeriod)
}
