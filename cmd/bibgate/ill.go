package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/internal/app"
)

// runILL is "bibgate ill": the interlibrary loan desk. list and show read
// the transactions; request files one for a patron; the staff actions
// (ship, receive, return, send-back, checkin, renew, cancel, recall,
// lost, damaged, message) move one on. With --server they go through a running bibgate
// serve's admin listener (the admin token in BIBGATE_ADMIN_TOKEN), which
// delivers what they send the partner at once; without, they work on the
// data directory of a stopped server and what they send waits in the
// outbox until it runs.
func runILL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	actions := core.ILLStaffActionNames()
	use := "bibgate ill find ISBN | list | show ID | request --patron CARD --partner SYMBOL --title T [...] | " +
		strings.Join(actions, "|") + " ID [--note N] [--item BARCODE] [--date YYYY-MM-DD]"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(stderr, "Usage: "+use+"\n          [--server URL | --config FILE --data-dir DIR]\n\n"+
			"  find ISBN  who holds it among the partners' catalogues, best supplier first\n"+
			"             (--issn, --local NUMBER, --title T --author A; --timeout, --json)\n"+
			"  list       every interlibrary loan transaction, oldest first\n"+
			"  show ID    one transaction with its history: time, origin, event, state\n"+
			"  request    file a request for one of our patrons to a partner (ILL-Request);\n"+
			"             --rota A,B,C asks them in turn until one supplies, --from-find ISBN\n"+
			"             takes the rota from the partners' catalogues (ill find)\n"+
			"  ship ID    we lend: the copy goes to the partner (--item: the barcode scanned)\n"+
			"  receive ID we borrow: it arrived (a temporary copy, held for the patron)\n"+
			"  return ID  we borrow: sent back;  checkin ID  we lend: it is back\n"+
			"  send-back ID  we borrow: what a partner the rota passed over shipped all\n"+
			"             the same goes back to it (ill show: RETURN on its attempt)\n"+
			"  renew, cancel, recall, lost, damaged, message ID: as their names say\n\n"+
			"--server URL goes through a running bibgate serve's admin listener (token in\n"+
			adminTokenEnv+"); without it the data directory is used, and bibgate serve\n"+
			"must be stopped (bolt allows one process).")
		return nil
	}
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	if args[0] == "find" {
		return runILLFind(ctx, args[1:], stdout, stderr)
	}
	verb := args[0]
	fs := pflag.NewFlagSet("ill "+verb, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath, dataDir := catalogueFlags(fs)
	server := fs.String("server", "", "a running bibgate serve's admin listener, e.g. http://127.0.0.1:9100")
	note := fs.String("note", "", "a note for the partner's staff")
	item := fs.String("item", "", "the barcode of the copy (ship)")
	date := fs.String("date", "", "a date, YYYY-MM-DD (renew: the due date wished; ship: the due date agreed with the partner)")
	var req app.ILLRequestBody
	var fromFind *string
	if verb == "request" {
		fs.StringVar(&req.Patron, "patron", "", "our patron's card")
		fs.StringVar(&req.Partner, "partner", "", "the partner's ILL symbol")
		fs.StringVar(&req.Item.Title, "title", "", "title")
		fs.StringVar(&req.Item.Author, "author", "", "author")
		fs.StringVar(&req.Item.ISBN, "isbn", "", "ISBN")
		fs.StringVar(&req.Item.ISSN, "issn", "", "ISSN")
		fs.StringVar(&req.Pickup, "pickup", "", "the library where the patron collects it (default: their home library)")
		fs.StringVar((*string)(&req.Service), "service", "", "loan (default) or copy-non-returnable")
		fs.StringSliceVar(&req.Rota, "rota", nil, "partners to ask one after the other until one supplies, e.g. A,B,C (the first is the partner)")
		fromFind = fs.String("from-find", "", "take the rota from bibgate ill find ISBN: the partners holding a lendable copy, best first")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	isAction := slices.Contains(actions, verb)
	switch {
	case verb == "list" && fs.NArg() == 0, verb == "show" && fs.NArg() == 1, isAction && fs.NArg() == 1:
	case verb == "request" && fs.NArg() == 0:
		if *fromFind != "" {
			if len(req.Rota) > 0 {
				return fmt.Errorf("%w: ill request takes --rota or --from-find, not both", errUsage)
			}
			rota, err := rotaFromFind(ctx, *cfgPath, *server, *fromFind)
			if err != nil {
				return err
			}
			if req.Partner != "" && !slices.Contains(rota, req.Partner) {
				rota = append([]string{req.Partner}, rota...)
			} else if req.Partner != "" {
				rota = append([]string{req.Partner}, slices.DeleteFunc(rota, func(p string) bool { return p == req.Partner })...)
			}
			req.Rota = rota
			if req.Item.ISBN == "" {
				req.Item.ISBN = *fromFind
			}
		}
		if req.Patron == "" || (req.Partner == "" && len(req.Rota) == 0) || (req.Item.Title == "" && req.Item.ISBN == "" && req.Item.ISSN == "") {
			return fmt.Errorf("%w: ill request needs --patron, --partner (or --rota, --from-find) and --title, --isbn or --issn", errUsage)
		}
		req.Note = *note
	default:
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	var desk illDesk
	if *server != "" {
		desk = remoteILL{base: strings.TrimRight(*server, "/")}
	} else {
		cfg, err := toolConfig(*cfgPath, *dataDir)
		if err != nil {
			return err
		}
		svc, st, err := openCore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		desk = localILL{svc}
	}
	switch verb {
	case "list":
		xs, err := desk.list(ctx)
		if err != nil {
			return err
		}
		return printILLList(stdout, xs)
	case "show":
		x, err := desk.get(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if err := printILLTransaction(stdout, x); err != nil {
			return err
		}
		return printILLLegs(ctx, stdout, desk, x)
	case "request":
		x, err := desk.request(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ILL-Request to %s filed for %s, %s\n", x.ID, x.Partner, x.PatronID, x.State)
		if len(x.Rota) > 1 {
			fmt.Fprintf(stdout, "%s: rota %s\n", x.ID, strings.Join(x.Rota, ", "))
		}
		return nil
	}
	x, err := desk.act(ctx, fs.Arg(0), verb, app.ILLActionBody{Note: *note, Item: *item, Date: *date})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s, now %s\n", x.ID, verb, x.State)
	return nil
}

// illDesk is the ILL desk, in the data directory or through a server.
type illDesk interface {
	list(ctx context.Context) ([]core.ILLTransaction, error)
	get(ctx context.Context, id string) (core.ILLTransaction, error)
	request(ctx context.Context, r app.ILLRequestBody) (core.ILLTransaction, error)
	act(ctx context.Context, id, action string, b app.ILLActionBody) (core.ILLTransaction, error)
}

type localILL struct{ svc *core.Service }

func (l localILL) list(ctx context.Context) ([]core.ILLTransaction, error) { return l.svc.ILLList(ctx) }
func (l localILL) get(ctx context.Context, id string) (core.ILLTransaction, error) {
	return l.svc.ILLGet(ctx, core.ILLRef{ID: id})
}
func (l localILL) request(ctx context.Context, r app.ILLRequestBody) (core.ILLTransaction, error) {
	return l.svc.OperatorILLRequest(ctx, core.OperatorConsole, core.ILLNewRequest{PatronID: r.Patron, Partner: r.Partner, Service: r.Service, Item: r.Item,
		PickupLibrary: r.Pickup, Note: r.Note, Rota: r.Rota})
}
func (l localILL) act(ctx context.Context, id, action string, b app.ILLActionBody) (core.ILLTransaction, error) {
	var date time.Time
	if b.Date != "" {
		d, err := time.Parse(time.DateOnly, b.Date)
		if err != nil {
			return core.ILLTransaction{}, fmt.Errorf("%w: --date %q: use YYYY-MM-DD", errUsage, b.Date)
		}
		date = d
	}
	return l.svc.OperatorILLAction(ctx, core.OperatorConsole, id, action, core.ILLDeskAction{Note: b.Note, ItemID: b.Item, Date: date})
}

// remoteILL is the admin listener's /ill routes.
type remoteILL struct{ base string }

func (r remoteILL) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return fmt.Errorf("%w: --server: %v", errUsage, err)
	}
	if tok := os.Getenv(adminTokenEnv); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ill: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("ill: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ill: %s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	return json.Unmarshal(data, out)
}

func (r remoteILL) list(ctx context.Context) (xs []core.ILLTransaction, err error) {
	return xs, r.call(ctx, http.MethodGet, "/ill/transactions", nil, &xs)
}
func (r remoteILL) get(ctx context.Context, id string) (x core.ILLTransaction, err error) {
	return x, r.call(ctx, http.MethodGet, "/ill/transactions/"+url.PathEscape(id), nil, &x)
}
func (r remoteILL) request(ctx context.Context, b app.ILLRequestBody) (x core.ILLTransaction, err error) {
	return x, r.call(ctx, http.MethodPost, "/ill/requests", b, &x)
}
func (r remoteILL) act(ctx context.Context, id, action string, b app.ILLActionBody) (x core.ILLTransaction, err error) {
	return x, r.call(ctx, http.MethodPost, "/ill/transactions/"+url.PathEscape(id)+"/"+action, b, &x)
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
	if len(x.Rota) > 0 {
		rows = append(rows, [2]string{"Rota", strings.Join(x.Rota, ", ")})
	}
	rows = append(rows, illLegRows(x)...)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	if len(x.Attempts) > 0 {
		printILLAttempts(tw, x)
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
		if e.ReturnAddress != "" {
			details = append(details, "return to "+e.ReturnAddress)
		}
		if e.Relay != "" {
			details = append(details, "relay "+e.Relay)
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

// printILLAttempts lists the legs of a request sent down a rota: the
// partner asked, the transaction-id used with it, when the request went,
// what the partner answered, the leg's state (the transaction's for the
// current leg, its own for one passed over while its partner was still to
// answer, - for a leg that ended) and whether the item it shipped anyway
// is to go back (send-back).
func printILLAttempts(w io.Writer, x core.ILLTransaction) {
	fmt.Fprintln(w, "\nAttempts:")
	fmt.Fprintln(w, "#\tPARTNER\tTRANSACTION\tSENT\tOUTCOME\tSTATE\tRETURN\tREASON")
	for i, a := range x.Attempts {
		sent := "-"
		switch {
		case !a.Sent.IsZero():
			sent = a.Sent.Format("2006-01-02 15:04:05")
		case a.Event > 0:
			sent = "to send"
		}
		outcome := a.Outcome
		if outcome == "" {
			outcome = "waiting"
		}
		reason := a.Reason
		if a.Note != "" {
			reason = strings.TrimPrefix(reason+"; "+a.Note, "; ")
		}
		state := "-"
		switch {
		case a.State != illstate.Idle:
			state = a.State.String()
		case i == len(x.Attempts)-1 && a.Ended.IsZero():
			state = x.State.String()
		}
		ret := "-"
		if a.ReturnItem {
			ret = "send back"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, a.Partner, tupleString(a.TID), sent, outcome, state, ret, dashed(reason))
	}
}
