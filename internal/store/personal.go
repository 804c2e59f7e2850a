package store

import (
	"encoding/binary"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/pii"
)

// Personal fields of a row other than the ID number travel as one encrypted blob (pii_enc): one
// SM4-GCM operation per row instead of one per field. Inside the blob: a format byte, then each
// field as a uvarint length and its UTF-8 bytes, in the order documented at each table.

const packFormat = 1

func packFields(fields ...string) []byte {
	empty := true
	n := 1
	for _, f := range fields {
		n += binary.MaxVarintLen32 + len(f)
		empty = empty && f == ""
	}
	if empty {
		return nil
	}
	b := make([]byte, 1, n)
	b[0] = packFormat
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// unpackFields fills dst from a blob made by packFields; a blob with fewer fields (an older
// format) leaves the rest empty.
func unpackFields(b []byte, dst ...*string) error {
	if len(b) == 0 {
		return nil
	}
	if b[0] != packFormat {
		return fmt.Errorf("personal fields: unknown format %d: %w", b[0], baoxue.ErrInvalid)
	}
	b = b[1:]
	for _, d := range dst {
		if len(b) == 0 {
			return nil
		}
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return fmt.Errorf("personal fields: truncated: %w", baoxue.ErrInvalid)
		}
		*d = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return nil
}

// sealer encrypts the personal columns of one table; aad binds each blob to its table and column.
type sealer struct {
	keys          *pii.Keyring
	idAAD, piiAAD []byte
	idCol, piiCol string
}

func newSealer(keys *pii.Keyring, table string) sealer {
	return sealer{keys: keys, idAAD: []byte(table + ".id"), piiAAD: []byte(table + ".pii"),
		idCol: table + ".id", piiCol: table + ".pii"}
}

// id returns the encrypted ID and its blind index, both NULL for an empty ID.
func (s sealer) id(id string) (enc, bidx any, err error) {
	if id == "" {
		return nil, nil, nil
	}
	c, err := s.keys.Encrypt([]byte(id), s.idAAD)
	if err != nil {
		return nil, nil, err
	}
	return c, s.keys.BlindIndex(id), nil
}

// fields returns the encrypted blob of the personal fields, NULL when all are empty.
func (s sealer) fields(fields ...string) (any, error) {
	p := packFields(fields...)
	if p == nil {
		return nil, nil
	}
	c, err := s.keys.Encrypt(p, s.piiAAD)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s sealer) openID(enc []byte) (string, error) {
	id, err := s.keys.DecryptString(enc, s.idCol)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.idCol, err)
	}
	return id, nil
}

func (s sealer) openFields(enc []byte, dst ...*string) error {
	if len(enc) == 0 {
		return nil
	}
	p, err := s.keys.Decrypt(enc, s.piiAAD)
	if err != nil {
		return fmt.Errorf("%s: %w", s.piiCol, err)
	}
	return unpackFields(p, dst...)
}
