package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/store"
)

// testCheckoutRace: many terminals try to lend the same copy at once; the
// store must let exactly one of them see it available.
func testCheckoutRace(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "items", kv{"item/1", "available"})
	const terminals = 32
	start := make(chan struct{})
	winners := make(chan int, terminals)
	var wg sync.WaitGroup
	for g := range terminals {
		wg.Go(func() {
			<-start
			var won bool
			err := s.Update(context.Background(), func(tx store.Tx) error {
				won = false
				v, _, err := tx.Get("items", "item/1")
				if err != nil || string(v) != "available" {
					return err
				}
				won = true
				return tx.Put("items", "item/1", fmt.Appendf(nil, "on loan by g%d", g))
			})
			if err != nil {
				t.Errorf("terminal %d: %v", g, err)
			}
			if err == nil && won {
				winners <- g
			}
		})
	}
	close(start)
	wg.Wait()
	close(winners)
	var got []int
	for g := range winners {
		got = append(got, g)
	}
	if len(got) != 1 {
		t.Fatalf("%d terminals lent the copy (%v), want exactly 1", len(got), got)
	}
	if v, _ := get(t, s, "items", "item/1"); v != fmt.Sprintf("on loan by g%d", got[0]) {
		t.Errorf("item/1 = %q, but terminal %d won", v, got[0])
	}
}

// testBankTransfer moves amounts between accounts from many goroutines while
// readers check that every snapshot adds up.
func testBankTransfer(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	const accounts, workers, transfers, initial = 10, 16, 25, 1000
	for a := range accounts {
		putAll(t, s, "acct", kv{fmt.Sprintf("acct/%02d", a), strconv.Itoa(initial)})
	}
	balance := func(tx store.Tx, a int) (int, error) {
		v, ok, err := tx.Get("acct", fmt.Sprintf("acct/%02d", a))
		if err != nil || !ok {
			return 0, fmt.Errorf("account %d: found=%v: %v", a, ok, err)
		}
		return strconv.Atoi(string(v))
	}
	total := func(tx store.Tx) (sum, n int, err error) {
		err = tx.Scan("acct", "acct/", func(_ string, v []byte) error {
			b, err := strconv.Atoi(string(v))
			if b < 0 {
				return fmt.Errorf("negative balance %d", b)
			}
			sum += b
			n++
			return err
		})
		return sum, n, err
	}
	errInsufficient := errors.New("insufficient funds")
	var (
		done      = make(chan struct{})
		moved     atomic.Int64
		snapshots atomic.Int64
		wg, vwg   sync.WaitGroup
	)
	vwg.Go(func() {
		for {
			err := s.View(context.Background(), func(tx store.Tx) error {
				sum, n, err := total(tx)
				if err == nil && (sum != accounts*initial || n != accounts) {
					err = fmt.Errorf("snapshot holds %d over %d accounts, want %d over %d", sum, n, accounts*initial, accounts)
				}
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			snapshots.Add(1)
			select {
			case <-done:
				return
			default:
			}
		}
	})
	for g := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range transfers {
				from, to, amount := r.IntN(accounts), r.IntN(accounts-1), 1+r.IntN(300)
				if to >= from {
					to++
				}
				err := s.Update(context.Background(), func(tx store.Tx) error {
					fb, err := balance(tx, from)
					if err != nil {
						return err
					}
					tb, err := balance(tx, to)
					if err != nil {
						return err
					}
					if fb < amount {
						return errInsufficient
					}
					if err := tx.Put("acct", fmt.Sprintf("acct/%02d", from), strconv.AppendInt(nil, int64(fb-amount), 10)); err != nil {
						return err
					}
					return tx.Put("acct", fmt.Sprintf("acct/%02d", to), strconv.AppendInt(nil, int64(tb+amount), 10))
				})
				switch {
				case err == nil:
					moved.Add(1)
				case err != errInsufficient: // identity: the contract promises the error unchanged
					t.Errorf("transfer: %v", err)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	vwg.Wait()
	mustView(t, s, func(tx store.Tx) error {
		sum, n, err := total(tx)
		if err == nil && (sum != accounts*initial || n != accounts) {
			t.Errorf("after all transfers: %d over %d accounts, want %d over %d", sum, n, accounts*initial, accounts)
		}
		return err
	})
	if moved.Load() == 0 || snapshots.Load() == 0 {
		t.Errorf("%d transfers and %d snapshots: the test exercised nothing", moved.Load(), snapshots.Load())
	}
}

var errRehearsal = errors.New("storetest: rehearsal")

// rehearsing runs every Update's fn twice: first in a transaction it throws
// away, then for real, as a backend that retries or re-batches would.
type rehearsing struct{ store.Store }

func (r rehearsing) Update(ctx context.Context, fn func(store.Tx) error) error {
	err := r.Store.Update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRehearsal
	})
	if errors.Is(err, store.ErrClosed) {
		return err
	}
	return r.Store.Update(ctx, fn)
}

// testReRunsAreHarmless: a counter read and written inside fn grows by
// exactly one per successful Update however often fn runs.
func testReRunsAreHarmless(t *testing.T, open OpenFunc) {
	base := fresh(t, open)
	stores := []store.Store{base, rehearsing{base}}
	const workers, updates = 8, 15
	errFlaky := errors.New("flaky")
	var calls, updatesMade, succeeded atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			s := stores[g%len(stores)]
			for range updates {
				err := s.Update(context.Background(), func(tx store.Tx) error {
					if _, err := increment(tx, "c", "n"); err != nil {
						return err
					}
					if calls.Add(1)%5 == 0 {
						return errFlaky
					}
					return nil
				})
				updatesMade.Add(1)
				switch {
				case err == nil:
					succeeded.Add(1)
				case err != errFlaky: // identity: unchanged
					t.Errorf("Update: %v", err)
				}
			}
		})
	}
	wg.Wait()
	v, _ := get(t, base, "c", "n")
	if v != strconv.FormatInt(succeeded.Load(), 10) {
		t.Errorf("counter = %q after %d successful Updates", v, succeeded.Load())
	}
	if calls.Load() <= updatesMade.Load() {
		t.Errorf("fn ran %d times for %d Updates; the rehearsal wrapper should have re-run it", calls.Load(), updatesMade.Load())
	}
	if succeeded.Load() == 0 {
		t.Error("no Update succeeded")
	}
	t.Logf("%d fn runs, %d Updates, %d succeeded", calls.Load(), updatesMade.Load(), succeeded.Load())
}

type modelOp struct {
	kind         int // 0 put, 1 delete, 2 get, 3 scan
	bucket, key  string
	value        []byte
	scanPrefixes string
}

// testRandomAgainstModel runs random transactions, a quarter of them failing,
// and compares every read and the whole store with a map model.
func testRandomAgainstModel(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	r := rand.New(rand.NewPCG(1, 2))
	buckets := []string{"m1", "m2"}
	prefixes := []string{"", "p/", "p/q/", "x"}
	key := func() string { return prefixes[r.IntN(len(prefixes))] + strconv.Itoa(r.IntN(1000)) }
	model := map[string]map[string]string{"m1": {}, "m2": {}}
	errRollback := errors.New("rollback")

	wantScan := func(m map[string]string, prefix string) []kv {
		var out []kv
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if strings.HasPrefix(k, prefix) {
				out = append(out, kv{k, m[k]})
			}
		}
		return out
	}
	for round := range 60 {
		n := 1 + r.IntN(30)
		if round%10 == 0 {
			n = 700
		}
		ops := make([]modelOp, n)
		for i := range ops {
			o := modelOp{kind: r.IntN(4), bucket: buckets[r.IntN(len(buckets))], key: key()}
			if round%10 == 0 {
				o.kind = 0
			}
			if o.kind == 0 {
				o.value = make([]byte, r.IntN(300))
				for j := range o.value {
					o.value[j] = byte(r.Uint32())
				}
			}
			if o.kind == 3 {
				o.scanPrefixes = o.key[:r.IntN(len(o.key)+1)]
			}
			ops[i] = o
		}
		fail := r.IntN(4) == 0
		var next map[string]map[string]string
		err := s.Update(context.Background(), func(tx store.Tx) error {
			local := map[string]map[string]string{}
			for b, m := range model {
				local[b] = maps.Clone(m)
			}
			for i, o := range ops {
				m := local[o.bucket]
				switch o.kind {
				case 0:
					if err := tx.Put(o.bucket, o.key, o.value); err != nil {
						return err
					}
					m[o.key] = string(o.value)
				case 1:
					if err := tx.Delete(o.bucket, o.key); err != nil {
						return err
					}
					delete(m, o.key)
				case 2:
					v, ok, err := tx.Get(o.bucket, o.key)
					want, wantOK := m[o.key]
					if err != nil || ok != wantOK || string(v) != want {
						return fmt.Errorf("op %d: Get(%s, %q) = %q, %v, %v; model has %q, %v", i, o.bucket, o.key, v, ok, err, want, wantOK)
					}
				case 3:
					got, err := scanTx(tx, o.bucket, o.scanPrefixes)
					if want := wantScan(m, o.scanPrefixes); err != nil || !slices.Equal(got, want) {
						return fmt.Errorf("op %d: Scan(%s, %q) = %d pairs, %v; model has %d", i, o.bucket, o.scanPrefixes, len(got), err, len(want))
					}
				}
			}
			if fail {
				return errRollback
			}
			next = local
			return nil
		})
		switch {
		case fail && err == errRollback: // identity: unchanged
		case !fail && err == nil:
			model = next
		default:
			t.Fatalf("round %d (fail=%v): Update = %v", round, fail, err)
		}
		for _, b := range buckets {
			if got, want := scan(t, s, b, ""), wantScan(model[b], ""); !slices.Equal(got, want) {
				t.Fatalf("round %d: bucket %s holds %d pairs, model %d (first difference at %d)",
					round, b, len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

func firstDiff(a, b []kv) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// testCloseWhileBusy closes the store under a stream of Updates. Each Update
// must either commit or report store.ErrClosed; a persistent store must show
// exactly the committed writes after reopening.
func testCloseWhileBusy(t *testing.T, open OpenFunc, persistent bool) {
	dir := t.TempDir()
	s := open(t, dir)
	const workers, limit = 16, 200000
	committed := make([][]string, workers)
	refused := make([]string, workers)
	var commits atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range limit {
				key := fmt.Sprintf("w%02d/%06d", g, i)
				err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put("b", key, []byte(key)) })
				switch {
				case err == nil:
					committed[g] = append(committed[g], key)
					commits.Add(1)
				case errors.Is(err, store.ErrClosed):
					refused[g] = key
					return
				default:
					t.Errorf("Update during Close: %v", err)
					return
				}
			}
			t.Errorf("worker %d: %d Updates and none saw the store closed", g, limit)
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for commits.Load() < 3*workers && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
	if !persistent {
		return
	}
	s = open(t, dir)
	defer closeStore(t, s)
	mustView(t, s, func(tx store.Tx) error {
		for g := range workers {
			for _, k := range committed[g] {
				if _, ok, err := tx.Get("b", k); err != nil || !ok {
					t.Errorf("committed %s missing after reopen (err %v)", k, err)
					return nil
				}
			}
			if k := refused[g]; k != "" {
				if _, ok, _ := tx.Get("b", k); ok {
					t.Errorf("%s was refused with ErrClosed but is stored", k)
				}
			}
		}
		return nil
	})
}

// testReopen closes a store and opens it again from the same directory.
func testReopen(t *testing.T, open OpenFunc) {
	dir := t.TempDir()
	s := open(t, dir)
	var want []kv
	for i := range 300 {
		want = append(want, kv{fmt.Sprintf("k%04d", i), strings.Repeat("v", i%50)})
	}
	putAll(t, s, "b", want...)
	putAll(t, s, "other", kv{"o", "1"})
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, p := range want[:100] {
			if err := tx.Delete("b", p.K); err != nil {
				return err
			}
		}
		return nil
	})
	want = want[100:]
	var seq []uint64
	mustUpdate(t, s, func(tx store.Tx) error {
		var err error
		seq, err = takeSeq(tx, "b", 5)
		return err
	})
	errNo := errors.New("no")
	if err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Put("b", "ghost", []byte("x")); err != nil {
			return err
		}
		return errNo
	}); err != errNo { // identity: unchanged
		t.Fatalf("failing Update = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for reopen := range 2 {
		s = open(t, dir)
		if got := scan(t, s, "b", ""); !slices.Equal(got, want) {
			t.Errorf("reopen %d: bucket b holds %d pairs, want %d (first difference at %d)",
				reopen, len(got), len(want), firstDiff(got, want))
		}
		if v, ok := get(t, s, "other", "o"); !ok || v != "1" {
			t.Errorf("reopen %d: other/o = %q, %v", reopen, v, ok)
		}
		mustUpdate(t, s, func(tx store.Tx) error {
			n, err := tx.NextSequence("b")
			if err == nil && n <= seq[len(seq)-1] {
				t.Errorf("reopen %d: NextSequence = %d, want > %d", reopen, n, seq[len(seq)-1])
			}
			seq = append(seq[:0], n)
			return err
		})
		putAll(t, s, "b", kv{fmt.Sprintf("z%d", reopen), "new"})
		want = append(want, kv{fmt.Sprintf("z%d", reopen), "new"})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}
