package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
)

// ILLJobReport counts what one run of the ILL timers did.
type ILLJobReport struct {
	Overdue int // Overdue sent for our copies past their due date at a partner
	Expired int // Expired sent for requests we could not supply in time
}

// RunILLJobs runs the ILL timers once: an Overdue to the partner for each
// copy we lent that is past its due date, and an Expired for each request
// we still hold (queued, not shipped) past its expiry date (the request's,
// or ExpiryDays after it arrived). Each is a state transition checked
// inside its transaction, so a second run, or a run in another process,
// finds the transaction moved on and sends nothing twice.
func (s *Service) RunILLJobs(ctx context.Context) (rep ILLJobReport, err error) {
	if rep.Overdue, err = s.illTimer(ctx, func(x *ILLTransaction, now time.Time) *ILLEventInput {
		switch x.State {
		case illstate.Shipped, illstate.Received, illstate.Recall:
			if x.Service.returnable() && !x.Due.IsZero() && now.After(x.Due) {
				return &ILLEventInput{Service: illstate.OverdueService, Dir: illstate.Outgoing, Origin: OriginTimer, Date: x.Due}
			}
		}
		return nil
	}); err != nil {
		return rep, wrapJob("ill overdue", err)
	}
	rep.Expired, err = s.illTimer(ctx, func(x *ILLTransaction, now time.Time) *ILLEventInput {
		if x.State != illstate.InProcess {
			return nil
		}
		expiry := x.Expiry
		if expiry.IsZero() && s.ill().ExpiryDays > 0 {
			expiry = x.Created.AddDate(0, 0, s.ill().ExpiryDays)
		}
		if !expiry.IsZero() && now.After(expiry) {
			return &ILLEventInput{Service: illstate.Expired, Dir: illstate.Outgoing, Origin: OriginTimer, Date: expiry}
		}
		return nil
	})
	return rep, wrapJob("ill expiry", err)
}

// illTimer applies the event pick chooses to each responder transaction.
func (s *Service) illTimer(ctx context.Context, pick func(x *ILLTransaction, now time.Time) *ILLEventInput) (int, error) {
	return s.sweep(ctx, bILL, func(t tx, _ string, v []byte, now time.Time) (bool, int, error) {
		var x ILLTransaction
		if err := decode(v, &x); err != nil {
			return false, 0, err
		}
		if x.Role != illstate.Responder || x.Leg != "" { // a brokered request's timers are the supplier's
			return true, 0, nil
		}
		in := pick(&x, now)
		if in == nil {
			return true, 0, nil
		}
		queued := len(x.Events)
		if err := s.illApply(t, &x, *in, now); err != nil {
			return false, 0, err
		}
		return true, 1, t.illSave(&x, queued)
	})
}
