package core

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Notices at the staff desk: the queue of notices (reminders, holds ready,
// holds expired or refused, renewal decisions, interlibrary loans arrived
// or not supplied) that DeliverNotices hands to the notifier, and what was
// sent. A library's staff see the notices their library sends (Notice.Library,
// ActNotices); a consortium administrator every library's. The ILL desk
// (ActILL at the library that handles ILL) sees the notices its requests
// send their patrons at whichever library they collect (noticeFor).
//
// The only notifier bibgate has is e-mail (internal/notify): a notice to a
// patron without an e-mail address stays queued with the notifier's error,
// and the library prints or phones it. Status "no_email" lists those; once
// delivered by hand, DeskNoticeDelivered takes it out of the queue. Every
// write is audited in its transaction (desk.go).

// ReasonNoticeNotFound refuses an unknown notice id.
const ReasonNoticeNotFound Reason = "notice_not_found"

// NoticeStatus is where a notice is in its delivery.
type NoticeStatus string

// Notice statuses.
const (
	// NoticeQueued: waiting in the queue.
	NoticeQueued NoticeStatus = "queued"
	// NoticeFailed: waiting in the queue, and the notifier's last try
	// failed (Notice.Failure says why).
	NoticeFailed NoticeStatus = "failed"
	// NoticeSent: delivered, by the notifier or by hand.
	NoticeSent NoticeStatus = "sent"
	// NoticeNoEmail selects queued notices without an e-mail address,
	// which the e-mail notifier cannot send: the print queue. A notice's
	// own status is never no_email.
	NoticeNoEmail NoticeStatus = "no_email"
)

// NoticeStatuses lists the statuses a query may select.
var NoticeStatuses = []NoticeStatus{NoticeQueued, NoticeFailed, NoticeSent, NoticeNoEmail}

// NoticeView is a notice with where it stands.
type NoticeView struct {
	Notice
	Status NoticeStatus `json:"status"`
}

// NoticeQuery selects notices at the desk.
type NoticeQuery struct {
	// Patron selects one patron's notices (the patron's card); "" the
	// library's.
	Patron string
	// Library is the sending library; "" the staff member's own (every
	// library for a consortium administrator).
	Library string
	// Status selects one status ("" all); NoticeQueued includes the
	// failed ones.
	Status NoticeStatus
	// Limit bounds the answer (default 200, at most 1000).
	Limit int
}

// DeskNotices lists notices. The queue (queued, failed, no_email) comes in
// the order it is sent, oldest first; sent and all notices newest first.
func (s *Service) DeskNotices(ctx context.Context, by Actor, q NoticeQuery) (out []NoticeView, err error) {
	if q.Status != "" && !validNoticeStatus(q.Status) {
		return nil, refuse(ReasonBadRequest, "status %q is not one of %v", q.Status, NoticeStatuses)
	}
	switch {
	case q.Limit <= 0:
		q.Limit = 200
	case q.Limit > 1000:
		q.Limit = 1000
	}
	queueOnly := q.Status == NoticeQueued || q.Status == NoticeFailed || q.Status == NoticeNoEmail
	err = s.staffView(ctx, "notices", by, func(t tx, a Actor, _ time.Time) error {
		out = []NoticeView{}
		library := ""
		if q.Patron != "" {
			if _, err := deskPatron(t, a, q.Patron, ActPatronRead); err != nil {
				return err
			}
			library = q.Library
		} else {
			library = deskLibrary(a, q.Library)
			if err := Permit(a.Staff, ActNotices, library); err != nil {
				if !s.illDesk(a.Staff) {
					return err
				}
				// The ILL desk's notices are at every pickup library.
				library = q.Library
			}
		}
		queue, err := t.noticeQueue()
		if err != nil {
			return err
		}
		take := func(n *Notice) {
			if library != "" && n.Library != library || s.noticeFor(t, a.Staff, n) != nil {
				return
			}
			v := noticeView(n, queue)
			if q.Status == "" || q.Status == v.Status || q.Status == NoticeQueued && v.Status == NoticeFailed ||
				q.Status == NoticeNoEmail && v.Status != NoticeSent && n.To.Email == "" {
				out = append(out, v)
			}
		}
		switch {
		case q.Patron != "":
			ids, err := t.keys(bPatronTrail, q.Patron+"/"+trailNotice+"/")
			if err != nil {
				return err
			}
			for _, id := range ids {
				var n Notice
				if ok, err := t.getRecord(bNotice, id, &n); err != nil {
					return err
				} else if ok {
					take(&n)
				}
			}
		case queueOnly:
			for _, id := range queue.order {
				var n Notice
				if ok, err := t.getRecord(bNotice, id, &n); err != nil {
					return err
				} else if ok {
					take(&n)
				}
				if len(out) >= q.Limit {
					return nil
				}
			}
		default:
			if err := t.Scan(bNotice, "", func(_ string, v []byte) error {
				var n Notice
				if err := decode(v, &n); err != nil {
					return err
				}
				take(&n)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !queueOnly {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	} else if q.Patron != "" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	}
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func validNoticeStatus(st NoticeStatus) bool {
	for _, x := range NoticeStatuses {
		if x == st {
			return true
		}
	}
	return false
}

// queue is the outbox: notice id -> key, and the ids in sending order.
type queue struct {
	key   map[string]string
	order []string
}

func (t tx) noticeQueue() (queue, error) {
	q := queue{key: map[string]string{}}
	err := t.Scan(bOutbox, "", func(k string, v []byte) error {
		q.key[string(v)] = k
		q.order = append(q.order, string(v))
		return nil
	})
	return q, err
}

func noticeView(n *Notice, q queue) NoticeView {
	v := NoticeView{Notice: *n, Status: NoticeSent}
	if _, queued := q.key[n.ID]; queued {
		v.Status = NoticeQueued
		if n.Failure != "" {
			v.Status = NoticeFailed
		}
	} else if n.Sent.IsZero() {
		// Neither queued nor sent: written before the queue kept it
		// (cannot happen with addNotice); show it as queued so that
		// staff see it and may resend it.
		v.Status = NoticeQueued
	}
	return v
}

// DeskNotice returns one notice of a library the staff member handles
// notices for.
func (s *Service) DeskNotice(ctx context.Context, by Actor, id string) (out NoticeView, err error) {
	err = s.staffView(ctx, "notice", by, func(t tx, a Actor, _ time.Time) error {
		n, err := s.deskNotice(t, a, id)
		if err != nil {
			return err
		}
		q, err := t.noticeQueue()
		out = noticeView(n, q)
		return err
	})
	return out, err
}

// deskNotice is the notice with id, once the actor may handle it
// (noticeFor).
func (s *Service) deskNotice(t tx, a Actor, id string) (*Notice, error) {
	var n Notice
	ok, err := t.getRecord(bNotice, id, &n)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonNoticeNotFound, "no notice %q", id)
	}
	if err := s.noticeFor(t, a.Staff, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// noticeFor says whether st may handle notice n (see, resend, record it
// delivered by hand): the notices a library sends are its staff's with
// ActNotices; those of an interlibrary loan are also the ILL desk's,
// whichever library the patron collects at, for the desk tells the patron
// the item came or will not come (domain: the patron is notified when the
// item arrives). Those are ill_arrived (a copy to keep), ill_not_supplied,
// and hold_ready for a copy received by ILL (a loan), while that
// temporary copy exists. Everything else is refused as Permit refuses it.
func (s *Service) noticeFor(t tx, st Staff, n *Notice) error {
	err := Permit(st, ActNotices, n.Library)
	if err == nil || !s.illDesk(st) {
		return err
	}
	switch n.Kind {
	case NoticeILLArrived, NoticeILLNotSupplied:
		return nil
	case NoticeHoldReady:
		if it, ierr := t.item(n.ItemID); ierr == nil && it.ILL {
			return nil
		} else if ierr != nil && ReasonOf(ierr) == "" {
			return ierr
		}
	}
	return err
}

// illDesk reports whether st works the ILL desk: ActILL at the library
// that handles ILL for the consortium (as the desk's pages check).
func (s *Service) illDesk(st Staff) bool { return Permit(st, ActILL, s.illLibrary()) == nil }

// DeskResendNotice puts a notice back in the queue, addressed to the
// patron (or a minor's guardian) as their record stands now: a notice sent
// or delivered by hand is queued again at the end; one still queued keeps
// its place, with the new address and its failure cleared so that the
// next round tries afresh. Either way it is audited.
func (s *Service) DeskResendNotice(ctx context.Context, by Actor, id string) (out NoticeView, err error) {
	err = s.staffUpdate(ctx, "notice_resend", by, func(t tx, a Actor, now time.Time) error {
		n, err := s.deskNotice(t, a, id)
		if err != nil {
			return err
		}
		q, err := t.noticeQueue()
		if err != nil {
			return err
		}
		before := noticeView(n, q)
		if p, err := t.patron(n.PatronID); err == nil {
			n.To, n.Language = s.recipient(p, now), p.Language
		} else if ReasonOf(err) == "" {
			return err
		}
		n.Failure, n.FailedAt = "", time.Time{}
		if _, queued := q.key[n.ID]; !queued {
			n.Sent, n.Delivery = time.Time{}, ""
			n.Resent++
			seq, err := t.NextSequence(bOutbox)
			if err != nil {
				return err
			}
			k := pad(seq)
			if err := t.Put(bOutbox, k, []byte(n.ID)); err != nil {
				return err
			}
			q.key[n.ID] = k
		}
		if err := t.putRecord(bNotice, n.ID, n); err != nil {
			return err
		}
		out = noticeView(n, q)
		return s.auditFor(t, a, n.PatronID, "notice_resend", "notice/"+n.ID, n.Library, before, out)
	})
	return out, err
}

// DeskNoticeDelivered records that staff delivered a queued notice by hand
// (how: "printed and posted", "phoned") and takes it out of the queue.
func (s *Service) DeskNoticeDelivered(ctx context.Context, by Actor, id, how string) (out NoticeView, err error) {
	how = strings.TrimSpace(how)
	if how == "" {
		return NoticeView{}, refuse(ReasonBadRequest, "say how the notice was delivered (printed and posted, phoned)")
	}
	err = s.staffUpdate(ctx, "notice_delivered", by, func(t tx, a Actor, now time.Time) error {
		n, err := s.deskNotice(t, a, id)
		if err != nil {
			return err
		}
		q, err := t.noticeQueue()
		if err != nil {
			return err
		}
		k, queued := q.key[n.ID]
		if !queued {
			return refuse(ReasonNotPending, "notice %s is not in the queue: it was sent on %s", n.ID, n.Sent.Format(time.DateOnly))
		}
		before := noticeView(n, q)
		n.Sent, n.Delivery = now, clip(how, 200)
		if err := t.Delete(bOutbox, k); err != nil {
			return err
		}
		delete(q.key, n.ID)
		if err := t.putRecord(bNotice, n.ID, n); err != nil {
			return err
		}
		out = noticeView(n, q)
		return s.auditFor(t, a, n.PatronID, "notice_delivered", "notice/"+n.ID, n.Library, before, out)
	})
	return out, err
}

// noteFailure keeps the notifier's error on a queued notice, for the desk;
// the same error again writes nothing, so a notice that cannot be sent
// costs no write per delivery round.
func (s *Service) noteFailure(ctx context.Context, id string, cause error) error {
	msg := clip(cause.Error(), 500)
	var n Notice
	err := s.view(ctx, func(t tx) error {
		_, err := t.getRecord(bNotice, id, &n)
		return err
	})
	if err != nil || n.ID == "" || n.Failure == msg {
		return err
	}
	return s.update(ctx, func(t tx) error {
		var cur Notice
		if ok, err := t.getRecord(bNotice, id, &cur); err != nil || !ok || cur.Failure == msg {
			return err
		}
		cur.Failure, cur.FailedAt = msg, s.clock.Now()
		return t.putRecord(bNotice, id, &cur)
	})
}
