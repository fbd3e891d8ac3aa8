// Package z3950bench measures a Z39.50 server under load: several
// connections run Search (+ Present) round trips from a list of PQF queries
// for a fixed time, optionally opening a new association per query or
// presenting again and again from one result set, and report throughput
// and latency percentiles. It works against any server, Zebra and
// yaz-ztest included.
package z3950bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950client"
)

// Options configure a run.
type Options struct {
	Addr       string // "host:port" or a YAZ target "tcp:host:port/Database"
	Database   string // overrides the database in Addr; default "Default"
	Conns      int    // concurrent connections; default 1
	Duration   time.Duration
	Queries    []string // PQF, used round-robin
	Present    int      // records to fetch after each search (0: search only)
	Syntax     string   // record syntax name or OID; default "usmarc"
	ElementSet string
	NewSession bool // connect, Init, query, Close for every query
	// PresentOnly searches once per connection (the first query, in
	// round-robin order, with at least Present hits, else the first with
	// any) and then only presents
	// Present records (default 10) from random positions of that set;
	// each present is one "query" of the Result.
	PresentOnly bool
	User        string
	Password    string
	Timeout     time.Duration // per request; default 10s
}

// Result of a run. A query is one search plus its present (plus connect,
// Init and Close with NewSession), or one present with PresentOnly;
// latencies cover all of it.
type Result struct {
	Queries    int64
	Errors     int64
	Hits       int64
	Records    int64
	Elapsed    time.Duration
	Throughput float64 // successful queries per second
	P50, P99   time.Duration
	Max        time.Duration // slowest query, measured exactly
	FirstError string
}

// Run drives the server until opts.Duration has passed or ctx ends.
func Run(ctx context.Context, opts Options) (Result, error) {
	if len(opts.Queries) == 0 {
		return Result{}, errors.New("z3950bench: no queries")
	}
	for _, q := range opts.Queries {
		if _, err := z3950.ParsePQF(q); err != nil {
			return Result{}, fmt.Errorf("z3950bench: query %q: %w", q, err)
		}
	}
	addr, db := z3950client.ParseTarget(opts.Addr)
	if opts.Database != "" {
		db = opts.Database
	}
	syntaxName := opts.Syntax
	if syntaxName == "" {
		syntaxName = "usmarc"
	}
	syntax, ok := z3950.SyntaxByName(syntaxName)
	if !ok {
		return Result{}, fmt.Errorf("z3950bench: unknown record syntax %q", opts.Syntax)
	}
	conns := max(opts.Conns, 1)
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.PresentOnly {
		if opts.NewSession {
			return Result{}, errors.New("z3950bench: PresentOnly and NewSession exclude each other")
		}
		if opts.Present <= 0 {
			opts.Present = 10
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()

	workers := make([]*worker, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &worker{opts: opts, addr: addr, db: db, syntax: syntax, next: i,
			rand: rand.New(rand.NewPCG(uint64(i)+1, 0x7a3950))}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(runCtx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var res Result
	var hist histogram
	for _, w := range workers {
		res.Queries += w.queries
		res.Errors += w.errors
		res.Hits += w.hits
		res.Records += w.records
		hist.merge(&w.hist)
		res.Max = max(res.Max, w.max)
		if res.FirstError == "" && w.firstErr != nil {
			res.FirstError = w.firstErr.Error()
		}
	}
	res.Elapsed = elapsed
	if elapsed > 0 {
		res.Throughput = float64(res.Queries-res.Errors) / elapsed.Seconds()
	}
	res.P50 = hist.quantile(0.50)
	res.P99 = hist.quantile(0.99)
	return res, nil
}

type worker struct {
	opts     Options
	addr, db string
	syntax   ber.OID
	next     int
	client   *z3950client.Client
	rand     *rand.Rand
	setSize  int // hits of the PresentOnly result set on client; 0: none yet

	queries, errors, hits, records int64
	firstErr                       error
	hist                           histogram
	max                            time.Duration
}

func (w *worker) run(ctx context.Context) {
	defer func() {
		if w.client != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			w.client.Close(closeCtx)
			cancel()
		}
	}()
	end, _ := ctx.Deadline()
	for ctx.Err() == nil && time.Now().Before(end) {
		q := w.opts.Queries[w.next%len(w.opts.Queries)]
		w.next++
		t0 := time.Now()
		err := w.one(ctx, q)
		if err != nil && (ctx.Err() != nil || !time.Now().Before(end)) {
			return // the run ended mid-query; do not count it
		}
		w.queries++
		d := time.Since(t0)
		w.hist.add(d)
		w.max = max(w.max, d)
		if err != nil {
			w.errors++
			if w.firstErr == nil {
				w.firstErr = err
			}
			var d *z3950.Diagnostic
			if !errors.As(err, &d) && w.client != nil {
				w.client.Abort() // transport trouble: start a fresh association
				w.client = nil
				w.setSize = 0
			}
		}
	}
}

func (w *worker) one(ctx context.Context, q string) error {
	if w.opts.PresentOnly {
		return w.presentOnly(ctx)
	}
	if err := w.connect(ctx); err != nil {
		return err
	}
	sr, err := w.client.Search(ctx, z3950client.SearchOptions{Databases: []string{w.db}, PQF: q, ResultSet: "default"})
	if err != nil {
		return err
	}
	w.hits += int64(sr.ResultCount)
	if w.opts.Present > 0 && sr.ResultCount > 0 {
		pr, err := w.client.Present(ctx, "default", 1, min(w.opts.Present, sr.ResultCount), w.syntax, w.opts.ElementSet)
		if err != nil {
			return err
		}
		w.records += int64(pr.NumberOfRecordsReturned)
	}
	if w.opts.NewSession {
		err := w.client.Close(ctx)
		w.client = nil
		return err
	}
	return nil
}

// presentOnly presents Present records from a random position of the
// connection's result set, making the set first if there is none. The
// setup (connect, Init, searches) is part of the first present's latency.
func (w *worker) presentOnly(ctx context.Context) error {
	if err := w.connect(ctx); err != nil {
		return err
	}
	// First pass: a set of at least Present records; second: any hits.
	for tries := 0; w.setSize == 0; tries++ {
		if tries == 2*len(w.opts.Queries) {
			return errors.New("z3950bench: present only: no query has hits")
		}
		q := w.opts.Queries[w.next%len(w.opts.Queries)]
		w.next++
		sr, err := w.client.Search(ctx, z3950client.SearchOptions{Databases: []string{w.db}, PQF: q, ResultSet: "default"})
		if err != nil {
			return err
		}
		w.hits += int64(sr.ResultCount)
		if sr.ResultCount >= w.opts.Present || (tries >= len(w.opts.Queries) && sr.ResultCount > 0) {
			w.setSize = sr.ResultCount
		}
	}
	n := min(w.opts.Present, w.setSize)
	start := 1 + w.rand.IntN(w.setSize-n+1)
	pr, err := w.client.Present(ctx, "default", start, n, w.syntax, w.opts.ElementSet)
	if err != nil {
		return err
	}
	w.records += int64(pr.NumberOfRecordsReturned)
	return nil
}

// connect opens and initialises the association if there is none.
func (w *worker) connect(ctx context.Context) error {
	if w.client == nil {
		c, err := z3950client.Dial(ctx, w.addr, z3950client.Options{Timeout: w.opts.Timeout})
		if err != nil {
			return err
		}
		if _, err := c.Init(ctx, z3950client.InitOptions{User: w.opts.User, Password: w.opts.Password}); err != nil {
			c.Abort()
			return err
		}
		w.client = c
		w.setSize = 0
	}
	return nil
}

// histogram buckets latencies with 1% relative precision.
type histogram struct {
	counts map[int]int64
	total  int64
}

const histBase = 1.01

func (h *histogram) add(d time.Duration) {
	if h.counts == nil {
		h.counts = map[int]int64{}
	}
	ns := max(float64(d.Nanoseconds()), 1)
	h.counts[int(math.Log(ns)/math.Log(histBase))]++
	h.total++
}

func (h *histogram) merge(o *histogram) {
	if h.counts == nil {
		h.counts = map[int]int64{}
	}
	for k, v := range o.counts {
		h.counts[k] += v
	}
	h.total += o.total
}

func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	keys := make([]int, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	target := int64(math.Ceil(q * float64(h.total)))
	var seen int64
	for _, k := range keys {
		seen += h.counts[k]
		if seen >= target {
			return time.Duration(math.Pow(histBase, float64(k)+0.5))
		}
	}
	return time.Duration(math.Pow(histBase, float64(keys[len(keys)-1])+0.5))
}
