package boltstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
)

// The benchmark workload is shaped like a checkout: read a patron and an
// item, then write the item, the patron and a new loan record, each about
// 200 bytes, all durable.
const (
	benchItems   = 10000
	benchPatrons = 1000
	benchValue   = 200
)

var benchCallers = []int{1, 16, 256}

type checkoutKeys struct{ items, patrons, loans []string }

func newCheckoutKeys() checkoutKeys {
	k := checkoutKeys{make([]string, benchItems), make([]string, benchPatrons), make([]string, benchItems)}
	for i := range benchItems {
		k.items[i] = fmt.Sprintf("item/%06d", i)
		k.loans[i] = fmt.Sprintf("loan/%06d", i)
	}
	for i := range benchPatrons {
		k.patrons[i] = fmt.Sprintf("patron/%05d", i)
	}
	return k
}

// pick spreads operation i over items and patrons.
func (k checkoutKeys) pick(i int) (item, patron, loan string) {
	n := i * 7919
	return k.items[n%benchItems], k.patrons[n%benchPatrons], k.loans[n%benchItems]
}

// stamp fills buf with a value that differs per operation.
func stamp(buf []byte, i int) []byte {
	buf = buf[:benchValue]
	for j := range buf {
		buf[j] = byte('a' + (i+j)%26)
	}
	return buf
}

// runCallers runs b.N operations spread over callers goroutines and reports
// transactions per second.
func runCallers(b *testing.B, callers int, op func(buf []byte, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range callers {
		wg.Go(func() {
			buf := make([]byte, benchValue)
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				if err := op(buf, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

func BenchmarkUpdate(b *testing.B) {
	keys := newCheckoutKeys()
	for _, callers := range benchCallers {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			var batches, batched atomic.Int64
			s, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{
				OnCommit: func(n int, _ time.Duration, _ error) { batches.Add(1); batched.Add(int64(n)) },
			})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			if err := s.Update(ctx, func(tx store.Tx) error {
				buf := make([]byte, benchValue)
				for i := range benchItems {
					item, patron, _ := keys.pick(i)
					if err := tx.Put("circ", item, stamp(buf, i)); err != nil {
						return err
					}
					if err := tx.Put("circ", patron, stamp(buf, i)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			batches.Store(0)
			batched.Store(0)
			runCallers(b, callers, func(buf []byte, i int) error {
				item, patron, loan := keys.pick(i)
				return s.Update(ctx, func(tx store.Tx) error {
					for _, k := range [...]string{patron, item} {
						if _, ok, err := tx.Get("circ", k); err != nil || !ok {
							return fmt.Errorf("read %s: found=%v: %w", k, ok, err)
						}
					}
					for _, k := range [...]string{item, patron, loan} {
						if err := tx.Put("circ", k, stamp(buf, i)); err != nil {
							return err
						}
					}
					return nil
				})
			})
			if n := batches.Load(); n > 0 {
				b.ReportMetric(float64(batched.Load())/float64(n), "tx/batch")
			}
		})
	}
}

// BenchmarkPlainBolt does the work of BenchmarkUpdate with one bbolt
// db.Update (one commit, one fsync) per operation, for comparison.
func BenchmarkPlainBolt(b *testing.B) {
	keys := newCheckoutKeys()
	for _, callers := range benchCallers {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, &bolt.Options{
				FreelistType:   bolt.FreelistMapType,
				NoFreelistSync: true,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			circ := []byte("circ")
			if err := db.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucket(circ)
				if err != nil {
					return err
				}
				for i := range benchItems {
					item, patron, _ := keys.pick(i)
					if err := bk.Put([]byte(item), stamp(make([]byte, benchValue), i)); err != nil {
						return err
					}
					if err := bk.Put([]byte(patron), stamp(make([]byte, benchValue), i)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			runCallers(b, callers, func(buf []byte, i int) error {
				item, patron, loan := keys.pick(i)
				return db.Update(func(tx *bolt.Tx) error {
					bk := tx.Bucket(circ)
					for _, k := range [...]string{patron, item} {
						if bk.Get([]byte(k)) == nil {
							return fmt.Errorf("read %s: not found", k)
						}
					}
					// bbolt keeps the value until commit, so buf serves all three.
					v := stamp(buf, i)
					for _, k := range [...]string{item, patron, loan} {
						if err := bk.Put([]byte(k), v); err != nil {
							return err
						}
					}
					return nil
				})
			})
		})
	}
}
