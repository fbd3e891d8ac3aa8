package conformance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// TestReplayDetectsMismatches changes one expectation at a time in a
// passing transcript and requires the replay to fail, naming the field.
func TestReplayDetectsMismatches(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "sip2", "checkout.session"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, report string
	}{
		{"due date", "AH20261202    235959|CK001|BK", "AH20261203    235959|CK001|BK", "AH DueDate"},
		{"refused instead of ok", "< 121NNY", "< 120NNY", "fixed OK: want N got Y"},
		{"circulation status", "< 18040201", "< 18030201", "CirculationStatus"},
		{"missing sort bin", "CLSHELF-book|", "", "CL SortBin"},
		{"expect a close", "< 941\n", "# expect: closed\n", "the server answered instead of closing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(src), tt.old) {
				t.Fatalf("checkout.session no longer contains %q", tt.old)
			}
			mutated := strings.Replace(string(src), tt.old, tt.new, 1)
			tr, err := ParseTranscript("mutated", strings.NewReader(mutated))
			if err != nil {
				t.Fatal(err)
			}
			res := replayOnDemo(t, tr, "memory", false, 0)
			if !res.Failed() {
				t.Fatalf("replay passed with a wrong expectation (%s)", tt.name)
			}
			if rep := res.Report(); !strings.Contains(rep, tt.report) {
				t.Errorf("report does not mention %q:\n%s", tt.report, rep)
			}
		})
	}
}

// TestRecordThenReplay proxies a scripted selfcheck session to a demo
// server through the recorder and replays the transcript it wrote, on
// both stores.
func TestRecordThenReplay(t *testing.T) {
	clock := time.Date(2026, 11, 2, 10, 0, 0, 0, time.FixedZone("EET", 2*3600))
	srv := startDemo(t, "memory", clock)
	out := t.TempDir()
	rec := &Recorder{Upstream: srv.addr, OutDir: out, Log: zerolog.Nop()}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- rec.Serve(ctx, ln) }()

	cl, err := sip2client.Dial(ctx, ln.Addr().String(), sip2client.Options{ErrorDetection: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Login(ctx, "demo", "demo", "ILU"); err != nil {
		t.Fatal(err)
	}
	now := clock
	pin := sip2.String("1234")
	script := []sip2.Message{
		&sip2.SCStatusRequest{StatusCode: "0", MaxPrintWidth: 40, ProtocolVersion: "2.00"},
		&sip2.PatronStatusRequest{Language: sip2.LanguageUnknown, TransactionDate: now, InstitutionID: "ILU", PatronID: "P0001",
			TerminalPassword: "demo", PatronPassword: pin},
		&sip2.CheckoutRequest{TransactionDate: now, InstitutionID: "ILU", PatronID: "P0001", ItemID: "I000001",
			TerminalPassword: "demo", PatronPassword: pin},
		&sip2.ItemInformationRequest{TransactionDate: now, InstitutionID: "ILU", ItemID: "I000001"},
		&sip2.CheckinRequest{TransactionDate: now, ReturnDate: now, CurrentLocation: "ILU", InstitutionID: "ILU",
			ItemID: "I000001", TerminalPassword: "demo"},
	}
	for _, m := range script {
		if _, err := cl.Send(ctx, m); err != nil {
			t.Fatalf("%s: %v", sip2.Name(m.Code()), err)
		}
	}
	cl.Close()
	files := waitForFiles(t, out, 1)
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}

	text, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"COdemo", "ACdemo", "AD1234"} {
		if strings.Contains(string(text), secret) {
			t.Errorf("transcript holds the secret %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{"CO****", "AC****", "AD****", "AH20261202    235959", DatePlaceholder, "AY5AZ"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	tr, err := ParseTranscript(files[0], strings.NewReader(string(text)))
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Header(KeyAccount); got != "demo" {
		t.Errorf("account header %q, want demo", got)
	}
	if got := tr.Header(KeyUpstream); got != srv.addr {
		t.Errorf("upstream header %q, want %s", got, srv.addr)
	}
	// The clock comes from the server's 98, a local SIP2 date read in the
	// recorder's time zone: compare the wall-clock reading.
	if c, ok, err := tr.Clock(); err != nil || !ok || c.Format("20060102 150405") != "20261102 100000" {
		t.Errorf("clock header %v (%v, %v), want the server's 2026-11-02 10:00:00", c, ok, err)
	}
	sends, expects := 0, 0
	for _, l := range tr.Lines {
		switch l.Kind {
		case Send:
			sends++
		case Expect:
			expects++
		}
	}
	if sends != 1+len(script) || expects != sends {
		t.Errorf("%d requests and %d responses recorded, want %d of each", sends, expects, 1+len(script))
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			if res := replayOnDemo(t, tr, backend, false, 0); res.Failed() {
				t.Errorf("the recorded transcript does not replay:\n%s\n%s", res.Report(), text)
			}
		})
	}
}

// TestRecordUnreachableUpstream: a client is hung up on, nothing is written.
func TestRecordUnreachableUpstream(t *testing.T) {
	dead := listen(t)
	addr := dead.Addr().String()
	dead.Close()
	out := t.TempDir()
	rec := &Recorder{Upstream: addr, OutDir: out, Log: zerolog.Nop()}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- rec.Serve(ctx, ln) }()
	c, err := dialTCP(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil || n > 0 {
		t.Errorf("the client was not hung up on: %d bytes, %v", n, err)
	}
	c.Close()
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*")); len(files) != 0 {
		t.Errorf("files written without a session: %v", files)
	}
}

func waitForFiles(t *testing.T, dir string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, err := filepath.Glob(filepath.Join(dir, "*.session"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) >= n {
			return files
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transcripts after 10s, want %d", len(files), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
