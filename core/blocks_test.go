package core_test

import (
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// TestPatronEnableLiftsOnlySelfcheckBlocks: a selfcheck lifts a block a
// selfcheck set, never one staff set.
func TestPatronEnableLiftsOnlySelfcheckBlocks(t *testing.T) {
	tests := []struct {
		name    string
		block   func(f *fixture) error
		lifted  bool
		refusal core.Reason
	}{
		{"selfcheck block", func(f *fixture) error {
			return f.svc.BlockPatronBy(f.ctx, "P0009", "card retained by selfcheck", core.BlockedBySelfcheck)
		}, true, ""},
		{"staff block", func(f *fixture) error { return f.svc.BlockPatron(f.ctx, "P0009", "card reported stolen") },
			false, policy.PatronBlockedManual},
		{"not blocked", func(f *fixture) error { return nil }, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newMemFixture(t)
			if err := tc.block(f); err != nil {
				t.Fatal(err)
			}
			err := f.svc.EnablePatronBy(f.ctx, "P0009", core.BlockedBySelfcheck)
			if core.ReasonOf(err) != tc.refusal {
				t.Errorf("refusal %v, want %q", err, tc.refusal)
			}
			sum, err := f.svc.Patron(f.ctx, "P0009")
			if err != nil {
				t.Fatal(err)
			}
			if sum.Patron.Blocked == tc.lifted {
				t.Errorf("blocked = %v after enable", sum.Patron.Blocked)
			}
		})
	}
}
