package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/baoxue/baoxue"
	"github.com/baoxue/baoxue/internal/audit"
	"github.com/baoxue/baoxue/internal/auth"
	"github.com/baoxue/baoxue/internal/store"
)

// Accounts is what sign-in, the middleware, the admin pages and the audit viewer need from the
// store. *store.DB implements it.
type Accounts interface {
	auth.UserStore
	auth.SessionStore
	audit.Appender
	audit.Source
	AccountByID(ctx context.Context, id int64) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	CreateUser(ctx context.Context, a *store.Account) error
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error
	RehashPassword(ctx context.Context, id int64, oldHash, newHash string) error
	SetDisabled(ctx context.Context, id int64, disabled bool, at time.Time) error
	StartTOTPEnrolment(ctx context.Context, id int64, secret string, at time.Time) error
	AcceptTOTP(ctx context.Context, id, step int64) error
	ClearTOTP(ctx context.Context, id int64, at time.Time) error
	SchoolRegion(ctx context.Context, code string) (string, error)
	LoginLocked(ctx context.Context, username string, now time.Time) (time.Time, bool, error)
	RecordLoginFailure(ctx context.Context, username string, now time.Time) (time.Time, bool, error)
	ClearLoginFailures(ctx context.Context, username string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	APITokenByHash(ctx context.Context, hash string) (auth.APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	APITokens(ctx context.Context, userID int64) ([]auth.APIToken, error)
	SearchAudit(ctx context.Context, f store.AuditFilter) ([]baoxue.AuditRecord, error)
}

var _ Accounts = (*store.DB)(nil)

// passwordAlphabet leaves out characters people confuse when reading a password off paper or a
// screen: 0/O/o, 1/l/I.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// InitialPassword makes a random password for a new or reset account, to be changed at the first
// sign-in: four groups of four characters (about 93 bits), e.g. "k7Qm-x3Rt-…", easy to read
// aloud and to type on a phone.
func InitialPassword() (string, error) {
	for {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("initial password: %w", err)
		}
		var sb strings.Builder
		for i, c := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			// 256 is not a multiple of the alphabet's length; the bias (under 1%) costs a
			// fraction of a bit, irrelevant at ~93 bits.
			sb.WriteByte(passwordAlphabet[int(c)%len(passwordAlphabet)])
		}
		p := sb.String()
		if auth.CheckPasswordPolicy("", p) == nil {
			return p, nil
		}
	}
}
