package pgstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestCoreCheckoutRace runs the circulation core on PostgreSQL: 32
// terminals check out the same copy at once with different patrons. Exactly
// one may win; every other one must be told the copy is not available
// (which takes retried serialization failures, since all of them read the
// copy before any of them writes it), and the invariants must hold after.
func TestCoreCheckoutRace(t *testing.T) {
	const terminals = 32
	sc := newSchemas(t)
	var retries atomic.Int64
	st := sc.openConns(t, "core", terminals, pgstore.Options{
		OnRetry: func(int, error) { retries.Add(1) },
	})
	defer st.Close()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(st, demo.Consortium(), core.Options{
		Clock: clock,
		KDF:   core.KDFParams{Time: 1, Memory: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	loadRetries := retries.Swap(0)

	patrons := demo.Patrons(clock.Now())[10 : 10+terminals] // P0010 … P0041
	var wins, refused atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, p := range patrons {
		wg.Go(func() {
			<-start
			_, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: p.ID, ItemID: "I000001"})
			switch r := core.ReasonOf(err); {
			case err == nil:
				wins.Add(1)
			case r == "item_not_available":
				refused.Add(1)
			default:
				t.Errorf("patron %s: %v (reason %q)", p.ID, err, r)
			}
		})
	}
	close(start)
	wg.Wait()
	t.Logf("%d won, %d refused, %d retried transactions (%d while loading the demo)",
		wins.Load(), refused.Load(), retries.Load(), loadRetries)
	if wins.Load() != 1 || refused.Load() != terminals-1 {
		t.Fatalf("%d won, %d refused; want exactly 1 and %d", wins.Load(), refused.Load(), terminals-1)
	}
	problems, err := svc.Verify(ctx)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Verify: %v %q", err, problems)
	}
}
