package core_test

import (
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
)

// TestPINLockout: a card that got five wrong PINs in a row is locked for
// 15 minutes, as a bank card is: even the right PIN is refused until then,
// so a four-digit PIN cannot be found by trying. Empty PINs guess nothing
// and are not counted; a right PIN starts the count again; other cards are
// not affected.
func TestPINLockout(t *testing.T) {
	pin := func(s string) *string { return &s }
	tests := []struct {
		name   string
		tries  []string // PINs sent for P0001 before the right one
		wait   time.Duration
		valid  bool
		locked bool
	}{
		{"four wrong, then right", []string{"0000", "0001", "0002", "0003"}, 0, true, false},
		{"five wrong: locked", []string{"0000", "0001", "0002", "0003", "0004"}, 0, false, true},
		{"five wrong, 16 minutes later", []string{"0000", "0001", "0002", "0003", "0004"}, 16 * time.Minute, true, false},
		{"empty PINs not counted", []string{"", "", "", "", "", "", "0000"}, 0, true, false},
		{"a right PIN starts again", []string{"0000", "0001", "0002", "1234", "0003", "0004", "0005"}, 0, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newMemFixture(t)
			for _, p := range tc.tries {
				if _, err := f.svc.Authenticate(f.ctx, "P0001", pin(p), false); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Advance(tc.wait)
			a, err := f.svc.Authenticate(f.ctx, "P0001", pin("1234"), false)
			if err != nil {
				t.Fatal(err)
			}
			if a.PINValid != tc.valid || a.PINLocked != tc.locked {
				t.Errorf("right PIN: valid %v locked %v, want %v %v", a.PINValid, a.PINLocked, tc.valid, tc.locked)
			}
			if err := f.svc.VerifyPatron(f.ctx, "P0001", "1234"); (core.ReasonOf(err) == core.ReasonPINLocked) != tc.locked {
				t.Errorf("VerifyPatron: %v", err)
			}
			if a, _ := f.svc.Authenticate(f.ctx, "P0002", pin("1234"), false); !a.PINValid {
				t.Error("another card is locked too")
			}
		})
	}
}
