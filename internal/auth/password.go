package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters, as written into the PHC string.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int // bytes
	KeyLen  int // bytes
}

// DefaultParams are OWASP's recommendation for argon2id (Password Storage Cheat Sheet): 19 MiB,
// two passes, one lane; 16-byte salt, 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on what a stored hash may ask for, so that a corrupted or planted row cannot make one
// sign-in allocate gigabytes or spin for minutes.
const (
	maxMemory  = 256 * 1024 // KiB
	maxTime    = 16
	maxThreads = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// ErrMalformedHash reports a stored password hash that is not an argon2id PHC string this
// package can verify.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// HashPassword hashes a password with argon2id and DefaultParams into a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in unpadded standard base64.
func HashPassword(password string) (string, error) {
	return HashPasswordParams(password, DefaultParams())
}

// HashPasswordParams is HashPassword with explicit parameters (tests use cheap ones).
func HashPasswordParams(password string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	return phc{params: p, salt: salt, key: key}.String(), nil
}

// VerifyPassword checks password against a PHC string in constant time (in the key comparison;
// the cost of argon2 itself depends only on the stored parameters). needsRehash is true when the
// password matched but the hash was made with parameters other than DefaultParams(), so the caller
// should store a fresh HashPassword of it.
func VerifyPassword(encoded, password string) (ok, needsRehash bool, err error) {
	h, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return false, false, nil
	}
	return true, h.params != DefaultParams(), nil
}

// dummyVerify spends what VerifyPassword spends on a hash made with DefaultParams, for sign-in
// attempts naming an unknown user: the answer then takes as long as for a wrong password, and
// response time does not tell which user names exist.
func dummyVerify(password string) {
	p := DefaultParams()
	salt := make([]byte, p.SaltLen)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
	subtle.ConstantTimeCompare(key, make([]byte, p.KeyLen))
}

func (p Params) check() error {
	switch {
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: memory %d KiB out of range", ErrMalformedHash, p.Memory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d out of range", ErrMalformedHash, p.Time)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("%w: parallelism %d out of range", ErrMalformedHash, p.Threads)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt of %d bytes", ErrMalformedHash, p.SaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key of %d bytes", ErrMalformedHash, p.KeyLen)
	}
	return nil
}

// phc is a parsed argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// b64 is the PHC encoding: standard alphabet, no padding, non-zero trailing bits rejected.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64().EncodeToString(h.salt), b64().EncodeToString(h.key))
}

// parsePHC accepts exactly the canonical form String writes (parameters in the order m, t, p, no
// leading zeros, unpadded base64 with zero trailing bits), so that parse and String round-trip
// and one hash has one spelling.
func parsePHC(s string) (phc, error) {
	var h phc
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("%w: algorithm %.20q is not argon2id", ErrMalformedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: version %.20q is not v=19", ErrMalformedHash, parts[2])
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, fmt.Errorf("%w: want m, t and p", ErrMalformedHash)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return h, fmt.Errorf("%w: parameter %d is not %s", ErrMalformedHash, i+1, name)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != v {
			return h, fmt.Errorf("%w: %s=%.12q is not a canonical number", ErrMalformedHash, name, v)
		}
		vals[i] = n
	}
	if vals[2] > maxThreads {
		return h, fmt.Errorf("%w: parallelism %d out of range", ErrMalformedHash, vals[2])
	}
	// The decoder skips \r and \n; the canonical form has none.
	if !isB64(parts[4]) || !isB64(parts[5]) {
		return h, fmt.Errorf("%w: salt or key is not unpadded base64", ErrMalformedHash)
	}
	var err error
	if h.salt, err = b64().DecodeString(parts[4]); err != nil {
		return h, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	if h.key, err = b64().DecodeString(parts[5]); err != nil {
		return h, fmt.Errorf("%w: key: %w", ErrMalformedHash, err)
	}
	h.params = Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		SaltLen: len(h.salt), KeyLen: len(h.key)}
	if err := h.params.check(); err != nil {
		return h, err
	}
	return h, nil
}

func isB64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}
