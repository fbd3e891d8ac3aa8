package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
)

// runILL is "bibgate ill list|show": the interlibrary loan transactions of
// a data directory, read offline like items show.
func runILL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "bibgate ill list | ill show ID"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(stderr, "Usage: "+use+" [--config FILE] [--data-dir DIR]\n\n"+
			"  list     every interlibrary loan transaction, oldest first\n"+
			"  show ID  one transaction with its history: time, origin, event, state\n\n"+
			"They read the data directory; stop bibgate serve on it first (bolt allows one process).")
		return nil
	}
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	fs := pflag.NewFlagSet("ill "+args[0], pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath, dataDir := catalogueFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case args[0] == "list" && fs.NArg() == 0, args[0] == "show" && fs.NArg() == 1:
	default:
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	cfg, err := toolConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "list" {
		xs, err := svc.ILLList(ctx)
		if err != nil {
			return err
		}
		return printILLList(stdout, xs)
	}
	x, err := svc.ILLGet(ctx, core.ILLRef{ID: fs.Arg(0)})
	if err != nil {
		return err
	}
	return printILLTransaction(stdout, x)
}

func printILLList(w io.Writer, xs []core.ILLTransaction) error {
	if len(xs) == 0 {
		_, err := fmt.Fprintln(w, "no interlibrary loan transactions")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tPARTNER\tTRANSACTION\tSERVICE\tSTATE\tUPDATED\tTITLE")
	for _, x := range xs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.Role, dashed(x.Partner), tupleString(x.TID), x.Service, x.State,
			x.Updated.Format("2006-01-02 15:04"), dashed(x.Item.Title))
	}
	return tw.Flush()
}

// tupleString writes a transaction-id as initial-requester/group/
// transaction[/sub-transaction].
func tupleString(t core.TransactionID) string {
	parts := []string{t.InitialRequester.Symbol, t.Group, t.Transaction}
	if t.SubTransaction != "" {
		parts = append(parts, t.SubTransaction)
	}
	return strings.Join(parts, "/")
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printILLTransaction(w io.Writer, x core.ILLTransaction) error {
	date := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02")
	}
	item := x.Item.Title
	if x.Item.Author != "" {
		item += " / " + x.Item.Author
	}
	if x.Item.ISBN != "" {
		item += "  ISBN " + x.Item.ISBN
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][2]string{
		{"Transaction", x.ID},
		{"Role", string(x.Role)},
		{"Partner", dashed(x.Partner)},
		{"Transaction-id", tupleString(x.TID)},
		{"Service", string(x.Service)},
		{"State", x.State.String()},
		{"Item", dashed(item)},
		{"Records", dashed(strings.Join(x.Item.RecordIDs, ", "))},
		{"Patron", dashed(x.PatronID)},
		{"Copy", dashed(x.CopyID)},
		{"Due", date(x.Due)},
		{"Created", x.Created.Format(time.RFC3339)},
	}
	if x.Cost > 0 {
		rows = append(rows, [2]string{"Cost EUR", fmt.Sprintf("%d.%02d", x.Cost/100, x.Cost%100)})
	}
	if x.Note != "" {
		rows = append(rows, [2]string{"Note", x.Note})
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	fmt.Fprintln(tw, "\nHistory:")
	fmt.Fprintln(tw, "#\tTIME\tORIGIN\tEVENT\tSTATE\tDETAILS")
	for _, e := range x.Events {
		ev := string(e.Dir) + e.Service.String()
		if e.Qualifier != "" {
			ev += ":" + e.Qualifier
		}
		var details []string
		if e.Reason != "" {
			details = append(details, e.Reason)
		}
		if !e.Date.IsZero() {
			details = append(details, "date "+e.Date.Format("2006-01-02"))
		}
		if e.Note != "" {
			details = append(details, e.Note)
		}
		if e.Crossing {
			details = append(details, "crossed in transit")
		}
		if e.Send {
			if e.Sent.IsZero() {
				details = append(details, "to send")
			} else {
				details = append(details, "sent "+e.Sent.Format("15:04:05"))
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format("2006-01-02 15:04:05"), e.Origin, ev,
			stateChange(e.From, e.To), strings.Join(details, "; "))
	}
	return tw.Flush()
}

func stateChange(from, to illstate.State) string {
	if from == to {
		return to.String()
	}
	return from.String() + " -> " + to.String()
}
