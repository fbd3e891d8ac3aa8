package conformance

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the expected responses of testdata transcripts from the server's answers (memory store)")

// backends are the stores every transcript is replayed on; PostgreSQL
// joins when a server is reachable (see postgresDSN).
var backends = []string{"memory", "bolt", "postgres"}

// TestSIP2Transcripts replays every SIP2 transcript against a fresh demo
// server on each store backend.
func TestSIP2Transcripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "sip2", "*.session"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/sip2")
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			for _, path := range files {
				name := strings.TrimSuffix(filepath.Base(path), ".session")
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					replayFile(t, path, backend, *update && backend == backends[0])
				})
			}
		})
	}
}

// replayFile replays one transcript file; with update it rewrites the
// file's expected responses instead of comparing them.
func replayFile(t *testing.T, path, backend string, update bool) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseTranscript(path, bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if bug := tr.Header(KeyKnownBug); bug != "" {
		res := replayOnDemo(t, tr, backend, false, 2*time.Second)
		if !res.Failed() {
			t.Fatalf("known bug no longer reproduces (%s): remove the known-bug header", bug)
		}
		t.Logf("known bug (%s) still reproduces:\n%s", bug, res.Report())
		return
	}
	res := replayOnDemo(t, tr, backend, update, 0)
	if update {
		if res.Failed() {
			t.Fatalf("cannot update:\n%s", res.Report())
		}
		out := res.Updated().Format()
		if !bytes.Equal(out, src) {
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("updated %s", path)
		}
		return
	}
	if res.Failed() {
		t.Errorf("%s store:\n%s", backend, res.Report())
	}
}

// replayOnDemo starts a demo server as the transcript's header says and
// replays the transcript against it.
func replayOnDemo(t *testing.T, tr *Transcript, backend string, update bool, timeout time.Duration) *Result {
	t.Helper()
	if f := tr.Header(KeyFixtures); f != "demo" {
		t.Fatalf("%s: fixtures %q: only \"demo\" is available", tr.Name, f)
	}
	clock, ok, err := tr.Clock()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("%s: no clock header", tr.Name)
	}
	account := tr.Header(KeyAccount)
	if account == "" {
		account = "demo"
	}
	srv := startDemo(t, backend, clock)
	env := srv.env(t, account)
	env.Update = update
	if timeout > 0 {
		env.Timeout = timeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := ReplaySIP2(ctx, tr, env)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
