package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/ill"
)

// illRecorder starts a recording proxy for ILL in front of srv; stop ends
// it and reports how Serve returned.
func illRecorder(t *testing.T, srv *demoServer) (addr, out string, stop func()) {
	t.Helper()
	out = t.TempDir()
	rec := &Recorder{Protocol: "ill", Upstream: srv.illAddr, OutDir: out, Log: zerolog.Nop()}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- rec.Serve(ctx, ln) }()
	return ln.Addr().String(), out, func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
}

// apdus returns the APDUs of one direction of a transcript.
func apdus(t *testing.T, tr *Transcript, send bool) [][]byte {
	t.Helper()
	blocks, _, err := illBlocks(tr)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, b := range blocks {
		if b.send == send {
			out = append(out, b.apdus...)
		}
	}
	return out
}

// TestRecordILLThenReplay records a session of a Go client through the
// recorder — two APDUs in one write, one APDU in two writes — and replays
// the transcript it wrote on every store.
func TestRecordILLThenReplay(t *testing.T) {
	srv := startDemoWith(t, "memory", time.Now(), configureILL)
	addr, out, stop := illRecorder(t, srv)
	c, err := dialTCP(addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	enc := func(a ill.APDU) []byte {
		b, err := ill.Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	loan, query := enc(illLoan(illPartner, "R1", kalevipoegISBN, "")), enc(&ill.StatusQuery{Header: illHeader(illPartner, "R1")})
	if _, err := c.Write(append(append([]byte{}, loan...), query...)); err != nil {
		t.Fatal(err)
	}
	renew := enc(&ill.Renew{Header: illHeader(illPartner, "R1")})
	if _, err := c.Write(renew[:7]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Write(renew[7:]); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	got := 0
	for n := 0; n < 3; {
		k, err := c.Read(buf[got:])
		if err != nil {
			t.Fatalf("after %d octets: %v", got, err)
		}
		got += k
		n = len(mustSplit(t, buf[:got]))
	}
	c.Close()
	files := waitForFiles(t, out, 1)
	stop()

	tr := readTranscript(t, files[0])
	if tr.Header(KeyProtocol) != "ill" || tr.Header(KeyUpstream) != srv.illAddr || tr.Header(KeyFixtures) != "demo" {
		t.Errorf("header: %q", tr.Format()[:200])
	}
	sent := apdus(t, tr, true)
	if len(sent) != 3 || !bytes.Equal(sent[0], loan) || !bytes.Equal(sent[1], query) || !bytes.Equal(sent[2], renew) {
		t.Fatalf("%d requests recorded, want the 3 sent as they were:\n%s", len(sent), tr.Format())
	}
	answers := apdus(t, tr, false)
	if len(answers) != 3 {
		t.Fatalf("%d answers recorded, want 3:\n%s", len(answers), tr.Format())
	}
	text := string(tr.Format())
	for _, want := range []string{"#| ILL-Answer [APPLICATION 4] {", "#| Status-Or-Error-Report [APPLICATION 19] {",
		`date "` + ILLDatePlaceholder + `"`, "current-state 3", "#| Renew [APPLICATION 13] {"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			if res := replayILL(t, tr, backend); res.Failed() {
				t.Errorf("the recorded transcript does not replay:\n%s\n%s", res.Report(), text)
			}
		})
	}
}

func mustSplit(t *testing.T, b []byte) [][]byte {
	t.Helper()
	tr := &Transcript{Lines: ILLLines(Expect, b)}
	blocks, _, err := illBlocks(tr)
	if err != nil {
		return nil // not whole yet
	}
	return blocks[0].apdus
}

// TestRecordILLFromYazIllclient records Debian's yaz-illclient through
// the recorder in front of bibgate: the requests it sends are still the
// captures in testdata/ill/yaz byte for byte, and each recorded session
// replays on every store.
func TestRecordILLFromYazIllclient(t *testing.T) {
	bin, err := exec.LookPath("yaz-illclient")
	if err != nil {
		t.Skipf("yaz-illclient not installed (Debian package yaz-illclient): %v", err)
	}
	params, err := filepath.Abs(filepath.Join(illDir, "yaz", "request.params"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startDemoWith(t, "memory", time.Now(), configureILL)
	addr, out, stop := illRecorder(t, srv)
	defer stop()
	tests := []struct {
		name, capture string
		args          []string
		exit          int
		output        string
	}{
		{"loan", "ill-request-loan.ber", []string{"-f", params}, 0, "Ok"},
		{"OCLC authentication", "ill-request-loan-oclc-auth.ber", []string{"-f", params, "-o", "-u", "100-000-000", "-p", "secret"}, 0, "Ok"},
		{"no parameters", "ill-request-no-params.ber", nil, 7, "General Problem: 4"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c := exec.CommandContext(ctx, bin, append(tt.args, addr)...)
			c.Dir = t.TempDir() // it writes ./req.apdu
			output, _ := c.CombinedOutput()
			if code := c.ProcessState.ExitCode(); code != tt.exit || !strings.Contains(string(output), tt.output) {
				t.Fatalf("exit %d (want %d), output:\n%s", code, tt.exit, output)
			}
			files := waitForFiles(t, out, i+1)
			tr := readTranscript(t, files[i])
			capture, err := os.ReadFile(filepath.Join(illDir, "yaz", tt.capture))
			if err != nil {
				t.Fatal(err)
			}
			if sent := apdus(t, tr, true); len(sent) != 1 || !bytes.Equal(sent[0], capture) {
				t.Errorf("yaz-illclient no longer sends %s:\n%s", tt.capture, tr.Format())
			}
			if n := len(apdus(t, tr, false)); n != 1 {
				t.Errorf("%d answers recorded, want 1", n)
			}
			for _, backend := range backends {
				t.Run(backend, func(t *testing.T) {
					if res := replayILL(t, tr, backend); res.Failed() {
						t.Errorf("the recorded session does not replay:\n%s", res.Report())
					}
				})
			}
		})
	}
}
