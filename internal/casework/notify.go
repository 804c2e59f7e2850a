package casework

import (
	"context"
	"errors"
	"log/slog"
)

// Notification is a message to one user about one case: an assignment, an escalation. The store
// keeps every notification for the in-app list; a Notifier may also send it out.
type Notification struct {
	ID       int64
	Username string
	CaseID   int64
	Kind     string // assigned_verifier, assigned_cadre, escalated, transfer
	Message  string // Chinese, without personal data beyond a masked name
}

// Notifier sends notifications by another channel (SMS, e-mail). Implementations must not block
// for long: callers send after their transaction has committed.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// LogNotifier writes notifications to a log: the stand-in until a county wires an SMS or e-mail
// gateway.
type LogNotifier struct{ Log *slog.Logger }

// Notify logs n at info level.
func (l LogNotifier) Notify(ctx context.Context, n Notification) error {
	if l.Log == nil {
		return nil
	}
	l.Log.InfoContext(ctx, "notification", "user", n.Username, "case", n.CaseID, "kind", n.Kind, "message", n.Message)
	return nil
}

// Multi sends each notification through every notifier, returning their errors joined.
type Multi []Notifier

// Notify calls every notifier.
func (m Multi) Notify(ctx context.Context, n Notification) error {
	var errs []error
	for _, x := range m {
		if err := x.Notify(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
