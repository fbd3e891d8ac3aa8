package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/boltstore"
)

// TestStaffCommands: "bibgate staff add", "passwd" and "list" on a data
// directory, the password read from standard input and never printed;
// the account then signs in with it.
func TestStaffCommands(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	staff := func(stdin string, args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := runStaffIn(ctx, append(args, "--data-dir", dir), strings.NewReader(stdin), &out, &errb)
		return out.String(), errb.String(), err
	}
	out, _, err := staff("first-admin-secret\n", "add", "--library", demo.Central, "--role", "admin,circulation", "--name", "Ilze Admine", "ilze")
	if err != nil || !strings.Contains(out, "staff ilze added at ILU with roles admin,circulation") {
		t.Fatalf("add: %q %v", out, err)
	}
	tests := []struct {
		name, stdin string
		args        []string
		usage       bool
		want        string
	}{
		{"password on the command line", "x\n", []string{"add", "--library", "ILU", "--role", "admin", "anna", "secret123"}, true, "give one staff id"},
		{"unknown role", "long-enough-1\n", []string{"add", "--library", "ILU", "--role", "boss", "anna"}, true, "unknown role"},
		{"no library", "long-enough-1\n", []string{"add", "--role", "admin", "anna"}, true, "needs --library"},
		{"short password", "short\n", []string{"add", "--library", "ILU", "--role", "admin", "anna"}, false, "password_too_short"},
		{"no password", "", []string{"add", "--library", "ILU", "--role", "admin", "anna"}, false, "no password"},
		{"exists", "long-enough-1\n", []string{"add", "--library", "ILU", "--role", "admin", "ilze"}, false, "staff_exists"},
		{"unknown library", "long-enough-1\n", []string{"add", "--library", "XXX", "--role", "admin", "anna"}, false, "library_not_found"},
		{"passwd unknown", "long-enough-1\n", []string{"passwd", "nobody"}, false, "staff_not_found"},
		{"unknown subcommand", "", []string{"remove", "ilze"}, true, "unknown staff command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := staff(tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, errUsage) != tc.usage {
				t.Errorf("err %v (usage %v), want %q (usage %v)", err, errors.Is(err, errUsage), tc.want, tc.usage)
			}
			if strings.Contains(out+errOut, strings.TrimSpace(tc.stdin)) && tc.stdin != "" {
				t.Errorf("the password was printed: %q %q", out, errOut)
			}
		})
	}
	out, _, err = staff("the-second-secret\r\n", "passwd", "ilze")
	if err != nil || !strings.Contains(out, "password of ilze changed") {
		t.Fatalf("passwd: %q %v", out, err)
	}
	out, _, err = staff("", "list")
	if err != nil || !strings.Contains(out, "ilze") || !strings.Contains(out, "admin,circulation") || !strings.Contains(out, "Ilze Admine") ||
		strings.Contains(out, "secret") || strings.Contains(out, "argon2") {
		t.Fatalf("list: %q %v", out, err)
	}
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(st, demo.Consortium(), core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.StaffSignIn(ctx, "ilze", "first-admin-secret", "test"); core.ReasonOf(err) != core.ReasonBadCredentials {
		t.Errorf("old password: %v", err)
	}
	if _, _, who, err := svc.StaffSignIn(ctx, "ilze", "the-second-secret", "test"); err != nil || !who.Has(core.RoleAdmin) {
		t.Errorf("sign in with the new password: %+v %v", who, err)
	}
}
