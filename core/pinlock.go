package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/internal/throttle"
)

// DefaultPINLockout locks a card's PIN for 15 minutes after 5 wrong PINs,
// each within 30 minutes of the previous one, as a bank card does: a PIN of
// four digits cannot be found by trying. A correct PIN starts the count
// again. The count is kept in memory, per process.
var DefaultPINLockout = throttle.Settings{Limit: 5, Window: 30 * time.Minute, Lockout: 15 * time.Minute}

func newPINLockout(s throttle.Settings) *throttle.Throttle {
	if s == (throttle.Settings{}) {
		s = DefaultPINLockout
	}
	return throttle.New(s)
}

// checkPIN checks pin against the card's hash unless the card's PIN is
// locked (then not even a right PIN is accepted and the KDF is not run),
// and counts a wrong PIN against the card. An empty PIN is wrong but not
// counted: it guesses nothing (selfchecks send an empty AD before the
// patron has typed one).
func (s *Service) checkPIN(ctx context.Context, card, hash, pin string) (valid, locked bool, err error) {
	now := s.clock.Now()
	if l, _ := s.pinLock.Locked(card, now); l {
		return false, true, nil
	}
	if pin == "" || hash == "" {
		return false, false, nil
	}
	ok, err := s.pins.check(ctx, hash, pin)
	if err != nil {
		return false, false, err
	}
	if ok {
		s.pinLock.Reset(card, now)
		return true, false, nil
	}
	return false, s.pinLock.Fail(card, now), nil
}

// DefaultPINCheckWait is how long a PIN check waits for its turn at the KDF
// by default. On two processors one Argon2id run takes about 15 ms, so
// about 130 patrons arriving at once are all checked within it; one more is
// asked to try again after a wait a patron at a selfcheck hardly notices,
// instead of every one waiting for all the others.
const DefaultPINCheckWait = 2 * time.Second

func pinCheckWait(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultPINCheckWait
	case d < 0:
		return 0
	}
	return d
}
