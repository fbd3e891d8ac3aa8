package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/app"
	"github.com/bibgate/bibgate/internal/config"
)

// startCatalogueServer runs the demo server in-process with Z39.50 and SRU
// on loopback ports.
func startCatalogueServer(t *testing.T) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = "127.0.0.1:0"
	cfg.SIP2.Listen = ""
	cfg.Z3950.Listen = "127.0.0.1:0"
	cfg.SRU.Listen = "127.0.0.1:0"
	a, err := app.New(cfg, zerolog.Nop(), app.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
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

func TestBenchCatalogue(t *testing.T) {
	a := startCatalogueServer(t)
	queries := filepath.Join(t.TempDir(), "pqf.txt")
	if err := os.WriteFile(queries, []byte("# demo titles\n@attr 1=4 zeme\n\n@attr 1=1018 jumava\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cql := filepath.Join(t.TempDir(), "cql.txt")
	if err := os.WriteFile(cql, []byte("dc.title=zeme\ndc.publisher=jumava\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		run         func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) error
		args        []string
		wantRecords bool
	}{
		{"z3950 search+present opac", func(ctx context.Context, args []string, o, e *bytes.Buffer) error { return benchZ3950(ctx, args, o, e) },
			[]string{"--addr", a.Addr("z3950").String(), "--queries", queries, "--present", "2", "--syntax", "opac"}, true},
		{"z3950 new session per query", func(ctx context.Context, args []string, o, e *bytes.Buffer) error { return benchZ3950(ctx, args, o, e) },
			[]string{"--addr", "tcp:" + a.Addr("z3950").String() + "/Default", "--new-session", "--syntax", "xml", "--present", "1"}, true},
		{"z3950 present only", func(ctx context.Context, args []string, o, e *bytes.Buffer) error { return benchZ3950(ctx, args, o, e) },
			[]string{"--addr", a.Addr("z3950").String(), "--queries", queries, "--present-only", "--present", "1"}, true},
		{"sru on the z3950 port", func(ctx context.Context, args []string, o, e *bytes.Buffer) error { return benchSRU(ctx, args, o, e) },
			[]string{"--addr", a.Addr("z3950").String(), "--queries", cql, "--records", "2"}, false},
		{"sru port, 2.0, counts only", func(ctx context.Context, args []string, o, e *bytes.Buffer) error { return benchSRU(ctx, args, o, e) },
			[]string{"--addr", "http://" + a.Addr("sru").String() + "/Default", "--version", "2.0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(tt.args, "--conns", "2", "--duration", "300ms", "--json")
			if err := tt.run(context.Background(), args, &out, &errOut); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			var res map[string]any
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			if res["messages"].(float64) < 1 || res["errors"].(float64) != 0 || res["throughput"].(float64) <= 0 {
				t.Errorf("figures: %v", res)
			}
			if mx, ok := res["max_ms"].(float64); !ok || mx < res["p50_ms"].(float64) {
				t.Errorf("max_ms %v below p50_ms %v", res["max_ms"], res["p50_ms"])
			}
			if tt.wantRecords && res["records"].(float64) < 1 {
				t.Errorf("no records presented: %v", res)
			}
		})
	}
	// A query that fails is counted as an error, not a success.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("dc.nosuchindex=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := benchSRU(context.Background(), []string{"--addr", a.Addr("sru").String(), "--queries", bad, "--duration", "200ms", "--json"},
		&out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res["messages"].(float64) != 0 || res["errors"].(float64) < 1 {
		t.Errorf("failing queries: %v", res)
	}
}

func TestBenchCatalogueUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--syntax", "grs1"},
		{"--conns", "0"},
		{"--queries", "/nonexistent/queries.txt"},
		{"--nosuchflag"},
		{"--present-only", "--new-session"},
	} {
		if err := benchZ3950(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, errUsage) {
			t.Errorf("bench z3950 %v: %v, want a usage error", args, err)
		}
	}
	if err := benchSRU(context.Background(), []string{"--records", "-1"}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, errUsage) {
		t.Errorf("bench sru --records -1: %v, want a usage error", err)
	}
}
