package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill/partners"
	"github.com/bibgate/bibgate/internal/app"
)

// runILLFind is "bibgate ill find": who holds a title among the partners
// with a catalogue, asked in parallel, the candidate suppliers ranked.
func runILLFind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	use := "bibgate ill find ISBN | --issn ISSN | --local NUMBER | --title T [--author A]  [--timeout 5s] [--json] [--server URL | --config FILE]"
	fs := pflag.NewFlagSet("ill find", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "TOML configuration file with the [[ill.partner]] catalogues")
	server := fs.String("server", "", "a running bibgate serve's admin listener, e.g. http://127.0.0.1:9100")
	timeout := fs.Duration("timeout", 0, "how long each catalogue has to answer (default ill.find_timeout, else 5s)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	var q partners.Query
	fs.StringVar(&q.ISBN, "isbn", "", "ISBN")
	fs.StringVar(&q.ISSN, "issn", "", "ISSN")
	fs.StringVar(&q.LocalNumber, "local", "", "the record's local number (001) in the partners' catalogues")
	fs.StringVar(&q.Title, "title", "", "title")
	fs.StringVar(&q.Author, "author", "", "author")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() == 1 && q.ISBN == "":
		q.ISBN = fs.Arg(0)
	case fs.NArg() > 0:
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("%w: %s", errUsage, use)
	}
	var res *partners.Result
	if *server != "" {
		v := app.FindQueryValues(q)
		if *timeout > 0 {
			v.Set("timeout", timeout.String())
		}
		res = &partners.Result{}
		if err := (remoteILL{base: strings.TrimRight(*server, "/")}).call(ctx, http.MethodGet, "/ill/find?"+v.Encode(), nil, res); err != nil {
			return err
		}
	} else {
		cfg, err := loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		f := cfg.PartnerFinder()
		if len(f.Targets) == 0 {
			return fmt.Errorf("ill find: no [[ill.partner]] in the configuration has a catalogue")
		}
		if *timeout > 0 {
			f.Timeout = *timeout
		}
		if res, err = f.Find(ctx, q); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printFind(stdout, res)
}

// printFind lists the catalogues asked and the candidates, best first.
func printFind(w io.Writer, res *partners.Result) error {
	plural := "s"
	if len(res.Targets) == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "%s in %d partner catalogue%s:\n", res.Query, len(res.Targets), plural)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range res.Targets {
		what := fmt.Sprintf("%d found", o.Hits)
		switch {
		case o.TimedOut:
			what = "TIMED OUT: " + o.Error
		case o.Error != "":
			what = "FAILED: " + o.Error
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%v\n", o.Partner, o.Catalogue, what, o.Elapsed.Round(time.Millisecond))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Candidates) == 0 {
		_, err := fmt.Fprintln(w, "No partner holds it.")
		return err
	}
	fmt.Fprintln(w, "Candidates, best supplier first:")
	for i, c := range res.Candidates {
		title := c.Title
		if c.Author != "" {
			title += " / " + c.Author
		}
		fmt.Fprintf(w, "%d. %s  %s  [%s]  %s\n", i+1, c.Partner, title, c.Material, rankFacts(c))
		for _, g := range groupHoldings(c.Holdings) {
			h := g.h
			lib := h.Library
			if h.LibraryName != "" {
				lib += " (" + h.LibraryName + ")"
			}
			status := string(h.Status)
			if h.Due != "" {
				status += " until " + h.Due
			}
			if h.Restriction != "" {
				status += ": " + h.Restriction
			}
			if h.OnHold {
				status += ", on hold"
			}
			if g.n > 1 {
				status = fmt.Sprintf("%d× %s", g.n, status)
			}
			fmt.Fprintf(tw, "     %s\t%s\t%s\t%s\n", lib, dashed(h.CallNumber), status, h.Source)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

type holdingGroup struct {
	h partners.Holding
	n int
}

// groupHoldings counts alike copies that follow each other as one line.
func groupHoldings(hs []partners.Holding) []holdingGroup {
	var out []holdingGroup
	for _, h := range hs {
		if len(out) > 0 && out[len(out)-1].h == h {
			out[len(out)-1].n++
			continue
		}
		out = append(out, holdingGroup{h, 1})
	}
	return out
}

func rankFacts(c partners.Candidate) string {
	var f []string
	switch {
	case !c.LendsType:
		f = append(f, "does not lend "+c.Material)
	case !c.Lendable:
		f = append(f, "reading room only")
	case c.AvailableNow:
		f = append(f, "available now")
	case c.Due != "":
		f = append(f, "on loan until "+c.Due)
	default:
		f = append(f, "availability unknown")
	}
	if c.Distance > 0 {
		f = append(f, fmt.Sprintf("%d km", c.Distance))
	}
	if c.Price != nil {
		f = append(f, "loan "+core.Money(*c.Price).String())
	}
	if c.Queue > 0 {
		f = append(f, fmt.Sprintf("%d in queue", c.Queue))
	}
	return strings.Join(f, ", ")
}

// rotaFromFind is the rota bibgate ill request --from-find takes: the
// partners whose catalogues hold a lendable copy of the ISBN, in the order
// bibgate ill find ranks them (best supplier first).
func rotaFromFind(ctx context.Context, cfgPath, server, isbn string) ([]string, error) {
	q := partners.Query{ISBN: isbn}
	res := &partners.Result{}
	if server != "" {
		if err := (remoteILL{base: strings.TrimRight(server, "/")}).call(ctx, http.MethodGet, "/ill/find?"+app.FindQueryValues(q).Encode(), nil, res); err != nil {
			return nil, err
		}
	} else {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			return nil, err
		}
		f := cfg.PartnerFinder()
		if len(f.Targets) == 0 {
			return nil, fmt.Errorf("ill request --from-find: no [[ill.partner]] in the configuration has a catalogue")
		}
		if res, err = f.Find(ctx, q); err != nil {
			return nil, err
		}
	}
	var rota []string
	for _, c := range res.Candidates {
		if c.LendsType && c.Lendable && !slices.Contains(rota, c.Partner) {
			rota = append(rota, c.Partner)
		}
	}
	if len(rota) == 0 {
		return nil, fmt.Errorf("ill request --from-find %s: no partner holds a copy it lends", isbn)
	}
	return rota, nil
}
