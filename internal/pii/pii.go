// Package pii protects the personal information of minors at rest (DESIGN §9): SM4-GCM encryption
// of personal fields, an HMAC-SM3 blind index for equality lookups on ID numbers, and the masks
// used wherever a person is shown. The key lives outside the database, in a file or in BAOXUE_KEY.
//
// Key layout: one 32-byte random master key. Two independent subkeys are derived from it with
// HKDF over SM3 (RFC 5869 with SM3 as the hash): 16 bytes for SM4-GCM and 32 bytes for the HMAC-SM3
// blind index, so that neither use can leak anything about the other.
//
// Ciphertext layout: version byte (1) || 12-byte random nonce || SM4-GCM ciphertext || 16-byte tag.
// The version byte leaves room for key rotation without guessing at what a blob is.
package pii

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

const (
	// MasterKeySize is the size of the key kept in the key file or BAOXUE_KEY.
	MasterKeySize = 32
	// BlindIndexSize is the length of a blind index: HMAC-SM3 truncated to 128 bits. That keeps
	// the index small while collisions stay negligible (≈2⁻⁶⁸ for 1.4 billion IDs).
	BlindIndexSize = 16

	version   = 1
	nonceSize = 12
	tagSize   = 16
	// Overhead is how many bytes encryption adds to a plaintext.
	Overhead = 1 + nonceSize + tagSize
)

// ErrKey reports a key that is missing, malformed or of the wrong size.
var ErrKey = errors.New("密钥无效")

// ErrDecrypt reports a ciphertext that was altered, truncated, or encrypted under another key.
var ErrDecrypt = errors.New("解密失败：数据被篡改或密钥不匹配")

// Keyring holds the derived keys. It is safe for concurrent use.
type Keyring struct {
	aead    cipher.AEAD
	macKey  []byte
	macPool sync.Pool // of hash.Hash (HMAC-SM3 keyed with macKey); HMAC state is not shareable
}

// New derives a keyring from a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("主密钥应为 %d 字节，实际 %d 字节: %w", MasterKeySize, len(master), ErrKey)
	}
	encKey, err := hkdf.Key(sm3.New, master, nil, "baoxue pii sm4-gcm v1", 16)
	if err != nil {
		return nil, fmt.Errorf("derive encryption key: %w", err)
	}
	macKey, err := hkdf.Key(sm3.New, master, nil, "baoxue blind index hmac-sm3 v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive index key: %w", err)
	}
	block, err := sm4.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("sm4: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sm4-gcm: %w", err)
	}
	k := &Keyring{aead: aead, macKey: macKey}
	k.macPool.New = func() any { return hmac.New(sm3.New, k.macKey) }
	return k, nil
}

// FromEnv parses a master key given as 64 hex digits or as standard/URL base64 (the form of
// BAOXUE_KEY).
func FromEnv(value string) (*Keyring, error) {
	key, err := ParseKey(value)
	if err != nil {
		return nil, err
	}
	return New(key)
}

// ParseKey decodes a master key written as hex or base64, ignoring surrounding white space.
func ParseKey(value string) ([]byte, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, fmt.Errorf("密钥为空: %w", ErrKey)
	}
	if b, err := hex.DecodeString(v); err == nil && len(b) == MasterKeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == MasterKeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("密钥应为 %d 字节的十六进制（64 位）或 base64 字符串: %w", MasterKeySize, ErrKey)
}

// GenerateKey returns a new random master key.
func GenerateKey() ([]byte, error) {
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return key, nil
}

// Encrypt seals plain with a fresh random nonce. aad binds the ciphertext to where it is stored
// (e.g. "persons.id"), so a blob copied into another column fails to decrypt.
func (k *Keyring) Encrypt(plain, aad []byte) ([]byte, error) {
	return k.AppendEncrypt(make([]byte, 0, len(plain)+Overhead), plain, aad)
}

// AppendEncrypt is Encrypt appending to dst, for callers that reuse buffers.
func (k *Keyring) AppendEncrypt(dst, plain, aad []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, version)
	dst = append(dst, make([]byte, nonceSize)...)
	nonce := dst[start+1 : start+1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return k.aead.Seal(dst, nonce, plain, aad), nil
}

// Decrypt opens a ciphertext made by Encrypt with the same aad.
func (k *Keyring) Decrypt(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != version {
		return nil, ErrDecrypt
	}
	nonce := sealed[1 : 1+nonceSize]
	plain, err := k.aead.Open(nil, nonce, sealed[1+nonceSize:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// EncryptString encrypts s; the empty string encrypts to nil so that absent values stay NULL.
func (k *Keyring) EncryptString(s, aad string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return k.Encrypt([]byte(s), []byte(aad))
}

// DecryptString reverses EncryptString; nil decrypts to "".
func (k *Keyring) DecryptString(sealed []byte, aad string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := k.Decrypt(sealed, []byte(aad))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// BlindIndex is HMAC-SM3 of a normalised ID number under the index key, truncated to
// BlindIndexSize bytes. Equal IDs give equal indexes; without the key it reveals nothing. An empty
// ID has no index (nil), so that unusable IDs never collide with each other.
func (k *Keyring) BlindIndex(idNumber string) []byte {
	if idNumber == "" {
		return nil
	}
	return k.AppendBlindIndex(make([]byte, 0, BlindIndexSize), idNumber)
}

// AppendBlindIndex is BlindIndex appending to dst.
func (k *Keyring) AppendBlindIndex(dst []byte, idNumber string) []byte {
	h := k.macPool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(idNumber))
	var sum [sm3.Size]byte
	out := h.Sum(sum[:0])
	k.macPool.Put(h)
	return append(dst, out[:BlindIndexSize]...)
}
