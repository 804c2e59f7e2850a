package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// The case figures of the dashboard (issue 5 item 4, with issue 6's cases): 动态清零 per county,
// and the children back at school this semester. Each is one aggregate query, limited to u's view.

// ZeroCounties is 动态清零 as Zero computes it, for region code and broken down by county (the
// dashboard lists the counties of a province or prefecture): the total, and one ZeroCount per
// county that has open cases, in code order. A county missing from the list is at zero.
func (db *DB) ZeroCounties(ctx context.Context, u auth.User, code string, today baoxue.Date) (ZeroCount, []ZeroCount, error) {
	return db.zeroBy(ctx, u, code, today, 6)
}

// Returned counts the children back at school: the cases in u's view, inside region code ("" for
// all of u's view, as a school's), whose return date lies in [from, to], and of them those of
// registered-poor or monitored households (the case's poverty flag). A re-dropout clears the
// return date, so a child who returned and dropped out again is not counted; a returned case
// stays counted while it is followed up and after it is closed.
func (db *DB) Returned(ctx context.Context, u auth.User, code string, from, to baoxue.Date) (total, poor int, err error) {
	q, err := caseScope(u)
	if err != nil {
		return 0, 0, err
	}
	if code != "" && !u.Scope.Contains(code) {
		return 0, 0, fmt.Errorf("地区 %.12s: %w", code, baoxue.ErrNotFound)
	}
	if code != "" && code != u.Scope.RegionCode() {
		if len(code) <= 6 {
			q.prefix("c.county_code", code)
		} else {
			q.prefix("c.region_code", code)
		}
	}
	q.add(`c.return_date >= %s`, max(int64(from), 1))
	q.add(`c.return_date <= %s`, int64(to))
	var n, p sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN c.poverty THEN 1 ELSE 0 END) FROM cases c`+q.sql(),
		q.args...).Scan(&n, &p)
	if err != nil {
		return 0, 0, translate("returned cases", err)
	}
	return int(n.Int64), int(p.Int64), nil
}
