package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/pii"
)

// Case files (issue 6): one per child and episode, moved through the states of DESIGN §5 by
// casework's transition table. Every change runs in one write transaction that locks the case,
// checks the version the user saw (optimistic locking: a stale version is baoxue.ErrConflict),
// applies the change, bumps the version, and writes a case event and an audit record. Appending
// records (visits, files) does not bump the version: they never overwrite anyone's work.
//
// Personal fields: cases.pii_enc holds guardian name, relation, guardian phone, address;
// case_responsibles.pii_enc name, phone; case_visits.pii_enc place, notes; case_legal.pii_enc
// served_to; case_referrals.pii_enc employer address, contact person, phone; case_files.data is
// encrypted whole.

// Case is one child's case file.
type Case struct {
	ID             int64
	IDNumber       string // decrypted; "" when unknown or not loaded (lists)
	Name           string
	Sex            baoxue.Sex
	BirthDate      baoxue.Date
	RegionCode     string // village (or township) of the household
	CountyCode     string
	SchoolCode     string // the school the child attended
	SchoolName     string
	Grade          int
	Poverty        bool
	PovertyType    string
	Disability     string // as the ledger writes it: 肢体残疾三级
	PriorityGroups []string
	Source         string
	SourceRef      string
	State          baoxue.CaseState
	StateSince     baoxue.Date
	Due            baoxue.Date
	Escalated      int
	Verifier       string
	Cadre          string
	Outcome        string
	Reasons        []string
	Supports       []string
	DropoutDate    baoxue.Date
	ConfirmedOn    baoxue.Date
	ReturnDate     baoxue.Date
	ReturnCode     string // return school code, when it is a known school
	ReturnSchool   string
	ReturnGrade    int
	Placement      string
	Recommended    string
	PlacementWhy   string // reason for overriding the recommendation
	WatchRound     int
	Reopened       int
	Note           string
	Guardian       string
	Relation       string
	GuardianPhone  string
	Address        string
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CaseActor is who changes a case and when. Notify, if set, receives each notification the
// change created, after the transaction has committed (the in-app copy is already stored).
type CaseActor struct {
	User   auth.User
	Now    time.Time
	Notify func(casework.Notification)
}

func (a CaseActor) today() baoxue.Date { return baoxue.DateOf(a.Now) }
func (a CaseActor) actor() casework.Actor {
	return casework.ActorOf(a.User.Role, a.User.Scope)
}

const caseCols = `c.id, c.id_enc, c.name, c.sex, c.birth_date, c.region_code, c.county_code, c.school_code,
	c.school_name, c.grade, c.poverty, c.poverty_type, c.disability, c.priority_groups, c.source, c.source_ref,
	c.state, c.state_since, c.due_date, c.escalated, c.verifier, c.cadre, c.outcome, c.reasons, c.supports,
	c.dropout_date, c.confirmed_on, c.return_date, c.return_school_code, c.return_school, c.return_grade,
	c.placement, c.placement_recommended, c.placement_reason, c.watch_round, c.reopened, c.note, c.pii_enc,
	c.version, c.created_at, c.updated_at`

func (db *DB) caseSealer() sealer { return newSealer(db.keys, "cases") }

// scanCase reads one row of caseCols; with full set it decrypts the ID and the personal fields.
func (db *DB) scanCase(row interface{ Scan(...any) error }, c *Case, full bool) error {
	var idEnc, blob []byte
	var sex, groups, state, reasons, supports string
	var birth, since, due, dropout, confirmed, ret int64
	*c = Case{}
	err := row.Scan(&c.ID, &idEnc, &c.Name, &sex, &birth, &c.RegionCode, &c.CountyCode, &c.SchoolCode,
		&c.SchoolName, &c.Grade, &c.Poverty, &c.PovertyType, &c.Disability, &groups, &c.Source, &c.SourceRef,
		&state, &since, &due, &c.Escalated, &c.Verifier, &c.Cadre, &c.Outcome, &reasons, &supports,
		&dropout, &confirmed, &ret, &c.ReturnCode, &c.ReturnSchool, &c.ReturnGrade,
		&c.Placement, &c.Recommended, &c.PlacementWhy, &c.WatchRound, &c.Reopened, &c.Note, &blob,
		&c.Version, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return err
	}
	c.Sex, c.State = baoxue.Sex(sex), baoxue.CaseState(state)
	c.BirthDate, c.StateSince, c.Due = baoxue.Date(birth), baoxue.Date(since), baoxue.Date(due)
	c.DropoutDate, c.ConfirmedOn, c.ReturnDate = baoxue.Date(dropout), baoxue.Date(confirmed), baoxue.Date(ret)
	c.PriorityGroups, c.Reasons, c.Supports = splitCodes(groups), splitCodes(reasons), splitCodes(supports)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if !full {
		return nil
	}
	s := db.caseSealer()
	if len(idEnc) > 0 {
		if c.IDNumber, err = s.openID(idEnc); err != nil {
			return err
		}
	}
	return s.openFields(blob, &c.Guardian, &c.Relation, &c.GuardianPhone, &c.Address)
}

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinCodes(codes []string) string { return strings.Join(codes, ",") }

// caseScope starts a query over cases c limited to what u may see: the region of the scope (by
// county code for county and wider scopes, which the indexes serve best), or, for a school, the
// children who attended it or returned to it. A cadre sees only the cases assigned to them (as
// verifier or as 包抓 cadre), on top of the scope (DESIGN §9). The zero scope sees nothing.
func caseScope(u auth.User) (*query, error) {
	q := &query{}
	switch sc := u.Scope; {
	case sc.IsSchool():
		q.add(`(c.school_code = %s OR c.return_school_code = %s)`, sc.SchoolCode(), sc.SchoolCode())
	case sc.RegionCode() == "":
		return nil, fmt.Errorf("案件: %w", baoxue.ErrNotFound)
	case sc.Level() == baoxue.LevelCounty:
		q.add(`c.county_code = %s`, sc.RegionCode())
	case sc.Level() < baoxue.LevelCounty:
		q.prefix("c.county_code", sc.RegionCode())
	default:
		q.prefix("c.region_code", sc.RegionCode())
	}
	if u.Role == auth.RoleCadre {
		q.add(`(c.cadre = %s OR c.verifier = %s)`, u.Username, u.Username)
	}
	return q, nil
}

// Case returns one case with its personal fields; a case outside u's view is baoxue.ErrNotFound.
// The receiving county of a pending transfer may see the case too.
func (db *DB) Case(ctx context.Context, u auth.User, id int64) (*Case, error) {
	return db.loadCase(ctx, db.read, u, id, false)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) loadCase(ctx context.Context, qr queryer, u auth.User, id int64, lock bool) (*Case, error) {
	q, err := caseScope(u)
	if err != nil {
		return nil, err
	}
	cond := strings.Join(q.where, " AND ")
	if pattern, ok := u.Scope.SQLPrefix(); ok && u.Role == auth.RoleOfficer {
		cond = "(" + cond + ") OR EXISTS (SELECT 1 FROM case_transfers t WHERE t.case_id = c.id AND t.status = 'pending' AND t.to_county LIKE " +
			q.arg(pattern) + ` ESCAPE '\')`
	}
	s := `SELECT ` + caseCols + ` FROM cases c WHERE c.id = ` + q.arg(id) + ` AND (` + cond + `)`
	if lock {
		s += db.dialect.forUpdate
	}
	var c Case
	if err := db.scanCase(qr.QueryRowContext(ctx, s, q.args...), &c, true); err != nil {
		if errors.Is(classify(err), baoxue.ErrNotFound) {
			return nil, fmt.Errorf("案件 %d: %w", id, baoxue.ErrNotFound)
		}
		return nil, translate("read case", err)
	}
	return &c, nil
}

// caseEvent is one line of a case's history.
type caseEvent struct {
	kind, from, to, summary string
}

// CaseEvent is one change of a case, as its history shows it.
type CaseEvent struct {
	ID        int64
	Version   int64
	At        time.Time
	Actor     string
	Role      string
	Kind      string
	FromState baoxue.CaseState
	ToState   baoxue.CaseState
	Summary   string
}

// caseChange is what a mutation tells caseTx.
type caseChange struct {
	tx      *sql.Tx
	c       *Case
	set     casework.Settings
	events  []caseEvent
	notes   []casework.Notification
	bump    bool // the case row changed: save it and bump its version
	created int64
}

func (ch *caseChange) event(kind, from, to, summary string) {
	ch.events = append(ch.events, caseEvent{kind, from, to, summary})
}

func (ch *caseChange) notify(username, kind, msg string) {
	if username == "" {
		return
	}
	ch.notes = append(ch.notes, casework.Notification{Username: username, CaseID: ch.c.ID, Kind: kind, Message: msg})
}

// ConflictError is the error of a change made on a stale version: the case as it is now. It
// wraps baoxue.ErrConflict.
type ConflictError struct {
	Current *Case
	Seen    int64 // the version the user saw
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("案件已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请查看变更后重试", e.Seen, e.Current.Version)
}

func (e *ConflictError) Unwrap() error { return baoxue.ErrConflict }

// anyVersion skips the version check, for appends that cannot overwrite anyone's work.
const anyVersion = -1

// caseTx runs fn on case id locked in a write transaction, checking version (unless anyVersion),
// then saves the case if fn changed it, and writes events, audit records and notifications.
func (db *DB) caseTx(ctx context.Context, by CaseActor, id, version int64, action string, fn func(ch *caseChange) error) (*Case, error) {
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out *Case
	var notes []casework.Notification
	err = db.inWriteTx(ctx, action, func(tx *sql.Tx) error {
		c, err := db.loadCase(ctx, tx, by.User, id, true)
		if err != nil {
			return err
		}
		if version != anyVersion && c.Version != version {
			return &ConflictError{Current: c, Seen: version}
		}
		ch := &caseChange{tx: tx, c: c, set: set}
		if err := fn(ch); err != nil {
			return err
		}
		if ch.bump {
			if err := db.saveCase(ctx, tx, c, by.Now); err != nil {
				return err
			}
		}
		if err := db.writeEvents(ctx, tx, by, c, action, ch.events); err != nil {
			return err
		}
		if err := db.insertNotifications(ctx, tx, by.Now, ch.notes); err != nil {
			return err
		}
		out, notes = c, ch.notes
		return nil
	})
	if err != nil {
		return nil, err
	}
	if by.Notify != nil {
		for _, n := range notes {
			by.Notify(n)
		}
	}
	return out, nil
}

// saveCase writes the mutable columns of c and bumps its version; the row is locked, so the
// version cannot have moved since it was read.
func (db *DB) saveCase(ctx context.Context, tx *sql.Tx, c *Case, now time.Time) error {
	blob, err := db.caseSealer().fields(c.Guardian, c.Relation, c.GuardianPhone, c.Address)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET state = $1, state_since = $2, due_date = $3, escalated = $4,
		verifier = $5, cadre = $6, outcome = $7, reasons = $8, supports = $9, dropout_date = $10, confirmed_on = $11,
		return_date = $12, return_school_code = $13, return_school = $14, return_grade = $15, placement = $16,
		placement_recommended = $17, placement_reason = $18, watch_round = $19, reopened = $20, note = $21,
		pii_enc = $22, school_code = $23, school_name = $24, grade = $25, version = version + 1, updated_at = $26
		WHERE id = $27 AND version = $28`,
		string(c.State), int64(c.StateSince), int64(c.Due), c.Escalated, c.Verifier, c.Cadre, c.Outcome,
		joinCodes(c.Reasons), joinCodes(c.Supports), int64(c.DropoutDate), int64(c.ConfirmedOn), int64(c.ReturnDate),
		c.ReturnCode, c.ReturnSchool, c.ReturnGrade, c.Placement, c.Recommended, c.PlacementWhy, c.WatchRound,
		c.Reopened, c.Note, blob, c.SchoolCode, c.SchoolName, c.Grade, dbTime(now), c.ID, c.Version)
	if err != nil {
		return translate("save case", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("save case %d: %w", c.ID, baoxue.ErrConflict)
	}
	c.Version++
	c.UpdatedAt = dbTime(now)
	return nil
}

// writeEvents records the events of one change, each with the case's version after it, and one
// audit record per event.
func (db *DB) writeEvents(ctx context.Context, tx *sql.Tx, by CaseActor, c *Case, action string, evs []caseEvent) error {
	for _, e := range evs {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, version, at, actor, role, kind, from_state,
			to_state, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.Version, dbTime(by.Now), by.User.Username, string(by.User.Role), e.kind, e.from, e.to, e.summary)
		if err != nil {
			return translate("case event", err)
		}
		detail := e.summary
		if e.from != "" || e.to != "" {
			detail = e.from + "→" + e.to + " " + detail
		}
		err = db.auditTx(ctx, tx, &baoxue.AuditRecord{Time: by.Now, Actor: by.User.Username, Role: string(by.User.Role),
			Scope: by.User.Scope.String(), Action: "case_" + e.kind, Object: fmt.Sprintf("case:%d", c.ID), Result: "ok",
			RequestID: audit.RequestID(ctx), Detail: detail})
		if err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) insertNotifications(ctx context.Context, tx *sql.Tx, now time.Time, notes []casework.Notification) error {
	for i := range notes {
		n := &notes[i]
		err := tx.QueryRowContext(ctx, `INSERT INTO notifications (username, case_id, kind, message, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, n.Username, n.CaseID, n.Kind, n.Message, dbTime(now)).Scan(&n.ID)
		if err != nil {
			return translate("notification", err)
		}
	}
	return nil
}

// label helpers for event summaries.
func stateLabel(s baoxue.CaseState) string { return casework.StateLabel(s) }

func labels(codes []baoxue.Code, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = baoxue.Label(codes, id)
	}
	return strings.Join(out, "、")
}

// NewCase is a case opened by hand, or the data of a suspect.
type NewCase struct {
	IDNumber    string
	Name        string
	Sex         baoxue.Sex
	BirthDate   baoxue.Date
	RegionCode  string // village or township, inside the creator's scope
	SchoolCode  string
	SchoolName  string
	Grade       int
	Poverty     bool
	PovertyType string
	Disability  string
	Groups      []string
	Source      string
	SourceRef   string
	Guardian    string
	Relation    string
	Phone       string
	Address     string
	Note        string
}

// CreateCase opens a case in state suspected with the verification deadline of the settings. A
// child who already has an open case gives an error wrapping baoxue.ErrExists that names it.
func (db *DB) CreateCase(ctx context.Context, by CaseActor, n NewCase) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActCreate); err != nil {
		return nil, err
	}
	if strings.TrimSpace(n.Name) == "" {
		return nil, fmt.Errorf("%w: 须填写儿童姓名", baoxue.ErrInvalid)
	}
	if len(n.RegionCode) < 9 || !by.User.Scope.Contains(n.RegionCode) {
		return nil, fmt.Errorf("%w: 户籍所在地（乡镇或村代码）须在您的管辖范围内", baoxue.ErrInvalid)
	}
	if n.Source == "" {
		n.Source = casework.SourceManual
	}
	if !baoxue.Known(casework.Sources, n.Source) {
		return nil, fmt.Errorf("%w: 未知的案件来源“%.20s”", baoxue.ErrInvalid, n.Source)
	}
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.inWriteTx(ctx, "create case", func(tx *sql.Tx) error {
		var err error
		id, err = db.insertCase(ctx, tx, n, set, by.Now)
		if err != nil {
			return err
		}
		c := &Case{ID: id, Version: 1}
		return db.writeEvents(ctx, tx, by, c, "create", []caseEvent{{"create", "", string(baoxue.CaseSuspected),
			"建档：" + baoxue.Label(casework.Sources, n.Source)}})
	})
	if err != nil {
		return nil, err
	}
	return db.loadCase(ctx, db.read, by.User, id, false)
}

// insertCase adds a suspect case; the unique index on open cases turns a second open case for
// the same child into baoxue.ErrExists.
func (db *DB) insertCase(ctx context.Context, tx *sql.Tx, n NewCase, set casework.Settings, now time.Time) (int64, error) {
	s := db.caseSealer()
	enc, bidx, err := s.id(n.IDNumber)
	if err != nil {
		return 0, err
	}
	if bidx != nil {
		var existing int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE child_bidx = $1 AND state NOT IN ('cleared', 'transferred', 'closed')`, bidx).Scan(&existing)
		if err == nil {
			return 0, fmt.Errorf("%w: 该儿童已有未结案件（案件编号 %d）", baoxue.ErrExists, existing)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, translate("find open case", err)
		}
	}
	blob, err := s.fields(n.Guardian, n.Relation, n.Phone, n.Address)
	if err != nil {
		return 0, err
	}
	today := baoxue.DateOf(now)
	county := ""
	if len(n.RegionCode) >= 6 {
		county = n.RegionCode[:6]
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO cases (child_bidx, id_enc, name, sex, birth_date, region_code, county_code,
		school_code, school_name, grade, poverty, poverty_type, disability, priority_groups, source, source_ref, state,
		state_since, due_date, note, pii_enc, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'suspected', $17, $18, $19, $20, 1, $21, $21)
		RETURNING id`,
		bidx, enc, strings.TrimSpace(n.Name), string(n.Sex), int64(n.BirthDate), n.RegionCode, county, n.SchoolCode,
		n.SchoolName, n.Grade, n.Poverty, n.PovertyType, n.Disability, joinCodes(n.Groups), n.Source, n.SourceRef,
		int64(today), int64(set.Due(baoxue.CaseSuspected, today)), n.Note, blob, dbTime(now)).Scan(&id)
	if err != nil {
		err = translate("insert case", err)
		if errors.Is(err, baoxue.ErrExists) {
			return 0, fmt.Errorf("%w: 该儿童已有未结案件", baoxue.ErrExists)
		}
		return 0, err
	}
	return id, nil
}

// CaseFromEntry opens a case by hand for a ledger entry inside the creator's scope, with the
// guardian and address of its registry row.
func (db *DB) CaseFromEntry(ctx context.Context, by CaseActor, entryID int64) (*Case, error) {
	row, err := db.LedgerRowByID(ctx, by.User.Scope, entryID)
	if err != nil {
		return nil, err
	}
	n := newCaseOf(&row.LedgerEntry, fmt.Sprintf("run:%d/entry:%d", row.RunID, row.ID))
	if recs, err := db.ChildRecords(ctx, row); err == nil && recs.Person != nil {
		n.Guardian, n.Phone, n.Address = recs.Person.GuardianName, recs.Person.Phone, recs.Person.Address
	}
	n.Source = casework.SourceManual
	return db.CreateCase(ctx, by, n)
}

func newCaseOf(e *baoxue.LedgerEntry, ref string) NewCase {
	birth, _ := baoxue.ParseISODate(e.BirthDate)
	return NewCase{IDNumber: e.IDNumber, Name: e.Name, Sex: e.Sex, BirthDate: birth, RegionCode: e.RegionCode,
		SchoolCode: e.SchoolCode, SchoolName: e.SchoolName, Poverty: e.Poverty, PovertyType: e.PovertyType,
		Disability: e.Disability, Groups: e.PriorityGroups, Source: casework.SourceComparison, SourceRef: ref}
}

// SyncResult counts what SyncCases did.
type SyncResult struct {
	RunID           int64 `json:"run_id"`
	Suspects        int   `json:"suspects"`
	Created         int   `json:"created"`
	AlreadyOpen     int   `json:"already_open"`
	Reopened        int   `json:"reopened"`
	RecentlyCleared int   `json:"recently_cleared"`
	NoID            int   `json:"no_id"`
}

// SyncCases opens a case for every suspect of a comparison run who has none open, idempotently:
// a second call creates nothing. A child whose case was cleared within the settings'
// RecentlyClearedDays is left alone (the data problem that made them a suspect is probably not
// fixed yet); one cleared longer ago is reopened for verification. Suspects without a usable ID
// number cannot be matched to a case and are counted in NoID. by is the system actor (an officer
// or the CLI's user); the scope is not applied, the run's ledger is.
func (db *DB) SyncCases(ctx context.Context, by CaseActor, runID int64) (*SyncResult, error) {
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return nil, err
	}
	run, err := db.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	registry := int64(0)
	for _, id := range run.DatasetIDs {
		if ds, err := db.Dataset(ctx, id); err == nil && ds.Kind == baoxue.KindRegistry {
			registry = id
		}
	}
	type suspect struct {
		entry baoxue.LedgerEntry
		id    int64
	}
	var all []suspect
	res := &SyncResult{RunID: runID}
	err = stream(ctx, db, "read suspects", `SELECT id, `+strings.TrimPrefix(ledgerSelect, "SELECT ")+
		` WHERE run_id = $1 AND status = 'suspected' ORDER BY id`, []any{runID},
		func(rows *sql.Rows, s *suspect) error {
			var idEnc, blob []byte
			var sex, status, method, groups string
			var birth int64
			e := &s.entry
			*e = baoxue.LedgerEntry{}
			if err := rows.Scan(&s.id, &e.SourceRow, &idEnc, &e.Name, &sex, &birth, &e.RegionCode, &status, &e.Detail,
				&method, &e.MatchScore, &e.SchoolCode, &e.SchoolName, &e.Poverty, &e.PovertyType, &e.Disability,
				&groups, &blob); err != nil {
				return err
			}
			e.Sex, e.Status = baoxue.Sex(sex), baoxue.LedgerStatus(status)
			if birth != 0 {
				e.BirthDate = baoxue.Date(birth).String()
			}
			e.PriorityGroups = splitCodes(groups)
			if len(idEnc) > 0 {
				id, err := db.sealers.ledger.openID(idEnc)
				if err != nil {
					return err
				}
				e.IDNumber = id
			}
			return nil
		}, func(s *suspect) error { all = append(all, *s); return nil })
	if err != nil {
		return nil, err
	}
	res.Suspects = len(all)
	today := by.today()
	const batch = 500
	for start := 0; start < len(all); start += batch {
		part := all[start:min(start+batch, len(all))]
		err := db.inWriteTx(ctx, "sync cases", func(tx *sql.Tx) error {
			for _, s := range part {
				if s.entry.IDNumber == "" {
					res.NoID++
					continue
				}
				n := newCaseOf(&s.entry, fmt.Sprintf("run:%d/entry:%d", runID, s.id))
				bidx := db.keys.BlindIndex(s.entry.IDNumber)
				var openID int64
				err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE child_bidx = $1 AND state NOT IN ('cleared', 'transferred', 'closed')`, bidx).Scan(&openID)
				if err == nil {
					res.AlreadyOpen++
					continue
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return translate("find open case", err)
				}
				var clearedID int64
				var since int64
				err = tx.QueryRowContext(ctx, `SELECT id, state_since FROM cases WHERE child_bidx = $1 AND state = 'cleared'
					ORDER BY id DESC LIMIT 1`, bidx).Scan(&clearedID, &since)
				switch {
				case err == nil && baoxue.Date(since).AddDays(set.Normalize().RecentlyClearedDays) > today:
					res.RecentlyCleared++
					continue
				case err == nil:
					if err := db.reopenCleared(ctx, tx, by, clearedID, runID, set); err != nil {
						return err
					}
					res.Reopened++
					continue
				case !errors.Is(err, sql.ErrNoRows):
					return translate("find cleared case", err)
				}
				if registry != 0 {
					p, err := db.registryPerson(ctx, tx, registry, s.entry.SourceRow)
					if err != nil {
						return err
					}
					if p != nil {
						n.Guardian, n.Phone, n.Address = p.GuardianName, p.Phone, p.Address
					}
				}
				id, err := db.insertCase(ctx, tx, n, set, by.Now)
				if err != nil {
					return err
				}
				sys := by
				sys.User.Username, sys.User.Role = systemActor(by), auth.Role("system")
				err = db.writeEvents(ctx, tx, sys, &Case{ID: id, Version: 1}, "create", []caseEvent{{"create", "",
					string(baoxue.CaseSuspected), fmt.Sprintf("比对第 %d 次发现疑似失学辍学", runID)}})
				if err != nil {
					return err
				}
				res.Created++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

func systemActor(by CaseActor) string {
	if by.User.Username == "" {
		return "system"
	}
	return by.User.Username
}

// registryPerson reads a registry row by dataset and row number, or nil.
func (db *DB) registryPerson(ctx context.Context, tx *sql.Tx, dataset int64, row int) (*baoxue.Person, error) {
	rows, err := tx.QueryContext(ctx, personSelect+` WHERE dataset_id = $1 AND source_row = $2`, dataset, row)
	if err != nil {
		return nil, translate("registry row", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, translate("registry row", rows.Err())
	}
	var p baoxue.Person
	if err := db.sealers.persons.scanPerson(rows, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// reopenCleared moves a cleared case back to verifying on behalf of the system, keeping its
// verifier, because a later comparison found the child again.
func (db *DB) reopenCleared(ctx context.Context, tx *sql.Tx, by CaseActor, id, runID int64, set casework.Settings) error {
	var c Case
	err := db.scanCase(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE c.id = $1`+db.dialect.forUpdate, id), &c, true)
	if err != nil {
		return translate("read cleared case", err)
	}
	note := fmt.Sprintf("比对第 %d 次再次发现", runID)
	in := casework.Input{Verifier: c.Verifier, Note: note, Today: by.today()}
	if err := casework.Check(casework.ActorSystem, c.State, baoxue.CaseVerifying, in); err != nil {
		return err
	}
	c.State, c.StateSince, c.Note, c.Outcome = baoxue.CaseVerifying, by.today(), note, ""
	c.Due = set.Due(baoxue.CaseVerifying, by.today())
	c.Reopened++
	if err := db.saveCase(ctx, tx, &c, by.Now); err != nil {
		return err
	}
	sys := by
	sys.User.Username, sys.User.Role = systemActor(by), auth.Role("system")
	if err := db.writeEvents(ctx, tx, sys, &c, "transition", []caseEvent{{"transition", string(baoxue.CaseCleared),
		string(baoxue.CaseVerifying), note}}); err != nil {
		return err
	}
	return db.insertNotifications(ctx, tx, by.Now, []casework.Notification{{Username: c.Verifier, CaseID: c.ID,
		Kind: "assigned_verifier", Message: fmt.Sprintf("已核销的 %s 再次被比对发现，请重新核查", pii.MaskName(c.Name))}})
}

// checkAssignee refuses a verifier or cadre who is not an enabled case worker responsible for
// the case's place: a cadre or officer whose region contains it, or the child's school.
func (db *DB) checkAssignee(ctx context.Context, tx *sql.Tx, username string, c *Case, what string) error {
	var role, scope string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT role, scope, disabled FROM users WHERE username = $1`, username).Scan(&role, &scope, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s“%.32s”不是系统用户", baoxue.ErrInvalid, what, username)
	}
	if err != nil {
		return translate("read assignee", err)
	}
	sc, _ := auth.ParseScope(scope)
	if disabled || casework.ActorOf(auth.Role(role), sc) == "" {
		return fmt.Errorf("%w: %s“%.32s”不是在岗的办案人员", baoxue.ErrInvalid, what, username)
	}
	if !sc.Contains(c.RegionCode) && !(sc.IsSchool() && (sc.SchoolCode() == c.SchoolCode || sc.SchoolCode() == c.ReturnCode)) {
		return fmt.Errorf("%w: %s“%.32s”不负责该儿童所在地区或学校", baoxue.ErrInvalid, what, username)
	}
	return nil
}

// caseFacts are the facts the transition table looks at.
func (db *DB) caseFacts(ctx context.Context, tx *sql.Tx, c *Case, in *casework.Input) error {
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM case_visits WHERE case_id = $1`, c.ID).Scan(&in.Visits); err != nil {
		return translate("count visits", err)
	}
	var passed sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN result = 'in_school' THEN 1 ELSE 0 END)
		FROM case_checkpoints WHERE case_id = $1 AND watch_round = $2`, c.ID, c.WatchRound).Scan(&in.CheckpointsTotal, &passed)
	if err != nil {
		return translate("count checkpoints", err)
	}
	in.CheckpointsPassed = int(passed.Int64)
	in.CaseCounty = c.CountyCode
	return nil
}

// recommend is the placement recommendation for c's return.
func recommend(c *Case) casework.Placement {
	class, level := casework.ParseDisability(c.Disability)
	return casework.RecommendPlacement(casework.PlacementInput{BirthDate: c.BirthDate, DropoutDate: c.DropoutDate,
		ReturnDate: c.ReturnDate, LastGrade: c.Grade, DisabilityClass: class, DisabilityLevel: level})
}

// Recommendation is the placement recommended for a returned case, with its reason.
func Recommendation(c *Case) casework.Placement { return recommend(c) }

// TransitionCase moves a case to state to, with the values of in (merged with what the case
// holds: a verifier or cadre already assigned, the reasons already recorded). Errors: the
// transition table's (baoxue.ErrInvalid, baoxue.ErrDenied), a stale version (*ConflictError),
// a case outside the user's view (baoxue.ErrNotFound).
func (db *DB) TransitionCase(ctx context.Context, by CaseActor, id, version int64, to baoxue.CaseState, in casework.Input) (*Case, error) {
	if to == baoxue.CaseTransferred {
		return nil, fmt.Errorf("%w: 移交须由接收县确认接收", baoxue.ErrInvalid)
	}
	return db.caseTx(ctx, by, id, version, "case transition", func(ch *caseChange) error {
		return db.transition(ctx, by, ch, to, in)
	})
}

func (db *DB) transition(ctx context.Context, by CaseActor, ch *caseChange, to baoxue.CaseState, in casework.Input) error {
	c, today := ch.c, by.today()
	from := c.State
	in.Today = today
	if in.Verifier == "" {
		in.Verifier = c.Verifier
	}
	if in.Cadre == "" {
		in.Cadre = c.Cadre
	}
	if len(in.Reasons) == 0 && to != baoxue.CaseConfirmed {
		in.Reasons = c.Reasons
	}
	if err := db.caseFacts(ctx, ch.tx, c, &in); err != nil {
		return err
	}
	if to == baoxue.CaseMonitoring {
		p := recommend(c)
		in.Recommended = p.Code
	}
	if err := casework.Check(by.actor(), from, to, in); err != nil {
		return err
	}
	set := ch.set
	summary := strings.TrimSpace(in.Note)
	c.State, c.StateSince, c.Note = to, today, strings.TrimSpace(in.Note)
	c.Due = set.Due(to, today)
	c.Escalated = 0
	switch to {
	case baoxue.CaseVerifying:
		if err := db.setVerifier(ctx, ch, in.Verifier); err != nil {
			return err
		}
		if from != baoxue.CaseSuspected {
			c.Reopened++
			c.Outcome = ""
		}
		summary = joinNonEmpty("核查责任人："+c.Verifier, summary)
	case baoxue.CaseCleared:
		c.Outcome, c.Due = in.Outcome, 0
		summary = joinNonEmpty("核查结果："+baoxue.Label(baoxue.VerificationOutcomes, in.Outcome), summary)
	case baoxue.CaseConfirmed:
		c.DropoutDate, c.Reasons = in.DropoutDate, in.Reasons
		if c.ConfirmedOn.IsZero() {
			c.ConfirmedOn = today
		}
		if from == baoxue.CaseMonitoring || from == baoxue.CaseClosed {
			// Re-dropout: the return and placement stay in the history, not on the case.
			summary = joinNonEmpty(fmt.Sprintf("再次辍学（原复学时间 %s，%s）", c.ReturnDate, c.ReturnSchool), summary)
			c.Reopened++
			c.ReturnDate, c.ReturnCode, c.ReturnSchool, c.ReturnGrade = 0, "", "", 0
			c.Placement, c.Recommended, c.PlacementWhy = "", "", ""
			if _, err := ch.tx.ExecContext(ctx, `UPDATE case_checkpoints SET result = 'dropped', done_on = $1
				WHERE case_id = $2 AND watch_round = $3 AND result = ''`, int64(today), c.ID, c.WatchRound); err != nil {
				return translate("close checkpoints", err)
			}
		}
		summary = joinNonEmpty(fmt.Sprintf("辍学时间 %s，原因：%s", in.DropoutDate, labels(baoxue.DropoutReasons, in.Reasons)), summary)
	case baoxue.CasePersuading:
		if in.Cadre != c.Cadre {
			if err := db.setCadre(ctx, ch, in.Cadre); err != nil {
				return err
			}
		}
		summary = joinNonEmpty("包抓责任人："+c.Cadre, summary)
	case baoxue.CaseLegal:
		c.Due = today.AddDays(set.Normalize().NoticeDays)
	case baoxue.CaseReturned:
		c.ReturnDate, c.ReturnGrade = in.ReturnDate, in.ReturnGrade
		c.ReturnCode, c.ReturnSchool = "", strings.TrimSpace(in.ReturnSchool)
		if code := c.ReturnSchool; len(code) == 10 && allDigits(code) {
			var name string
			err := ch.tx.QueryRowContext(ctx, `SELECT name FROM schools WHERE code = $1`, code).Scan(&name)
			switch {
			case err == nil:
				c.ReturnCode, c.ReturnSchool = code, name
			case !errors.Is(err, sql.ErrNoRows):
				return translate("read school", err)
			}
		}
		summary = joinNonEmpty(fmt.Sprintf("%s 复学于%s %d 年级", c.ReturnDate, c.ReturnSchool, c.ReturnGrade), summary)
	case baoxue.CaseMonitoring:
		c.Placement, c.Recommended, c.PlacementWhy = in.Placement, in.Recommended, strings.TrimSpace(in.PlacementReason)
		c.WatchRound++
		dates := set.CheckpointDates(c.ReturnDate)
		for i, d := range dates {
			if _, err := ch.tx.ExecContext(ctx, `INSERT INTO case_checkpoints (case_id, watch_round, seq, due)
				VALUES ($1, $2, $3, $4)`, c.ID, c.WatchRound, i+1, int64(d)); err != nil {
				return translate("schedule checkpoints", err)
			}
		}
		if len(dates) > 0 {
			c.Due = dates[0]
		}
		s := "安置方式：" + baoxue.Label(baoxue.Placements, c.Placement)
		if c.Recommended != "" && c.Placement != c.Recommended {
			s += fmt.Sprintf("（推荐%s，未采用理由：%s）", baoxue.Label(baoxue.Placements, c.Recommended), c.PlacementWhy)
		}
		summary = joinNonEmpty(s, summary)
	case baoxue.CaseClosed:
		c.Due = 0
	}
	ch.bump = true
	ch.event("transition", string(from), string(to), summary)
	return nil
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "；")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (db *DB) setVerifier(ctx context.Context, ch *caseChange, username string) error {
	username = strings.TrimSpace(username)
	if err := db.checkAssignee(ctx, ch.tx, username, ch.c, "核查责任人"); err != nil {
		return err
	}
	ch.c.Verifier = username
	ch.notify(username, "assigned_verifier", fmt.Sprintf("请于 %s 前核查 %s（案件 %d）", ch.c.Due, pii.MaskName(ch.c.Name), ch.c.ID))
	return nil
}

func (db *DB) setCadre(ctx context.Context, ch *caseChange, username string) error {
	username = strings.TrimSpace(username)
	if err := db.checkAssignee(ctx, ch.tx, username, ch.c, "包抓责任人"); err != nil {
		return err
	}
	ch.c.Cadre = username
	ch.notify(username, "assigned_cadre", fmt.Sprintf("您已被指定为 %s 的包抓责任人（案件 %d）", pii.MaskName(ch.c.Name), ch.c.ID))
	return nil
}

// AssignCase sets the verifier and/or the 包抓 cadre ("" leaves one unchanged). Both must be
// case workers responsible for the child's place.
func (db *DB) AssignCase(ctx context.Context, by CaseActor, id, version int64, verifier, cadre string) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActAssign); err != nil {
		return nil, err
	}
	return db.caseTx(ctx, by, id, version, "case assign", func(ch *caseChange) error {
		var parts []string
		if v := strings.TrimSpace(verifier); v != "" && v != ch.c.Verifier {
			if err := db.setVerifier(ctx, ch, v); err != nil {
				return err
			}
			parts = append(parts, "核查责任人："+v)
		}
		if v := strings.TrimSpace(cadre); v != "" && v != ch.c.Cadre {
			if err := db.setCadre(ctx, ch, v); err != nil {
				return err
			}
			parts = append(parts, "包抓责任人："+v)
		}
		if len(parts) == 0 {
			return fmt.Errorf("%w: 没有变更", baoxue.ErrInvalid)
		}
		ch.bump = true
		ch.event("assign", "", "", strings.Join(parts, "；"))
		return nil
	})
}

// Responsible is one link of the responsibility chain.
type Responsible struct {
	Position string // casework.Positions
	Username string // when the person has an account
	Name     string
	Phone    string
}

// SetResponsibles replaces the responsibility chain (positions not listed are removed) and the
// guardian's details on the case.
func (db *DB) SetResponsibles(ctx context.Context, by CaseActor, id, version int64, chain []Responsible) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActResponsible); err != nil {
		return nil, err
	}
	s := newSealer(db.keys, "case_responsibles")
	return db.caseTx(ctx, by, id, version, "case responsible", func(ch *caseChange) error {
		if _, err := ch.tx.ExecContext(ctx, `DELETE FROM case_responsibles WHERE case_id = $1`, ch.c.ID); err != nil {
			return translate("clear chain", err)
		}
		var names []string
		seen := map[string]bool{}
		for _, r := range chain {
			r.Name, r.Phone, r.Username = strings.TrimSpace(r.Name), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Username)
			if r.Name == "" && r.Username == "" {
				continue
			}
			if !baoxue.Known(casework.Positions, r.Position) || seen[r.Position] {
				return fmt.Errorf("%w: 责任链岗位“%.20s”无效或重复", baoxue.ErrInvalid, r.Position)
			}
			seen[r.Position] = true
			blob, err := s.fields(r.Name, r.Phone)
			if err != nil {
				return err
			}
			if _, err := ch.tx.ExecContext(ctx, `INSERT INTO case_responsibles (case_id, position, username, pii_enc)
				VALUES ($1, $2, $3, $4)`, ch.c.ID, r.Position, r.Username, blob); err != nil {
				return translate("save chain", err)
			}
			if r.Position == "guardian" {
				ch.c.Guardian, ch.c.GuardianPhone = r.Name, r.Phone
			}
			names = append(names, baoxue.Label(casework.Positions, r.Position))
		}
		ch.bump = true
		ch.event("responsible", "", "", "责任链："+strings.Join(names, "、"))
		return nil
	})
}

// Responsibles returns a case's chain in the order of casework.Positions; the caller has read
// the case through Case (which checked the scope).
func (db *DB) Responsibles(ctx context.Context, caseID int64) ([]Responsible, error) {
	s := newSealer(db.keys, "case_responsibles")
	var out []Responsible
	err := stream(ctx, db, "read chain", `SELECT position, username, pii_enc FROM case_responsibles WHERE case_id = $1`,
		[]any{caseID}, func(rows *sql.Rows, r *Responsible) error {
			var blob []byte
			*r = Responsible{}
			if err := rows.Scan(&r.Position, &r.Username, &blob); err != nil {
				return err
			}
			return s.openFields(blob, &r.Name, &r.Phone)
		}, func(r *Responsible) error { out = append(out, *r); return nil })
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, p := range casework.Positions {
		order[p.ID] = i
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && order[out[j].Position] < order[out[j-1].Position]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// SetReasons records the dropout reasons and the support measures.
func (db *DB) SetReasons(ctx context.Context, by CaseActor, id, version int64, reasons, supports []string) (*Case, error) {
	if err := casework.Allowed(by.actor(), casework.ActReasons); err != nil {
		return nil, err
	}
	for _, r := range reasons {
		if !baoxue.Known(baoxue.DropoutReasons, r) {
			return nil, fmt.Errorf("%w: 未知的辍学原因“%.32s”", baoxue.ErrInvalid, r)
		}
	}
	for _, s := range supports {
		if !baoxue.Known(casework.SupportMeasures, s) {
			return nil, fmt.Errorf("%w: 未知的帮扶措施“%.32s”", baoxue.ErrInvalid, s)
		}
	}
	return db.caseTx(ctx, by, id, version, "case reasons", func(ch *caseChange) error {
		ch.c.Reasons, ch.c.Supports = reasons, supports
		ch.bump = true
		ch.event("reasons", "", "", joinNonEmpty("辍学原因："+labels(baoxue.DropoutReasons, reasons),
			"帮扶措施："+labels(casework.SupportMeasures, supports)))
		return nil
	})
}

// CaseEvents returns a case's history after version since (0 for all), oldest first; the caller
// has checked the scope.
func (db *DB) CaseEvents(ctx context.Context, caseID, since int64) ([]CaseEvent, error) {
	var out []CaseEvent
	err := stream(ctx, db, "case events", `SELECT id, version, at, actor, role, kind, from_state, to_state, summary
		FROM case_events WHERE case_id = $1 AND version > $2 ORDER BY id`, []any{caseID, since},
		func(rows *sql.Rows, e *CaseEvent) error {
			var from, to string
			if err := rows.Scan(&e.ID, &e.Version, &e.At, &e.Actor, &e.Role, &e.Kind, &from, &to, &e.Summary); err != nil {
				return err
			}
			e.FromState, e.ToState, e.At = baoxue.CaseState(from), baoxue.CaseState(to), e.At.UTC()
			return nil
		}, func(e *CaseEvent) error { out = append(out, *e); return nil })
	return out, err
}
