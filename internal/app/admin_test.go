package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/gencat"
)

// startApp runs the demo configuration in-process on loopback ports, with
// edit applied to its configuration first.
func startApp(t *testing.T, edit func(*config.Config)) *App {
	t.Helper()
	return startAppLog(t, zerolog.Nop(), func(cfg *config.Config) {
		cfg.Admin.Listen = "127.0.0.1:0"
		cfg.SIP2.Listen = ""
		cfg.Z3950.Listen = ""
		if edit != nil {
			edit(cfg)
		}
	})
}

// startAppLog runs the demo configuration, edited, on the memory store.
func startAppLog(t *testing.T, log zerolog.Logger, edit func(*config.Config)) *App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	edit(cfg)
	a, err := New(cfg, log, Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
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

func records(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gencat.Generate(&b, n, 1, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const testToken = "0123456789abcdef0123"

// TestAdminRequiresToken: whoever reaches the admin listener may read
// /metrics, /healthz and /readyz, but profiles and catalogue import need
// the token; without a configured token nobody gets them.
func TestAdminRequiresToken(t *testing.T) {
	body := records(t, 3)
	for _, configured := range []string{testToken, ""} {
		a := startApp(t, func(c *config.Config) { c.Admin.Token = configured })
		base := "http://" + a.Addr("admin").String()
		tests := []struct {
			name, method, path, token string
			want                      int
		}{
			{"metrics open", "GET", "/metrics", "", 200},
			{"healthz open", "GET", "/healthz", "", 200},
			{"readyz open", "GET", "/readyz", "", 200},
			{"pprof without token", "GET", "/debug/pprof/", "", 401},
			{"heap without token", "GET", "/debug/pprof/heap", "", 401},
			{"goroutine stacks with a wrong token", "GET", "/debug/pprof/goroutine?debug=2", "wrong-token-wrong-token", 401},
			{"trace without token", "GET", "/debug/pprof/trace?seconds=1", "", 401},
			{"import without token", "POST", "/catalogue/import", "", 401},
			{"import with a wrong token", "POST", "/catalogue/import", testToken + "x", 401},
			{"pprof with the token", "GET", "/debug/pprof/", testToken, 200},
			{"import with the token", "POST", "/catalogue/import", testToken, 200},
		}
		for _, tt := range tests {
			want := tt.want
			if configured == "" && (want == 401 || tt.token != "") {
				want = 403 // nothing behind the token is served at all
			}
			t.Run("token="+map[bool]string{true: "set", false: "unset"}[configured != ""]+"/"+tt.name, func(t *testing.T) {
				var rd io.Reader
				if tt.method == "POST" {
					rd = bytes.NewReader(body)
				}
				req, _ := http.NewRequest(tt.method, base+tt.path, rd)
				if tt.token != "" {
					req.Header.Set("Authorization", "Bearer "+tt.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, resp.StatusCode, want, msg)
				}
			})
		}
		// A refused import stored nothing.
		if configured == "" {
			if n := demoCount(t, a); n != 47 {
				t.Errorf("catalogue has %d records after refused imports, want the 47 of the demo", n)
			}
		}
	}
}

// TestAdminImportSizeLimited: an import over admin.max_import is refused
// with 413; when its length is declared, before anything is stored.
func TestAdminImportSizeLimited(t *testing.T) {
	body := records(t, 200)
	a := startApp(t, func(c *config.Config) {
		c.Admin.Token = testToken
		c.Admin.MaxImport = int64(len(body) / 2)
	})
	url := "http://" + a.Addr("admin").String() + "/catalogue/import"
	for _, declared := range []bool{true, false} {
		var rd io.Reader = bytes.NewReader(body)
		if !declared {
			rd = io.MultiReader(rd) // hides the length: chunked
		}
		req, _ := http.NewRequest("POST", url, rd)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "max_import") {
			t.Errorf("declared=%v: %d %s, want 413 naming admin.max_import", declared, resp.StatusCode, msg)
		}
		if declared {
			if n := demoCount(t, a); n != 47 {
				t.Errorf("after a refused import the catalogue has %d records, want the 47 of the demo", n)
			}
		}
	}
}

func demoCount(t *testing.T, a *App) int64 {
	t.Helper()
	st, err := a.catalog.Index().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Records
}
