package core_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
)

// BenchmarkCheckout measures durable checkouts through core.Service: every
// checkout is a full policy decision and a committed, fsynced transaction.
// "boltstore" is bibgate's store (one writer, natural batching); "plainbolt"
// is the same core over bbolt with one db.Update per call. Run with
//
//	go test -run '^$' -bench Checkout -benchtime 20000x ./core
func BenchmarkCheckout(b *testing.B) {
	for _, backend := range []string{"boltstore", "plainbolt"} {
		for _, callers := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("store=%s/callers=%d", backend, callers), func(b *testing.B) {
				benchCheckout(b, backend, callers)
			})
		}
	}
}

func benchCheckout(b *testing.B, backend string, callers int) {
	path := filepath.Join(b.TempDir(), "bench.db")
	var st store.Store
	var err error
	if backend == "boltstore" {
		st, err = boltstore.Open(path, boltstore.Options{})
	} else {
		st, err = openPlainBolt(path)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cons := demo.Consortium()
	svc, err := core.NewService(st, cons, core.Options{KDF: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// One patron per five checkouts (the default loan limit), one copy per
	// checkout, spread over the libraries.
	n := b.N
	patrons := make([]core.NewPatron, (n+4)/5)
	for i := range patrons {
		patrons[i] = core.NewPatron{Patron: core.Patron{ID: fmt.Sprintf("B%07d", i), Name: "Bench Patron", Category: "adult",
			HomeLibrary: demo.Central, IdentityConfirmed: true, Resident: true}}
	}
	items := make([]core.Item, n)
	for i := range items {
		items[i] = core.Item{ID: fmt.Sprintf("X%08d", i), RecordID: fmt.Sprintf("bench-%05d", i%5000), Title: "Bench title",
			Library: cons.Libraries[i%len(cons.Libraries)].ID, Material: policy.MaterialBook, Value: 1000}
	}
	for i := 0; i < len(patrons); i += 20000 {
		if err := svc.RegisterPatrons(ctx, patrons[i:min(i+20000, len(patrons))]); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < len(items); i += 20000 {
		if err := svc.PutItems(ctx, items[i:min(i+20000, len(items))]); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				it := items[i]
				_, err := svc.Checkout(ctx, core.CheckoutRequest{Library: it.Library, PatronID: patrons[i/5].ID, ItemID: it.ID})
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d checkouts failed", f, n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "checkouts/s")
}

// plainBolt is the baseline: the same store contract with one bbolt
// read-write transaction (and one fsync) per Update call.
type plainBolt struct{ db *bolt.DB }

func openPlainBolt(path string) (*plainBolt, error) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, err
	}
	return &plainBolt{db: db}, nil
}

func (p *plainBolt) Update(ctx context.Context, fn func(store.Tx) error) error {
	return p.db.Update(func(tx *bolt.Tx) error { return fn(plainTx{tx}) })
}

func (p *plainBolt) View(ctx context.Context, fn func(store.Tx) error) error {
	return p.db.View(func(tx *bolt.Tx) error { return fn(plainTx{tx}) })
}

func (p *plainBolt) Close() error { return p.db.Close() }

type plainTx struct{ tx *bolt.Tx }

func (t plainTx) Get(bucket, key string) ([]byte, bool, error) {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil, false, nil
	}
	v := b.Get([]byte(key))
	return v, v != nil, nil
}

func (t plainTx) Put(bucket, key string, value []byte) error {
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	return b.Put([]byte(key), value)
}

func (t plainTx) Delete(bucket, key string) error {
	if b := t.tx.Bucket([]byte(bucket)); b != nil {
		return b.Delete([]byte(key))
	}
	return nil
}

func (t plainTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	return t.ScanFrom(bucket, prefix, prefix, fn)
}

func (t plainTx) ScanFrom(bucket, prefix, from string, fn func(string, []byte) error) error {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek([]byte(max(prefix, from))); k != nil && len(k) >= len(p) && string(k[:len(p)]) == prefix; k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, store.ErrStopScan) {
				return nil
			}
			return err
		}
	}
	return nil
}

func (t plainTx) NextSequence(bucket string) (uint64, error) {
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}
