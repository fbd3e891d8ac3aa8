package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestSharedCatalogueReadiness: a gateway whose data directory is empty
// while the shared catalogue holds records is not ready until its index has
// them all; then /readyz and /metrics report no lag.
func TestSharedCatalogueReadiness(t *testing.T) {
	dsn, schema := testPostgres(t)
	ctx := t.Context()
	pg, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := pg.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gen bytes.Buffer
	if err := gencat.Generate(&gen, 1500, 7, nil); err != nil {
		t.Fatal(err)
	}
	var recs []pgstore.CatalogueRecord
	for rd := marc.NewReader(&gen); ; {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		raw, merr := marc.Marshal(rec)
		if err != nil || merr != nil {
			t.Fatal(err, merr)
		}
		recs = append(recs, pgstore.CatalogueRecord{Key: rec.ControlNumber(), Raw: raw})
	}
	if _, err := shared.Write(ctx, recs); err != nil {
		t.Fatal(err)
	}
	pg.Close()

	cfg := config.Default()
	cfg.Store.Backend, cfg.Store.PostgresDSN, cfg.Store.PostgresSchema = "postgres", dsn, schema
	cfg.Store.EIDKeyFile = filepath.Join(t.TempDir(), "eid.key")
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = "127.0.0.1:0"
	cfg.SIP2.Listen, cfg.Z3950.Listen, cfg.SRU.Listen = "", "", ""
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// Opened, not yet following: building from nothing.
	rec := httptest.NewRecorder()
	if !a.catalogueNotReady(rec) || rec.Code != http.StatusServiceUnavailable ||
		!strings.Contains(rec.Body.String(), "building from the shared catalogue: 0 of 1500 changes") {
		t.Errorf("before following: %d %q", rec.Code, rec.Body.String())
	}
	stop, err := a.Start(context.Background(), 60*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	admin := a.Addr("admin").String()
	var body string
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + admin + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("not ready after 30 s: %q", body)
		}
	}
	if !strings.Contains(body, "catalogue index: 0 changes behind, 0.0 s") {
		t.Errorf("ready: %q", body)
	}
	if st, _ := a.Catalogue().Stats(ctx); st.Records != 1500 {
		t.Errorf("index holds %d records when ready, want 1500 (and no demo titles mixed in)", st.Records)
	}
	for name, want := range map[string]float64{"bibgate_catalogue_index_building": 0, "bibgate_catalogue_index_lag_changes": 0,
		"bibgate_catalogue_index_applied_change": 1500} {
		if got := metric(t, admin, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}
