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
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/adapters/csvio"
	"github.com/bibgate/bibgate/core"
)

// runPatrons is "bibgate patrons import|export".
func runPatrons(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runListCommand(ctx, "patrons", args, stdout, stderr, csvio.ImportPatrons, csvio.ExportPatrons,
		"Patron columns (header line, any order; comma or semicolon):\n"+
			"  card, name (or first_name + last_name), home_library: required\n"+
			"  birth_date, guardian_card, email, phone, category, resident, identity_confirmed,\n"+
			"  personal_code, pin (hashed with Argon2id) or pin_hash (argon2id PHC string or\n"+
			"  bcrypt $2a$/$2b$/$2y$ as Koha stores them: kept and verified at login), language,\n"+
			"  valid_until. Export writes pin_hash, never a PIN.")
}

type importFunc func(context.Context, *core.Service, io.Reader, csvio.Options) (csvio.Report, error)
type exportFunc func(context.Context, *core.Service, io.Writer) (int, error)

// runListCommand runs "import FILE.csv" or "export" for patrons or items.
func runListCommand(ctx context.Context, what string, args []string, stdout, stderr io.Writer,
	imp importFunc, exp exportFunc, columns string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(stderr, "Usage: bibgate %s import [--dry-run] [--server URL] FILE.csv\n       bibgate %s export [-o FILE.csv]\n\n%s\n", what, what, columns)
			return nil
		}
		return fmt.Errorf("%w: bibgate %s import FILE.csv | bibgate %s export", errUsage, what, what)
	}
	sub := args[0]
	fs := pflag.NewFlagSet(what+" "+sub, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: bibgate %s %s [flags]%s\n\n%s\n\nFlags:\n", what, sub, map[bool]string{true: " FILE.csv"}[sub == "import"], columns)
		fs.PrintDefaults()
	}
	cfgPath, dataDir := catalogueFlags(fs)
	var dryRun, quiet *bool
	var server, out *string
	if sub == "import" {
		dryRun = fs.Bool("dry-run", false, "check every line and report, write nothing")
		quiet = fs.BoolP("quiet", "q", false, "no progress bar")
		server = fs.String("server", "", "import through a running bibgate serve's admin listener, e.g. http://127.0.0.1:9100")
	} else {
		out = fs.StringP("output", "o", "-", "output file (\"-\" is standard output)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if sub == "export" {
		if fs.NArg() > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
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
		w, finish, err := createOutput(*out, stdout)
		if err != nil {
			return err
		}
		n, err := exp(ctx, svc, w)
		if ferr := finish(); err == nil {
			err = ferr
		}
		if err != nil {
			return fmt.Errorf("%s export: %w", what, err)
		}
		if *out != "-" {
			fmt.Fprintf(stderr, "%d %s written to %s\n", n, what, *out)
		}
		return nil
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: one CSV file (bibgate %s import FILE.csv)", errUsage, what)
	}
	name := fs.Arg(0)
	var in io.Reader = os.Stdin
	size := int64(-1)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
	}
	var rep csvio.Report
	var err error
	if *server != "" {
		rep, err = listToServer(ctx, *server, what, in, *dryRun)
	} else {
		rep, err = listLocal(ctx, what, *cfgPath, *dataDir, in, *dryRun, !*quiet && isTerminal(stderr) && size != 0, name, stderr, imp)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	printListReport(stdout, what, name, rep)
	return nil
}

func listLocal(ctx context.Context, what, cfgPath, dataDir string, in io.Reader, dryRun, bar bool, name string,
	stderr io.Writer, imp importFunc) (csvio.Report, error) {
	cfg, err := toolConfig(cfgPath, dataDir)
	if err != nil {
		return csvio.Report{}, err
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return csvio.Report{}, err
	}
	defer st.Close()
	opts := csvio.Options{DryRun: dryRun}
	if bar {
		var pb *progressbar.ProgressBar
		opts.Progress = func(done, total int) {
			if pb == nil {
				pb = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription(filepath.Base(name)), progressbar.OptionShowCount(),
					progressbar.OptionShowIts(), progressbar.OptionSetItsString(what),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			_ = pb.Set(done)
		}
		defer func() {
			if pb != nil {
				_ = pb.Close()
			}
		}()
	}
	return imp(ctx, svc, in, opts)
}

// listToServer posts the file to the admin listener's /patrons/import or
// /items/import.
func listToServer(ctx context.Context, server, what string, in io.Reader, dryRun bool) (csvio.Report, error) {
	var rep csvio.Report
	u := strings.TrimRight(server, "/") + "/" + what + "/import"
	if dryRun {
		u += "?" + url.Values{"dry_run": {"1"}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, in)
	if err != nil {
		return rep, fmt.Errorf("%w: --server: %v", errUsage, err)
	}
	req.Header.Set("Content-Type", "text/csv")
	if tok := os.Getenv(adminTokenEnv); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rep, fmt.Errorf("import into %s: %w", server, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return rep, err
	}
	if resp.StatusCode != http.StatusOK {
		return rep, fmt.Errorf("import into %s: %s: %s", server, resp.Status, strings.TrimSpace(string(bytes.TrimSpace(body))))
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return rep, fmt.Errorf("import into %s: reading the report: %w", server, err)
	}
	return rep, nil
}

// maxShownLineErrors bounds the per-line report on the terminal.
const maxShownLineErrors = 100

func printListReport(w io.Writer, what, name string, rep csvio.Report) {
	verb := "imported"
	if rep.DryRun {
		verb = "would be imported"
	}
	rate := 0.0
	if s := rep.Elapsed.Seconds(); s > 0 {
		rate = float64(rep.Imported) / s
	}
	split := ""
	if rep.Created+rep.Updated > 0 {
		split = fmt.Sprintf(" (%d new, %d updated)", rep.Created, rep.Updated)
	}
	fmt.Fprintf(w, "%s: %d lines, %d %s %s%s, %d rejected, in %s (%.0f/s)\n", name, rep.Lines,
		rep.Imported, what, verb, split, len(rep.Errors), rep.Elapsed.Round(time.Millisecond), rate)
	if rep.DryRun {
		fmt.Fprintln(w, "  dry run: nothing written")
	}
	for i, e := range rep.Errors {
		if i == maxShownLineErrors {
			fmt.Fprintf(w, "  ... %d more\n", len(rep.Errors)-i)
			break
		}
		fmt.Fprintf(w, "  %v\n", e)
	}
}
