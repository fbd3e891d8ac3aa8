package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/boltstore"
)

// TestPatronsDelete runs "bibgate patrons delete" on a data directory with
// the demo data: refused with the reason while something is owed or on
// loan, a dry run without --yes, the deletion with it.
func TestPatronsDelete(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := core.NewService(st, demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	st.Close()
	tests := []struct {
		name    string
		args    []string
		code    int
		wantOut string
		wantErr string
		deleted string
		kept    string
	}{
		{"owes fees", []string{"P0007"}, 1, "", "owes 6.00 EUR", "", "P0007"},
		{"items on loan", []string{"P0003"}, 1, "", "items on loan", "", "P0003"},
		{"unknown card", []string{"NOSUCH"}, 1, "", "patron_not_found", "", ""},
		{"no card", nil, 2, "", "give one card number", "", ""},
		{"dry run", []string{"P0001"}, 0, "can be deleted", "", "", "P0001"},
		{"deleted", []string{"--yes", "P0001"}, 0, "patron P0001 deleted", "", "P0001", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"patrons", "delete", "--data-dir", dir}, tt.args...)
			if code := run(context.Background(), args, &out, &errb); code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stdout %q stderr %q, want %q / %q", out.String(), errb.String(), tt.wantOut, tt.wantErr)
			}
			st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc, _ := core.NewService(st, demo.Consortium(), core.Options{})
			if tt.deleted != "" {
				if _, err := svc.Patron(context.Background(), tt.deleted); core.ReasonOf(err) != core.ReasonPatronNotFound {
					t.Errorf("%s still there: %v", tt.deleted, err)
				}
			}
			if tt.kept != "" {
				if _, err := svc.Patron(context.Background(), tt.kept); err != nil {
					t.Errorf("%s gone: %v", tt.kept, err)
				}
			}
		})
	}
}
