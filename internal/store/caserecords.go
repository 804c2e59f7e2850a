package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/pii"
)

// The records a case accumulates: visits, evidence files, legal steps, referrals, the individual
// plan, follow-up checkpoints, transfers; and the notifications and settings of case work.

// Visit is one persuasion visit or call.
type Visit struct {
	ID        int64
	CaseID    int64
	Date      baoxue.Date
	Visitors  string // who went: names as written
	Method    string // casework.VisitMethods
	Result    string // casework.VisitResults
	Place     string
	Notes     string
	CreatedBy string
	CreatedAt time.Time
}

// visitStates are the states in which visits are logged: verification visits, persuasion, and
// visits to a missing child's family.
var visitStates = []baoxue.CaseState{baoxue.CaseVerifying, baoxue.CaseConfirmed, baoxue.CasePersuading,
	baoxue.CaseLegal, baoxue.CaseUnreachable}

// AddVisit logs a visit. It does not bump the case's version: a visit overwrites nothing.
func (db *DB) AddVisit(ctx context.Context, by CaseActor, caseID int64, v Visit) (*Visit, error) {
	if err := casework.Allowed(by.actor(), casework.ActVisit); err != nil {
		return nil, err
	}
	v.Visitors, v.Place, v.Notes = strings.TrimSpace(v.Visitors), strings.TrimSpace(v.Place), strings.TrimSpace(v.Notes)
	switch {
	case v.Date.IsZero() || v.Date > by.today():
		return nil, fmt.Errorf("%w: 走访日期须填写且不能晚于今天", baoxue.ErrInvalid)
	case v.Visitors == "":
		return nil, fmt.Errorf("%w: 须填写走访人", baoxue.ErrInvalid)
	case !baoxue.Known(casework.VisitMethods, v.Method):
		return nil, fmt.Errorf("%w: 须选择走访方式", baoxue.ErrInvalid)
	case !baoxue.Known(casework.VisitResults, v.Result):
		return nil, fmt.Errorf("%w: 须选择走访结果", baoxue.ErrInvalid)
	}
	s := newSealer(db.keys, "case_visits")
	_, err := db.caseTx(ctx, by, caseID, anyVersion, "case visit", func(ch *caseChange) error {
		if !slices.Contains(visitStates, ch.c.State) {
			return fmt.Errorf("%w: “%s”状态的案件不登记走访", baoxue.ErrInvalid, stateLabel(ch.c.State))
		}
		blob, err := s.fields(v.Place, v.Notes)
		if err != nil {
			return err
		}
		v.CaseID, v.CreatedBy, v.CreatedAt = caseID, by.User.Username, dbTime(by.Now)
		err = ch.tx.QueryRowContext(ctx, `INSERT INTO case_visits (case_id, visit_date, visitors, method, result, pii_enc,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, caseID, int64(v.Date), v.Visitors,
			v.Method, v.Result, blob, v.CreatedBy, v.CreatedAt).Scan(&v.ID)
		if err != nil {
			return translate("insert visit", err)
		}
		ch.event("visit", "", "", fmt.Sprintf("%s %s劝返：%s", v.Date, baoxue.Label(casework.VisitMethods, v.Method),
			baoxue.Label(casework.VisitResults, v.Result)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Visits lists a case's visits by date; the caller has checked the scope.
func (db *DB) Visits(ctx context.Context, caseID int64) ([]Visit, error) {
	s := newSealer(db.keys, "case_visits")
	var out []Visit
	err := stream(ctx, db, "read visits", `SELECT id, case_id, visit_date, visitors, method, result, pii_enc, created_by,
		created_at FROM case_visits WHERE case_id = $1 ORDER BY visit_date, id`, []any{caseID},
		func(rows *sql.Rows, v *Visit) error {
			var d int64
			var blob []byte
			*v = Visit{}
			if err := rows.Scan(&v.ID, &v.CaseID, &d, &v.Visitors, &v.Method, &v.Result, &blob, &v.CreatedBy, &v.CreatedAt); err != nil {
				return err
			}
			v.Date, v.CreatedAt = baoxue.Date(d), v.CreatedAt.UTC()
			return s.openFields(blob, &v.Place, &v.Notes)
		}, func(v *Visit) error { out = append(out, *v); return nil })
	return out, err
}

// CaseFile is an evidence file (photo, PDF) attached to a case.
type CaseFile struct {
	ID          int64
	CaseID      int64
	Purpose     string // verification, visit, legal, return, other
	RefID       int64  // the visit or legal step it belongs to, 0 for the case
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	UploadedBy  string
	UploadedAt  time.Time
	Data        []byte // only from CaseFileData
}

// MaxCaseFile is the largest evidence file accepted (a phone photo or a scanned document).
const MaxCaseFile = 10 << 20

// filePurposes are the purposes of evidence files.
var filePurposes = []string{"verification", "visit", "legal", "return", "other"}

// SniffCaseFile returns the type of an evidence file from its content (never from its name):
// JPEG, PNG, GIF or WebP photos, or PDF. Anything else, empty or oversized, is baoxue.ErrInvalid.
func SniffCaseFile(data []byte) (string, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("%w: 文件为空", baoxue.ErrInvalid)
	}
	if len(data) > MaxCaseFile {
		return "", fmt.Errorf("%w: 文件超过 %d MB", baoxue.ErrInvalid, MaxCaseFile>>20)
	}
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf":
		return ct, nil
	}
	return "", fmt.Errorf("%w: 只接受照片（JPEG、PNG、GIF、WebP）或 PDF 文件", baoxue.ErrInvalid)
}

// AddCaseFile stores an evidence file, encrypted, with its type sniffed and its SHA-256.
func (db *DB) AddCaseFile(ctx context.Context, by CaseActor, caseID int64, purpose string, refID int64, name string, data []byte) (*CaseFile, error) {
	if err := casework.Allowed(by.actor(), casework.ActEvidence); err != nil {
		return nil, err
	}
	if !slices.Contains(filePurposes, purpose) {
		return nil, fmt.Errorf("%w: 未知的材料用途“%.20s”", baoxue.ErrInvalid, purpose)
	}
	ct, err := SniffCaseFile(data)
	if err != nil {
		return nil, err
	}
	name = cleanFileName(name)
	sum := sha256.Sum256(data)
	f := &CaseFile{CaseID: caseID, Purpose: purpose, RefID: refID, Name: name, ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: by.User.Username, UploadedAt: dbTime(by.Now)}
	enc, err := db.keys.Encrypt(data, []byte("case_files.data"))
	if err != nil {
		return nil, err
	}
	_, err = db.caseTx(ctx, by, caseID, anyVersion, "case file", func(ch *caseChange) error {
		err := ch.tx.QueryRowContext(ctx, `INSERT INTO case_files (case_id, purpose, ref_id, name, content_type, size, sha256,
			data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			caseID, purpose, refID, f.Name, ct, f.Size, f.SHA256, enc, f.UploadedBy, f.UploadedAt).Scan(&f.ID)
		if err != nil {
			return translate("insert case file", err)
		}
		ch.event("evidence", "", "", fmt.Sprintf("上传材料 %s（%s，%d KB，SHA-256 %s…）", f.Name, ct, (f.Size+1023)/1024, f.SHA256[:12]))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// cleanFileName keeps the base name of an uploaded file, without control characters, at most
// 80 characters.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "材料"
	}
	if utf8.RuneCountInString(name) > 80 {
		name = string([]rune(name)[:80])
	}
	return name
}

const caseFileCols = `id, case_id, purpose, ref_id, name, content_type, size, sha256, uploaded_by, uploaded_at`

func scanCaseFile(rows *sql.Rows, f *CaseFile) error {
	*f = CaseFile{}
	err := rows.Scan(&f.ID, &f.CaseID, &f.Purpose, &f.RefID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.UploadedBy, &f.UploadedAt)
	f.UploadedAt = f.UploadedAt.UTC()
	return err
}

// CaseFiles lists a case's files without their content; the caller has checked the scope.
func (db *DB) CaseFiles(ctx context.Context, caseID int64) ([]CaseFile, error) {
	var out []CaseFile
	err := stream(ctx, db, "case files", `SELECT `+caseFileCols+` FROM case_files WHERE case_id = $1 ORDER BY id`,
		[]any{caseID}, scanCaseFile, func(f *CaseFile) error { out = append(out, *f); return nil })
	return out, err
}

// CaseFileData returns one file with its content, for a user who may see the case: a file of a
// case outside the scope is baoxue.ErrNotFound, exactly like one that does not exist.
func (db *DB) CaseFileData(ctx context.Context, u auth.User, caseID, fileID int64) (*CaseFile, error) {
	if _, err := db.Case(ctx, u, caseID); err != nil {
		return nil, err
	}
	var f CaseFile
	var enc []byte
	err := db.read.QueryRowContext(ctx, `SELECT `+caseFileCols+`, data FROM case_files WHERE id = $1 AND case_id = $2`,
		fileID, caseID).Scan(&f.ID, &f.CaseID, &f.Purpose, &f.RefID, &f.Name, &f.ContentType, &f.Size, &f.SHA256,
		&f.UploadedBy, &f.UploadedAt, &enc)
	if err != nil {
		return nil, translate(fmt.Sprintf("case file %d", fileID), err)
	}
	if f.Data, err = db.keys.Decrypt(enc, []byte("case_files.data")); err != nil {
		return nil, fmt.Errorf("case file %d: %w", fileID, err)
	}
	sum := sha256.Sum256(f.Data)
	if hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, fmt.Errorf("case file %d: content does not match its SHA-256: %w", fileID, baoxue.ErrInvalid)
	}
	return &f, nil
}

// LegalExtra are the document inputs of a legal step beyond the case data.
type LegalExtra struct {
	ReturnTo    string `json:"return_to,omitempty"`    // the school the child must report to
	Basis       string `json:"basis,omitempty"`        // penalty: legal basis
	Penalty     string `json:"penalty,omitempty"`      // penalty: what is decided
	ReviewOrgan string `json:"review_organ,omitempty"` // penalty: 行政复议机关
	Court       string `json:"court,omitempty"`        // penalty and litigation: 人民法院
}

// LegalStep is one rung of the legal ladder taken on a case, with its document.
type LegalStep struct {
	ID          int64
	CaseID      int64
	Step        string
	DocNo       string
	Issuer      string
	Issued      baoxue.Date
	Deadline    baoxue.Date
	ServedTo    string
	ServedHow   string // casework.ServeMethods
	ServedOn    baoxue.Date
	Outcome     string // casework.LegalOutcomes
	OutcomeOn   baoxue.Date
	OutcomeNote string
	Extra       LegalExtra
	CreatedBy   string
	CreatedAt   time.Time
}

// LegalSteps lists a case's legal steps in order; the caller has checked the scope.
func (db *DB) LegalSteps(ctx context.Context, caseID int64) ([]LegalStep, error) {
	return db.legalSteps(ctx, db.read, caseID)
}

type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) legalSteps(ctx context.Context, q rowsQueryer, caseID int64) ([]LegalStep, error) {
	s := newSealer(db.keys, "case_legal")
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, step, doc_no, issuer, issued, deadline, served_how, served_on,
		outcome, outcome_on, outcome_note, extra, pii_enc, created_by, created_at FROM case_legal WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, translate("legal steps", err)
	}
	defer rows.Close()
	var out []LegalStep
	for rows.Next() {
		var l LegalStep
		var issued, deadline, served, outcomeOn int64
		var extra string
		var blob []byte
		if err := rows.Scan(&l.ID, &l.CaseID, &l.Step, &l.DocNo, &l.Issuer, &issued, &deadline, &l.ServedHow, &served,
			&l.Outcome, &outcomeOn, &l.OutcomeNote, &extra, &blob, &l.CreatedBy, &l.CreatedAt); err != nil {
			return nil, translate("legal steps", err)
		}
		l.Issued, l.Deadline, l.ServedOn, l.OutcomeOn = baoxue.Date(issued), baoxue.Date(deadline), baoxue.Date(served), baoxue.Date(outcomeOn)
		l.CreatedAt = l.CreatedAt.UTC()
		if err := json.Unmarshal([]byte(extra), &l.Extra); err != nil {
			return nil, fmt.Errorf("legal step %d: %w", l.ID, err)
		}
		if err := s.openFields(blob, &l.ServedTo); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, translate("legal steps", rows.Err())
}

func legalRecords(steps []LegalStep) []casework.LegalRecord {
	out := make([]casework.LegalRecord, len(steps))
	for i, l := range steps {
		out[i] = casework.LegalRecord{Step: l.Step, Served: l.ServedOn, Deadline: l.Deadline, Outcome: l.Outcome}
	}
	return out
}

// NextDocNumber takes the next number of a document series for a county and year atomically:
// two officers issuing at once never get the same 文号.
func (db *DB) nextDocNumber(ctx context.Context, tx *sql.Tx, county string, year int, kind string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO doc_sequences (county, year, kind, last) VALUES ($1, $2, $3, 1)
		ON CONFLICT (county, year, kind) DO UPDATE SET last = doc_sequences.last + 1 RETURNING last`, county, year, kind).Scan(&n)
	return n, translate("document number", err)
}

// IssueLegal takes the next rung of the legal ladder on a case in state legal: checks the order
// and the actor (casework.CanIssue), gives the document its 文号 (abbrev: the county's short
// name, casework.CountyAbbrev), sets the deadline and makes it the case's due date.
func (db *DB) IssueLegal(ctx context.Context, by CaseActor, caseID, version int64, step, issuer, abbrev string, extra LegalExtra) (*LegalStep, error) {
	issuer = strings.TrimSpace(issuer)
	if issuer == "" {
		return nil, fmt.Errorf("%w: 须填写制发机关", baoxue.ErrInvalid)
	}
	if step == casework.StepPenalty && (strings.TrimSpace(extra.Basis) == "" || strings.TrimSpace(extra.Penalty) == "") {
		return nil, fmt.Errorf("%w: 行政处罚决定书须填写处罚依据和处罚内容", baoxue.ErrInvalid)
	}
	xb, err := json.Marshal(extra)
	if err != nil {
		return nil, err
	}
	var out LegalStep
	_, err = db.caseTx(ctx, by, caseID, version, "case legal", func(ch *caseChange) error {
		c := ch.c
		if c.State != baoxue.CaseLegal {
			return fmt.Errorf("%w: 案件须先转入依法控辍", baoxue.ErrInvalid)
		}
		steps, err := db.legalSteps(ctx, ch.tx, c.ID)
		if err != nil {
			return err
		}
		today := by.today()
		if err := casework.CanIssue(by.actor(), step, legalRecords(steps), today); err != nil {
			return err
		}
		seq, err := db.nextDocNumber(ctx, ch.tx, c.CountyCode, today.Year(), step)
		if err != nil {
			return err
		}
		out = LegalStep{CaseID: c.ID, Step: step, DocNo: casework.DocNumber(abbrev, step, today.Year(), seq), Issuer: issuer,
			Issued: today, Deadline: ch.set.LegalDeadline(step, today), Extra: extra, CreatedBy: by.User.Username,
			CreatedAt: dbTime(by.Now)}
		err = ch.tx.QueryRowContext(ctx, `INSERT INTO case_legal (case_id, step, doc_no, issuer, issued, deadline, extra,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, c.ID, step, out.DocNo, issuer,
			int64(out.Issued), int64(out.Deadline), string(xb), out.CreatedBy, out.CreatedAt).Scan(&out.ID)
		if err != nil {
			return translate("insert legal step", err)
		}
		c.Due = out.Deadline
		ch.bump = true
		ch.event("legal", "", "", fmt.Sprintf("制发%s %s，期限 %s", baoxue.Label(baoxue.LegalSteps, step), out.DocNo, out.Deadline))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ServeLegal records how and when a document was served and on whom; its deadline runs from
// the day of service.
func (db *DB) ServeLegal(ctx context.Context, by CaseActor, caseID, stepID int64, servedTo, how string, on baoxue.Date) error {
	servedTo = strings.TrimSpace(servedTo)
	switch {
	case servedTo == "":
		return fmt.Errorf("%w: 须填写受送达人", baoxue.ErrInvalid)
	case !baoxue.Known(casework.ServeMethods, how):
		return fmt.Errorf("%w: 须选择送达方式", baoxue.ErrInvalid)
	case on.IsZero() || on > by.today():
		return fmt.Errorf("%w: 送达日期须填写且不能晚于今天", baoxue.ErrInvalid)
	}
	s := newSealer(db.keys, "case_legal")
	_, err := db.caseTx(ctx, by, caseID, anyVersion, "case serve", func(ch *caseChange) error {
		l, err := db.legalStepTx(ctx, ch, stepID)
		if err != nil {
			return err
		}
		if !casework.MayIssue(by.actor(), l.Step) {
			return fmt.Errorf("%w: %s不能送达%s", baoxue.ErrDenied, by.actor().Label(), baoxue.Label(baoxue.LegalSteps, l.Step))
		}
		if on < l.Issued {
			return fmt.Errorf("%w: 送达日期不能早于制发日期 %s", baoxue.ErrInvalid, l.Issued)
		}
		blob, err := s.fields(servedTo)
		if err != nil {
			return err
		}
		deadline := ch.set.LegalDeadline(l.Step, on)
		if _, err := ch.tx.ExecContext(ctx, `UPDATE case_legal SET served_how = $1, served_on = $2, deadline = $3, pii_enc = $4
			WHERE id = $5`, how, int64(on), int64(deadline), blob, l.ID); err != nil {
			return translate("serve legal step", err)
		}
		if ch.c.State == baoxue.CaseLegal {
			ch.c.Due = deadline
			ch.bump = true
		}
		ch.event("serve", "", "", fmt.Sprintf("%s %s送达%s（%s），期限至 %s", on, baoxue.Label(casework.ServeMethods, how),
			baoxue.Label(baoxue.LegalSteps, l.Step), l.DocNo, deadline))
		return nil
	})
	return err
}

func (db *DB) legalStepTx(ctx context.Context, ch *caseChange, stepID int64) (*LegalStep, error) {
	steps, err := db.legalSteps(ctx, ch.tx, ch.c.ID)
	if err != nil {
		return nil, err
	}
	for i := range steps {
		if steps[i].ID == stepID {
			return &steps[i], nil
		}
	}
	return nil, fmt.Errorf("文书 %d: %w", stepID, baoxue.ErrNotFound)
}

// LegalOutcome records whether the guardian complied with a served document.
func (db *DB) LegalOutcome(ctx context.Context, by CaseActor, caseID, stepID int64, outcome string, on baoxue.Date, note string) error {
	if !baoxue.Known(casework.LegalOutcomes, outcome) {
		return fmt.Errorf("%w: 须选择执行结果", baoxue.ErrInvalid)
	}
	if on.IsZero() || on > by.today() {
		return fmt.Errorf("%w: 结果日期须填写且不能晚于今天", baoxue.ErrInvalid)
	}
	_, err := db.caseTx(ctx, by, caseID, anyVersion, "case legal outcome", func(ch *caseChange) error {
		l, err := db.legalStepTx(ctx, ch, stepID)
		if err != nil {
			return err
		}
		if !casework.MayIssue(by.actor(), l.Step) {
			return fmt.Errorf("%w: %s不能登记%s的结果", baoxue.ErrDenied, by.actor().Label(), baoxue.Label(baoxue.LegalSteps, l.Step))
		}
		if l.ServedOn.IsZero() {
			return fmt.Errorf("%w: 文书尚未送达", baoxue.ErrInvalid)
		}
		if _, err := ch.tx.ExecContext(ctx, `UPDATE case_legal SET outcome = $1, outcome_on = $2, outcome_note = $3 WHERE id = $4`,
			outcome, int64(on), strings.TrimSpace(note), l.ID); err != nil {
			return translate("legal outcome", err)
		}
		ch.event("legal_outcome", "", "", fmt.Sprintf("%s（%s）：%s", baoxue.Label(baoxue.LegalSteps, l.Step), l.DocNo,
			baoxue.Label(casework.LegalOutcomes, outcome)))
		return nil
	})
	return err
}

// Referral is a referral to labour inspection (童工专项查处) of a child found working.
type Referral struct {
	ID         int64
	CaseID     int64
	ReferredOn baoxue.Date
	Agency     string // 人社局劳动保障监察机构
	Employer   string
	Address    string // employer's address
	Contact    string
	Phone      string
	Status     string // casework.ReferralStatuses
	Outcome    string
	UpdatedOn  baoxue.Date
	CreatedBy  string
}

// AddReferral refers a case whose reasons include work to labour inspection.
func (db *DB) AddReferral(ctx context.Context, by CaseActor, caseID int64, r Referral) (*Referral, error) {
	if err := casework.Allowed(by.actor(), casework.ActReferral); err != nil {
		return nil, err
	}
	r.Agency, r.Employer = strings.TrimSpace(r.Agency), strings.TrimSpace(r.Employer)
	if r.Agency == "" || r.Employer == "" {
		return nil, fmt.Errorf("%w: 须填写移送机关和用人单位（雇主）", baoxue.ErrInvalid)
	}
	if r.ReferredOn.IsZero() || r.ReferredOn > by.today() {
		return nil, fmt.Errorf("%w: 移送日期须填写且不能晚于今天", baoxue.ErrInvalid)
	}
	s := newSealer(db.keys, "case_referrals")
	_, err := db.caseTx(ctx, by, caseID, anyVersion, "case referral", func(ch *caseChange) error {
		if !slices.Contains(ch.c.Reasons, "work") {
			return fmt.Errorf("%w: 仅辍学原因含“外出务工”的案件可移送童工专项查处", baoxue.ErrInvalid)
		}
		blob, err := s.fields(r.Address, r.Contact, r.Phone)
		if err != nil {
			return err
		}
		r.CaseID, r.Status, r.CreatedBy, r.UpdatedOn = caseID, "referred", by.User.Username, r.ReferredOn
		err = ch.tx.QueryRowContext(ctx, `INSERT INTO case_referrals (case_id, referred_on, agency, employer, status, updated_on,
			pii_enc, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, caseID,
			int64(r.ReferredOn), r.Agency, r.Employer, r.Status, int64(r.UpdatedOn), blob, r.CreatedBy, dbTime(by.Now)).Scan(&r.ID)
		if err != nil {
			return translate("insert referral", err)
		}
		ch.event("referral", "", "", fmt.Sprintf("移送%s童工专项查处，用人单位：%s", r.Agency, r.Employer))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateReferral tracks a referral: its status and what the inspection found.
func (db *DB) UpdateReferral(ctx context.Context, by CaseActor, caseID, referralID int64, status, outcome string, on baoxue.Date) error {
	if err := casework.Allowed(by.actor(), casework.ActReferral); err != nil {
		return err
	}
	if !baoxue.Known(casework.ReferralStatuses, status) {
		return fmt.Errorf("%w: 未知的查处进度", baoxue.ErrInvalid)
	}
	if on.IsZero() || on > by.today() {
		return fmt.Errorf("%w: 日期须填写且不能晚于今天", baoxue.ErrInvalid)
	}
	_, err := db.caseTx(ctx, by, caseID, anyVersion, "case referral", func(ch *caseChange) error {
		res, err := ch.tx.ExecContext(ctx, `UPDATE case_referrals SET status = $1, outcome = $2, updated_on = $3
			WHERE id = $4 AND case_id = $5`, status, strings.TrimSpace(outcome), int64(on), referralID, caseID)
		if err != nil {
			return translate("update referral", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("移送记录 %d: %w", referralID, baoxue.ErrNotFound)
		}
		ch.event("referral", "", "", fmt.Sprintf("童工专项查处：%s %s", baoxue.Label(casework.ReferralStatuses, status), strings.TrimSpace(outcome)))
		return nil
	})
	return err
}

// Referrals lists a case's referrals; the caller has checked the scope.
func (db *DB) Referrals(ctx context.Context, caseID int64) ([]Referral, error) {
	s := newSealer(db.keys, "case_referrals")
	var out []Referral
	err := stream(ctx, db, "referrals", `SELECT id, case_id, referred_on, agency, employer, status, outcome, updated_on,
		pii_enc, created_by FROM case_referrals WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(rows *sql.Rows, r *Referral) error {
			var on, upd int64
			var blob []byte
			*r = Referral{}
			if err := rows.Scan(&r.ID, &r.CaseID, &on, &r.Agency, &r.Employer, &r.Status, &r.Outcome, &upd, &blob, &r.CreatedBy); err != nil {
				return err
			}
			r.ReferredOn, r.UpdatedOn = baoxue.Date(on), baoxue.Date(upd)
			return s.openFields(blob, &r.Address, &r.Contact, &r.Phone)
		}, func(r *Referral) error { out = append(out, *r); return nil })
	return out, err
}

// Plan is a returned child's individual plan (一生一案).
type Plan struct {
	Goals       string
	Measures    string
	Teacher     string // responsible teacher
	ReviewDates []baoxue.Date
	UpdatedBy   string
	UpdatedAt   time.Time
}

// SavePlan writes the individual plan of a returned or watched case.
func (db *DB) SavePlan(ctx context.Context, by CaseActor, caseID, version int64, p Plan) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActPlacement); err != nil {
		return nil, err
	}
	p.Goals, p.Measures, p.Teacher = strings.TrimSpace(p.Goals), strings.TrimSpace(p.Measures), strings.TrimSpace(p.Teacher)
	if p.Goals == "" || p.Measures == "" || p.Teacher == "" || len(p.ReviewDates) == 0 {
		return nil, fmt.Errorf("%w: 个别化方案须填写目标、措施、责任教师和复查日期", baoxue.ErrInvalid)
	}
	slices.Sort(p.ReviewDates)
	dates := make([]string, len(p.ReviewDates))
	for i, d := range p.ReviewDates {
		dates[i] = d.String()
	}
	return db.caseTx(ctx, by, caseID, version, "case plan", func(ch *caseChange) error {
		if ch.c.State != baoxue.CaseReturned && ch.c.State != baoxue.CaseMonitoring {
			return fmt.Errorf("%w: 复学后才能制定个别化方案", baoxue.ErrInvalid)
		}
		_, err := ch.tx.ExecContext(ctx, `INSERT INTO case_plans (case_id, goals, measures, teacher, review_dates, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO UPDATE SET goals = excluded.goals,
			measures = excluded.measures, teacher = excluded.teacher, review_dates = excluded.review_dates,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			caseID, p.Goals, p.Measures, p.Teacher, strings.Join(dates, ","), by.User.Username, dbTime(by.Now))
		if err != nil {
			return translate("save plan", err)
		}
		ch.bump = true
		ch.event("plan", "", "", fmt.Sprintf("个别化方案：责任教师 %s，复查 %s", p.Teacher, strings.Join(dates, "、")))
		return nil
	})
}

// PlanOf returns a case's plan, or baoxue.ErrNotFound when none was written.
func (db *DB) PlanOf(ctx context.Context, caseID int64) (*Plan, error) {
	var p Plan
	var dates string
	err := db.read.QueryRowContext(ctx, `SELECT goals, measures, teacher, review_dates, updated_by, updated_at FROM case_plans
		WHERE case_id = $1`, caseID).Scan(&p.Goals, &p.Measures, &p.Teacher, &dates, &p.UpdatedBy, &p.UpdatedAt)
	if err != nil {
		return nil, translate("read plan", err)
	}
	for _, s := range splitCodes(dates) {
		if d, err := baoxue.ParseISODate(s); err == nil {
			p.ReviewDates = append(p.ReviewDates, d)
		}
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return &p, nil
}

// Checkpoint is one follow-up checkpoint after a return.
type Checkpoint struct {
	ID         int64
	Round      int
	Seq        int
	Due        baoxue.Date
	DoneOn     baoxue.Date
	Result     string // casework.CheckpointResults; "" not yet recorded
	Note       string
	RecordedBy string
}

// Checkpoints lists a case's checkpoints of every watch round; the caller has checked the scope.
func (db *DB) Checkpoints(ctx context.Context, caseID int64) ([]Checkpoint, error) {
	var out []Checkpoint
	err := stream(ctx, db, "checkpoints", `SELECT id, watch_round, seq, due, done_on, result, note, recorded_by
		FROM case_checkpoints WHERE case_id = $1 ORDER BY watch_round, seq`, []any{caseID},
		func(rows *sql.Rows, c *Checkpoint) error {
			var due, done int64
			if err := rows.Scan(&c.ID, &c.Round, &c.Seq, &due, &done, &c.Result, &c.Note, &c.RecordedBy); err != nil {
				return err
			}
			c.Due, c.DoneOn = baoxue.Date(due), baoxue.Date(done)
			return nil
		}, func(c *Checkpoint) error { out = append(out, *c); return nil })
	return out, err
}

// RecordCheckpoint records the school's follow-up checkpoint seq of the current watch round. In
// order: an earlier checkpoint must be recorded first. "in_school" passes it; "dropped" is a
// re-dropout, which sends the case back to confirmed in the same transaction with redrop's
// dropout date, reasons and note.
func (db *DB) RecordCheckpoint(ctx context.Context, by CaseActor, caseID, version int64, seq int, result string, on baoxue.Date, note string, redrop casework.Input) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActCheckpoint); err != nil {
		return nil, err
	}
	if !baoxue.Known(casework.CheckpointResults, result) {
		return nil, fmt.Errorf("%w: 须选择回访结果", baoxue.ErrInvalid)
	}
	if on.IsZero() || on > by.today() {
		return nil, fmt.Errorf("%w: 回访日期须填写且不能晚于今天", baoxue.ErrInvalid)
	}
	return db.caseTx(ctx, by, caseID, version, "case checkpoint", func(ch *caseChange) error {
		c := ch.c
		if c.State != baoxue.CaseMonitoring {
			return fmt.Errorf("%w: 案件不在巩固跟踪阶段", baoxue.ErrInvalid)
		}
		var due int64
		var done string
		err := ch.tx.QueryRowContext(ctx, `SELECT due, result FROM case_checkpoints WHERE case_id = $1 AND watch_round = $2 AND seq = $3`,
			c.ID, c.WatchRound, seq).Scan(&due, &done)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("第 %d 次回访: %w", seq, baoxue.ErrNotFound)
		}
		if err != nil {
			return translate("read checkpoint", err)
		}
		if done != "" {
			return fmt.Errorf("%w: 第 %d 次回访已登记", baoxue.ErrInvalid, seq)
		}
		var earlier int
		if err := ch.tx.QueryRowContext(ctx, `SELECT count(*) FROM case_checkpoints WHERE case_id = $1 AND watch_round = $2
			AND seq < $3 AND result = ''`, c.ID, c.WatchRound, seq).Scan(&earlier); err != nil {
			return translate("read checkpoints", err)
		}
		if earlier > 0 {
			return fmt.Errorf("%w: 请先登记前面的回访", baoxue.ErrInvalid)
		}
		if _, err := ch.tx.ExecContext(ctx, `UPDATE case_checkpoints SET done_on = $1, result = $2, note = $3, recorded_by = $4
			WHERE case_id = $5 AND watch_round = $6 AND seq = $7`, int64(on), result, strings.TrimSpace(note), by.User.Username,
			c.ID, c.WatchRound, seq); err != nil {
			return translate("record checkpoint", err)
		}
		ch.event("checkpoint", "", "", fmt.Sprintf("第 %d 次跟踪回访（应于 %s）：%s %s", seq, baoxue.Date(due),
			baoxue.Label(casework.CheckpointResults, result), strings.TrimSpace(note)))
		if result == casework.CheckpointDropped {
			return db.transition(ctx, by, ch, baoxue.CaseConfirmed, redrop)
		}
		var nn sql.NullInt64
		if err := ch.tx.QueryRowContext(ctx, `SELECT min(due) FROM case_checkpoints WHERE case_id = $1 AND watch_round = $2
			AND result = ''`, c.ID, c.WatchRound).Scan(&nn); err != nil {
			return translate("next checkpoint", err)
		}
		next := nn.Int64
		if next == 0 {
			next = int64(by.today().AddDays(ch.set.Normalize().PlacementDays)) // all passed: the county closes it
		}
		c.Due = baoxue.Date(next)
		ch.bump = true
		return nil
	})
}

// Transfer is a case handed to another county.
type Transfer struct {
	ID         int64
	CaseID     int64
	ChildName  string
	FromCounty string
	ToCounty   string
	FromState  baoxue.CaseState
	AskedOn    baoxue.Date
	Due        baoxue.Date
	Reason     string
	AskedBy    string
	Status     string
	DecidedBy  string
	DecidedOn  baoxue.Date
	Answer     string
	NewCaseID  int64
}

// RequestTransfer asks another county to take a case that is being verified or persuaded (the
// child lives there now). The receiving county answers within the settings' TransferDays.
func (db *DB) RequestTransfer(ctx context.Context, by CaseActor, caseID, version int64, toCounty, reason string) (*Transfer, error) {
	if err := casework.Allowed(by.actor(), casework.ActTransfer); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if len(toCounty) != 6 || !allDigits(toCounty) || reason == "" {
		return nil, fmt.Errorf("%w: 须填写接收县（区）的 6 位代码和移交理由", baoxue.ErrInvalid)
	}
	var t Transfer
	_, err := db.caseTx(ctx, by, caseID, version, "case transfer", func(ch *caseChange) error {
		c := ch.c
		if !baoxue.CanTransition(c.State, baoxue.CaseTransferred) {
			return fmt.Errorf("%w: “%s”状态的案件不能移交", baoxue.ErrInvalid, stateLabel(c.State))
		}
		if toCounty == c.CountyCode {
			return fmt.Errorf("%w: 接收县（区）不能是本县", baoxue.ErrInvalid)
		}
		today := by.today()
		t = Transfer{CaseID: c.ID, ChildName: c.Name, FromCounty: c.CountyCode, ToCounty: toCounty, FromState: c.State,
			AskedOn: today, Due: ch.set.TransferDue(today), Reason: reason, AskedBy: by.User.Username, Status: casework.TransferPending}
		err := ch.tx.QueryRowContext(ctx, `INSERT INTO case_transfers (case_id, from_county, to_county, from_state, asked_on, due,
			reason, asked_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, c.ID, c.CountyCode, toCounty, string(c.State),
			int64(today), int64(t.Due), reason, t.AskedBy).Scan(&t.ID)
		if err != nil {
			err = translate("insert transfer", err)
			if errors.Is(err, baoxue.ErrExists) {
				return fmt.Errorf("%w: 该案件已有待接收的移交", baoxue.ErrExists)
			}
			return err
		}
		ch.bump = true // other edits must see that a transfer is pending
		ch.event("transfer", "", "", fmt.Sprintf("申请移交 %s：%s（%s 前答复）", toCounty, reason, t.Due))
		officers, err := db.officersAt(ctx, ch.tx, toCounty)
		if err != nil {
			return err
		}
		for _, u := range officers {
			ch.notify(u, "transfer", fmt.Sprintf("%s 申请向贵县移交 %s 的案件，请于 %s 前接收或退回", c.CountyCode, pii.MaskName(c.Name), t.Due))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// officersAt lists the enabled officers whose scope is exactly region.
func (db *DB) officersAt(ctx context.Context, tx *sql.Tx, region string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT username FROM users WHERE role = 'officer' AND scope = $1 AND NOT disabled ORDER BY username`, region)
	if err != nil {
		return nil, translate("read officers", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, translate("read officers", err)
		}
		out = append(out, u)
	}
	return out, translate("read officers", rows.Err())
}

// DecideTransfer is the receiving county's answer. Accepting moves the case to transferred and
// opens a case for the child in the receiving county (awaiting dispatch if it was being
// verified, confirmed if it was being persuaded); rejecting leaves the case where it was, with the
// answer in its history.
func (db *DB) DecideTransfer(ctx context.Context, by CaseActor, transferID int64, accept bool, answer string) (*Transfer, error) {
	if err := casework.Allowed(by.actor(), casework.ActAccept); err != nil {
		return nil, err
	}
	answer = strings.TrimSpace(answer)
	if !accept && answer == "" {
		return nil, fmt.Errorf("%w: 退回移交须说明理由", baoxue.ErrInvalid)
	}
	var t Transfer
	var caseID int64
	var status, toCounty string
	err := db.read.QueryRowContext(ctx, `SELECT case_id, status, to_county FROM case_transfers WHERE id = $1`, transferID).Scan(&caseID, &status, &toCounty)
	if err != nil || by.User.Scope.RegionCode() != toCounty {
		return nil, fmt.Errorf("移交 %d: %w", transferID, baoxue.ErrNotFound)
	}
	_, err = db.caseTx(ctx, by, caseID, anyVersion, "case transfer decision", func(ch *caseChange) error {
		c := ch.c
		var from string
		var asked, due int64
		err := ch.tx.QueryRowContext(ctx, `SELECT id, from_county, to_county, from_state, asked_on, due, reason, asked_by, status
			FROM case_transfers WHERE id = $1`+db.dialect.forUpdate, transferID).Scan(&t.ID, &t.FromCounty, &t.ToCounty, &from,
			&asked, &due, &t.Reason, &t.AskedBy, &t.Status)
		if err != nil {
			return translate("read transfer", err)
		}
		if t.Status != casework.TransferPending {
			return fmt.Errorf("%w: 该移交已处理", baoxue.ErrInvalid)
		}
		t.CaseID, t.ChildName, t.FromState, t.AskedOn, t.Due = c.ID, c.Name, baoxue.CaseState(from), baoxue.Date(asked), baoxue.Date(due)
		today := by.today()
		t.DecidedBy, t.DecidedOn, t.Answer = by.User.Username, today, answer
		if !accept {
			t.Status = casework.TransferRejected
			ch.event("transfer", "", "", fmt.Sprintf("%s 退回移交：%s", t.ToCounty, answer))
			ch.notify(t.AskedBy, "transfer", fmt.Sprintf("%s 退回了 %s 的移交：%s", t.ToCounty, pii.MaskName(c.Name), answer))
		} else {
			in := casework.Input{ToCounty: t.ToCounty, CaseCounty: c.CountyCode, TransferAccepted: true, Today: today}
			if err := casework.Check(by.actor(), c.State, baoxue.CaseTransferred, in); err != nil {
				return err
			}
			from := c.State
			c.State, c.StateSince, c.Due, c.Note = baoxue.CaseTransferred, today, 0, "移交 "+t.ToCounty+" 接收"
			if err := db.saveCase(ctx, ch.tx, c, by.Now); err != nil {
				return err
			}
			n := NewCase{IDNumber: c.IDNumber, Name: c.Name, Sex: c.Sex, BirthDate: c.BirthDate, RegionCode: t.ToCounty,
				SchoolCode: c.SchoolCode, SchoolName: c.SchoolName, Grade: c.Grade, Poverty: c.Poverty, PovertyType: c.PovertyType,
				Disability: c.Disability, Groups: c.PriorityGroups, Source: c.Source, SourceRef: fmt.Sprintf("transfer:%d/case:%d", t.ID, c.ID),
				Guardian: c.Guardian, Relation: c.Relation, Phone: c.GuardianPhone, Address: c.Address, Note: answer}
			id, err := db.insertCase(ctx, ch.tx, n, ch.set, by.Now)
			if err != nil {
				return err
			}
			newState := baoxue.CaseSuspected
			if from == baoxue.CasePersuading {
				newState = baoxue.CaseConfirmed
				if _, err := ch.tx.ExecContext(ctx, `UPDATE cases SET state = 'confirmed', due_date = $1, dropout_date = $2,
					confirmed_on = $3, reasons = $4, supports = $5 WHERE id = $6`, int64(ch.set.Due(baoxue.CaseConfirmed, today)),
					int64(c.DropoutDate), int64(today), joinCodes(c.Reasons), joinCodes(c.Supports), id); err != nil {
					return translate("open received case", err)
				}
			}
			if err := db.writeEvents(ctx, ch.tx, by, &Case{ID: id, Version: 1}, "create", []caseEvent{{"create", "", string(newState),
				fmt.Sprintf("接收 %s 移交的案件 %d", t.FromCounty, c.ID)}}); err != nil {
				return err
			}
			t.Status, t.NewCaseID = casework.TransferAccepted, id
			ch.event("transition", string(from), string(baoxue.CaseTransferred), fmt.Sprintf("%s 已接收（新案件 %d）", t.ToCounty, id))
			ch.notify(t.AskedBy, "transfer", fmt.Sprintf("%s 已接收 %s 的移交", t.ToCounty, pii.MaskName(c.Name)))
		}
		_, err = ch.tx.ExecContext(ctx, `UPDATE case_transfers SET status = $1, decided_by = $2, decided_on = $3, answer = $4,
			new_case_id = $5 WHERE id = $6`, t.Status, t.DecidedBy, int64(today), answer, t.NewCaseID, t.ID)
		return translate("decide transfer", err)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Transfers lists the transfers u may see: those into u's region and those of cases in view,
// newest first.
func (db *DB) Transfers(ctx context.Context, u auth.User) ([]Transfer, error) {
	q, err := caseScope(u)
	if err != nil {
		return nil, err
	}
	cond := strings.Join(q.where, " AND ")
	if pattern, ok := u.Scope.SQLPrefix(); ok {
		cond = "(" + cond + ") OR t.to_county LIKE " + q.arg(pattern) + ` ESCAPE '\'`
	}
	var out []Transfer
	err = stream(ctx, db, "transfers", `SELECT t.id, t.case_id, c.name, t.from_county, t.to_county, t.from_state, t.asked_on,
		t.due, t.reason, t.asked_by, t.status, t.decided_by, t.decided_on, t.answer, t.new_case_id
		FROM case_transfers t JOIN cases c ON c.id = t.case_id WHERE `+cond+` ORDER BY t.id DESC LIMIT 500`, q.args,
		func(rows *sql.Rows, t *Transfer) error {
			var from string
			var asked, due, decided int64
			if err := rows.Scan(&t.ID, &t.CaseID, &t.ChildName, &t.FromCounty, &t.ToCounty, &from, &asked, &due, &t.Reason,
				&t.AskedBy, &t.Status, &t.DecidedBy, &decided, &t.Answer, &t.NewCaseID); err != nil {
				return err
			}
			t.FromState, t.AskedOn, t.Due, t.DecidedOn = baoxue.CaseState(from), baoxue.Date(asked), baoxue.Date(due), baoxue.Date(decided)
			return nil
		}, func(t *Transfer) error { out = append(out, *t); return nil })
	return out, err
}

// StoredNotification is an in-app notification with its times.
type StoredNotification struct {
	casework.Notification
	CreatedAt time.Time
	Read      bool
}

// Notifications returns a user's newest notifications.
func (db *DB) Notifications(ctx context.Context, username string, limit int) ([]StoredNotification, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var out []StoredNotification
	err := stream(ctx, db, "notifications", `SELECT id, username, case_id, kind, message, created_at, read_at IS NOT NULL
		FROM notifications WHERE username = $1 ORDER BY id DESC LIMIT $2`, []any{username, limit},
		func(rows *sql.Rows, n *StoredNotification) error {
			err := rows.Scan(&n.ID, &n.Username, &n.CaseID, &n.Kind, &n.Message, &n.CreatedAt, &n.Read)
			n.CreatedAt = n.CreatedAt.UTC()
			return err
		}, func(n *StoredNotification) error { out = append(out, *n); return nil })
	return out, err
}

// UnreadNotifications counts a user's unread notifications.
func (db *DB) UnreadNotifications(ctx context.Context, username string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE username = $1 AND read_at IS NULL`, username).Scan(&n)
	return n, translate("count notifications", err)
}

// MarkNotificationsRead marks one notification (id > 0) or all of a user's as read.
func (db *DB) MarkNotificationsRead(ctx context.Context, username string, id int64, at time.Time) error {
	return db.inWriteTx(ctx, "read notifications", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE username = $2 AND read_at IS NULL
			AND ($3 = 0 OR id = $3)`, dbTime(at), username, id)
		return translate("read notifications", err)
	})
}

// CaseSettings returns the county's case-work settings, the defaults where none are stored.
func (db *DB) CaseSettings(ctx context.Context) (casework.Settings, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'casework'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return casework.DefaultSettings(), nil
	}
	if err != nil {
		return casework.Settings{}, translate("read case settings", err)
	}
	var s casework.Settings
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return casework.Settings{}, fmt.Errorf("case settings: %w", err)
	}
	return s.Normalize(), nil
}

// SetCaseSettings stores the case-work settings after checking them.
func (db *DB) SetCaseSettings(ctx context.Context, s casework.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(s.Normalize())
	if err != nil {
		return err
	}
	return db.inWriteTx(ctx, "save case settings", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('casework', $1)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, string(b))
		return translate("save case settings", err)
	})
}
