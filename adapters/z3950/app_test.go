package z3950adapter_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/app"
	"github.com/bibgate/bibgate/internal/config"
)

// testClock is the demo server's time in every test: a fixed clock keeps
// due dates and transcripts stable.
var testClock = time.Date(2026, 11, 2, 10, 0, 0, 0, time.FixedZone("EET", 2*3600))

// Test accounts of the integration configuration.
const (
	testUser     = "union"
	testPassword = "s3cret-catalogue"
)

// startApp starts the assembled server in-process: the demo configuration
// on loopback ports, the given store ("memory" or "bolt"), Z39.50 with SRU
// on one port and SRU on a second one. configure may change the
// configuration first.
func startApp(t testing.TB, store string, configure func(*config.Config)) *app.App {
	t.Helper()
	return startAppLog(t, store, configure, zerolog.Nop())
}

// startAppLog is startApp with a logger.
func startAppLog(t testing.TB, store string, configure func(*config.Config), log zerolog.Logger) *app.App {
	t.Helper()
	return startAppFull(t, store, testClock, configure, log)
}

// startAppAt is startApp with the server's clock at now.
func startAppAt(t testing.TB, store string, now time.Time, configure func(*config.Config)) *app.App {
	t.Helper()
	return startAppFull(t, store, now, configure, zerolog.Nop())
}

func startAppFull(t testing.TB, store string, now time.Time, configure func(*config.Config), log zerolog.Logger) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = store
	cfg.Store.NoSync = true
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = "127.0.0.1:0"
	cfg.SIP2.Listen = ""
	cfg.SIP2.TLSListen = ""
	cfg.Z3950.Listen = "127.0.0.1:0"
	cfg.SRU.Listen = "127.0.0.1:0"
	yes := true
	cfg.Z3950.Anonymous = &yes
	cfg.Z3950.Accounts = []config.Z3950Account{{User: testUser, Password: testPassword}}
	if configure != nil {
		configure(cfg)
	}
	a, err := app.New(cfg, log, app.Options{Clock: core.NewFixedClock(now),
		KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	stop, err := a.Start(context.Background(), 30*time.Second)
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

// yazClient runs Debian's yaz-client with commands on stdin and returns
// what it printed. yaz-client exits 0 even when things fail, so tests
// assert on the output.
func yazClient(t *testing.T, commands ...string) string {
	t.Helper()
	path, err := exec.LookPath("yaz-client")
	if err != nil {
		t.Skip("yaz-client not installed (apt-get install yaz); skipping the YAZ interoperability test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = strings.NewReader(strings.Join(append(commands, "quit"), "\n") + "\n")
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("yaz-client timed out; output so far:\n%s", out)
	}
	return string(out)
}

// zoomsh runs Debian's zoomsh with -e (stop and exit 1 at the first error).
func zoomsh(t *testing.T, commands ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("zoomsh")
	if err != nil {
		t.Skip("zoomsh not installed (apt-get install yaz); skipping the ZOOM interoperability test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append([]string{"-e"}, append(commands, "quit")...)...).CombinedOutput()
	return string(out), err
}

func wantAll(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func wantNone(t *testing.T, out string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(out, b) {
			t.Errorf("output contains %q:\n%s", b, out)
		}
	}
}
