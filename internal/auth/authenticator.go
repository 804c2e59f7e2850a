package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/baoxue/baoxue"
)

// UserStore finds accounts. The storage package implements it; an unknown name gives an error
// wrapping baoxue.ErrNotFound.
type UserStore interface {
	UserByName(ctx context.Context, username string) (User, error)
}

// Sign-in errors, worded for the sign-in form. An unknown user name, a wrong password and a
// disabled account all give ErrBadCredentials, so the form never tells which names exist.
var (
	ErrBadCredentials = errors.New("用户名或密码错误")
	ErrLocked         = errors.New("登录失败次数过多，账号已临时锁定 15 分钟，请稍后再试")
)

// Reasons a sign-in failed, for the audit log only (FailureReason); the user sees the error text.
const (
	ReasonLocked      = "locked"
	ReasonUnknownUser = "unknown_user"
	ReasonBadPassword = "bad_password"
	ReasonBadHash     = "bad_hash" // the stored hash is unreadable: an administrator must reset it
	ReasonDisabled    = "disabled"
	ReasonBadTOTP     = "bad_totp"
	ReasonTOTPReplay  = "totp_replay"
)

type signInFailure struct {
	reason string
	err    error
}

func (f *signInFailure) Error() string { return f.err.Error() }
func (f *signInFailure) Unwrap() error { return f.err }

func fail(reason string, err error) error { return &signInFailure{reason: reason, err: err} }

// FailureReason gives the audit reason of a sign-in error from Authenticator, or "" for other
// errors (a database failure, a cancelled request).
func FailureReason(err error) string {
	var f *signInFailure
	if errors.As(err, &f) {
		return f.reason
	}
	return ""
}

// Authenticator checks passwords and second factors against a UserStore, with lockout. It also
// bounds how many argon2 hashes run at once (each takes 19 MiB and a core for ~30 ms), so a burst
// of sign-ins queues instead of exhausting memory.
type Authenticator struct {
	users   UserStore
	lockout *Lockout
	clock   Clock
	slots   chan struct{}
}

// NewAuthenticator makes an Authenticator; lockout and clock are shared with whoever else needs
// them (an admin page that unlocks an account).
func NewAuthenticator(users UserStore, lockout *Lockout, clock Clock) *Authenticator {
	return &Authenticator{users: users, lockout: lockout, clock: clock,
		slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

// SignIn is the outcome of an accepted password.
type SignIn struct {
	User User
	// NewHash, when not empty, is the password hashed with the current parameters: store it in
	// place of User.PasswordHash.
	NewHash string
	// SecondFactor: the user must pass CheckTOTP before the session is complete (enrol first when
	// User.TOTPSecret is empty). Until then the lockout counter is not reset.
	SecondFactor bool
}

// CheckPassword signs a user in with name and password. Failures are errors wrapping
// ErrBadCredentials or ErrLocked (FailureReason tells the audit log why); an unknown name costs
// the same argon2 work as a wrong password.
func (a *Authenticator) CheckPassword(ctx context.Context, username, password string) (SignIn, error) {
	if _, locked := a.lockout.Locked(username); locked {
		return SignIn{}, fail(ReasonLocked, ErrLocked)
	}
	if err := a.acquire(ctx); err != nil {
		return SignIn{}, err
	}
	defer a.release()

	name, err := NormalizeUsername(username)
	var u User
	if err == nil {
		u, err = a.users.UserByName(ctx, name)
		if err != nil && !errors.Is(err, baoxue.ErrNotFound) {
			return SignIn{}, fmt.Errorf("sign in: %w", err)
		}
	}
	if err != nil { // malformed or unknown name
		dummyVerify(password)
		return SignIn{}, a.failed(username, ReasonUnknownUser)
	}
	ok, rehash, err := VerifyPassword(u.PasswordHash, password)
	switch {
	case err != nil:
		dummyVerify(password)
		return SignIn{}, a.failed(username, ReasonBadHash)
	case !ok:
		return SignIn{}, a.failed(username, ReasonBadPassword)
	case u.Disabled:
		return SignIn{}, a.failed(username, ReasonDisabled)
	}
	in := SignIn{User: u, SecondFactor: RequiresTOTP(u)}
	if rehash {
		if in.NewHash, err = HashPassword(password); err != nil {
			return SignIn{}, err
		}
	}
	if !in.SecondFactor {
		a.lockout.Reset(username)
	}
	return in, nil
}

// CheckTOTP checks the second factor of a user whose password was accepted. On success it
// returns the TOTP step, which the caller stores as User.TOTPLastStep, and resets the lockout.
// Wrong or replayed codes count towards the lockout like wrong passwords.
func (a *Authenticator) CheckTOTP(user User, code string) (step int64, err error) {
	if _, locked := a.lockout.Locked(user.Username); locked {
		return 0, fail(ReasonLocked, ErrLocked)
	}
	step, err = VerifyTOTP(user.TOTPSecret, code, a.clock.Now(), user.TOTPLastStep)
	switch {
	case errors.Is(err, ErrTOTPInvalid):
		return 0, a.failedTOTP(user.Username, ReasonBadTOTP, err)
	case errors.Is(err, ErrTOTPReplay):
		return 0, a.failedTOTP(user.Username, ReasonTOTPReplay, err)
	case err != nil:
		return 0, fmt.Errorf("second factor: %w", err)
	}
	a.lockout.Reset(user.Username)
	return step, nil
}

func (a *Authenticator) failed(username, reason string) error {
	if _, locked := a.lockout.Fail(username); locked {
		return fail(reason, ErrLocked)
	}
	return fail(reason, ErrBadCredentials)
}

func (a *Authenticator) failedTOTP(username, reason string, err error) error {
	if _, locked := a.lockout.Fail(username); locked {
		return fail(reason, ErrLocked)
	}
	return fail(reason, err)
}

func (a *Authenticator) acquire(ctx context.Context) error {
	select {
	case a.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sign in: %w", ctx.Err())
	}
}

func (a *Authenticator) release() { <-a.slots }
