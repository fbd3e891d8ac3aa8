package app

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/internal/config"
)

func illConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "bolt" // with fsync: a request spends its time in the store
	cfg.DataDir = dir
	cfg.Admin.Listen, cfg.SIP2.Listen, cfg.Z3950.Listen, cfg.SRU.Listen = "", "", "", ""
	cfg.ILL.Listen, cfg.ILL.Symbol = "127.0.0.1:0", "LV:ILU"
	cfg.ILL.Partners = []config.ILLPartner{{ILLPartner: core.ILLPartner{Symbol: "REQLIB"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestILLListenerDrains: requests read when the gateway stops are
// answered with what the engine decided and kept; the listener stops with
// the rest and Run returns cleanly.
func TestILLListenerDrains(t *testing.T) {
	dir := t.TempDir()
	a, err := New(illConfig(t, dir), zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	addr := a.Addr("ill").String()
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		conns[i] = c
	}
	for i, c := range conns {
		tm := "120000"
		req := &ill.Request{Header: ill.Header{Version: 2,
			TransactionID:   ill.TransactionID{InitialRequesterID: ill.Institution("REQLIB"), GroupQualifier: "G", Qualifier: ill.String(fmt.Sprint("D", i))},
			ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261203", Time: &tm}}},
			ServiceTypes: []ill.ServiceType{ill.Loan}, ItemID: ill.ItemID{Title: ill.Str("Kalevipoeg")}}
		b, err := ill.Encode(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(5 * time.Millisecond) // read by the server, in the store
	cancel()
	answered := map[string]bool{}
	for i, c := range conns {
		raw, err := ber.NewReader(c, ber.Limits{}).ReadRaw()
		if err != nil {
			continue // not read before the shutdown: closed unanswered
		}
		rep, err := ill.Decode(raw)
		r, ok := rep.(*ill.StatusOrErrorReport)
		if err != nil || !ok || r.ErrorReport != nil || r.StatusReport == nil {
			t.Errorf("connection %d during shutdown: %v %+v", i, err, rep)
			continue
		}
		answered[string(r.TransactionID.Qualifier)] = true
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("%d of %d requests answered during shutdown", len(answered), n)

	b, err := New(illConfig(t, dir), zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	xs, err := b.Service().ILLList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, x := range xs {
		kept[x.TID.Transaction] = true
	}
	for q := range answered {
		if !kept[q] {
			t.Errorf("request %s was answered but not kept", q)
		}
	}
}
