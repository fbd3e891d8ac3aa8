package core_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/memstore"
)

// backends are the stores the core is proved on.
func backends(t *testing.T) map[string]func() store.Store {
	return map[string]func() store.Store{
		"memstore": func() store.Store { return memstore.New() },
		"boltstore": func() store.Store {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
}

// TestConcurrentCheckoutOneWinner: 32 terminals check out the same item at
// once; exactly one succeeds and the rest are told it is not available.
func TestConcurrentCheckoutOneWinner(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open())
			var wins, refused atomic.Int32
			var wg sync.WaitGroup
			for g := 0; g < 32; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					patron := demo.Patrons(f.clock.Now())[10+g].ID
					_, err := f.svc.Checkout(f.ctx, core.CheckoutRequest{Library: demo.Central, PatronID: patron, ItemID: "I000001"})
					switch core.ReasonOf(err) {
					case "":
						if err == nil {
							wins.Add(1)
						} else {
							t.Errorf("checkout failed: %v", err)
						}
					case "item_not_available":
						refused.Add(1)
					default:
						t.Errorf("unexpected refusal: %v", err)
					}
				}(g)
			}
			wg.Wait()
			if wins.Load() != 1 || refused.Load() != 31 {
				t.Fatalf("%d won, %d refused; want exactly 1 and 31", wins.Load(), refused.Load())
			}
			if problems, err := f.svc.Verify(f.ctx); err != nil || len(problems) > 0 {
				t.Fatalf("invariants: %v %v", err, problems)
			}
		})
	}
}

// TestReopenKeepsEverything: circulation written before Close is all there
// after reopening the bolt file.
func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st)
	loan := f.checkout(demo.Central, demo.PatronGood, "I000001")
	hold, err := f.svc.PlaceHold(f.ctx, core.HoldRequest{PatronID: "P0010", ItemID: "I000001"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(st, demo.Consortium(), core.Options{Clock: f.clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := svc.Patron(f.ctx, demo.PatronGood)
	if err != nil || len(sum.Loans) != 1 || sum.Loans[0].Loan.ID != loan.ID || !sum.Loans[0].Loan.Due.Equal(loan.Due) {
		t.Fatalf("loan after reopen: %+v %v", sum.Loans, err)
	}
	sum, err = svc.Patron(f.ctx, "P0010")
	if err != nil || len(sum.Holds) != 1 || sum.Holds[0].ID != hold.Hold.ID {
		t.Fatalf("hold after reopen: %+v %v", sum.Holds, err)
	}
	if err := svc.VerifyPatron(f.ctx, demo.PatronGood, demo.PIN); err != nil {
		t.Errorf("PIN after reopen: %v", err)
	}
	if problems, err := svc.Verify(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("invariants: %v %v", err, problems)
	}
}
