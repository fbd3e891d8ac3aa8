package core

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/internal/throttle"
)

// TestPINCheckWaitBounded: when every KDF slot is taken (a cold start with
// hundreds of patrons at the selfchecks at once), a PIN check waits at
// most its bound and is then refused as busy, not queued behind all the
// others; a busy check guesses nothing, so however many there are they do
// not lock the card, and once a slot is free the right PIN is accepted.
func TestPINCheckWaitBounded(t *testing.T) {
	ctx := context.Background()
	hash, err := HashPIN("1234", KDFParams{Time: 1, Memory: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		wait     time.Duration
		wantBusy bool
	}{
		{"bounded wait: refused as busy", 20 * time.Millisecond, true},
		{"no bound: waits until the request gives up", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Service{clock: NewFixedClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)),
				pins:    newPINCache(10, 1, tc.wait),
				pinLock: newPINLockout(throttle.Settings{Limit: 2, Window: time.Hour, Lockout: time.Hour})}
			s.pins.slots <- struct{}{} // the one KDF slot is busy
			for range 5 {
				cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				valid, locked, err := s.checkPIN(cctx, "P0001", hash, "1234")
				cancel()
				if valid || locked {
					t.Fatalf("unchecked PIN: valid %v locked %v", valid, locked)
				}
				if got := ReasonOf(err) == ReasonPINCheckBusy; got != tc.wantBusy {
					t.Fatalf("err %v, want busy %v", err, tc.wantBusy)
				}
				if !tc.wantBusy && err != context.DeadlineExceeded {
					t.Fatalf("err %v, want the request's deadline", err)
				}
			}
			<-s.pins.slots
			valid, locked, err := s.checkPIN(ctx, "P0001", hash, "1234")
			if err != nil || !valid || locked {
				t.Fatalf("after the slot is free: valid %v locked %v err %v (the busy checks were counted?)", valid, locked, err)
			}
		})
	}
}
