package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
)

// jobBatch bounds how much one job transaction does, so that background
// work never holds the single writer for long.
const jobBatch = 200

// JobReport counts what one run of the background jobs did.
type JobReport struct {
	HoldsExpired    int
	RemindersSent   int
	LoansAnonymised int
	PatronsDeleted  int
	ILL             ILLJobReport
}

// RunJobs runs every background job once: expire uncollected holds, write
// overdue reminders, anonymise finished loans, delete long-inactive
// patrons. Every job re-checks its conditions inside its transaction and
// keys its notices by event, so running it twice, concurrently, or after a
// crash never doubles a notice or a fee.
func (s *Service) RunJobs(ctx context.Context) (JobReport, error) {
	var r JobReport
	var err error
	if r.HoldsExpired, err = s.ExpireHolds(ctx); err != nil {
		return r, err
	}
	if r.RemindersSent, err = s.SendReminders(ctx); err != nil {
		return r, err
	}
	if r.LoansAnonymised, err = s.AnonymiseLoans(ctx); err != nil {
		return r, err
	}
	if r.ILL, err = s.RunILLJobs(ctx); err != nil {
		return r, err
	}
	r.PatronsDeleted, err = s.PurgeInactivePatrons(ctx)
	return r, err
}

// ExpireHolds ends holds not collected by their pickup deadline; the copy
// goes to the next in the queue or home.
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	n, err := s.sweep(ctx, bHoldExpiry, func(t tx, key string, _ []byte, now time.Time) (bool, int, error) {
		ts, id, _ := strings.Cut(key, "/")
		if u, _ := strconv.ParseInt(ts, 10, 64); time.Unix(u, 0).After(now) {
			return false, 0, nil // later deadlines: done
		}
		h, err := t.hold(id)
		if err != nil {
			return false, 0, err
		}
		if h.Status != HoldReady || h.Expires.After(now) {
			return true, 0, t.Delete(bHoldExpiry, key) // stale entry
		}
		p, err := t.patron(h.PatronID)
		if err != nil {
			return false, 0, err
		}
		if err := s.releaseTrapped(t, h, now); err != nil {
			return false, 0, err
		}
		if err := s.endHold(t, p, h, HoldExpired, now); err != nil {
			return false, 0, err
		}
		if _, err := t.addNotice(Notice{ID: "hold_expired/" + h.ID, Kind: NoticeHoldExpired, PatronID: p.ID,
			To: s.recipient(p, now), Language: p.Language, Library: h.PickupLibrary, Title: h.Title, Created: now}); err != nil {
			return false, 0, err
		}
		return true, 1, t.putRecord(bPatron, p.ID, p)
	})
	return n, wrapJob("expire holds", err)
}

var errStop = store.ErrStopScan

func wrapJob(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("core: job %s: %w", name, err)
}

// SendReminders writes the overdue reminders that are due (days 7, 14, 21
// after the due date by default), each with its fee, a minor's addressed to
// the guardian. One reminder per loan and number, ever.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	n, err := s.sweep(ctx, bDue, func(t tx, key string, _ []byte, now time.Time) (bool, int, error) {
		ts, id, _ := strings.Cut(key, "/")
		if u, _ := strconv.ParseInt(ts, 10, 64); !time.Unix(u, 0).Before(now) {
			return false, 0, nil // loans due later: done
		}
		sent, err := s.remindLoan(t, id, now)
		return true, sent, err
	})
	return n, wrapJob("reminders", err)
}

// sweep walks bucket in key order and calls visit for each key, which
// says whether to go on and how many changes it made. Every call sees the
// time the sweep began: a bucket keyed by time (due, returned) is walked up
// to then and no further, so a sweep ends even while circulation keeps
// adding keys behind it faster than it walks, and the jobs after it get
// their turn.
//
// Background work must not fight circulation for the data. So a sweep
// decides in a snapshot and changes in small transactions: it reads
// jobBatch keys in a read-only transaction and runs visit on each there,
// on a transaction that refuses writes; only the keys whose visit tried
// to write are visited again, inside Update, jobWrites at a time, where
// visit sees the current value and decides afresh. On PostgreSQL the
// snapshot takes no predicate locks and a writing transaction touches a
// few records, so a checkin running beside the job rarely conflicts with
// it, and when it does only those few are retried. When a write batch
// fails even so, its keys are visited again one per transaction, so one
// contended record holds up nothing but itself.
func (s *Service) sweep(ctx context.Context, bucket string,
	visit func(t tx, key string, value []byte, now time.Time) (more bool, changed int, err error)) (int, error) {
	total, from := 0, ""
	now := s.clock.Now()
	for {
		var writes []string
		done, last := false, ""
		err := s.view(ctx, func(t tx) error {
			writes, done, last = writes[:0], false, ""
			type kv struct {
				k string
				v []byte
			}
			var batch []kv
			err := t.ScanFrom(bucket, "", from, func(k string, v []byte) error {
				if len(batch) == jobBatch {
					return errStop
				}
				batch = append(batch, kv{k, append([]byte(nil), v...)})
				return nil
			})
			if err != nil {
				return err
			}
			done = len(batch) < jobBatch
			dry := tx{dryTx(t)}
			for _, x := range batch {
				last = x.k
				more, _, err := visit(dry, x.k, x.v, now)
				switch {
				case errors.Is(err, errWouldWrite):
					writes = append(writes, x.k)
				case err != nil:
					return err
				case !more:
					done = true
					return nil
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		n, err := s.sweepWrite(ctx, bucket, writes, visit, now)
		total += n
		if err != nil || done || last == "" {
			return total, err
		}
		from = last + "\x00"
	}
}

// jobWrites is how many records one writing transaction of a sweep
// changes at most.
const jobWrites = 32

// sweepWrite visits keys inside Update, jobWrites per transaction, and
// one per transaction after a batch fails.
func (s *Service) sweepWrite(ctx context.Context, bucket string, keys []string,
	visit func(t tx, key string, value []byte, now time.Time) (bool, int, error), now time.Time) (int, error) {
	total, size := 0, jobWrites
	for len(keys) > 0 {
		batch := keys[:min(size, len(keys))]
		n := 0
		err := s.update(ctx, func(t tx) error {
			n = 0
			for _, k := range batch {
				v, ok, err := t.Get(bucket, k)
				if err != nil {
					return err
				}
				if !ok {
					continue // gone since the snapshot
				}
				_, changed, err := visit(t, k, v, now)
				if err != nil {
					return err
				}
				n += changed
			}
			return nil
		})
		if err != nil {
			if size == 1 || ctx.Err() != nil {
				return total, err
			}
			size = 1
			continue
		}
		total += n
		keys = keys[len(batch):]
	}
	return total, nil
}

// errWouldWrite is what a dryTx answers a write with.
var errWouldWrite = errors.New("core: write in a sweep's snapshot")

// dryTx is a read-only view on which every write fails with errWouldWrite:
// a sweep runs its visit there first to learn whether the key needs a
// writing transaction at all.
type dryTx struct{ store.Tx }

func (dryTx) Put(string, string, []byte) error    { return errWouldWrite }
func (dryTx) Delete(string, string) error         { return errWouldWrite }
func (dryTx) NextSequence(string) (uint64, error) { return 0, errWouldWrite }

func (s *Service) remindLoan(t tx, loanID string, now time.Time) (int, error) {
	l, err := t.loan(loanID)
	if err != nil || !l.Open() {
		return 0, err
	}
	p, err := t.patron(l.PatronID)
	if err != nil {
		return 0, err
	}
	r := s.rules(l.Library, p.Category, l.Material)
	due := policy.RemindersDue(r, l.Due, now, l.RemindersSent, policy.IsMinor(r, p.BirthDate, now))
	if len(due) == 0 {
		return 0, nil
	}
	it, err := t.item(l.ItemID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rem := range due {
		added, err := t.addNotice(Notice{
			ID: fmt.Sprintf("reminder/%s/%d", l.ID, rem.Number), Kind: NoticeReminder, PatronID: p.ID,
			To: s.recipient(p, now), Language: p.Language, Library: l.Library, ItemID: it.ID, Title: it.Title, Number: rem.Number,
			Due: l.Due, Fee: rem.Fee, Created: now,
		})
		if err != nil {
			return 0, err
		}
		if !added {
			continue
		}
		if rem.Fee > 0 {
			if _, err := t.addFee(p, Fee{Kind: FeeReminder, Amount: rem.Fee, Created: now, ItemID: it.ID, LoanID: l.ID,
				Description: fmt.Sprintf("reminder %d", rem.Number)}); err != nil {
				return 0, err
			}
		}
		n++
	}
	l.RemindersSent = due[len(due)-1].Number
	if err := t.putRecord(bLoan, l.ID, l); err != nil {
		return 0, err
	}
	return n, t.putRecord(bPatron, p.ID, p)
}

// AnonymiseLoans erases the patron from returned loans once the
// anonymisation delay has passed and nothing is owed on the loan, keeping
// what statistics need (item, library, material type, dates).
func (s *Service) AnonymiseLoans(ctx context.Context) (int, error) {
	n, err := s.sweep(ctx, bReturned, func(t tx, key string, _ []byte, now time.Time) (bool, int, error) {
		_, id, _ := strings.Cut(key, "/")
		l, err := t.loan(id)
		if err != nil {
			return false, 0, err
		}
		if l.PatronID == "" {
			return true, 0, t.Delete(bReturned, key)
		}
		p, err := t.patron(l.PatronID)
		if err != nil {
			return false, 0, err
		}
		r := s.rules(l.Library, p.Category, l.Material)
		if l.Returned.AddDate(0, 0, r.AnonymiseAfterDays).After(now) {
			return false, 0, nil // later ones are younger still
		}
		owes, err := s.owesOnLoan(t, p.ID, l.ID)
		if err != nil || owes {
			return true, 0, err
		}
		if err := t.untrail(l.PatronID, trailLoan, l.ID); err != nil {
			return false, 0, err
		}
		l.PatronID, l.Anonymised = "", true
		if err := t.putRecord(bLoan, l.ID, l); err != nil {
			return false, 0, err
		}
		return true, 1, t.Delete(bReturned, key)
	})
	return n, wrapJob("anonymise", err)
}

func (s *Service) owesOnLoan(t tx, patronID, loanID string) (bool, error) {
	ids, err := t.keys(bPatronFees, patronID+"/")
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		f, err := t.fee(id)
		if err != nil {
			return false, err
		}
		if f.LoanID == loanID && f.Outstanding() > 0 {
			return true, nil
		}
	}
	return false, nil
}

// PurgeInactivePatrons deletes patrons who have used no library of the
// consortium for the inactivity period (5 years by default) and have no
// obligations.
func (s *Service) PurgeInactivePatrons(ctx context.Context) (int, error) {
	n, err := s.sweep(ctx, bPatron, func(t tx, _ string, v []byte, now time.Time) (bool, int, error) {
		var p Patron
		if err := decode(v, &p); err != nil {
			return false, 0, err
		}
		r := s.rules(p.HomeLibrary, p.Category, "")
		if !policy.Inactive(r, p.LastActive, now, policy.PatronState{LoansOut: p.LoansOut, Holds: p.Holds, Owed: p.Owed}) {
			return true, 0, nil
		}
		if open, err := t.keys(bPatronFees, p.ID+"/"); err != nil || len(open) > 0 {
			return err == nil, 0, err // charges and credits that cancel out are still to settle
		}
		return true, 1, s.deletePatron(t, &p)
	})
	return n, wrapJob("purge inactive patrons", err)
}

// Notifier delivers notices (e-mail, SMS gateway, print queue).
type Notifier interface {
	Deliver(ctx context.Context, n Notice) error
}

// DeliverNotices hands queued notices to nf in the order they were written
// and marks them sent. A notice whose delivery fails stays queued for the
// next round and does not hold up the others; the first failure is
// returned with the count sent. Delivery is at least once: a crash between
// delivery and marking can resend one notice.
func (s *Service) DeliverNotices(ctx context.Context, nf Notifier) (int, error) {
	sent, from := 0, ""
	var firstErr error
	for {
		var key, id string
		err := s.view(ctx, func(t tx) error {
			return t.ScanFrom(bOutbox, "", from, func(k string, v []byte) error {
				key, id = k, string(v)
				return errStop
			})
		})
		if err != nil {
			return sent, err
		}
		if key == "" {
			return sent, firstErr
		}
		from = key + "\x00"
		var n Notice
		err = s.view(ctx, func(t tx) error {
			ok, err := t.getRecord(bNotice, id, &n)
			if err == nil && !ok {
				return fmt.Errorf("core: outbox names missing notice %s", id)
			}
			return err
		})
		if err != nil {
			return sent, err
		}
		if err := nf.Deliver(ctx, n); err != nil {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("core: deliver notice %s: %w", id, err)
			}
			if err := s.noteFailure(ctx, id, err); err != nil {
				return sent, err
			}
			continue
		}
		err = s.update(ctx, func(t tx) error {
			var cur Notice
			if ok, err := t.getRecord(bNotice, id, &cur); err != nil || !ok {
				return err
			}
			cur.Sent = s.clock.Now()
			cur.Failure, cur.FailedAt = "", time.Time{}
			if err := t.putRecord(bNotice, id, &cur); err != nil {
				return err
			}
			return t.Delete(bOutbox, key)
		})
		if err != nil {
			return sent, err
		}
		sent++
	}
}
