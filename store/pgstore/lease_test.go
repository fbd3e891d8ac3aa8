package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestLeaseOneHolder checks the lease rules on the database itself: one
// holder at a time, renewal by the holder only, another holder after the
// lease ran out or was released.
func TestLeaseOneHolder(t *testing.T) {
	sc := newSchemas(t)
	a := sc.open(t, "lease", pgstore.Options{})
	defer a.Close()
	b := sc.open(t, "lease", pgstore.Options{})
	defer b.Close()
	ctx := t.Context()
	const ttl = time.Second
	acquire := func(s *pgstore.Store, holder string, want bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx, "jobs", holder, ttl)
		if err != nil {
			t.Fatalf("%s: acquire: %v", holder, err)
		}
		if got != want {
			t.Fatalf("%s: acquire = %v, want %v", holder, got, want)
		}
	}
	acquire(a, "A", true)
	acquire(b, "B", false)
	acquire(a, "A", true) // renewal
	if ok, err := b.AcquireLease(ctx, "other", "B", ttl); err != nil || !ok {
		t.Fatalf("another lease name: %v %v, want it free", ok, err)
	}
	if err := b.ReleaseLease(ctx, "jobs", "B"); err != nil { // not B's: nothing happens
		t.Fatal(err)
	}
	acquire(b, "B", false)
	time.Sleep(ttl + 100*time.Millisecond)
	acquire(b, "B", true) // A's ran out
	acquire(a, "A", false)
	if err := b.ReleaseLease(ctx, "jobs", "B"); err != nil {
		t.Fatal(err)
	}
	acquire(a, "A", true) // released: free at once
}

// TestLeaseRace has several stores race for a free lease, again and again:
// exactly one wins each time.
func TestLeaseRace(t *testing.T) {
	sc := newSchemas(t)
	const n = 4
	var stores []*pgstore.Store
	for range n {
		s := sc.open(t, "race", pgstore.Options{})
		defer s.Close()
		stores = append(stores, s)
	}
	ctx := t.Context()
	for round := range 20 {
		name := "round" + string(rune('a'+round))
		wins := make(chan bool, n)
		for i, s := range stores {
			go func() {
				ok, err := s.AcquireLease(ctx, name, string(rune('A'+i)), time.Minute)
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			}()
		}
		won := 0
		for range n {
			if <-wins {
				won++
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d holders, want 1", round, won)
		}
	}
}

// leaders counts how many of the campaigns lead now.
func leaders(ls ...*store.Leadership) (n int, who int) {
	who = -1
	for i, l := range ls {
		if _, ok := l.Leading(); ok {
			n++
			who = i
		}
	}
	return n, who
}

// waitLeader waits up to d for exactly one of ls to lead and returns which.
func waitLeader(t *testing.T, d time.Duration, ls ...*store.Leadership) int {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if n, who := leaders(ls...); n == 1 {
			return who
		}
		time.Sleep(10 * time.Millisecond)
	}
	n, _ := leaders(ls...)
	t.Fatalf("after %v: %d leaders, want 1", d, n)
	return -1
}

// TestLeadershipFailover runs two campaigns on one database: one leads,
// never both; when the leader's store closes (its process died: nothing
// released) the other leads once the lease has run out; when a leader
// stops in order it hands over at once.
func TestLeadershipFailover(t *testing.T) {
	sc := newSchemas(t)
	const ttl = time.Second
	stores := []*pgstore.Store{sc.open(t, "failover", pgstore.Options{}), sc.open(t, "failover", pgstore.Options{})}
	defer stores[1].Close()
	defer stores[0].Close()
	ctx := t.Context()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ls []*store.Leadership
	for i, s := range stores {
		ls = append(ls, store.Campaign(cctx, s, "jobs", store.LeadershipOptions{TTL: ttl, Holder: string(rune('A' + i))}))
	}
	first := waitLeader(t, 5*time.Second, ls...)
	term, _ := ls[first].Leading()
	// For a few lease periods, never two leaders and no change of leader.
	for end := time.Now().Add(2 * ttl); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if n, who := leaders(ls...); n != 1 || who != first {
			t.Fatalf("leaders: %d (last %d), want only %d", n, who, first)
		}
	}

	killed := time.Now()
	stores[first].Close()
	select {
	case <-term.Done():
		if d := time.Since(killed); d > ttl+100*time.Millisecond {
			t.Errorf("the old leader stopped leading %v after losing its database; the lease lasts %v", d, ttl)
		}
	case <-time.After(2 * ttl):
		t.Fatal("the old leader still leads without its database")
	}
	other := 1 - first
	if _, err := ls[other].Await(ctxTimeout(t, 3*ttl)); err != nil {
		t.Fatalf("the other node did not take over within %v: %v", 3*ttl, err)
	}
	// The leader renewed its lease at most ttl/3 before it died.
	if d := time.Since(killed); d < ttl/2 {
		t.Errorf("taken over %v after the leader died, before its lease of %v ran out", d, ttl)
	} else {
		t.Logf("taken over %v after the leader died (lease %v)", d, ttl)
	}
	if n, _ := leaders(ls...); n != 1 {
		t.Errorf("%d leaders after the takeover", n)
	}

	// An orderly stop releases the lease: a third campaign leads well
	// before the lease would have run out.
	third := sc.open(t, "failover", pgstore.Options{})
	defer third.Close()
	l3 := store.Campaign(ctx, third, "jobs", store.LeadershipOptions{TTL: 10 * time.Second, Holder: "C"})
	time.Sleep(100 * time.Millisecond)
	if _, ok := l3.Leading(); ok {
		t.Fatal("a third node leads beside the leader")
	}
	stopped := time.Now()
	cancel()
	<-ls[other].Done()
	if _, err := l3.Await(ctxTimeout(t, 8*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(stopped); d > 5*time.Second {
		t.Errorf("handed over %v after an orderly stop; want well under the 10s lease", d)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
