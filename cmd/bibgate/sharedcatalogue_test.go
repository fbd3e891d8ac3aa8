package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950client"
)

// sharedNode is one bibgate serve process of a consortium on PostgreSQL.
type sharedNode struct {
	cfg                string
	admin, sip2, z3950 string
	logs               *drain
	stop               func()
}

// startSharedNode starts bibgate serve on PostgreSQL schema with a data
// directory of its own (the eID key file, which the nodes share as the
// database, beside them), and waits until /readyz says ready.
func startSharedNode(t *testing.T, dir, name, dsn, schema string) *sharedNode {
	t.Helper()
	src := fmt.Sprintf(`data_dir = %q
[store]
backend = "postgres"
postgres_dsn = %q
postgres_schema = %q
eid_key_file = %q
[demo]
load = true
[[sip2.account]]
login = "sc"
password = "pw"
library = "ILU"
institution = "ILU"
location = "ILU"
%s`, filepath.Join(dir, name+"-data"), dsn, schema, filepath.Join(dir, "eid.key"), kohaHoldings)
	cfg := filepath.Join(dir, name+".toml")
	if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, logs := bibgate(t, dir, "serve", "--config", cfg, "--admin", "127.0.0.1:0", "--sip2", "127.0.0.1:0",
		"--z3950", "127.0.0.1:0", "--log-format", "json")
	n := &sharedNode{cfg: cfg, admin: waitListening(t, logs, "admin"), logs: &drain{}}
	n.sip2 = waitListening(t, logs, "sip2")
	n.z3950 = waitListening(t, logs, "z3950")
	go n.logs.run(logs)
	n.stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s: stop: %v\n%s", name, err, n.logs)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		body, code := httpGet(t, "http://"+n.admin+"/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 60 s: %d %s\n%s", name, code, body, n.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

func httpGet(t *testing.T, url string) (string, int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return err.Error(), 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

// z3950Hits counts the records a Z39.50 search for the local number key
// finds on addr.
func z3950Hits(t *testing.T, addr, key string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := z3950client.Dial(ctx, addr, z3950client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	if _, err := c.Init(ctx, z3950client.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	sr, err := c.Search(ctx, z3950client.SearchOptions{PQF: "@attr 1=12 " + key})
	if err != nil {
		t.Fatal(err)
	}
	return sr.ResultCount
}

// opacCopies returns the copies of record key in the Z39.50 OPAC holdings
// on addr: item id → available now.
func opacCopies(t *testing.T, addr, key string) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := z3950client.Dial(ctx, addr, z3950client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	if _, err := c.Init(ctx, z3950client.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	if sr, err := c.Search(ctx, z3950client.SearchOptions{PQF: "@attr 1=12 " + key}); err != nil || sr.ResultCount != 1 {
		t.Fatalf("search %s: %v", key, err)
	}
	pr, err := c.Present(ctx, "", 1, 1, z3950.OIDOPAC, "F")
	if err != nil || pr.Records == nil || len(pr.Records.Records) != 1 {
		t.Fatalf("present %s: %+v %v", key, pr, err)
	}
	opac, err := z3950.ParseOPACRecord(pr.Records.Records[0].Record.Single)
	if err != nil {
		t.Fatalf("OPAC record of %s: %v", key, err)
	}
	out := map[string]bool{}
	for _, h := range opac.Holdings {
		if h.Circ != nil {
			for _, c := range h.Circ.Circulation {
				out[c.ItemID] = c.AvailableNow
			}
		}
	}
	return out
}

// TestConsortiumSharedCatalogue: PostgreSQL and three bibgate serve
// processes on it, each with its own data directory. Records imported
// through node 1 are found over Z39.50 on nodes 2 and 3 within 2 s; a SIP2
// checkout on node 2 shows in the OPAC holdings on node 3; an offline
// import with a node's configuration reaches every node; every node
// reports no index lag.
func TestConsortiumSharedCatalogue(t *testing.T) {
	if testing.Short() {
		t.Skip("three server processes")
	}
	dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	conn, err := pgx.Connect(ctx, dsn)
	cancel()
	if err != nil {
		t.Skipf("no PostgreSQL server at %s: %v", dsn, err)
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	schema := "bibgate_shared_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		conn.Close(ctx)
	})
	t.Setenv("BIBGATE_ADMIN_TOKEN", "shared-catalogue-test-token")
	dir := t.TempDir()
	// Node 1 lays out the database and loads the demo data; the others
	// then start on it and build their indexes from the shared catalogue.
	n1 := startSharedNode(t, dir, "node1", dsn, schema)
	n2 := startSharedNode(t, dir, "node2", dsn, schema)
	n3 := startSharedNode(t, dir, "node3", dsn, schema)
	nodes := []*sharedNode{n1, n2, n3}
	for i, n := range nodes {
		if got := z3950Hits(t, n.z3950, "demo-0001"); got != 1 {
			t.Errorf("node %d: demo record found %d times", i+1, got)
		}
	}

	out := runOK(t, "import", "--server", "http://"+n1.admin, "testdata/koha-952.mrc")
	imported := time.Now()
	if !strings.Contains(out, "3 records stored") || !strings.Contains(out, "copies: 5 created or updated") {
		t.Fatalf("import through node 1:\n%s", out)
	}
	if got := z3950Hits(t, n1.z3950, "koha-1"); got != 1 {
		t.Errorf("node 1 finds koha-1 %d times as its import returns", got)
	}
	for i, n := range []*sharedNode{n2, n3} {
		for z3950Hits(t, n.z3950, "koha-1") != 1 {
			if time.Since(imported) > 2*time.Second {
				t.Fatalf("node %d: koha-1 not found 2 s after the import through node 1", i+2)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("node %d finds the record %v after the import returned", i+2, time.Since(imported).Round(time.Millisecond))
	}

	c := sip2Login(t, n2.sip2)
	resp, err := c.Send(context.Background(), &sip2.CheckoutRequest{InstitutionID: "ILU", PatronID: "P0001",
		ItemID: "K0000001", PatronPassword: sip2.String("1234")})
	if err != nil {
		t.Fatal(err)
	}
	if co := resp.(*sip2.CheckoutResponse); !co.OK {
		t.Fatalf("checkout on node 2 refused: %+v", co)
	}
	got := opacCopies(t, n3.z3950, "koha-1")
	if avail, ok := got["K0000001"]; !ok || avail {
		t.Errorf("node 3 OPAC holdings of koha-1 do not show K0000001 on loan: %v", got)
	}
	if avail, ok := got["K0000002"]; !ok || !avail {
		t.Errorf("node 3 OPAC holdings of koha-1 do not show K0000002 on the shelf: %v", got)
	}

	// The offline import on a node's configuration writes to PostgreSQL
	// too, while the node runs: every node finds the records.
	out = runOK(t, "import", "--config", n3.cfg, "--no-copies", "-q", "testdata/marc21-852-876.mrc")
	imported = time.Now()
	if !strings.Contains(out, "2 records stored") || !strings.Contains(out, "shared catalogue in PostgreSQL") {
		t.Errorf("offline import on node 3's configuration:\n%s", out)
	}
	for i, n := range nodes {
		for z3950Hits(t, n.z3950, "m21-2") != 1 {
			if time.Since(imported) > 2*time.Second {
				t.Fatalf("node %d: m21-2 not found 2 s after the offline import", i+1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	for i, n := range nodes {
		body, code := httpGet(t, "http://"+n.admin+"/readyz")
		if code != http.StatusOK || !strings.Contains(body, "catalogue index: 0 changes behind") {
			t.Errorf("node %d /readyz: %d %q", i+1, code, body)
		}
		metrics, _ := httpGet(t, "http://"+n.admin+"/metrics")
		if !strings.Contains(metrics, "\nbibgate_catalogue_index_lag_changes 0\n") {
			t.Errorf("node %d /metrics lacks bibgate_catalogue_index_lag_changes 0", i+1)
		}
	}
	for _, n := range nodes {
		n.stop()
	}
}
