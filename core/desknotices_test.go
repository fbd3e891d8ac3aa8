package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// TestNoticeFailureKept, on every backend: a notice the notifier cannot
// send stays queued with its error and when it was first seen; the same
// error on the next round writes nothing; another error replaces it; a
// successful delivery clears it. Deleting the patron takes the notice and
// its queue entry with it.
func TestNoticeFailureKept(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			d := f.deskStaff()
			if _, err := f.svc.Notify(f.ctx, core.Notice{ID: "x/1", Kind: core.NoticeHoldReady, PatronID: demo.PatronGood, Library: demo.Central}); err != nil {
				t.Fatal(err)
			}
			fail := errors.New("relay refused")
			nf := notifierFunc(func(context.Context, core.Notice) error { return fail })
			t0 := f.clock.Now()
			for _, step := range []struct {
				err     error
				advance time.Duration
				want    string
				at      time.Time
				status  core.NoticeStatus
			}{
				{errors.New("relay refused"), time.Minute, "relay refused", t0, core.NoticeFailed},
				{errors.New("relay refused"), time.Minute, "relay refused", t0, core.NoticeFailed},
				{errors.New("mailbox full"), time.Minute, "mailbox full", t0.Add(2 * time.Minute), core.NoticeFailed},
				{nil, 0, "", time.Time{}, core.NoticeSent},
			} {
				fail = step.err
				n, err := f.svc.DeliverNotices(f.ctx, nf)
				if (err == nil) != (step.err == nil) || (n == 1) != (step.err == nil) {
					t.Fatalf("round with %v: %d sent, %v", step.err, n, err)
				}
				got, err := f.svc.DeskNotices(f.ctx, d.ilzeILU, core.NoticeQuery{Patron: demo.PatronGood})
				if err != nil || len(got) != 1 {
					t.Fatalf("notices: %+v %v", got, err)
				}
				if g := got[0]; g.Status != step.status || (step.want != "") != (g.Failure != "") ||
					step.want != "" && !strings.Contains(g.Failure, step.want) || !g.FailedAt.Equal(step.at) {
					t.Errorf("after %v: %s %q at %v", step.err, g.Status, g.Failure, g.FailedAt)
				}
				f.clock.Advance(step.advance)
			}
			if _, err := f.svc.DeskResendNotice(f.ctx, d.ilzeILU, "x/1"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.DeskDeletePatron(f.ctx, d.ilzeILU, demo.PatronGood); err != nil {
				t.Fatal(err)
			}
			if n, err := f.svc.DeliverNotices(f.ctx, nf); n != 0 || err != nil {
				t.Errorf("a deleted patron's resent notice: %d %v", n, err)
			}
			c, _ := f.svc.Counts(f.ctx)
			if c.QueuedNotices != 0 {
				t.Errorf("queued after the deletion: %d", c.QueuedNotices)
			}
		})
	}
}
