package core_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/memstore"
	"github.com/bibgate/bibgate/store/pgstore"
)

// privacyBackends are memstore, bbolt and, when the test database answers
// (BIBGATE_TEST_POSTGRES, default 127.0.0.1:5432 db test), PostgreSQL in
// a throw-away schema.
func privacyBackends(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memstore": func(t *testing.T) store.Store { return memstore.New() },
		"boltstore": func(t *testing.T) store.Store {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"pgstore": func(t *testing.T) store.Store {
			dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
			if dsn == "" {
				dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Skipf("PostgreSQL is not reachable (set BIBGATE_TEST_POSTGRES to a test database): %v", err)
			}
			b := make([]byte, 6)
			_, _ = rand.Read(b)
			schema := "core_privacy_" + hex.EncodeToString(b)
			// Creating the tables waits its turn behind other packages' tests
			// doing the same on the shared server: more than the connect.
			octx, ocancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer ocancel()
			st, err := pgstore.Open(octx, dsn, pgstore.Options{Schema: schema})
			if err != nil {
				conn.Close(ctx)
				t.Fatal(err)
			}
			t.Cleanup(func() {
				st.Close()
				ctx := context.Background()
				_, _ = conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
				conn.Close(ctx)
			})
			return st
		},
	}
}

// dumpStore returns every bucket/key=value of the store as text.
func dumpStore(t *testing.T, st store.Store) []string {
	t.Helper()
	bl, ok := st.(store.BucketLister)
	if !ok {
		t.Fatalf("%T cannot list its buckets", st)
	}
	ctx := context.Background()
	buckets, err := bl.Buckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = st.View(ctx, func(tx store.Tx) error {
		for _, b := range buckets {
			if err := tx.Scan(b, "", func(k string, v []byte) error {
				out = append(out, b+"/"+k+"="+string(v))
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPurgeLeavesNoTrace: a patron who borrowed, paid fines, got reminders,
// lost a book, paid by selfcheck and had a hold trapped asks to be
// deleted; afterwards no key or value anywhere in the store holds their
// card, name, e-mail or personal code, and what statistics need (loans,
// fees) is still there.
func TestPurgeLeavesNoTrace(t *testing.T) {
	const (
		card  = "ZPURGE01"
		name  = "Zelma Dzēšamā"
		email = "zelma.dzesama@patron.example.org"
		code  = "311299-99999"
	)
	for bname, open := range privacyBackends(t) {
		t.Run(bname, func(t *testing.T) {
			st := open(t)
			f := newFixture(t, st)
			err := f.svc.RegisterPatrons(f.ctx, []core.NewPatron{{Patron: core.Patron{ID: card, Name: name, Email: email,
				PersonalCode: code, Category: "adult", HomeLibrary: demo.Central, IdentityConfirmed: true, Resident: true}, PIN: "9876"}})
			if err != nil {
				t.Fatal(err)
			}
			before := strings.Join(dumpStore(t, st), "\n")
			if !strings.Contains(before, card) || !strings.Contains(before, name) {
				t.Fatal("the scan does not see the patron at all: the test proves nothing")
			}
			// Overdue, reminded, returned: a reminder notice, reminder and overdue fees.
			a := f.item(demo.Central, ordinaryBook)
			loan := f.checkout(demo.Central, card, a.ID)
			f.clock.Set(loan.Due.Add(8 * day))
			if _, err := f.svc.RunJobs(f.ctx); err != nil {
				t.Fatal(err)
			}
			f.checkin(demo.Central, a.ID)
			// Lost and paid for.
			b := f.item(demo.Central, ordinaryBook)
			f.checkout(demo.Central, card, b.ID)
			if _, err := f.svc.DeclareLost(f.ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			sum, _ := f.svc.Patron(f.ctx, card)
			if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: card, Amount: sum.Owed, TransactionID: "TX-" + card}); err != nil {
				t.Fatal(err)
			}
			// A hold trapped on return by someone else: a hold-ready notice.
			c := f.item(demo.Central, ordinaryBook)
			f.checkout(demo.Central, demo.PatronGood, c.ID)
			if _, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: card, ItemID: c.ID, PickupLibrary: demo.Central}); err != nil {
				t.Fatal(err)
			}
			if res := f.checkin(demo.Central, c.ID); res.Disposition != core.HoldShelf {
				t.Fatalf("hold not trapped: %+v", res)
			}
			notices, _ := f.svc.Notices(f.ctx, card)
			if len(notices) < 2 {
				t.Fatalf("notices %+v: want a reminder and a hold-ready notice", notices)
			}

			d, err := f.svc.DeletePatron(f.ctx, card)
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if d.HoldsCancelled != 1 {
				t.Errorf("deletion %+v: the ready hold should be cancelled", d)
			}
			for _, kv := range dumpStore(t, st) {
				for _, secret := range []string{card, name, email, code, strings.ReplaceAll(code, "-", "")} {
					if strings.Contains(kv, secret) {
						t.Errorf("after deletion the store still holds %q: %.200s", secret, kv)
					}
				}
			}
			if _, err := f.svc.Patron(f.ctx, card); core.ReasonOf(err) != core.ReasonPatronNotFound {
				t.Errorf("patron after deletion: %v", err)
			}
			if l, err := f.svc.Loan(f.ctx, loan.ID); err != nil || l.PatronID != "" || l.ItemID != a.ID {
				t.Errorf("loan kept for statistics without the patron: %+v %v", l, err)
			}
			if it, _ := f.svc.Item(f.ctx, c.ID); it.Item.Status != core.ItemAvailable {
				t.Errorf("copy trapped for the deleted patron: %s", it.Item.Status)
			}
			if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
				t.Errorf("invariants: %v %v", err, problems)
			}
		})
	}
}

// TestDeletePatronRefusedWhileObligations: deletion on request is refused,
// with the reason, while something is on loan or owed either way.
func TestDeletePatronRefusedWhileObligations(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture) string
		want  core.Reason
	}{
		{"item on loan", func(f *fixture) string {
			f.checkout(demo.Central, demo.PatronGood, f.item(demo.Central, ordinaryBook).ID)
			return demo.PatronGood
		}, core.ReasonPatronHasLoans},
		{"fees owed", func(f *fixture) string { return demo.PatronDebtor }, core.ReasonPatronOwes},
		{"refund due to the patron", func(f *fixture) string {
			it := f.item(demo.Central, ordinaryBook)
			f.checkout(demo.Central, demo.PatronGood, it.ID)
			fees, err := f.svc.DeclareLost(f.ctx, it.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			var total core.Money
			for _, fee := range fees {
				total += fee.Amount
			}
			if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronGood, Amount: total}); err != nil {
				f.t.Fatal(err)
			}
			f.checkin(demo.Central, it.ID) // found: the value is refunded as a credit
			return demo.PatronGood
		}, core.ReasonPatronCredit},
		{"a charge and a credit that cancel out", func(f *fixture) string {
			it := f.item(demo.Central, ordinaryBook)
			f.checkout(demo.Central, demo.PatronGood, it.ID)
			fees, err := f.svc.DeclareLost(f.ctx, it.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			var total core.Money
			for _, fee := range fees {
				total += fee.Amount
			}
			if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: demo.PatronGood, Amount: total}); err != nil {
				f.t.Fatal(err)
			}
			f.checkin(demo.Central, it.ID) // a credit of the value
			if _, err := f.svc.Charge(f.ctx, demo.PatronGood, core.FeeDamage, it.Value, it.ID, "water damage"); err != nil {
				f.t.Fatal(err)
			}
			return demo.PatronGood
		}, core.ReasonPatronOwes},
		{"unknown card", func(f *fixture) string { return "NOSUCH" }, core.ReasonPatronNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMemFixture(t)
			card := tt.setup(f)
			if _, err := f.svc.DeletePatron(f.ctx, card); core.ReasonOf(err) != tt.want {
				t.Fatalf("delete: %v, want %s", err, tt.want)
			}
			if tt.want != core.ReasonPatronNotFound {
				if _, err := f.svc.Patron(f.ctx, card); err != nil {
					t.Errorf("refused deletion changed the patron: %v", err)
				}
			}
		})
	}
}

// TestPurgeFindsRecordsFromBeforeTheTrail: a store written by a bibgate
// that kept no per-patron trail (simulated by removing it) is indexed once
// at start (MigrateTrail); a deletion then leaves no trace either.
func TestPurgeFindsRecordsFromBeforeTheTrail(t *testing.T) {
	const card, name, email = "ZOLD0001", "Otīlija Vecā", "otilija.veca@patron.example.org"
	st := memstore.New()
	f := newFixture(t, st)
	if err := f.svc.RegisterPatrons(f.ctx, []core.NewPatron{{Patron: core.Patron{ID: card, Name: name, Email: email,
		Category: "adult", HomeLibrary: demo.Central, IdentityConfirmed: true, Resident: true}}}); err != nil {
		t.Fatal(err)
	}
	it := f.item(demo.Central, ordinaryBook)
	loan := f.checkout(demo.Central, card, it.ID)
	f.clock.Set(loan.Due.Add(8 * day))
	if _, err := f.svc.SendReminders(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.checkin(demo.Central, it.ID)
	sum, _ := f.svc.Patron(f.ctx, card)
	if _, err := f.svc.PayFee(f.ctx, core.Payment{PatronID: card, Amount: sum.Owed}); err != nil {
		t.Fatal(err)
	}
	err := st.Update(f.ctx, func(tx store.Tx) error {
		var keys []string
		if err := tx.Scan("patron_trail", "", func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete("patron_trail", k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.MigrateTrail(f.ctx)
	if err != nil || n < 4 { // reminder and overdue fees, the notice, the returned loan
		t.Fatalf("migrate: %d %v", n, err)
	}
	if n, err := f.svc.MigrateTrail(f.ctx); err != nil || n != 0 {
		t.Errorf("second run: %d %v", n, err)
	}
	if _, err := f.svc.DeletePatron(f.ctx, card); err != nil {
		t.Fatal(err)
	}
	for _, kv := range dumpStore(t, st) {
		for _, secret := range []string{card, name, email} {
			if strings.Contains(kv, secret) {
				t.Errorf("after deletion the store still holds %q: %.200s", secret, kv)
			}
		}
	}
}
