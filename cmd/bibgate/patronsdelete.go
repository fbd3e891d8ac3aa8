package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core"
)

// withPatronsDelete adds "patrons delete CARD" to the command list: it
// wraps an existing "patrons" command (import, export) so that "delete"
// goes here and everything else there, or adds a "patrons" command that
// knows only "delete".
func withPatronsDelete(cmds []command) []command {
	for i, c := range cmds {
		if c.name == "patrons" {
			next := c.run
			cmds[i].run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if len(args) > 0 && args[0] == "delete" {
					return runPatronsDelete(ctx, args[1:], stdout, stderr)
				}
				return next(ctx, args, stdout, stderr)
			}
			return cmds
		}
	}
	return append(cmds, command{"patrons", "patrons: delete CARD (a patron's request, once everything is settled)",
		func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			if len(args) > 0 && args[0] == "delete" {
				return runPatronsDelete(ctx, args[1:], stdout, stderr)
			}
			if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
				fmt.Fprintln(stderr, "Usage: bibgate patrons delete [--yes] CARD")
				return nil
			}
			return fmt.Errorf("%w: bibgate patrons delete CARD", errUsage)
		}})
}

// runPatronsDelete is "bibgate patrons delete CARD": the patron's personal
// data is deleted on their request (regulation 002 §21, §47-48) once
// nothing is on loan and nothing is owed either way anywhere in the
// consortium; otherwise it is refused with the reason. Without --yes it
// only says what it would do.
func runPatronsDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("patrons delete", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bibgate patrons delete [flags] CARD\n\n"+
			"Deletes a patron at their request once every obligation is settled: nothing on\n"+
			"loan, nothing owed, no refund due. Active holds are cancelled. Fees, holds and\n"+
			"loans stay for statistics without the patron; notices and receipts go.\n\nFlags:")
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "", "TOML configuration file (default: the embedded demo configuration)")
	dataDir := fs.String("data-dir", "", "directory of the data files (overrides data_dir)")
	yes := fs.Bool("yes", false, "really delete (without it, only check and say what would happen)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one card number", errUsage)
	}
	card := fs.Arg(0)
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := svc.Patron(ctx, card)
	if err != nil {
		return fmt.Errorf("patron %s: %w", card, err)
	}
	if why := obligations(sum); why != "" {
		return fmt.Errorf("patron %s cannot be deleted: %s", card, why)
	}
	if !*yes {
		fmt.Fprintf(stdout, "patron %s has settled everything and can be deleted (%d active holds would be cancelled); run again with --yes\n",
			card, len(sum.Holds))
		return nil
	}
	d, err := svc.DeletePatron(ctx, card)
	if err != nil {
		return fmt.Errorf("patron %s cannot be deleted: %w", card, err)
	}
	fmt.Fprintf(stdout, "patron %s deleted: %d holds cancelled, %d records kept for statistics without the patron, %d notices and receipts removed\n",
		card, d.HoldsCancelled, d.Anonymised, d.Removed)
	return nil
}

// obligations says what stops a deletion, in words; "" if nothing does.
// DeletePatron decides again inside its transaction.
func obligations(sum core.PatronSummary) string {
	switch {
	case len(sum.Loans) > 0:
		return fmt.Sprintf("%d items on loan; they must be returned first", len(sum.Loans))
	case sum.Owed > 0:
		return fmt.Sprintf("owes %v EUR; it must be paid or written off first", sum.Owed)
	case sum.Owed < 0:
		return fmt.Sprintf("the library owes the patron a refund of %v EUR; pay it out first", -sum.Owed)
	case len(sum.Fees) > 0:
		return fmt.Sprintf("%d open charges and credits cancel out but are not settled; settle them first", len(sum.Fees))
	}
	return ""
}
