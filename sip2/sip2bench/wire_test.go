package sip2bench

import (
	"bufio"
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// TestVerdictReadsTheAnswer: the load generator's quick look at a response
// says "denied" exactly when the response, fully parsed, says no.
func TestVerdictReadsTheAnswer(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		req    string
		resp   sip2.Message
		denied bool
	}{
		{"checkout ok", "11", &sip2.CheckoutResponse{OK: true, TransactionDate: now, ItemID: "I1", TitleID: "T"}, false},
		{"checkout refused", "11", &sip2.CheckoutResponse{OK: false, TransactionDate: now, ItemID: "I1"}, true},
		{"checkin ok", "09", &sip2.CheckinResponse{OK: true, TransactionDate: now, ItemID: "I1"}, false},
		{"checkin refused", "09", &sip2.CheckinResponse{OK: false, TransactionDate: now, ItemID: "I1"}, true},
		{"item known", "17", &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationAvailable, SecurityMarker: sip2.SecurityNone,
			FeeType: sip2.FeeOther, TransactionDate: now, ItemID: "I1", TitleID: "Zaļā zeme"}, false},
		{"item unknown", "17", &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationOther, SecurityMarker: sip2.SecurityNone,
			FeeType: sip2.FeeOther, TransactionDate: now, ItemID: "I1"}, true},
		{"patron valid", "63", &sip2.PatronInformationResponse{TransactionDate: now, PatronID: "P1", PersonalName: "A",
			ValidPatron: sip2.Bool(true)}, false},
		{"patron invalid", "63", &sip2.PatronInformationResponse{TransactionDate: now, PatronID: "P1", PersonalName: "",
			ValidPatron: sip2.Bool(false)}, true},
		{"online", "99", &sip2.ACSStatusResponse{OnLine: true, DateTimeSync: now, ProtocolVersion: "2.00"}, false},
		{"offline", "99", &sip2.ACSStatusResponse{OnLine: false, DateTimeSync: now, ProtocolVersion: "2.00"}, true},
		{"resend", "11", &sip2.SCResendRequest{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ed := range []bool{false, true} {
				var c sip2.Codec
				line := c.Encode(sip2.Frame{Message: tt.resp, HasChecksum: ed, HasSeq: ed, Seq: 3})
				line = line[:len(line)-1] // the reader drops the terminator
				if ed && !checksumOK(line) {
					t.Fatalf("checksum of %q", line)
				}
				denied, err := verdict(tt.req, line)
				if err != nil || denied != tt.denied {
					t.Errorf("checksums=%v: %q: denied %v, %v; want %v", ed, line, denied, err, tt.denied)
				}
			}
		})
	}
	if _, err := verdict("11", []byte("10YNNN20261122    100000AOX|")); err == nil {
		t.Error("a checkin response to a checkout was accepted")
	}
}

// minimalClient is the least a Go program can do to drive SIP2: each
// connection logs in, then writes one fixed request and reads to the CR,
// as fast as it can. Its rate against the echo server is the ceiling that
// the load generator is measured against.
func minimalClient(tb testing.TB, addr string, conns int, d time.Duration) float64 {
	req := []byte("1720261203    120000AOLIB|ABI000001|\r")
	var total atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range conns {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			tb.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			nc.SetDeadline(deadline)
			rd := bufio.NewReaderSize(nc, 4096)
			if _, err := nc.Write([]byte("9300CNbench|COpw|\r")); err != nil {
				return
			}
			if _, err := rd.ReadSlice('\r'); err != nil {
				return
			}
			n := int64(0)
			for {
				if _, err := nc.Write(req); err != nil {
					break
				}
				if _, err := rd.ReadSlice('\r'); err != nil {
					break
				}
				n++
			}
			total.Add(n)
		}()
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}

// BenchmarkLoadGeneratorVsMinimalClient drives the same echo server with a
// minimal client and with the load generator (item information, as bibgate
// bench sip2 sends it by default: checksums on), in short turns that
// alternate which goes first so that a shared machine's other load falls
// on both alike, and reports both rates and their ratio. The load
// generator should reach 90 % of the minimal client, so that its figures
// for a real server measure the server:
//
//	go test -run '^$' -bench LoadGeneratorVsMinimalClient -benchtime 20x ./sip2/sip2bench
func BenchmarkLoadGeneratorVsMinimalClient(b *testing.B) {
	echo := NewEchoServer(EchoResponse(MixItemInfo))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go echo.Serve(ln)
	defer echo.Close()
	addr := ln.Addr().String()
	_, _, items := fixtureData(64)
	const conns = 8
	const d = 500 * time.Millisecond
	var minimal, generator float64
	generate := func() {
		res, err := Run(context.Background(), Options{Addr: addr, Conns: conns, Duration: d, Mix: MixItemInfo,
			User: "bench", Password: "pw", Items: items, Institution: "LIB", ErrorDetection: true})
		if err != nil || res.Errors > 0 {
			b.Fatalf("%v %v", res, err)
		}
		generator += res.Throughput
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			minimal += minimalClient(b, addr, conns, d)
			generate()
		} else {
			generate()
			minimal += minimalClient(b, addr, conns, d)
		}
		i++
	}
	b.ReportMetric(minimal/float64(i), "minimal-msg/s")
	b.ReportMetric(generator/float64(i), "bench-msg/s")
	b.ReportMetric(100*generator/minimal, "%-of-minimal")
	b.ReportMetric(0, "ns/op")
}
