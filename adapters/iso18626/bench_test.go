package iso18626adapter_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/ill/iso18626"
	"github.com/bibgate/bibgate/store/boltstore"
)

// BenchmarkRequestsOverHTTP: ISO 18626 requests confirmed per second
// between two gateways: the requesting side's Sender renders each
// request, writes it (validated) and POSTs it over loopback HTTP to the
// supplier's endpoint, whose adapter and engine on bbolt in a temporary
// directory (fsync on, and off) decide it, and reads the confirmation;
// at 1 and 32 senders each sending its next request when the last one
// was confirmed. Each request is new and is for the reference
// dictionary (30 copies, none circulating): unfilled, one store
// transaction written, as in BenchmarkILLRequestsOverTCP of
// adapters/ill.
func BenchmarkRequestsOverHTTP(b *testing.B) {
	for _, bench := range []struct {
		senders int
		noSync  bool
	}{{1, false}, {32, false}, {1, true}, {32, true}} {
		b.Run(fmt.Sprintf("senders=%d/fsync=%v", bench.senders, !bench.noSync), func(b *testing.B) {
			st, err := boltstore.Open(filepath.Join(b.TempDir(), "circulation.db"), boltstore.Options{NoSync: bench.noSync})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			ee := newGatewayOn(b, st, "EE:TARTU", "LV:ILU")
			lv := newGateway(b, "LV:ILU", "EE:TARTU")
			p := iso18626adapter.Partner{Symbol: "EE:TARTU", URL: ee.srv.URL}
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = bench.senders
			snd := &iso18626adapter.Sender{Backend: lv.backend, Partner: p, Client: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
			agency := func(v string) iso18626.AgencyID {
				return iso18626.AgencyID{Type: iso18626.SchemeValue{Value: "ISIL"}, Value: v}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, bench.senders)
			b.ResetTimer()
			for range bench.senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := next.Add(1)
						if n > int64(b.N) {
							return
						}
						m := iso18626.Message{Request: &iso18626.Request{
							Header: iso18626.Header{SupplyingAgencyID: agency("EE:TARTU"), RequestingAgencyID: agency("LV:ILU"),
								Timestamp: iso18626.At(time.Now()), RequestingAgencyRequestID: fmt.Sprintf("B%d", n)},
							BibliographicInfo: iso18626.BibliographicInfo{BibliographicItemID: []iso18626.BibliographicItemID{{
								Identifier: dictionaryISBN, Code: iso18626.SchemeValue{Value: "ISBN"}}}},
							ServiceInfo: &iso18626.ServiceInfo{ServiceType: iso18626.ServiceLoan}}}
						if _, err := snd.Post(context.Background(), m); err != nil {
							errs <- err
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
