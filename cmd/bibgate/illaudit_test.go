package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/store/boltstore"
)

// TestILLCommandLineAudited: bibgate ill request and an action on the
// data directory are in the audit log, from "console" with no staff
// member, as bibgate staff add is; an action the state refuses is not.
func TestILLCommandLineAudited(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "bibgate.toml")
	src := fmt.Sprintf("data_dir = %q\n[demo]\nload = true\n[ill]\nsymbol = \"LV:ILU\"\n[[ill.partner]]\nsymbol = \"EE:TARTU\"\naddress = \"127.0.0.1:1\"\n",
		filepath.Join(dir, "data"))
	if err := os.WriteFile(cfgPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	prepareConsoleData(t, cfg)
	cli := func(wantOK bool, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(args, "--config", cfgPath), &out, &errOut)
		if (code == 0) != wantOK {
			t.Fatalf("bibgate %s: exit %d: %s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
		return out.String()
	}
	out := cli(true, "ill", "request", "--patron", demo.PatronGood, "--partner", "EE:TARTU", "--title", "Kalevipoeg")
	id := regexp.MustCompile(`T\d+`).FindString(out)
	if id == "" {
		t.Fatalf("no transaction in %q", out)
	}
	cli(false, "ill", "ship", id)
	cli(true, "ill", "message", id, "--note", "urgent, please")

	st, err := boltstore.Open(filepath.Join(cfg.DataDir, "circulation.db"), boltstore.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cons, err := cfg.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := core.NewService(st, cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	es, err := svc.QueryAudit(context.Background(), core.Actor{StaffID: "vita"}, core.AuditQuery{Object: "ill/" + id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.Actor+"|"+e.From)
	}
	if want := []string{"ill_request |console", "ill_message |console"}; !slices.Equal(got, want) {
		t.Errorf("audit %q, want %q", got, want)
	}
}
