package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// busyDesk is a store on which, after each transaction of the service
// using it, a desk on another service over the same data lends an item and
// takes it back per times, a second apart: circulation going on beside the
// background jobs, faster than they walk.
type busyDesk struct {
	store.Store
	desk   *fixture
	item   string
	per    int
	rounds int // how many more times the desk gets busy
}

func (s *busyDesk) Update(ctx context.Context, fn func(store.Tx) error) error {
	err := s.Store.Update(ctx, fn)
	if s.rounds > 0 {
		s.rounds--
		for range s.per {
			s.desk.clock.Advance(time.Second)
			s.desk.checkout(demo.Central, demo.PatronGood, s.item)
			s.desk.checkin(demo.Central, s.item)
		}
	}
	return err
}

// TestSweepEndsUnderLoad: the anonymisation sweep walks the loans returned
// before it began and stops there, though more are returned behind it
// (more per batch than a batch holds) while it runs; the jobs after it get
// their turn.
func TestSweepEndsUnderLoad(t *testing.T) {
	mem := memstore.New()
	f := newFixture(t, mem)
	item := f.item(demo.Central, ordinaryBook).ID
	const backlog = 450 // three batches
	for range backlog {
		f.clock.Advance(time.Second)
		f.checkout(demo.Central, demo.PatronGood, item)
		f.checkin(demo.Central, item)
	}
	f.clock.Advance(time.Second)
	const rounds = 20
	busy := &busyDesk{Store: mem, desk: f, item: item, per: 250, rounds: rounds}
	jobs, err := core.NewService(busy, f.svc.Consortium(), core.Options{Clock: f.clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	n, err := jobs.AnonymiseLoans(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != backlog {
		t.Errorf("the sweep anonymised %d loans, the %d returned before it began", n, backlog)
	}
	if used := rounds - busy.rounds; used > backlog/200+1 {
		t.Errorf("the sweep ran %d transactions for %d loans", used, backlog)
	}
}
