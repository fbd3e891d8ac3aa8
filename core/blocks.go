package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// BlockedBySelfcheck is the Patron.BlockedBy of a block a selfcheck set
// (SIP2 01); staff blocks have an empty BlockedBy.
const BlockedBySelfcheck = "selfcheck"

// BlockPatronBy sets a manual block as BlockPatron does and records who
// set it (BlockedBySelfcheck for a selfcheck), so that a selfcheck may
// later lift only what a selfcheck set.
func (s *Service) BlockPatronBy(ctx context.Context, patronID, reason, by string) (err error) {
	start := time.Now()
	defer func() { s.done("block_patron", start, err) }()
	return s.update(ctx, func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		p.Blocked, p.BlockReason, p.BlockedBy = true, reason, by
		return t.putRecord(bPatron, p.ID, p)
	})
}

// EnablePatronBy lifts a manual block only when it was set by the same
// kind of terminal (BlockedBySelfcheck: only a selfcheck's block). A block
// staff set stays and is refused as PatronBlockedManual ("see a
// librarian"). A patron without a manual block is left as is.
func (s *Service) EnablePatronBy(ctx context.Context, patronID, by string) (err error) {
	start := time.Now()
	defer func() { s.done("enable_patron", start, err) }()
	return s.update(ctx, func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		if !p.Blocked {
			return nil
		}
		if p.BlockedBy != by {
			return refuse(policy.PatronBlockedManual, "patron %s: block set by staff", patronID)
		}
		p.Blocked, p.BlockReason, p.BlockedBy = false, "", ""
		return t.putRecord(bPatron, p.ID, p)
	})
}
