// Package audit keeps the append-only audit log of DESIGN §9 tamper-evident. Every record is
// chained to the one before it: hash = SM3(previous hash || canonical encoding of the record,
// sequence number included). Editing, deleting, inserting or reordering rows behind the
// application's back breaks the chain, and Verify names the first bad record.
//
// The package defines the hash and the checks; it does not store anything. The store appends
// records (computing the hash inside its write transaction) and reads them back for Verify.
//
// Limit: the chain is unkeyed, so someone who can write to the database and who recomputes every
// later hash can rewrite history undetected. The database refuses UPDATE and DELETE on the log
// (triggers), which such a person must first drop; keeping a copy of the latest hash elsewhere
// (Report.LastHash) closes the gap.
package audit

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/emmansun/gmsm/sm3"
)

// encodingTag starts every canonical encoding, so a future format cannot be confused with this one.
const encodingTag = "baoxue-audit-v1\x00"

// AppendCanonical appends the canonical encoding of rec to dst: the tag, seq (8 bytes big endian),
// time in Unix microseconds UTC (8 bytes; finer precision is not kept because PostgreSQL does not
// store it), then actor, role, scope, action, object, result, request id and detail, each as a
// uvarint length followed by its UTF-8 bytes. Length prefixes make the encoding unambiguous:
// moving text from one field to the next changes it. PrevHash and Hash are not part of it.
func AppendCanonical(dst []byte, rec *baoxue.AuditRecord) []byte {
	dst = append(dst, encodingTag...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.Seq))
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.Time.UnixMicro()))
	for _, s := range [...]string{rec.Actor, rec.Role, rec.Scope, rec.Action, rec.Object, rec.Result, rec.RequestID, rec.Detail} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// Hash returns SM3(prev || AppendCanonical(rec)). prev is the raw hash of the previous record, or
// empty for the first record.
func Hash(prev []byte, rec *baoxue.AuditRecord) []byte {
	h := sm3.New()
	h.Write(prev)
	h.Write(AppendCanonical(make([]byte, 0, 128), rec))
	return h.Sum(nil)
}

// Seal fills rec.PrevHash and rec.Hash for a record that follows prevHash (hex, "" for the
// first), after rounding rec.Time to what the store keeps. rec.Seq must already be set.
func Seal(rec *baoxue.AuditRecord, prevHash string) error {
	prev, err := hex.DecodeString(prevHash)
	if err != nil {
		return fmt.Errorf("audit: previous hash %q: %w", prevHash, baoxue.ErrInvalid)
	}
	rec.Time = rec.Time.Truncate(time.Microsecond).UTC()
	rec.PrevHash = prevHash
	rec.Hash = hex.EncodeToString(Hash(prev, rec))
	return nil
}

// Appender stores one record; store.DB implements it.
type Appender interface {
	AppendAudit(ctx context.Context, rec *baoxue.AuditRecord) error
}

// Logger writes audit records. It fills the time and, when the context carries one, the request
// id; the store assigns the sequence number and the hashes.
type Logger struct {
	dst Appender
	now func() time.Time
}

// NewLogger returns a Logger writing to dst.
func NewLogger(dst Appender) *Logger { return &Logger{dst: dst, now: time.Now} }

// Log appends rec. rec.Action is required; the record is updated with its seq and hashes.
func (l *Logger) Log(ctx context.Context, rec *baoxue.AuditRecord) error {
	if rec.Action == "" {
		return fmt.Errorf("audit: record without action: %w", baoxue.ErrInvalid)
	}
	if rec.Time.IsZero() {
		rec.Time = l.now()
	}
	if rec.RequestID == "" {
		rec.RequestID = RequestID(ctx)
	}
	if err := l.dst.AppendAudit(ctx, rec); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the request being served, which Log copies
// into every record written while serving it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
