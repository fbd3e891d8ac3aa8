package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/store"
)

// The audit log: every staff action (who, when, from where, what, on what,
// the values before and after) is written in the transaction of the action
// itself, so an action is never kept without its entry nor an entry without
// its action. The core has no call that edits or deletes an entry; the one
// exception is the law's: erasing a patron (privacy.go) blanks the values
// and the object of the entries that name them, keeping who did what when.
const (
	bAudit       = "audit"        // time-key/rand -> AuditEntry
	bAuditActor  = "audit_actor"  // actor/time-key/rand -> ""
	bAuditObject = "audit_object" // object/time-key/rand -> ""
)

// trailAudit is the patron trail kind of audit entries naming a patron.
const trailAudit = "A"

// AuditEntry is one staff action.
type AuditEntry struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Actor is the staff id; "" for the operator's command line on the
	// server.
	Actor string `json:"actor"`
	// From is the client's address ("console" for the command line).
	From string `json:"from,omitempty"`
	// Library is the library the object belongs to.
	Library string `json:"library,omitempty"`
	Action  string `json:"action"`
	// Object names what was acted on, by kind:
	//   - "patron/<card>"; "patron/-" for a patron deleted or erased
	//     (privacy.go blanks the card of every entry naming them)
	//   - "item/<barcode>", "loan/<id>", "fee/<id>", "hold/<id>"
	//   - "staff/<id>"; "staff/?" for a failed sign-in to no account
	//   - "notice/<id>" (desknotices.go: resent, delivered by hand)
	//   - "ill/<transaction>" (illdesk.go: a request filed, a staff action)
	//   - "stocktake/<id>" (opened, a barcode scanned, closed, its
	//     inventory act approved)
	//   - "writeoff/<act>", "receipt/<act>" (drafted, approved),
	//     "exchange_transfer/<act>" (accountingdesk.go, accountingdesk2.go)
	Object string          `json:"object"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// secretKeys are the JSON keys never written to the audit log, at any
// depth: PIN and password hashes and the eID personal code's hash are not
// the secrets themselves, but nobody reading the log needs them.
var secretKeys = map[string]bool{"pin_hash": true, "password_hash": true, "personal_code": true, "pin": true,
	"password": true, "PIN": true, "Password": true, "PINHash": true, "PasswordHash": true, "PersonalCode": true}

// auditValue renders v as JSON with the secret keys removed.
func auditValue(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("core: audit value: %w", err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("core: audit value: %w", err)
	}
	if x == nil {
		return nil, nil
	}
	scrub(x)
	return json.Marshal(x)
}

func scrub(x any) {
	switch v := x.(type) {
	case map[string]any:
		for k, e := range v {
			if secretKeys[k] {
				delete(v, k)
				continue
			}
			scrub(e)
		}
	case []any:
		for _, e := range v {
			scrub(e)
		}
	}
}

// auditTime renders now so that keys sort by time.
func auditTime(now time.Time) string {
	n := now.UnixNano()
	if n < 0 {
		n = 0
	}
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", 20-len(s)) + s
}

// auditKey is a key that sorts by time, then by commit order: the
// bucket's sequence keeps entries of the same instant in the order they
// were written.
func (t tx) auditKey(now time.Time) (string, error) {
	n, err := t.NextSequence(bAudit)
	if err != nil {
		return "", fmt.Errorf("core: audit id: %w", err)
	}
	return auditTime(now) + "-" + pad(n), nil
}

// audit writes an entry in t. The time is the service clock's. An entry
// on a patron goes on the patron's trail, so that erasing the patron
// blanks it.
func (s *Service) audit(t tx, a Actor, action, object, library string, before, after any) error {
	card, _ := strings.CutPrefix(object, "patron/")
	if card == object || card == "-" {
		card = ""
	}
	return s.auditFor(t, a, card, action, object, library, before, after)
}

// auditFor is audit for an action on a patron's fee, loan or hold: card
// names the patron whose trail the entry goes on.
func (s *Service) auditFor(t tx, a Actor, card, action, object, library string, before, after any) error {
	now := s.clock.Now()
	id, err := t.auditKey(now)
	if err != nil {
		return err
	}
	e := AuditEntry{ID: id, Time: now, Actor: a.StaffID, From: a.From, Library: library, Action: action, Object: object}
	if e.Before, err = auditValue(before); err != nil {
		return err
	}
	if e.After, err = auditValue(after); err != nil {
		return err
	}
	if err := t.putRecord(bAudit, id, &e); err != nil {
		return err
	}
	if err := t.Put(bAuditActor, e.Actor+"/"+id, nil); err != nil {
		return err
	}
	if err := t.Put(bAuditObject, e.Object+"/"+id, nil); err != nil {
		return err
	}
	return t.trail(card, trailAudit, id)
}

// eraseAudit blanks the object and values of an audit entry naming an
// erased patron.
func (t tx) eraseAudit(id string) error {
	var e AuditEntry
	ok, err := t.getRecord(bAudit, id, &e)
	if err != nil || !ok {
		return err
	}
	if strings.HasPrefix(e.Object, "patron/") {
		if err := t.Delete(bAuditObject, e.Object+"/"+id); err != nil {
			return err
		}
		e.Object = "patron/-"
		if err := t.Put(bAuditObject, e.Object+"/"+id, nil); err != nil {
			return err
		}
	}
	e.Before, e.After = nil, nil
	return t.putRecord(bAudit, id, &e)
}

// AuditQuery selects audit entries. Zero fields select everything.
type AuditQuery struct {
	From, To time.Time // From inclusive, To exclusive
	Actor    string
	Object   string
	// After resumes after the entry with that id (paging).
	After string
	// Limit bounds the answer (default and maximum 1000).
	Limit int
}

// QueryAudit returns audit entries in time order. Only administrators read
// the log: an administrator their library's entries, a consortium
// administrator all of them.
func (s *Service) QueryAudit(ctx context.Context, by Actor, q AuditQuery) (out []AuditEntry, err error) {
	start := time.Now()
	defer func() { s.done("audit_query", start, err) }()
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	from := ""
	if !q.From.IsZero() {
		from = auditTime(q.From)
	}
	if q.After != "" && q.After > from {
		from = q.After + "\x00"
	}
	to := ""
	if !q.To.IsZero() {
		to = auditTime(q.To)
	}
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		a, err := s.actorIn(t, &by)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActAuditRead, a.Staff.Library); err != nil {
			return err
		}
		take := func(id string) error {
			if to != "" && id >= to {
				return store.ErrStopScan
			}
			var e AuditEntry
			ok, err := t.getRecord(bAudit, id, &e)
			if err != nil || !ok {
				return err
			}
			if q.Actor != "" && e.Actor != q.Actor || q.Object != "" && e.Object != q.Object {
				return nil
			}
			if Permit(a.Staff, ActAuditRead, e.Library) != nil {
				return nil
			}
			out = append(out, e)
			if len(out) >= q.Limit {
				return store.ErrStopScan
			}
			return nil
		}
		var bucket, prefix string
		switch {
		case q.Object != "":
			bucket, prefix = bAuditObject, q.Object+"/"
		case q.Actor != "":
			bucket, prefix = bAuditActor, q.Actor+"/"
		default:
			bucket = bAudit
		}
		return t.ScanFrom(bucket, prefix, prefix+from, func(k string, _ []byte) error { return take(k[len(prefix):]) })
	})
	return out, err
}
