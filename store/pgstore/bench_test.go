package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/pgstore"
)

// The workload matches store/boltstore's BenchmarkUpdate: shaped like a
// checkout, it reads a patron and an item, then writes the item, the patron
// and a new loan record, each about 200 bytes, all committed durably.
const (
	benchItems   = 10000
	benchPatrons = 1000
	benchValue   = 200
)

// benchCallers go up to 64: each caller holds a connection of its own.
var benchCallers = []int{1, 16, 64}

// pick spreads operation i over items and patrons.
func pick(i int) (item, patron, loan string) {
	n := i * 7919
	return fmt.Sprintf("item/%06d", n%benchItems), fmt.Sprintf("patron/%05d", n%benchPatrons), fmt.Sprintf("loan/%06d", n%benchItems)
}

// stamp fills buf with a value that differs per operation.
func stamp(buf []byte, i int) []byte {
	buf = buf[:benchValue]
	for j := range buf {
		buf[j] = byte('a' + (i+j)%26)
	}
	return buf
}

func BenchmarkUpdate(b *testing.B) {
	sc := newSchemas(b)
	for _, callers := range benchCallers {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			var retries atomic.Int64
			// A schema per run: the benchmark function runs once per b.N tried.
			s := sc.openConns(b, fmt.Sprintf("bench-%d-%d", callers, b.N), callers, pgstore.Options{
				OnRetry: func(int, error) { retries.Add(1) },
			})
			defer s.Close()
			ctx := context.Background()
			if err := s.Update(ctx, func(tx store.Tx) error {
				buf := make([]byte, benchValue)
				for i := range benchItems {
					item, patron, _ := pick(i)
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
			retries.Store(0)
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
						item, patron, loan := pick(i)
						err := s.Update(ctx, func(tx store.Tx) error {
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
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/tx")
		})
	}
}
