package audit

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/baoxue/baoxue"
)

// memLog is an in-memory Source and Appender, standing in for the store.
type memLog struct {
	recs     []baoxue.AuditRecord
	headSeq  int64
	headHash string
}

func (m *memLog) AppendAudit(ctx context.Context, rec *baoxue.AuditRecord) error {
	rec.Seq = m.headSeq + 1
	if err := Seal(rec, m.headHash); err != nil {
		return err
	}
	m.recs = append(m.recs, *rec)
	m.headSeq, m.headHash = rec.Seq, rec.Hash
	return nil
}

func (m *memLog) AuditRecords(ctx context.Context, from int64, fn func(*baoxue.AuditRecord) error) error {
	for i := range m.recs {
		if m.recs[i].Seq >= from {
			r := m.recs[i]
			if err := fn(&r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memLog) AuditHead(ctx context.Context) (int64, string, error) {
	return m.headSeq, m.headHash, nil
}

func newLog(t *testing.T, n int) *memLog {
	t.Helper()
	m := &memLog{}
	l := NewLogger(m)
	base := time.Date(2025, 9, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	for i := range n {
		rec := &baoxue.AuditRecord{
			Time: base.Add(time.Duration(i) * time.Minute), Actor: "zhang", Role: "officer",
			Scope: "622921", Action: "case.update", Object: "case/" + string(rune('a'+i)), Result: "ok",
		}
		if err := l.Log(WithRequestID(context.Background(), "req-1"), rec); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// recompute re-seals records from index i on, as an attacker who knows the algorithm would.
func (m *memLog) recompute(i int) {
	prev := ""
	if i > 0 {
		prev = m.recs[i-1].Hash
	}
	for ; i < len(m.recs); i++ {
		Seal(&m.recs[i], prev)
		prev = m.recs[i].Hash
	}
}

func TestVerifyIntact(t *testing.T) {
	m := newLog(t, 10)
	rep, err := Verify(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Broken != nil || rep.Records != 10 || rep.LastSeq != 10 || rep.LastHash != m.headHash {
		t.Fatalf("intact log reported %+v (broken %+v)", rep, rep.Broken)
	}
	if m.recs[0].RequestID != "req-1" || m.recs[0].PrevHash != "" || m.recs[1].PrevHash != m.recs[0].Hash {
		t.Fatalf("records not chained: %+v", m.recs[:2])
	}
	empty := &memLog{}
	if rep, err := Verify(context.Background(), empty); err != nil || rep.Broken != nil || rep.Records != 0 {
		t.Fatalf("empty log: %+v, %v", rep, err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(m *memLog)
		seq     int64
		problem Problem
	}{
		{"edited detail", func(m *memLog) { m.recs[3].Detail = "x" }, 4, Modified},
		{"edited result", func(m *memLog) { m.recs[0].Result = "denied" }, 1, Modified},
		{"edited time", func(m *memLog) { m.recs[5].Time = m.recs[5].Time.Add(time.Second) }, 6, Modified},
		{"text moved between fields", func(m *memLog) {
			m.recs[2].Actor, m.recs[2].Role = m.recs[2].Actor+m.recs[2].Role[:1], m.recs[2].Role[1:]
		}, 3, Modified},
		{"edited hash", func(m *memLog) { m.recs[7].Hash = m.recs[6].Hash }, 8, Modified},
		{"edited and re-hashed alone", func(m *memLog) {
			m.recs[4].Actor = "li"
			Seal(&m.recs[4], m.recs[4].PrevHash)
		}, 5, Modified},
		{"deleted middle", func(m *memLog) { m.recs = slices.Delete(m.recs, 4, 5) }, 5, Deleted},
		{"deleted first", func(m *memLog) { m.recs = m.recs[1:] }, 1, Deleted},
		{"deleted last", func(m *memLog) { m.recs = m.recs[:9] }, 10, Deleted},
		{"deleted all", func(m *memLog) { m.recs = nil }, 1, Deleted},
		{"deleted and renumbered", func(m *memLog) {
			m.recs = slices.Delete(m.recs, 4, 5)
			for i := 4; i < len(m.recs); i++ {
				m.recs[i].Seq--
			}
		}, 5, Modified},
		{"swapped", func(m *memLog) {
			m.recs[2], m.recs[6] = m.recs[6], m.recs[2]
			m.recs[2].Seq, m.recs[6].Seq = 3, 7
		}, 3, Modified},
		{"inserted at end", func(m *memLog) {
			r := m.recs[9]
			r.Seq = 11
			Seal(&r, m.recs[9].Hash)
			m.recs = append(m.recs, r)
		}, 11, Inserted},
		{"whole tail rewritten", func(m *memLog) {
			m.recs[9].Detail = "x"
			m.recompute(9)
		}, 10, Modified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newLog(t, 10)
			tt.tamper(m)
			rep, err := Verify(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Broken == nil {
				t.Fatal("tampering not detected")
			}
			if rep.Broken.Seq != tt.seq || rep.Broken.Problem != tt.problem {
				t.Fatalf("got seq %d %s (%s), want seq %d %s", rep.Broken.Seq, rep.Broken.Problem, rep.Broken.Message(), tt.seq, tt.problem)
			}
			if rep.Broken.Message() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

// The canonical encoding is a stored format: a change would make every existing log fail Verify.
func TestHashIsStable(t *testing.T) {
	rec := &baoxue.AuditRecord{
		Seq: 42, Time: time.Date(2025, 9, 1, 0, 0, 0, 1500, time.UTC),
		Actor: "张三", Role: "officer", Scope: "622921", Action: "login", Object: "", Result: "ok",
		RequestID: "r1", Detail: "{}",
	}
	prev, _ := hex.DecodeString("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
	got := hex.EncodeToString(Hash(prev, rec))
	// Cross-checked with Python hashlib (OpenSSL SM3) over the documented encoding.
	const want = "89368fa63fd9b617686782e7cf6500f638c20b06f7c135114cf3576f69a37523"
	if got != want {
		t.Fatalf("Hash = %s, want %s", got, want)
	}
	// Sub-microsecond time is not part of the hash (PostgreSQL keeps microseconds).
	rec.Time = rec.Time.Add(400 * time.Nanosecond)
	if hex.EncodeToString(Hash(prev, rec)) != want {
		t.Fatal("hash depends on nanoseconds")
	}
}

type failingSource struct{ memLog }

func (f *failingSource) AuditRecords(ctx context.Context, from int64, fn func(*baoxue.AuditRecord) error) error {
	return errors.New("disk on fire")
}

func TestVerifyReadError(t *testing.T) {
	if _, err := Verify(context.Background(), &failingSource{}); err == nil {
		t.Fatal("read error swallowed")
	}
}

func TestLogRequiresAction(t *testing.T) {
	if err := NewLogger(&memLog{}).Log(context.Background(), &baoxue.AuditRecord{}); !errors.Is(err, baoxue.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}
