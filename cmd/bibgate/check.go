package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/store/boltstore"
)

// runCheck verifies the circulation invariants of a data directory, or of
// the PostgreSQL database with backend = "postgres" (after a crash, a
// restore, or just to be sure): every item on loan has exactly
// one open loan, and patrons' loan and hold counts match.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "TOML configuration file (default: the embedded demo configuration)")
	dataDir := fs.String("data-dir", "", "directory of the data files (overrides data_dir)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	var svc *core.Service
	var where string
	if cfg.Store.Backend == "postgres" {
		// The database the nodes share; they may go on running.
		s, st, err := openCore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		svc, where = s, "PostgreSQL"
		if cfg.Store.PostgresSchema != "" {
			where += " schema " + cfg.Store.PostgresSchema
		}
	} else {
		path := filepath.Join(cfg.DataDir, "circulation.db")
		st, err := boltstore.Open(path, boltstore.Options{LockTimeout: 2 * time.Second})
		if err != nil {
			return fmt.Errorf("%w (is bibgate serve running on this data dir?)", err)
		}
		defer st.Close()
		cons, err := cfg.BuildConsortium()
		if err != nil {
			return err
		}
		if svc, err = core.NewService(st, cons, core.Options{}); err != nil {
			return err
		}
		where = path
	}
	counts, err := svc.Counts(ctx)
	if err != nil {
		return err
	}
	problems, err := svc.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d patrons, %d items, %d open loans, %d active holds, %d notices queued\n",
		where, counts.Patrons, counts.Items, counts.OpenLoans, counts.ActiveHolds, counts.QueuedNotices)
	for _, p := range problems {
		fmt.Fprintln(stdout, "PROBLEM:", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problems found", len(problems))
	}
	fmt.Fprintln(stdout, "consistent")
	return nil
}
