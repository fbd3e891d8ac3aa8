// Command bibgate is the library protocol gateway: one binary that serves
// SIP2, Z39.50 and SRU over one circulation core, and the operator's tools
// around it. Run "bibgate help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // library calendars need their time zone on any machine

	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return withPatronsDelete([]command{
		{"serve", "run the gateway (embedded demo default without --config)", runServe},
		{"import", "import MARC records (ISO 2709 or MARCXML, MARC-8 converted) into the catalogue", runImport},
		{"export", "export the catalogue as ISO 2709 or MARCXML", runExport},
		{"patrons", "import or export patrons as CSV: patrons import FILE.csv, patrons export", runPatrons},
		{"items", "import, export or show copies: items import FILE.csv, items export, items show BARCODE", runItems},
		{"search", "search the catalogue with CQL (or PQF with --pqf)", runSearch},
		{"gen-catalogue", "write a deterministic benchmark catalogue derived from real records", runGenCatalogue},
		{"record", "record SIP2 sessions between a real client and any server as conformance transcripts", runRecord},
		{"ill", "interlibrary loan desk: ill list, show ID, request, ship, receive, return, checkin, renew, cancel ...", runILL},
		{"accounting", "collection accounting (Regulation No. 317): receipts, stocktaking, write-off, exchange, history", runAccounting},
		{"check", "verify the circulation data of a data directory or of PostgreSQL", runCheck},
		{"staff", "staff accounts of the staff API: staff add, staff passwd, staff list", runStaff},
		{"sip2", "send SIP2 messages to any server and print the answers field by field", runSIP2},
		{"bench", "drive load against a server: bench sip2, sip2-echo, sip2-idle, z3950, sru", runBench},
		{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			fmt.Fprintln(stdout, "bibgate", version)
			return nil
		}},
	})
}

// errUsage marks errors that are the caller's: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil, errors.Is(err, pflag.ErrHelp):
				// --help printed the flags: asking for help is not an error.
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintf(stderr, "bibgate %s: %v\n", c.name, err)
				return 2
			default:
				fmt.Fprintf(stderr, "bibgate %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "bibgate: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: bibgate COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'bibgate COMMAND --help' for a command's flags.")
}
