package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/baoxue/baoxue"
)

// Source is where Verify reads the log: every record in ascending seq order, and the head (the
// seq and hash of the last record as the application recorded it when appending).
type Source interface {
	AuditRecords(ctx context.Context, fromSeq int64, fn func(*baoxue.AuditRecord) error) error
	AuditHead(ctx context.Context) (seq int64, hash string, err error)
}

// Problem says what is wrong with a record.
type Problem string

const (
	// Modified: the record's content or hash does not match its hash, or it does not link to
	// the record before it (which includes rows moved to another position).
	Modified Problem = "modified"
	// Deleted: a sequence number is missing, or records at the end were removed.
	Deleted Problem = "deleted"
	// Inserted: a record beyond the last one the application appended.
	Inserted Problem = "inserted"
)

// Finding is the first bad record Verify met.
type Finding struct {
	Seq     int64   // the first bad sequence number
	LastSeq int64   // for Deleted: the last missing one (== Seq when one record is missing)
	Problem Problem //
	Detail  string  // why, in Chinese
}

// Message is the one-line explanation shown to an auditor.
func (f *Finding) Message() string {
	switch f.Problem {
	case Deleted:
		if f.LastSeq > f.Seq {
			return fmt.Sprintf("审计日志第 %d 至 %d 条记录被删除（%s）", f.Seq, f.LastSeq, f.Detail)
		}
		return fmt.Sprintf("审计日志第 %d 条记录被删除（%s）", f.Seq, f.Detail)
	case Inserted:
		return fmt.Sprintf("审计日志第 %d 条记录是在应用之外插入的（%s）", f.Seq, f.Detail)
	}
	return fmt.Sprintf("审计日志第 %d 条记录被修改（%s）", f.Seq, f.Detail)
}

// Report is the outcome of Verify.
type Report struct {
	Records  int64    // records read
	LastSeq  int64    // seq of the last record read
	LastHash string   // its hash; keep it outside the database to anchor the chain
	Broken   *Finding // nil when the log is intact
}

// Verify walks the whole log and reports the first record that breaks the chain. The error is
// reserved for failures to read; a tampered log is a Report with Broken set.
func Verify(ctx context.Context, src Source) (*Report, error) {
	rep := &Report{}
	var prev []byte // hash of the last good record
	stop := fmt.Errorf("stop")
	err := src.AuditRecords(ctx, 1, func(r *baoxue.AuditRecord) error {
		if f := check(rep.LastSeq+1, prev, r); f != nil {
			rep.Broken = f
			return stop
		}
		prev, _ = hex.DecodeString(r.Hash)
		rep.Records++
		rep.LastSeq, rep.LastHash = r.Seq, r.Hash
		return nil
	})
	if rep.Broken != nil {
		return rep, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	headSeq, headHash, err := src.AuditHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	switch {
	case headSeq > rep.LastSeq:
		rep.Broken = &Finding{Seq: rep.LastSeq + 1, LastSeq: headSeq, Problem: Deleted,
			Detail: fmt.Sprintf("应用记录的最后一条为第 %d 条，日志只到第 %d 条", headSeq, rep.LastSeq)}
	case headSeq < rep.LastSeq:
		rep.Broken = &Finding{Seq: headSeq + 1, Problem: Inserted,
			Detail: fmt.Sprintf("应用记录的最后一条为第 %d 条", headSeq)}
	case headHash != rep.LastHash:
		rep.Broken = &Finding{Seq: rep.LastSeq, Problem: Modified, Detail: "哈希与应用记录的最后一条不符"}
	}
	return rep, nil
}

// check verifies record r, expected at seq want after a record whose hash is prev.
func check(want int64, prev []byte, r *baoxue.AuditRecord) *Finding {
	if r.Seq > want {
		return &Finding{Seq: want, LastSeq: r.Seq - 1, Problem: Deleted,
			Detail: fmt.Sprintf("序号从第 %d 条跳到第 %d 条", want-1, r.Seq)}
	}
	if r.Seq < want {
		// Impossible when the source orders by a unique seq; kept so a bad source cannot pass.
		return &Finding{Seq: r.Seq, Problem: Modified, Detail: "序号重复或顺序错乱"}
	}
	storedPrev, err1 := hex.DecodeString(r.PrevHash)
	stored, err2 := hex.DecodeString(r.Hash)
	if err1 != nil || err2 != nil {
		return &Finding{Seq: r.Seq, Problem: Modified, Detail: "哈希字段格式错误"}
	}
	if !bytes.Equal(Hash(storedPrev, r), stored) {
		return &Finding{Seq: r.Seq, Problem: Modified, Detail: "内容与哈希不符"}
	}
	if !bytes.Equal(storedPrev, prev) {
		// r is intact but does not follow the record before it: that one was rewritten together
		// with its hash, or r was moved here from elsewhere.
		if r.Seq == 1 {
			return &Finding{Seq: 1, Problem: Modified, Detail: "第一条记录不是链的起点"}
		}
		return &Finding{Seq: r.Seq - 1, Problem: Modified,
			Detail: fmt.Sprintf("其哈希与第 %d 条记录中保存的前一哈希不符", r.Seq)}
	}
	return nil
}
