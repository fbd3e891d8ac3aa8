package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/bibgate/bibgate/core"
)

const staffUsage = `Usage:
  bibgate staff add --library ID --role ROLE[,ROLE] [--name NAME] STAFF-ID
  bibgate staff passwd STAFF-ID
  bibgate staff list

Manages the staff accounts of the staff API directly in the store (bolt: stop
bibgate serve first; PostgreSQL: while it runs). The password is asked on the
terminal, twice, or read as the first line of standard input when that is not
a terminal; it is never taken from the command line. Roles: circulation,
cataloguing, ill, admin, consortium-admin.`

// runStaff is "bibgate staff add|passwd|list".
func runStaff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runStaffIn(ctx, args, os.Stdin, stdout, stderr)
}

func runStaffIn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, staffUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: bibgate staff add|passwd|list", errUsage)
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := pflag.NewFlagSet("staff "+sub, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, staffUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "", "TOML configuration file (default: the embedded demo configuration)")
	dataDir := fs.String("data-dir", "", "directory of the data files (overrides data_dir)")
	var library, name, roles *string
	if sub == "add" {
		library = fs.String("library", "", "the staff member's library (its id in the configuration)")
		name = fs.String("name", "", "the staff member's full name")
		roles = fs.String("role", "", "roles, comma-separated: circulation, cataloguing, ill, admin, consortium-admin")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch sub {
	case "add", "passwd":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: give one staff id (the password is asked for, never given here)", errUsage)
		}
	case "list":
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: bibgate staff list takes no arguments", errUsage)
		}
	default:
		return fmt.Errorf("%w: unknown staff command %q (add, passwd, list)", errUsage, sub)
	}
	var rs []core.Role
	if sub == "add" {
		if *library == "" || *roles == "" {
			return fmt.Errorf("%w: bibgate staff add needs --library and --role", errUsage)
		}
		for _, r := range strings.Split(*roles, ",") {
			role, err := core.ParseRole(r)
			if err != nil {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
			rs = append(rs, role)
		}
	}
	cfg, err := toolConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	var password string
	if sub != "list" {
		// Asked before the store is opened: a bolt store stays locked
		// while someone types.
		if password, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		s, err := svc.AddStaff(ctx, nil, core.NewStaff{ID: fs.Arg(0), Library: *library, Name: *name, Roles: rs, Password: password})
		if err != nil {
			return fmt.Errorf("staff %s: %w", fs.Arg(0), err)
		}
		fmt.Fprintf(stdout, "staff %s added at %s with roles %s\n", s.ID, s.Library, joinRoles(s.Roles))
	case "passwd":
		if err := svc.SetStaffPassword(ctx, nil, fs.Arg(0), password); err != nil {
			return fmt.Errorf("staff %s: %w", fs.Arg(0), err)
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions are ended\n", fs.Arg(0))
	case "list":
		list, err := svc.ListStaff(ctx, nil)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLIBRARY\tROLES\tNAME\tLAST SIGN-IN\tSTATE")
		now := svc.Now()
		for _, s := range list {
			last, state := "never", "active"
			if !s.LastLogin.IsZero() {
				last = s.LastLogin.UTC().Format(time.RFC3339)
			}
			if s.Disabled {
				state = "disabled"
			} else if now.Before(s.LockedUntil) {
				state = "locked until " + s.LockedUntil.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Library, joinRoles(s.Roles), s.Name, last, state)
		}
		return tw.Flush()
	}
	return nil
}

func joinRoles(rs []core.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// readPassword asks for a new password twice on a terminal, or reads the
// first line of stdin when it is not one.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "New password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ; nothing changed")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
