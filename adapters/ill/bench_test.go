package illadapter_test

import (
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/store/boltstore"
)

// BenchmarkILLRequestsOverTCP: ILL-Requests answered per second over TCP
// by the real server, adapter and core on bbolt in a temporary directory
// (fsync on, and off to show what the CPU allows), at 1 and 32 connections each sending its next request when
// the answer to the last one arrived. Each request is new (its own
// transaction-id) and is decided against the demo catalogue and copies:
// the reference dictionary's ISBN, found with its 30 copies, all
// non-circulating: unfilled, one store transaction written.
func BenchmarkILLRequestsOverTCP(b *testing.B) {
	for _, bench := range []struct {
		conns  int
		noSync bool
	}{{1, false}, {32, false}, {1, true}, {32, true}} {
		conns := bench.conns
		b.Run(fmt.Sprintf("conns=%d/fsync=%v", conns, !bench.noSync), func(b *testing.B) {
			st, err := boltstore.Open(filepath.Join(b.TempDir(), "circulation.db"), boltstore.Options{NoSync: bench.noSync})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			f := newFixture(b, st)
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			b.ResetTimer()
			for w := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := net.Dial("tcp", f.addr)
					if err != nil {
						errs <- err
						return
					}
					defer c.Close()
					rd := ber.NewReader(c, ber.Limits{})
					for {
						n := next.Add(1)
						if n > int64(b.N) {
							return
						}
						req, err := ill.Encode(loan(ackPeer, fmt.Sprintf("B%d-%d", w, n), dictionaryISBN, ""))
						if err != nil {
							errs <- err
							return
						}
						_ = c.SetDeadline(time.Now().Add(30 * time.Second))
						if _, err := c.Write(req); err != nil {
							errs <- err
							return
						}
						raw, err := rd.ReadRaw()
						if err != nil {
							errs <- err
							return
						}
						if raw[0] != 0x73 { // Status-Or-Error-Report
							errs <- fmt.Errorf("answer %X", raw[:2])
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}
