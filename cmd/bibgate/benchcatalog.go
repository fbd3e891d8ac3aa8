package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/z3950/z3950bench"
)

// defaultPQF and defaultCQL are queries with hits in the demo catalogue.
var (
	defaultPQF = []string{"@attr 1=4 zeme", "@attr 1=1003 upits", "@attr 1=21 romāni", "@attr 1=7 9789934077353",
		"@attr 1=1016 tallinn", "@attr 1=4 @attr 5=1 kalev", "@attr 1=1018 jumava", "@attr 1=31 @attr 2=4 2019"}
	defaultCQL = []string{"dc.title=zeme", "dc.creator=upits", "dc.subject=romāni", "bath.isbn=9789934077353",
		"tallinn", "dc.title=kalev*", "dc.publisher=jumava", "dc.date>=2019"}
)

// readQueries reads one query a line; blank lines and lines starting with
// # are skipped. An empty path gives the defaults.
func readQueries(path string, defaults []string) ([]string, error) {
	if path == "" {
		return defaults, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	return out, nil
}

// benchZ3950 drives Search (+ Present) load against a Z39.50 server.
func benchZ3950(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench z3950", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:2100", `Z39.50 server: "host:port" or "tcp:host:port/Database"`)
	database := fs.String("database", "", "database name (default: from --addr, else Default)")
	conns := fs.Int("conns", 4, "connections, each in a closed loop")
	duration := fs.Duration("duration", 10*time.Second, "how long to drive the load")
	queries := fs.String("queries", "", "file of PQF queries, one a line (default: queries for the demo catalogue)")
	present := fs.Int("present", 0, "records to present after each search (0: search only)")
	syntax := fs.String("syntax", "usmarc", "record syntax: usmarc, xml, sutrs or opac")
	elements := fs.String("elements", "", "element set name (F, B, marcxml ...)")
	newSession := fs.Bool("new-session", false, "connect, Init, search, present and Close for every query")
	presentOnly := fs.Bool("present-only", false,
		"search once per connection, then present --present records (default 10) from random positions of that set")
	user := fs.String("user", "", "Init user name")
	password := fs.String("password", "", "Init password")
	asJSON := fs.Bool("json", false, "print one JSON object with the figures")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch *syntax {
	case "usmarc", "marc21", "xml", "sutrs", "opac":
	default:
		return fmt.Errorf("%w: --syntax %q: want usmarc, xml, sutrs or opac", errUsage, *syntax)
	}
	if *conns < 1 || *duration <= 0 || *present < 0 {
		return fmt.Errorf("%w: --conns, --duration and --present must be positive", errUsage)
	}
	if *presentOnly && *newSession {
		return fmt.Errorf("%w: --present-only and --new-session exclude each other", errUsage)
	}
	if *presentOnly && *present == 0 {
		*present = 10
	}
	qs, err := readQueries(*queries, defaultPQF)
	if err != nil {
		return fmt.Errorf("%w: --queries: %v", errUsage, err)
	}
	esn := *elements
	if esn == "" && *syntax == "xml" {
		esn = "marcxml"
	}
	res, err := z3950bench.Run(ctx, z3950bench.Options{Addr: *addr, Database: *database, Conns: *conns, Duration: *duration,
		Queries: qs, Present: *present, Syntax: *syntax, ElementSet: esn, NewSession: *newSession,
		PresentOnly: *presentOnly, User: *user, Password: *password})
	if err != nil {
		return err
	}
	labels := map[string]any{"protocol": "z3950", "addr": *addr, "conns": *conns, "present": *present, "syntax": *syntax,
		"new_session": *newSession, "present_only": *presentOnly, "hits": res.Hits, "records": res.Records}
	if res.FirstError != "" {
		labels["first_error"] = res.FirstError
	}
	return printBench(stdout, *asJSON, labels, int(res.Queries), int(res.Errors), 0, res.Elapsed, res.Throughput,
		res.P50, res.P99, res.Max)
}

// benchSRU drives searchRetrieve load against an SRU server.
func benchSRU(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench sru", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "http://127.0.0.1:2100/Default", `SRU base URL, or "host:port" for http://host:port/Default`)
	conns := fs.Int("conns", 4, "concurrent clients, each in a closed loop on a kept-alive connection")
	duration := fs.Duration("duration", 10*time.Second, "how long to drive the load")
	queries := fs.String("queries", "", "file of CQL queries, one a line (default: queries for the demo catalogue)")
	records := fs.Int("records", 0, "maximumRecords of each request (0: hit counts only)")
	schema := fs.String("schema", "marcxml", "recordSchema")
	version := fs.String("version", "1.2", "SRU version: 1.1, 1.2 or 2.0")
	asJSON := fs.Bool("json", false, "print one JSON object with the figures")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *conns < 1 || *duration <= 0 || *records < 0 {
		return fmt.Errorf("%w: --conns, --duration and --records must be positive", errUsage)
	}
	base := *addr
	if !strings.Contains(base, "://") {
		base = "http://" + base + "/Default"
	}
	if _, err := url.Parse(base); err != nil {
		return fmt.Errorf("%w: --addr: %v", errUsage, err)
	}
	qs, err := readQueries(*queries, defaultCQL)
	if err != nil {
		return fmt.Errorf("%w: --queries: %v", errUsage, err)
	}
	res, err := runSRULoad(ctx, sruLoad{base: base, conns: *conns, duration: *duration, queries: qs, records: *records,
		schema: *schema, version: *version})
	if err != nil {
		return err
	}
	labels := map[string]any{"protocol": "sru", "addr": base, "conns": *conns, "records": *records, "schema": *schema,
		"version": *version}
	if res.firstError != "" {
		labels["first_error"] = res.firstError
	}
	return printBench(stdout, *asJSON, labels, res.requests, res.errors, 0, res.elapsed, res.rate, res.p50, res.p99, res.max)
}

type sruLoad struct {
	base           string
	conns          int
	duration       time.Duration
	queries        []string
	records        int
	schema         string
	version        string
	requestTimeout time.Duration
}

type sruResult struct {
	requests, errors int
	elapsed          time.Duration
	rate             float64
	p50, p99, max    time.Duration
	firstError       string
}

// runSRULoad runs the closed loops: each client sends a searchRetrieve,
// reads the whole answer, and sends the next query. A request fails on a
// transport error, a status other than 200, or an SRU diagnostic.
func runSRULoad(ctx context.Context, o sruLoad) (sruResult, error) {
	if o.requestTimeout <= 0 {
		o.requestTimeout = 10 * time.Second
	}
	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: o.requestTimeout}
	urls := make([]string, len(o.queries))
	for i, q := range o.queries {
		v := url.Values{"version": {o.version}, "operation": {"searchRetrieve"}, "query": {q},
			"maximumRecords": {fmt.Sprint(o.records)}, "recordSchema": {o.schema}}
		urls[i] = o.base + "?" + v.Encode()
	}
	// Fail fast when the server is not there at all.
	if _, err := sruRequest(ctx, client, urls[0]); err != nil && !errors.Is(err, errSRUDiagnostic) {
		return sruResult{}, fmt.Errorf("bench sru: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		lats     []time.Duration
		errCount atomic.Int64
		firstErr atomic.Value
	)
	start := time.Now()
	for c := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := c; ctx.Err() == nil; i++ {
				t0 := time.Now()
				_, err := sruRequest(ctx, client, urls[i%len(urls)])
				if ctx.Err() != nil {
					break // the run ended during the request: not counted
				}
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := sruResult{requests: len(lats), errors: int(errCount.Load()), elapsed: elapsed}
	if s, ok := firstErr.Load().(string); ok {
		res.firstError = s
	}
	if elapsed > 0 {
		res.rate = float64(len(lats)) / elapsed.Seconds()
	}
	if len(lats) > 0 {
		slices.Sort(lats)
		res.p50 = lats[len(lats)/2]
		res.p99 = lats[min(len(lats)-1, len(lats)*99/100)]
		res.max = lats[len(lats)-1]
	}
	return res, nil
}

var errSRUDiagnostic = errors.New("SRU diagnostic")

// sruRequest sends one GET and reads the answer; it returns the body size.
func sruRequest(ctx context.Context, client *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return len(body), fmt.Errorf("HTTP %s", resp.Status)
	}
	if i := bytes.Index(body, []byte("info:srw/diagnostic/1/")); i >= 0 {
		end := min(len(body), i+40)
		return len(body), fmt.Errorf("%w: %s", errSRUDiagnostic, strings.SplitN(string(body[i:end]), "<", 2)[0])
	}
	return len(body), nil
}
