package core_test

import (
	"context"
	"errors"
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
	// Writes go in batches of a few dozen loans, not one transaction per
	// loan nor one for all.
	if used := rounds - busy.rounds; used > backlog/16 || used < 2 {
		t.Errorf("the sweep ran %d writing transactions for %d loans", used, backlog)
	}
}

// failingFirst is a store whose first n writing transactions fail, as a
// transaction does on PostgreSQL that gave up on conflicts with
// circulation.
type failingFirst struct {
	store.Store
	n int
}

var errGaveUp = errors.New("gave up after 50 attempts: serialization failure")

func (s *failingFirst) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.n > 0 {
		s.n--
		return errGaveUp
	}
	return s.Store.Update(ctx, fn)
}

// TestSweepOutlastsAFailedBatch: when a writing batch of a job cannot
// commit, its records are tried again one per transaction and the job
// still does all its work; when the first of those fails too, the job
// stops with the store's error and its next run catches up.
func TestSweepOutlastsAFailedBatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int
		wantErr  bool
	}{
		{"one failed batch", 1, false},
		{"the batch and its first loan fail", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memstore.New()
			f := newFixture(t, mem)
			item := f.item(demo.Central, ordinaryBook).ID
			const loans = 40 // more than one writing batch
			for range loans {
				f.clock.Advance(time.Second)
				f.checkout(demo.Central, demo.PatronGood, item)
				f.checkin(demo.Central, item)
			}
			f.clock.Advance(3 * 365 * 24 * time.Hour) // past the anonymisation delay
			jobs, err := core.NewService(&failingFirst{Store: mem, n: tc.failures}, f.svc.Consortium(), core.Options{Clock: f.clock, KDF: cheapKDF})
			if err != nil {
				t.Fatal(err)
			}
			n, err := jobs.AnonymiseLoans(f.ctx)
			if tc.wantErr {
				if !errors.Is(err, errGaveUp) {
					t.Fatalf("AnonymiseLoans: %v, want the store's error", err)
				}
				if n != 0 {
					t.Errorf("%d loans reported anonymised by a run that stopped at its first loan", n)
				}
				n, err = jobs.AnonymiseLoans(f.ctx) // the next run catches up
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != loans {
				t.Errorf("%d loans anonymised, want all %d returned long ago", n, loans)
			}
		})
	}
}
