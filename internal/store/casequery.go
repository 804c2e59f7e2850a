package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/casework"
	"github.com/baoxue/baoxue/internal/pii"
)

// Queries over many cases: lists, 我的任务, overdue lists, 动态清零 and its history, escalation,
// and the dropout ledger. All are limited to the user's view (caseScope) in the WHERE clause.

// openStates is the SQL list of states that are still worked on.
const openStates = `('suspected', 'verifying', 'confirmed', 'persuading', 'legal', 'unreachable', 'returned', 'monitoring')`

// CaseFilter selects cases for a list.
type CaseFilter struct {
	State   string // a state, "open" (the default) or "all"
	Region  string // a region code inside the scope, "" for all
	Name    string // exact name
	Overdue bool   // only cases past their due date
	Today   baoxue.Date
	After   int64 // keyset: the last id of the previous page (lists run newest first)
	Limit   int
}

// CaseList returns a page of cases, newest first, without personal fields, and whether more
// follow.
func (db *DB) CaseList(ctx context.Context, u auth.User, f CaseFilter) ([]Case, bool, error) {
	q, err := caseScope(u)
	if err != nil {
		return nil, false, err
	}
	switch f.State {
	case "", "open":
		q.where = append(q.where, `c.state IN `+openStates)
	case "all":
	default:
		if !baoxue.Known(baoxue.CaseStates, f.State) {
			return nil, false, fmt.Errorf("%w: 未知的案件状态“%.20s”", baoxue.ErrInvalid, f.State)
		}
		q.add(`c.state = %s`, f.State)
	}
	if f.Region != "" {
		if !u.Scope.Contains(f.Region) {
			return nil, false, fmt.Errorf("地区 %.12s: %w", f.Region, baoxue.ErrNotFound)
		}
		q.prefix("c.region_code", f.Region)
	}
	if f.Name != "" {
		q.add(`c.name = %s`, f.Name)
	}
	if f.Overdue {
		q.add(`c.due_date > 0 AND c.due_date < %s`, int64(f.Today))
		q.where = append(q.where, `c.state IN `+openStates)
	}
	if f.After > 0 {
		q.add(`c.id < %s`, f.After)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPage {
		limit = 100
	}
	var out []Case
	err = stream(ctx, db, "case list", `SELECT `+caseCols+` FROM cases c`+q.sql()+` ORDER BY c.id DESC LIMIT `+q.arg(limit+1),
		q.args, func(rows *sql.Rows, c *Case) error { return db.scanCase(rows, c, false) },
		func(c *Case) error { out = append(out, *c); return nil })
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// Task is one thing a user must do on a case: the 我的任务 list.
type Task struct {
	CaseID     int64
	Name       string // masked
	State      baoxue.CaseState
	Due        baoxue.Date
	DaysLate   int
	RegionCode string
	School     string
	Action     string
}

// MaxTasks caps the task list: a person with more has a backlog the overdue lists show better.
const MaxTasks = 300

// Tasks is u's task list on today, most urgent first: for a cadre the cases assigned to them;
// for a school its pupils' cases from verification to the last checkpoint; for officers the
// cases awaiting an officer's step (dispatch, cadre, legal ladder, closing), everything overdue
// in their area, and the cases they are assigned to themselves as verifier or 包抓 cadre (a
// township officer is often the cadre who visits the family). Province and prefecture officers
// have no tasks.
func (db *DB) Tasks(ctx context.Context, u auth.User, today baoxue.Date) ([]Task, error) {
	actor := casework.ActorOf(u.Role, u.Scope)
	if actor == "" {
		return nil, nil
	}
	q, err := caseScope(u)
	if err != nil {
		return nil, err
	}
	switch actor {
	case casework.ActorCadre, casework.ActorSchool:
		q.where = append(q.where, `c.state IN `+openStates, `c.state <> 'suspected'`)
	default:
		t := q.arg(int64(today))
		me := q.arg(u.Username)
		q.where = append(q.where, `c.state IN `+openStates, `(c.state IN ('suspected', 'confirmed', 'legal')
			OR c.cadre = `+me+` OR c.verifier = `+me+`
			OR (c.due_date > 0 AND c.due_date < `+t+`)
			OR (c.state = 'monitoring' AND NOT EXISTS (SELECT 1 FROM case_checkpoints k WHERE k.case_id = c.id
				AND k.watch_round = c.watch_round AND k.result = '')))`)
	}
	var out []Task
	err = stream(ctx, db, "tasks", `SELECT c.id, c.name, c.state, c.due_date, c.region_code, c.school_name, c.return_school,
		(SELECT count(*) FROM case_checkpoints k WHERE k.case_id = c.id AND k.watch_round = c.watch_round AND k.result = '')
		FROM cases c`+q.sql()+` ORDER BY CASE WHEN c.due_date = 0 THEN 1 ELSE 0 END, c.due_date, c.id LIMIT `+q.arg(MaxTasks),
		q.args, func(rows *sql.Rows, t *Task) error {
			var state, school, ret string
			var due int64
			var pending int
			if err := rows.Scan(&t.CaseID, &t.Name, &state, &due, &t.RegionCode, &school, &ret, &pending); err != nil {
				return err
			}
			t.Name, t.State, t.Due = pii.MaskName(t.Name), baoxue.CaseState(state), baoxue.Date(due)
			t.School = school
			if ret != "" {
				t.School = ret
			}
			t.DaysLate = casework.DaysOverdue(t.Due, today)
			t.Action = casework.NextAction(t.State)
			if t.State == baoxue.CaseMonitoring && pending == 0 {
				t.Action = "跟踪回访均已通过，待销号"
			}
			return nil
		}, func(t *Task) error { out = append(out, *t); return nil })
	return out, err
}

// OverdueGroup is the overdue cases of one responsible person or unit.
type OverdueGroup struct {
	Key      string // user name, region code or "school:" code; "" for unassigned
	Label    string
	Cases    int
	MaxDays  int // the longest overdue
	Escalate int // how many are past the escalation threshold
}

// Overdue lists the overdue cases in u's view grouped by the person responsible for the current
// step (the verifier while verifying, the 包抓 cadre from confirmation to return, the school
// after return) and by unit (the township, or the school after return), worst first.
func (db *DB) Overdue(ctx context.Context, u auth.User, today baoxue.Date) (byPerson, byUnit []OverdueGroup, err error) {
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	q, err := caseScope(u)
	if err != nil {
		return nil, nil, err
	}
	q.where = append(q.where, `c.state IN `+openStates)
	q.add(`c.due_date > 0 AND c.due_date < %s`, int64(today))
	persons, units := map[string]*OverdueGroup{}, map[string]*OverdueGroup{}
	add := func(m map[string]*OverdueGroup, key, label string, days int, esc bool) {
		g := m[key]
		if g == nil {
			g = &OverdueGroup{Key: key, Label: label}
			m[key] = g
		}
		g.Cases++
		g.MaxDays = max(g.MaxDays, days)
		if esc {
			g.Escalate++
		}
	}
	type row struct {
		state                          baoxue.CaseState
		due                            baoxue.Date
		verifier, cadre, region        string
		schoolCode, school, retCode, r string
	}
	err = stream(ctx, db, "overdue", `SELECT c.state, c.due_date, c.verifier, c.cadre, c.region_code, c.school_code,
		c.school_name, c.return_school_code, c.return_school FROM cases c`+q.sql(), q.args,
		func(rows *sql.Rows, r *row) error {
			var state string
			var due int64
			err := rows.Scan(&state, &due, &r.verifier, &r.cadre, &r.region, &r.schoolCode, &r.school, &r.retCode, &r.r)
			r.state, r.due = baoxue.CaseState(state), baoxue.Date(due)
			return err
		}, func(r *row) error {
			days := casework.DaysOverdue(r.due, today)
			esc := days >= set.Normalize().EscalateAfterDays
			switch r.state {
			case baoxue.CaseReturned, baoxue.CaseMonitoring:
				key, label := "school:"+r.retCode, r.r
				if r.retCode == "" {
					key = "school:" + r.r
				}
				add(persons, key, label, days, esc)
				add(units, key, label, days, esc)
				return nil
			case baoxue.CaseSuspected:
				add(persons, "", "未派发核查", days, esc)
			case baoxue.CaseVerifying:
				add(persons, r.verifier, r.verifier, days, esc)
			default:
				label := r.cadre
				if label == "" {
					label = "未指定包抓责任人"
				}
				add(persons, r.cadre, label, days, esc)
			}
			unit := r.region
			if len(unit) > 9 {
				unit = unit[:9]
			}
			add(units, unit, unit, days, esc)
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	return sortGroups(persons), sortGroups(units), nil
}

func sortGroups(m map[string]*OverdueGroup) []OverdueGroup {
	out := make([]OverdueGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cases != out[j].Cases {
			return out[i].Cases > out[j].Cases
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// ZeroCount is the 动态清零 figure of one region: the confirmed dropouts not yet back, by state,
// and the suspects past their verification deadline.
type ZeroCount struct {
	Code            string
	Confirmed       int
	Persuading      int
	Legal           int
	Unreachable     int
	OverdueSuspects int
}

// Open is the number that must be zero.
func (z ZeroCount) Open() int {
	return z.Confirmed + z.Persuading + z.Legal + z.Unreachable + z.OverdueSuspects
}

func (z *ZeroCount) add(state baoxue.CaseState, n, overdue int) {
	switch state {
	case baoxue.CaseConfirmed:
		z.Confirmed += n
	case baoxue.CasePersuading:
		z.Persuading += n
	case baoxue.CaseLegal:
		z.Legal += n
	case baoxue.CaseUnreachable:
		z.Unreachable += n
	case baoxue.CaseSuspected, baoxue.CaseVerifying:
		z.OverdueSuspects += overdue
	}
}

// childLength is the code length of the level below a region code.
func childLength(code string) int {
	switch len(code) {
	case 2:
		return 4
	case 4:
		return 6
	case 6:
		return 9
	case 9:
		return 12
	}
	return 0
}

// Zero computes 动态清零 live for region code (which must lie in u's scope) and for each region
// one level below it that has cases (DESIGN §5): confirmed + persuading + legal + unreachable,
// plus suspects (suspected or verifying) past their due date on today. It reads only the open
// states, through the (state, county_code, due_date) index.
func (db *DB) Zero(ctx context.Context, u auth.User, code string, today baoxue.Date) (ZeroCount, []ZeroCount, error) {
	return db.zeroBy(ctx, u, code, today, childLength(code))
}

// zeroBy is Zero with the regions it breaks the total into given by their code length n (0 for
// none): the next level for Zero, counties for ZeroCounties.
func (db *DB) zeroBy(ctx context.Context, u auth.User, code string, today baoxue.Date, n int) (ZeroCount, []ZeroCount, error) {
	total := ZeroCount{Code: code}
	q, err := caseScope(u)
	if err != nil {
		return total, nil, err
	}
	if code != "" && !u.Scope.Contains(code) {
		return total, nil, fmt.Errorf("地区 %.12s: %w", code, baoxue.ErrNotFound)
	}
	if code != "" && code != u.Scope.RegionCode() {
		if len(code) <= 6 {
			q.prefix("c.county_code", code)
		} else {
			q.prefix("c.region_code", code)
		}
	}
	group := `''`
	switch {
	case n > 0 && n <= 6:
		group = fmt.Sprintf(`substr(c.county_code, 1, %d)`, n)
	case n > 6:
		group = fmt.Sprintf(`substr(c.region_code, 1, %d)`, n)
	}
	q.where = append(q.where, `c.state IN ('suspected', 'verifying', 'confirmed', 'persuading', 'legal', 'unreachable')`)
	t := q.arg(int64(today))
	children := map[string]*ZeroCount{}
	type agg struct {
		key     string
		state   baoxue.CaseState
		n, late int
	}
	err = stream(ctx, db, "zero", `SELECT `+group+`, c.state, count(*), sum(CASE WHEN c.due_date > 0 AND c.due_date < `+t+
		` THEN 1 ELSE 0 END) FROM cases c`+q.sql()+` GROUP BY `+group+`, c.state`, q.args,
		func(rows *sql.Rows, a *agg) error {
			var state string
			var late sql.NullInt64
			err := rows.Scan(&a.key, &state, &a.n, &late)
			a.state, a.late = baoxue.CaseState(state), int(late.Int64)
			return err
		}, func(a *agg) error {
			total.add(a.state, a.n, a.late)
			if n > 0 {
				z := children[a.key]
				if z == nil {
					z = &ZeroCount{Code: a.key}
					children[a.key] = z
				}
				z.add(a.state, a.n, a.late)
			}
			return nil
		})
	if err != nil {
		return total, nil, err
	}
	out := make([]ZeroCount, 0, len(children))
	for _, z := range children {
		out = append(out, *z)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return total, out, nil
}

// ZeroDay is one day of the 动态清零 history of a region.
type ZeroDay struct {
	Day             baoxue.Date
	Open            int // confirmed dropouts not yet back
	OverdueSuspects int
}

// RecordZeroDay writes today's 动态清零 figure of every county that has or had cases into the
// history, replacing a figure recorded earlier the same day. It returns the number of counties.
func (db *DB) RecordZeroDay(ctx context.Context, today baoxue.Date) (int, error) {
	counts := map[string]*ZeroCount{}
	type agg struct {
		county  string
		state   baoxue.CaseState
		n, late int
	}
	err := stream(ctx, db, "zero history", `SELECT county_code, state, count(*), sum(CASE WHEN due_date > 0 AND due_date < $1
		THEN 1 ELSE 0 END) FROM cases GROUP BY county_code, state`, []any{int64(today)},
		func(rows *sql.Rows, a *agg) error {
			var state string
			var late sql.NullInt64
			err := rows.Scan(&a.county, &state, &a.n, &late)
			a.state, a.late = baoxue.CaseState(state), int(late.Int64)
			return err
		}, func(a *agg) error {
			z := counts[a.county]
			if z == nil {
				z = &ZeroCount{Code: a.county}
				counts[a.county] = z
			}
			z.add(a.state, a.n, a.late)
			return nil
		})
	if err != nil {
		return 0, err
	}
	err = db.inWriteTx(ctx, "zero history", func(tx *sql.Tx) error {
		for county, z := range counts {
			_, err := tx.ExecContext(ctx, `INSERT INTO zero_history (day, county_code, open_cases, overdue_suspects)
				VALUES ($1, $2, $3, $4) ON CONFLICT (county_code, day) DO UPDATE SET open_cases = excluded.open_cases,
				overdue_suspects = excluded.overdue_suspects`, int64(today), county, z.Open()-z.OverdueSuspects, z.OverdueSuspects)
			if err != nil {
				return translate("zero history", err)
			}
		}
		return nil
	})
	return len(counts), err
}

// ZeroTrend returns the recorded daily figures of region code (summed over its counties) from
// from to to, oldest first. Days without a record are left out.
func (db *DB) ZeroTrend(ctx context.Context, u auth.User, code string, from, to baoxue.Date) ([]ZeroDay, error) {
	if code == "" || !u.Scope.Contains(code) {
		return nil, fmt.Errorf("地区 %.12s: %w", code, baoxue.ErrNotFound)
	}
	county := code
	if len(county) > 6 {
		county = county[:6]
	}
	q := &query{}
	q.prefix("county_code", county)
	q.add(`day >= %s`, int64(from))
	q.add(`day <= %s`, int64(to))
	var out []ZeroDay
	err := stream(ctx, db, "zero trend", `SELECT day, sum(open_cases), sum(overdue_suspects) FROM zero_history`+q.sql()+
		` GROUP BY day ORDER BY day`, q.args, func(rows *sql.Rows, d *ZeroDay) error {
		var day int64
		err := rows.Scan(&day, &d.Open, &d.OverdueSuspects)
		d.Day = baoxue.Date(day)
		return err
	}, func(d *ZeroDay) error { out = append(out, *d); return nil })
	return out, err
}

// DaysAtZero is how many days in a row, up to and including today, a county has been at zero
// according to its history (record today's figure first: RecordZeroDay). known is false when
// the county has no history.
func (db *DB) DaysAtZero(ctx context.Context, county string, today baoxue.Date) (days int, known bool, err error) {
	var lastOpen, first sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT max(CASE WHEN open_cases + overdue_suspects > 0 THEN day END), min(day)
		FROM zero_history WHERE county_code = $1 AND day <= $2`, county, int64(today)).Scan(&lastOpen, &first)
	if err != nil {
		return 0, false, translate("days at zero", err)
	}
	if !first.Valid {
		return 0, false, nil
	}
	start := baoxue.Date(first.Int64)
	if lastOpen.Valid {
		if baoxue.Date(lastOpen.Int64) == today {
			return 0, true, nil
		}
		start = baoxue.Date(lastOpen.Int64).AddDays(1)
	}
	return int(today.Time().Sub(start.Time()).Hours()/24) + 1, true, nil
}

// EscalateOverdue raises every overdue case that has crossed a new escalation level to the
// officers of the level above (casework.EscalationLevel, EscalationRegion), notifying them and
// recording the escalation in the case's history and the audit log. It does not bump versions:
// escalation changes nothing a user edits. It returns the notifications written.
func (db *DB) EscalateOverdue(ctx context.Context, by CaseActor) ([]casework.Notification, error) {
	set, err := db.CaseSettings(ctx)
	if err != nil {
		return nil, err
	}
	today := by.today()
	type cand struct {
		id, version int64
		name        string
		region      string
		due         baoxue.Date
		escalated   int
		state       baoxue.CaseState
	}
	var cands []cand
	err = stream(ctx, db, "overdue cases", `SELECT id, version, name, region_code, due_date, escalated, state FROM cases
		WHERE state IN `+openStates+` AND due_date > 0 AND due_date < $1`, []any{int64(today)},
		func(rows *sql.Rows, c *cand) error {
			var due int64
			var state string
			err := rows.Scan(&c.id, &c.version, &c.name, &c.region, &due, &c.escalated, &state)
			c.due, c.state = baoxue.Date(due), baoxue.CaseState(state)
			return err
		}, func(c *cand) error {
			if set.EscalationLevel(c.due, today) > c.escalated {
				cands = append(cands, *c)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	var all []casework.Notification
	sys := by
	sys.User.Username, sys.User.Role = systemActor(by), auth.Role("system")
	for start := 0; start < len(cands); start += 200 {
		part := cands[start:min(start+200, len(cands))]
		var notes []casework.Notification
		err := db.inWriteTx(ctx, "escalate", func(tx *sql.Tx) error {
			notes = notes[:0]
			for _, c := range part {
				level := set.EscalationLevel(c.due, today)
				region := casework.EscalationRegion(c.region, level)
				res, err := tx.ExecContext(ctx, `UPDATE cases SET escalated = $1 WHERE id = $2 AND escalated < $1`, level, c.id)
				if err != nil {
					return translate("escalate", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				msg := fmt.Sprintf("%s 的案件（%s）已逾期 %d 天，升级至上级督办", pii.MaskName(c.name), casework.StateLabel(c.state),
					casework.DaysOverdue(c.due, today))
				officers, err := db.officersAt(ctx, tx, region)
				if err != nil {
					return err
				}
				for _, o := range officers {
					notes = append(notes, casework.Notification{Username: o, CaseID: c.id, Kind: "escalated", Message: msg})
				}
				ev := []caseEvent{{"escalate", "", "", fmt.Sprintf("逾期 %d 天，升级 %d 级至 %s", casework.DaysOverdue(c.due, today), level, region)}}
				if err := db.writeEvents(ctx, tx, sys, &Case{ID: c.id, Version: c.version}, "escalate", ev); err != nil {
					return err
				}
			}
			return db.insertNotifications(ctx, tx, by.Now, notes)
		})
		if err != nil {
			return all, err
		}
		all = append(all, notes...)
	}
	if by.Notify != nil {
		for _, n := range all {
			by.Notify(n)
		}
	}
	return all, nil
}

// DropoutRow is one line of the dropout ledger (辍学学生台账).
type DropoutRow struct {
	Case
	Visits    int
	LastVisit string // result code of the latest visit
	CadreName string // display name of the 包抓 cadre
}

// EachDropoutCase calls fn for every case in u's view that was ever confirmed as a dropout (the
// 辍学学生台账), optionally only one county's, in region order, with the ID decrypted (the caller
// masks it).
func (db *DB) EachDropoutCase(ctx context.Context, u auth.User, county string, fn func(*DropoutRow) error) error {
	q, err := caseScope(u)
	if err != nil {
		return err
	}
	if county != "" {
		if !u.Scope.Contains(county) && !u.Scope.IsSchool() {
			return fmt.Errorf("地区 %.12s: %w", county, baoxue.ErrNotFound)
		}
		q.add(`c.county_code = %s`, county)
	}
	q.where = append(q.where, `c.confirmed_on > 0`)
	return stream(ctx, db, "dropout ledger", `SELECT `+caseCols+`,
		(SELECT count(*) FROM case_visits v WHERE v.case_id = c.id),
		coalesce((SELECT v.result FROM case_visits v WHERE v.case_id = c.id ORDER BY v.visit_date DESC, v.id DESC LIMIT 1), ''),
		coalesce((SELECT u.display_name FROM users u WHERE u.username = c.cadre), '')
		FROM cases c`+q.sql()+` ORDER BY c.region_code, c.id`, q.args,
		func(rows *sql.Rows, r *DropoutRow) error {
			var extra [3]any
			extra[0], extra[1], extra[2] = &r.Visits, &r.LastVisit, &r.CadreName
			return db.scanCase(scanAppend{rows, extra[:]}, &r.Case, true)
		}, fn)
}

// scanAppend scans a row whose columns are caseCols followed by more.
type scanAppend struct {
	rows *sql.Rows
	more []any
}

func (s scanAppend) Scan(dst ...any) error { return s.rows.Scan(append(dst, s.more...)...) }

// CaseDetail is everything the case page shows.
type CaseDetail struct {
	Case         *Case
	Events       []CaseEvent
	Visits       []Visit
	Files        []CaseFile
	Legal        []LegalStep
	Referrals    []Referral
	Plan         *Plan
	Checkpoints  []Checkpoint
	Responsibles []Responsible
	Transfers    []Transfer
}

// Detail reads a case and its records for a user who may see it.
func (db *DB) Detail(ctx context.Context, u auth.User, id int64) (*CaseDetail, error) {
	c, err := db.Case(ctx, u, id)
	if err != nil {
		return nil, err
	}
	d := &CaseDetail{Case: c}
	if d.Events, err = db.CaseEvents(ctx, id, 0); err != nil {
		return nil, err
	}
	if d.Visits, err = db.Visits(ctx, id); err != nil {
		return nil, err
	}
	if d.Files, err = db.CaseFiles(ctx, id); err != nil {
		return nil, err
	}
	if d.Legal, err = db.LegalSteps(ctx, id); err != nil {
		return nil, err
	}
	if d.Referrals, err = db.Referrals(ctx, id); err != nil {
		return nil, err
	}
	if p, err := db.PlanOf(ctx, id); err == nil {
		d.Plan = p
	}
	if d.Checkpoints, err = db.Checkpoints(ctx, id); err != nil {
		return nil, err
	}
	if d.Responsibles, err = db.Responsibles(ctx, id); err != nil {
		return nil, err
	}
	err = stream(ctx, db, "case transfers", `SELECT id, to_county, from_state, asked_on, due, reason, asked_by, status,
		decided_by, decided_on, answer, new_case_id FROM case_transfers WHERE case_id = $1 ORDER BY id`, []any{id},
		func(rows *sql.Rows, t *Transfer) error {
			var from string
			var asked, due, decided int64
			err := rows.Scan(&t.ID, &t.ToCounty, &from, &asked, &due, &t.Reason, &t.AskedBy, &t.Status, &t.DecidedBy,
				&decided, &t.Answer, &t.NewCaseID)
			t.CaseID, t.FromCounty, t.ChildName = id, c.CountyCode, c.Name
			t.FromState, t.AskedOn, t.Due, t.DecidedOn = baoxue.CaseState(from), baoxue.Date(asked), baoxue.Date(due), baoxue.Date(decided)
			return err
		}, func(t *Transfer) error { d.Transfers = append(d.Transfers, *t); return nil })
	return d, err
}

// CaseWorkers lists the enabled users who may be assigned as verifier or cadre on a case in
// region (for the assignment form): cadres and officers whose scope contains it.
func (db *DB) CaseWorkers(ctx context.Context, region string) ([]Account, error) {
	all, err := db.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, a := range all {
		if !a.Disabled && (a.Role == auth.RoleCadre || a.Role == auth.RoleOfficer) && a.Scope.Contains(region) &&
			casework.ActorOf(a.Role, a.Scope) != "" {
			out = append(out, a)
		}
	}
	return out, nil
}
