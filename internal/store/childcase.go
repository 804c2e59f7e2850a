package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/auth"
)

// OpenCaseOf returns the open case (any state but cleared, transferred and closed) of the child
// with this ID number, when u may see it, without personal fields; baoxue.ErrNotFound when there
// is none in u's view. The child page uses it to link a ledger entry to its case. It is one
// lookup on the blind index (cases_open_child).
func (db *DB) OpenCaseOf(ctx context.Context, u auth.User, idNumber string) (*Case, error) {
	if idNumber == "" {
		return nil, fmt.Errorf("儿童无身份证号: %w", baoxue.ErrNotFound)
	}
	q, err := caseScope(u)
	if err != nil {
		return nil, err
	}
	q.add(`c.child_bidx = %s`, db.keys.BlindIndex(idNumber))
	q.where = append(q.where, `c.state NOT IN ('cleared', 'transferred', 'closed')`)
	var c Case
	err = db.scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases c`+q.sql()+` ORDER BY c.id DESC LIMIT 1`,
		q.args...), &c, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("该儿童没有未结案件: %w", baoxue.ErrNotFound)
	}
	if err != nil {
		return nil, translate("open case of child", err)
	}
	return &c, nil
}
