package partners

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// TestTargetFailures: a partner that refuses the connection, one that
// hangs up at once, one that never answers and an SRU URL where nothing
// listens are each reported with what went wrong, the refusals at once
// and only the silent one as timed out.
func TestTargetFailures(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()
	hangup, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hangup.Close()
	go func() {
		for {
			c, err := hangup.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	const timeout = 800 * time.Millisecond
	f := &Finder{Timeout: timeout, Targets: []Target{
		{Symbol: "REFUSED", Catalogue: "z3950://" + refused + "/Default"},
		{Symbol: "HANGUP", Catalogue: "tcp:" + hangup.Addr().String() + "/Default"},
		{Symbol: "SILENT", Catalogue: silentTarget(t)},
		{Symbol: "SRU", Catalogue: "http://" + refused + "/sru"},
		{Symbol: "BAD", Catalogue: "gopher://x"},
	}}
	res, err := f.Find(context.Background(), Query{ISBN: "9789985652660"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		err      string
		timedOut bool
	}{{"connection refused", false}, {"init", false}, {"no answer within 800ms", true}, {"connection refused", false}, {"use z3950://", false}}
	for i, w := range want {
		o := res.Targets[i]
		if !strings.Contains(o.Error, w.err) || o.TimedOut != w.timedOut {
			t.Errorf("%s: %+v, want error with %q, timed out %v", o.Partner, o, w.err, w.timedOut)
		}
		if !w.timedOut && o.Elapsed > timeout/2 {
			t.Errorf("%s: failed after %v, not at once", o.Partner, o.Elapsed)
		}
	}
	if len(res.Candidates) != 0 {
		t.Errorf("candidates %+v", res.Candidates)
	}
	if _, err := f.Find(context.Background(), Query{}); err == nil {
		t.Error("an empty query was asked")
	}
}
