package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// patronSUB is a demo patron registered at Subate.
const patronSUB = "P0015"

// deskStaff creates the staff the desk tests use and signs them in.
type deskStaff struct {
	annaSUB, ilzeILU, adminILU, adminSUB, root core.Actor
}

func (f *fixture) deskStaff() deskStaff {
	f.addStaff("anna", demo.Subate, core.RoleCirculation)
	f.addStaff("ilze", demo.Central, core.RoleCirculation)
	f.addStaff("adminilu", demo.Central, core.RoleAdmin)
	f.addStaff("adminsub", demo.Subate, core.RoleAdmin)
	f.addStaff("root", demo.Central, core.RoleConsortiumAdmin)
	var d deskStaff
	d.annaSUB, _, _ = f.signIn("anna")
	d.ilzeILU, _, _ = f.signIn("ilze")
	d.adminILU, _, _ = f.signIn("adminilu")
	d.adminSUB, _, _ = f.signIn("adminsub")
	d.root, _, _ = f.signIn("root")
	return d
}

func (f *fixture) audit(by core.Actor, q core.AuditQuery) []core.AuditEntry {
	f.t.Helper()
	out, err := f.svc.QueryAudit(f.ctx, by, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func actions(es []core.AuditEntry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Actor+":"+e.Action)
	}
	return strings.Join(s, ",")
}

// TestDeskFeesAcrossLibrariesAreAudited, on every backend: a Subate
// librarian may take an Ilūkste patron's payment (consortium lending) but
// not waive their Ilūkste fee nor read the audit log; the Ilūkste
// librarian waives it with a reason; both actions are in the log with the
// values before and after, queryable by object, actor and time, and only
// by administrators of that library (or the consortium).
func TestDeskFeesAcrossLibrariesAreAudited(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			d := f.deskStaff()
			fee, err := f.svc.Charge(f.ctx, demo.PatronGood, core.FeeService, 300, "", "printing")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute)
			t0 := f.clock.Now()

			_, err = f.svc.WaiveFee(f.ctx, d.annaSUB, fee.ID, "kind heart")
			wantReason(t, err, core.ReasonForbidden)
			_, err = f.svc.QueryAudit(f.ctx, d.annaSUB, core.AuditQuery{})
			wantReason(t, err, core.ReasonForbidden)
			_, err = f.svc.QueryAudit(f.ctx, d.ilzeILU, core.AuditQuery{})
			wantReason(t, err, core.ReasonForbidden)

			rec, err := f.svc.DeskPay(f.ctx, d.annaSUB, core.Payment{PatronID: demo.PatronGood, FeeID: fee.ID, Amount: 100})
			if err != nil || rec.Owed != 200 {
				t.Fatalf("pay at Subate: %+v %v", rec, err)
			}
			f.clock.Advance(time.Minute)
			_, err = f.svc.WaiveFee(f.ctx, d.ilzeILU, fee.ID, "")
			wantReason(t, err, core.ReasonBadRequest)
			w, err := f.svc.WaiveFee(f.ctx, d.ilzeILU, fee.ID, "printer jammed")
			if err != nil || w.Waived != 200 || w.Outstanding() != 0 || w.WaiveReason != "printer jammed" {
				t.Fatalf("waive: %+v %v", w, err)
			}
			sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
			if sum.Owed != 0 || len(sum.Fees) != 0 {
				t.Errorf("after the waiver the patron owes %v with fees %+v", sum.Owed, sum.Fees)
			}
			_, err = f.svc.WaiveFee(f.ctx, d.ilzeILU, fee.ID, "again")
			wantReason(t, err, core.ReasonNothingOwed)

			byFee := f.audit(d.adminILU, core.AuditQuery{Object: "fee/" + fee.ID})
			if got := actions(byFee); got != "anna:fee_pay,ilze:fee_waive" {
				t.Fatalf("entries on the fee: %s", got)
			}
			waive := byFee[1]
			var before, after core.Fee
			if err := json.Unmarshal(waive.Before, &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(waive.After, &after); err != nil {
				t.Fatal(err)
			}
			if before.Waived != 0 || before.Paid != 100 || after.Waived != 200 || after.WaiveReason != "printer jammed" {
				t.Errorf("before %+v after %+v", before, after)
			}
			if waive.From != "192.0.2.10" || waive.Library != demo.Central || !waive.Time.Equal(t0.Add(time.Minute)) {
				t.Errorf("entry %+v", waive)
			}
			if got := actions(f.audit(d.root, core.AuditQuery{Actor: "anna", From: t0})); got != "anna:fee_pay" {
				t.Errorf("anna's entries since t0: %s", got)
			}
			if got := actions(f.audit(d.root, core.AuditQuery{From: t0, To: t0.Add(30 * time.Second)})); got != "anna:fee_pay" {
				t.Errorf("entries in the first 30 s: %s", got)
			}
			page := f.audit(d.root, core.AuditQuery{From: t0, Limit: 1})
			if len(page) != 1 || actions(f.audit(d.root, core.AuditQuery{From: t0, After: page[0].ID})) != "ilze:fee_waive" {
				t.Errorf("paging: %s", actions(page))
			}
			// Subate's administrator does not see Ilūkste's entries.
			for _, e := range f.audit(d.adminSUB, core.AuditQuery{}) {
				if e.Library != demo.Subate {
					t.Errorf("Subate admin sees %+v", e)
				}
			}
		})
	}
}

// failingAudit is a store whose transactions cannot write the audit log.
type failingAudit struct{ store.Store }

type failingTx struct{ store.Tx }

var errDisk = errors.New("disk full")

func (s failingAudit) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(t store.Tx) error { return fn(failingTx{t}) })
}

func (t failingTx) Put(bucket, key string, v []byte) error {
	if bucket == "audit" {
		return errDisk
	}
	return t.Tx.Put(bucket, key, v)
}

// TestDeskActionAndAuditAreOneTransaction: when the audit entry cannot be
// written the action is not kept either; a refused action writes no entry.
func TestDeskActionAndAuditAreOneTransaction(t *testing.T) {
	mem := memstore.New()
	f := newFixture(t, mem)
	d := f.deskStaff()
	fee, err := f.svc.Charge(f.ctx, demo.PatronGood, core.FeeService, 300, "", "printing")
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.audit(d.root, core.AuditQuery{}))
	_, err = f.svc.DeskCheckout(f.ctx, d.ilzeILU, demo.PatronBlocked, "I000001")
	if core.ReasonOf(err) == "" {
		t.Fatalf("checkout to a blocked patron: %v", err)
	}
	if m := len(f.audit(d.root, core.AuditQuery{})); m != n {
		t.Errorf("a refused checkout wrote %d entries", m-n)
	}
	broken, err := core.NewService(failingAudit{mem}, f.svc.Consortium(), core.Options{Clock: f.clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := broken.WaiveFee(f.ctx, d.ilzeILU, fee.ID, "printer jammed"); !errors.Is(err, errDisk) {
		t.Fatalf("waive without an audit log: %v", err)
	}
	if _, err := broken.DeskCheckout(f.ctx, d.ilzeILU, demo.PatronGood, "I000001"); !errors.Is(err, errDisk) {
		t.Fatalf("checkout without an audit log: %v", err)
	}
	sum, _ := f.svc.Patron(f.ctx, demo.PatronGood)
	if sum.Owed != 300 || len(sum.Loans) != 0 {
		t.Errorf("the actions were kept without their entries: owed %v, loans %d", sum.Owed, len(sum.Loans))
	}
}

// TestAuditHasNoSecrets: no password, PIN, or hash of either, nor the eID
// code or its hash, ends up in any audit entry.
func TestAuditHasNoSecrets(t *testing.T) {
	mem := memstore.New()
	f := newFixture(t, mem)
	d := f.deskStaff()
	const pin, newPassword, wrong = "5791", "Ql8-new-staff-secret", "Wr0ng-Pa55word!"
	if err := f.svc.RegisterPatrons(f.ctx, []core.NewPatron{{Patron: core.Patron{ID: "ZSECRET", Name: "Sīle Slepena",
		PersonalCode: "121288-11111", Category: "adult", HomeLibrary: demo.Central, IdentityConfirmed: true, Resident: true}, PIN: pin}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _, _, _ = f.svc.StaffSignIn(f.ctx, "ilze", wrong, "192.0.2.66")
		_, _, _, _ = f.svc.StaffSignIn(f.ctx, "nobody", wrong, "192.0.2.66")
	}
	if err := f.svc.SetStaffPassword(f.ctx, &d.adminILU, "ilze", newPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddStaff(f.ctx, &d.adminILU, core.NewStaff{ID: "jauns", Library: demo.Central, Roles: []core.Role{core.RoleCirculation}, Password: newPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPatronBlock(f.ctx, d.root, "ZSECRET", true, "card reported lost"); err != nil {
		t.Fatal(err)
	}
	name := "Sīle Slepenā"
	if _, err := f.svc.EditPatron(f.ctx, d.root, "ZSECRET", core.PatronChanges{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FindPatrons(f.ctx, d.root, "121288-11111", 0); err != nil {
		t.Fatal(err)
	}
	entries := f.audit(d.root, core.AuditQuery{})
	if len(entries) < 10 {
		t.Fatalf("only %d entries: the test proves little", len(entries))
	}
	var raw []string
	_ = mem.View(f.ctx, func(tx store.Tx) error {
		return tx.Scan("audit", "", func(k string, v []byte) error { raw = append(raw, string(v)); return nil })
	})
	all := strings.Join(raw, "\n")
	for _, secret := range []string{staffPassword, newPassword, wrong, `"` + pin + `"`, "121288-11111", "$argon2id", "hmac-sha256", "pin_hash", "password_hash", "personal_code"} {
		if strings.Contains(all, secret) {
			t.Errorf("the audit log holds %q", secret)
		}
	}
	if !strings.Contains(all, "sign_in_failed") || !strings.Contains(all, "Sīle Slepenā") {
		t.Error("the audit log lacks the failed sign-ins or the edit")
	}
}

// TestDeskRenewalRequests: with approval switched on at Ilūkste, renewal
// requests a selfcheck filed wait in Ilūkste's queue (not Subate's); the
// librarian approves one (the due date moves), rejects one with a reason
// the patron is told, and an approval the rules now refuse (someone
// reserved the title) is rejected with the rule's reason.
func TestDeskRenewalRequests(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	yes := true
	f.svc.Consortium().Rules.Overrides = append(f.svc.Consortium().Rules.Overrides,
		policy.Override{Library: demo.Central, Set: policy.Partial{RenewalNeedsApproval: &yes}})
	var loans []core.Loan
	for i := 0; i < 3; i++ {
		it := f.item(demo.Central, ordinaryBook)
		loans = append(loans, f.checkout(demo.Central, demo.PatronGood, it.ID))
	}
	f.clock.Advance(24 * time.Hour)
	for _, l := range loans {
		if r, err := f.svc.Renew(f.ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: l.ItemID}); err != nil || !r.Requested {
			t.Fatalf("renewal request: %+v %v", r, err)
		}
	}
	q, err := f.svc.RenewalRequests(f.ctx, d.ilzeILU)
	if err != nil || len(q) != 3 || q[0].Patron != demo.PatronGood || q[0].Title == "" {
		t.Fatalf("Ilūkste's queue: %+v %v", q, err)
	}
	if q, err := f.svc.RenewalRequests(f.ctx, d.annaSUB); err != nil || len(q) != 0 {
		t.Fatalf("Subate's queue: %+v %v", q, err)
	}
	_, err = f.svc.DecideRenewalRequest(f.ctx, d.annaSUB, loans[0].ID, true, "")
	wantReason(t, err, core.ReasonForbidden)

	got, err := f.svc.DecideRenewalRequest(f.ctx, d.ilzeILU, loans[0].ID, true, "")
	if err != nil || got.Renewals != 1 || !got.Due.After(loans[0].Due) || got.RenewalRequested {
		t.Fatalf("approve: %+v %v", got, err)
	}
	_, err = f.svc.DecideRenewalRequest(f.ctx, d.ilzeILU, loans[1].ID, false, "")
	wantReason(t, err, core.ReasonBadRequest)
	got, err = f.svc.DecideRenewalRequest(f.ctx, d.ilzeILU, loans[1].ID, false, "required reading for the school")
	if err != nil || got.Renewals != 0 || got.RenewalRequested || !got.Due.Equal(loans[1].Due) {
		t.Fatalf("reject: %+v %v", got, err)
	}
	if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: "P0010", ItemID: loans[2].ItemID}); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.DecideRenewalRequest(f.ctx, d.ilzeILU, loans[2].ID, true, "")
	wantReason(t, err, policy.RenewalReserved)
	if got.RenewalRequested || got.Renewals != 0 {
		t.Errorf("a refused approval left %+v", got)
	}
	if q, _ := f.svc.RenewalRequests(f.ctx, d.ilzeILU); len(q) != 0 {
		t.Errorf("queue after the decisions: %+v", q)
	}
	notices, _ := f.svc.Notices(f.ctx, demo.PatronGood)
	var reasons []string
	for _, n := range notices {
		if n.Kind == core.NoticeRenewal {
			reasons = append(reasons, n.Reason)
		}
	}
	if strings.Join(reasons, "|") != "|required reading for the school|"+string(policy.RenewalReserved) {
		t.Errorf("the patron was told %q", reasons)
	}
	if got := actions(f.audit(d.adminILU, core.AuditQuery{Object: "loan/" + loans[2].ID})); got != "ilze:renewal_reject" {
		t.Errorf("entries on the refused approval: %s", got)
	}
}

// TestDeskHoldReview: a reservation to collect at Subate waits in
// Subate's review queue and its pull list names a copy on a Subate shelf;
// approving it takes it off the queue; refusing another ends it with a
// reason the patron is told.
func TestDeskHoldReview(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	h1, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: patronSUB, RecordID: "demo-0001", PickupLibrary: demo.Subate})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	h2, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: patronSUB, RecordID: "demo-0002", PickupLibrary: demo.Subate})
	if err != nil {
		t.Fatal(err)
	}
	q, err := f.svc.HoldReviewQueue(f.ctx, d.annaSUB)
	if err != nil || len(q) != 2 || q[0].Hold.ID != h1.Hold.ID || q[0].OnShelf == 0 || q[0].Position != 1 {
		t.Fatalf("Subate's review queue: %+v %v", q, err)
	}
	if q, _ := f.svc.HoldReviewQueue(f.ctx, d.ilzeILU); len(q) != 0 {
		t.Errorf("Ilūkste reviews Subate's holds: %+v", q)
	}
	pull, err := f.svc.PullList(f.ctx, d.annaSUB)
	if err != nil || len(pull) != 2 {
		t.Fatalf("pull list: %+v %v", pull, err)
	}
	for _, p := range pull {
		it, _ := f.svc.Item(f.ctx, p.ItemID)
		if p.Library != demo.Subate || it.Item.Library != demo.Subate || it.Item.Status != core.ItemAvailable {
			t.Errorf("pull slip %+v for %+v", p, it.Item)
		}
	}
	dash, err := f.svc.StaffDashboard(f.ctx, d.annaSUB)
	if err != nil || dash.HoldsToReview != 2 || dash.PullList != 2 {
		t.Errorf("dashboard %+v %v", dash, err)
	}
	_, err = f.svc.ReviewHold(f.ctx, d.ilzeILU, h1.Hold.ID, true, "")
	wantReason(t, err, core.ReasonForbidden)
	got, err := f.svc.ReviewHold(f.ctx, d.annaSUB, h1.Hold.ID, true, "")
	if err != nil || got.Reviewed.IsZero() || got.Status != core.HoldWaiting {
		t.Fatalf("approve: %+v %v", got, err)
	}
	_, err = f.svc.ReviewHold(f.ctx, d.annaSUB, h1.Hold.ID, true, "")
	wantReason(t, err, core.ReasonNotPending)
	_, err = f.svc.ReviewHold(f.ctx, d.annaSUB, h2.Hold.ID, false, " ")
	wantReason(t, err, core.ReasonBadRequest)
	got, err = f.svc.ReviewHold(f.ctx, d.annaSUB, h2.Hold.ID, false, "Šis izdevums ir tikai lasītavā")
	if err != nil || got.Status != core.HoldRefused || got.Reason != "Šis izdevums ir tikai lasītavā" {
		t.Fatalf("refuse: %+v %v", got, err)
	}
	sum, _ := f.svc.Patron(f.ctx, patronSUB)
	if len(sum.Holds) != 1 || sum.Patron.Holds != 1 {
		t.Errorf("patron's holds after the review: %+v (count %d)", sum.Holds, sum.Patron.Holds)
	}
	notices, _ := f.svc.Notices(f.ctx, patronSUB)
	if len(notices) != 1 || notices[0].Kind != core.NoticeHoldRefused || notices[0].Reason != got.Reason {
		t.Errorf("notices %+v", notices)
	}
	if q, _ := f.svc.HoldReviewQueue(f.ctx, d.annaSUB); len(q) != 0 {
		t.Errorf("queue after review: %+v", q)
	}
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %v", err, problems)
	}
}

// TestDeskPatrons: find by card, eID and name without diacritics; edit
// only at the home library; confirm a remote registration, after which
// the patron may borrow; block and unblock.
func TestDeskPatrons(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	find := func(q string) []core.PatronMatch {
		t.Helper()
		out, err := f.svc.FindPatrons(f.ctx, d.annaSUB, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if m := find("berzins"); len(m) < 2 || m[0].Patron.ID != demo.PatronGood || m[0].By != "name" {
		t.Errorf("berzins: %+v", m)
	}
	if m := find("JĀNIS bērz"); len(m) != 1 || m[0].Patron.ID != demo.PatronGood {
		t.Errorf("JĀNIS bērz: %+v", m)
	}
	if m := find(demo.PatronGood); len(m) != 1 || m[0].By != "card" || m[0].Patron.PINHash != "" {
		t.Errorf("card: %+v", m)
	}
	if m := find(demo.PersonalCodeEID); len(m) != 1 || m[0].Patron.ID != demo.PatronEID || m[0].By != "eid" || m[0].Patron.PersonalCode != "" {
		t.Errorf("eID: %+v", m)
	}
	if m := find("zzzz"); len(m) != 0 {
		t.Errorf("zzzz: %+v", m)
	}
	email := "janis@example.org"
	_, err := f.svc.EditPatron(f.ctx, d.annaSUB, demo.PatronGood, core.PatronChanges{Email: &email})
	wantReason(t, err, core.ReasonForbidden)
	p, err := f.svc.EditPatron(f.ctx, d.ilzeILU, demo.PatronGood, core.PatronChanges{Email: &email})
	if err != nil || p.Email != email || p.Name != "Jānis Bērziņš" {
		t.Fatalf("edit: %+v %v", p, err)
	}
	if err := f.svc.VerifyPatron(f.ctx, demo.PatronGood, demo.PIN); err != nil {
		t.Errorf("the edit lost the PIN: %v", err)
	}
	// The remote registration P0006 borrows only once confirmed.
	book := f.item(demo.Central, ordinaryBook)
	_, err = f.svc.DeskCheckout(f.ctx, d.ilzeILU, demo.PatronRemoteOnly, book.ID)
	wantReason(t, err, policy.PatronRemoteOnly)
	if _, err := f.svc.ConfirmIdentity(f.ctx, d.root, demo.PatronRemoteOnly, "passport"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeskCheckout(f.ctx, d.ilzeILU, demo.PatronRemoteOnly, book.ID); err != nil {
		t.Fatalf("checkout after confirmation: %v", err)
	}
	if _, err := f.svc.SetPatronBlock(f.ctx, d.annaSUB, patronSUB, true, "card reported stolen"); err != nil {
		t.Fatal(err)
	}
	sum, _ := f.svc.Patron(f.ctx, patronSUB)
	if !sum.Patron.Blocked || len(sum.Blocks) == 0 {
		t.Errorf("blocked patron %+v", sum.Patron)
	}
	if err := f.svc.EnablePatronBy(f.ctx, patronSUB, core.BlockedBySelfcheck); core.ReasonOf(err) != policy.PatronBlockedManual {
		t.Errorf("a selfcheck lifted a staff block: %v", err)
	}
	if _, err := f.svc.SetPatronBlock(f.ctx, d.annaSUB, patronSUB, false, ""); err != nil {
		t.Fatal(err)
	}
	if got := actions(f.audit(d.adminSUB, core.AuditQuery{Object: "patron/" + patronSUB})); got != "anna:patron_block,anna:patron_unblock" {
		t.Errorf("entries on the patron: %s", got)
	}
	// The desk's view of a patron has no hashes and no returned loans.
	f.checkin(demo.Central, book.ID)
	view, err := f.svc.StaffPatron(f.ctx, d.annaSUB, demo.PatronRemoteOnly)
	if err != nil || len(view.Loans) != 0 || view.Patron.PINHash != "" {
		t.Errorf("desk view %+v %v", view, err)
	}
}

// TestDeskCirculationAndItems: desk checkout, renew and checkin follow the
// selfcheck's rules; a copy declared lost charges the borrower, one lost
// from the shelf goes missing, a found copy is back on the shelf.
func TestDeskCirculationAndItems(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	book := f.item(demo.Central, ordinaryBook)
	_, err := f.svc.DeskCheckout(f.ctx, d.annaSUB, demo.PatronDebtor, book.ID)
	wantReason(t, err, policy.PatronFeesOverLimit)
	res, err := f.svc.DeskCheckout(f.ctx, d.annaSUB, demo.PatronGood, book.ID)
	if err != nil || res.Loan.Library != demo.Subate {
		t.Fatalf("checkout at Subate of an Ilūkste copy: %+v %v", res, err)
	}
	f.clock.Advance(24 * time.Hour)
	r, err := f.svc.DeskRenew(f.ctx, d.annaSUB, demo.PatronGood, book.ID)
	if err != nil || r.Loan.Renewals != 1 {
		t.Fatalf("renew: %+v %v", r, err)
	}
	in, err := f.svc.DeskCheckin(f.ctx, d.annaSUB, book.ID)
	if err != nil || in.Disposition != core.TransitHome || in.Destination != demo.Central {
		t.Fatalf("checkin: %+v %v", in, err)
	}
	// Lost on loan: the borrower pays.
	lost := f.item(demo.Subate, ordinaryBook)
	f.checkout(demo.Subate, patronSUB, lost.ID)
	_, err = f.svc.DeclareItem(f.ctx, d.ilzeILU, lost.ID, core.ItemDeclaredLost, "", 0, "")
	wantReason(t, err, core.ReasonForbidden)
	dec, err := f.svc.DeclareItem(f.ctx, d.annaSUB, lost.ID, core.ItemDeclaredLost, "", 0, "")
	if err != nil || dec.Item.Status != core.ItemLost || len(dec.Fees) == 0 {
		t.Fatalf("declare lost: %+v %v", dec, err)
	}
	// Found again: the unpaid value is cancelled and the copy shelved.
	dec, err = f.svc.DeclareItem(f.ctx, d.annaSUB, lost.ID, core.ItemDeclaredFound, "", 0, "")
	if err != nil || dec.Item.Status != core.ItemAvailable || dec.Checkin == nil || dec.Checkin.Cancelled == 0 {
		t.Fatalf("found: %+v %v", dec, err)
	}
	// Lost from the shelf: missing; found: back.
	dec, err = f.svc.DeclareItem(f.ctx, d.annaSUB, lost.ID, core.ItemDeclaredLost, "", 0, "not at its place")
	if err != nil || dec.Item.Status != core.ItemMissing || len(dec.Fees) != 0 {
		t.Fatalf("missing: %+v %v", dec, err)
	}
	dec, err = f.svc.DeclareItem(f.ctx, d.annaSUB, lost.ID, core.ItemDeclaredFound, "", 0, "")
	if err != nil || dec.Item.Status != core.ItemAvailable {
		t.Fatalf("found on the shelf: %+v %v", dec, err)
	}
	// Damage charged to a named patron.
	dec, err = f.svc.DeclareItem(f.ctx, d.annaSUB, lost.ID, core.ItemDeclaredDamaged, patronSUB, 250, "coffee")
	if err != nil || len(dec.Fees) != 1 || dec.Fees[0].Amount != 250 || dec.Fees[0].Kind != core.FeeDamage {
		t.Fatalf("damaged: %+v %v", dec, err)
	}
	if got := actions(f.audit(d.adminSUB, core.AuditQuery{Object: "item/" + lost.ID})); got != "anna:item_lost,anna:item_found,anna:item_lost,anna:item_found,anna:item_damaged" {
		t.Errorf("entries on the copy: %s", got)
	}
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %v", err, problems)
	}
}

// TestErasedPatronLeavesNoTraceInAudit: the audit entries on a patron
// lose the patron's data when the patron is deleted at the desk (by their
// home library); who did what when stays, the deletion included.
func TestErasedPatronLeavesNoTraceInAudit(t *testing.T) {
	mem := memstore.New()
	f := newFixture(t, mem)
	d := f.deskStaff()
	const card, name = "ZGONE01", "Gaida Aizgājusī"
	if err := f.svc.RegisterPatrons(f.ctx, []core.NewPatron{{Patron: core.Patron{ID: card, Name: name, Category: "adult",
		HomeLibrary: demo.Central, IdentityConfirmed: true, Resident: true}, PIN: "1111"}}); err != nil {
		t.Fatal(err)
	}
	book := f.item(demo.Central, ordinaryBook)
	if _, err := f.svc.DeskCheckout(f.ctx, d.ilzeILU, card, book.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPatronBlock(f.ctx, d.ilzeILU, card, true, "asked to pause"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeskCheckin(f.ctx, d.ilzeILU, book.ID); err != nil {
		t.Fatal(err)
	}
	n := len(f.audit(d.root, core.AuditQuery{}))
	_, err := f.svc.DeskDeletePatron(f.ctx, d.annaSUB, card)
	wantReason(t, err, core.ReasonForbidden)
	if _, err := f.svc.DeskDeletePatron(f.ctx, d.ilzeILU, card); err != nil {
		t.Fatal(err)
	}
	for _, line := range dumpStore(t, mem) {
		if strings.Contains(line, card) || strings.Contains(line, name) {
			t.Errorf("after deletion the store holds %.200s", line)
		}
	}
	all := f.audit(d.root, core.AuditQuery{})
	if len(all) != n+1 || all[n].Action != "patron_delete" || all[n].Object != "patron/-" || all[n].Actor != "ilze" {
		t.Errorf("after deletion %d entries (was %d), last %+v", len(all), n, all[len(all)-1])
	}
	if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %v", err, problems)
	}
}

// TestDeskRegistersPatrons: a minor needs a guardian, who then receives
// the notices; a registration at the desk may borrow at once, one taken
// remotely only after confirmation; a card or personal code is registered
// once; the PIN works and is nowhere in the audit entry.
func TestDeskRegistersPatrons(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	child := core.Patron{ID: "ZCHILD1", Name: "Mārtiņš Mazais", BirthDate: f.clock.Now().AddDate(-9, 0, 0), Resident: true, Category: "child"}
	_, err := f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: child, PIN: "4321"})
	wantReason(t, err, core.ReasonBadRequest)
	child.Guardian = &core.Contact{Name: "Ilga Lielā", Email: "ilga@example.org"}
	p, err := f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: child, PIN: "4321"})
	if err != nil || p.HomeLibrary != demo.Subate || !p.IdentityConfirmed || p.PINHash != "" {
		t.Fatalf("register a minor: %+v %v", p, err)
	}
	if err := f.svc.VerifyPatron(f.ctx, "ZCHILD1", "4321"); err != nil {
		t.Errorf("PIN: %v", err)
	}
	sum, _ := f.svc.Patron(f.ctx, "ZCHILD1")
	if !sum.Minor || len(sum.Blocks) != 0 {
		t.Errorf("the minor: %+v", sum)
	}
	_, err = f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: child})
	wantReason(t, err, core.ReasonPatronExists)
	_, err = f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: core.Patron{ID: "ZEID1", Name: "Otrs", PersonalCode: demo.PersonalCodeEID}})
	wantReason(t, err, core.ReasonPatronExists)
	_, err = f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: core.Patron{ID: "ZILU1", Name: "Cits", HomeLibrary: demo.Central}})
	wantReason(t, err, core.ReasonForbidden)
	remote, err := f.svc.RegisterPatron(f.ctx, d.annaSUB, core.DeskRegistration{Patron: core.Patron{ID: "ZREMOTE", Name: "Tāla Lasītāja",
		PersonalCode: "050505-55555", Resident: true}, RemoteOnly: true})
	if err != nil || remote.IdentityConfirmed {
		t.Fatalf("remote registration: %+v %v", remote, err)
	}
	if m, err := f.svc.FindPatrons(f.ctx, d.annaSUB, "050505-55555", 0); err != nil || len(m) != 1 || m[0].Patron.ID != "ZREMOTE" {
		t.Errorf("find by the new personal code: %+v %v", m, err)
	}
	book := f.item(demo.Subate, ordinaryBook)
	_, err = f.svc.DeskCheckout(f.ctx, d.annaSUB, "ZREMOTE", book.ID)
	wantReason(t, err, policy.PatronRemoteOnly)
	if _, err := f.svc.ConfirmIdentity(f.ctx, d.annaSUB, "ZREMOTE", "ID card"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeskCheckout(f.ctx, d.annaSUB, "ZREMOTE", book.ID); err != nil {
		t.Errorf("checkout after confirmation: %v", err)
	}
	es := f.audit(d.adminSUB, core.AuditQuery{Object: "patron/ZCHILD1"})
	if len(es) != 1 || es[0].Action != "patron_register" || strings.Contains(string(es[0].After), "4321") || !strings.Contains(string(es[0].After), "Ilga Lielā") {
		t.Errorf("audit of the registration: %+v", es)
	}
}
