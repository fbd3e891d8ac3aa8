package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/app"
	"github.com/bibgate/bibgate/internal/config"
)

// startDemoSIP2 runs the demo server in-process with SIP2 on a loopback
// port and returns that address.
func startDemoSIP2(t *testing.T) string {
	t.Helper()
	return startDemo(t).Addr("sip2").String()
}

// startDemo runs the demo server in-process with SIP2 and Z39.50 on
// loopback ports.
func startDemo(t *testing.T) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = ""
	cfg.SIP2.Listen, cfg.Z3950.Listen = "127.0.0.1:0", "127.0.0.1:0"
	a, err := app.New(cfg, zerolog.Nop(), app.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := a.Start(context.Background(), 60*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return a
}

// TestBenchSIP2OnDemoData: bibgate bench sip2 with its defaults against
// the demo is not refused (its default items are the central library's
// lendable copies, where the demo account checks them in again), and when
// a run is refused it says why.
func TestBenchSIP2OnDemoData(t *testing.T) {
	addr := startDemoSIP2(t)
	type figures struct {
		Messages, Errors, Denied int
		Reasons                  map[string]int `json:"denied_reasons"`
	}
	bench := func(args ...string) figures {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append([]string{"bench", "sip2", "--addr", addr, "--conns", "4", "--duration", "1500ms", "--json"}, args...)
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		var f figures
		if err := json.Unmarshal(out.Bytes(), &f); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		return f
	}
	for _, mix := range []string{"checkoutcheckin", "iteminfo"} {
		f := bench("--mix", mix)
		if f.Messages < 50 || f.Errors != 0 || f.Denied != 0 {
			t.Errorf("%s on the demo data: %+v", mix, f)
		}
	}
	// P0003 is at the loan limit: every checkout is refused, and the
	// figures say what the server said.
	f := bench("--mix", "checkout", "--patrons", "P0003")
	if f.Denied == 0 || f.Denied != f.Messages || len(f.Reasons) == 0 {
		t.Fatalf("refusals without reasons: %+v", f)
	}
	n := 0
	for _, c := range f.Reasons {
		n += c
	}
	if n != f.Denied {
		t.Errorf("reasons count %d refusals of %d: %v", n, f.Denied, f.Reasons)
	}
}
