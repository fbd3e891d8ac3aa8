// Package sip2bench drives a SIP2 server with closed-loop load: each
// connection logs in, then sends the next message of a mix as soon as the
// last response arrived, and latencies are measured per message. EchoServer
// is the ceiling to compare against: a server that does nothing but answer.
package sip2bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// Mixes Run knows.
const (
	MixCheckout        = "checkout"
	MixCheckin         = "checkin"
	MixCheckoutCheckin = "checkoutcheckin"
	MixItemInfo        = "iteminfo"
	MixPatronInfo      = "patroninfo"
	MixStatus          = "status"
)

// Options of a run.
type Options struct {
	Addr     string
	Conns    int           // connections (default 1)
	Duration time.Duration // default 10s
	// Rate, when positive, paces the load at this many messages per second
	// in all (each connection sends Rate/Conns a second on a fixed
	// schedule) instead of a closed loop; latency is then measured from
	// when a message was due to be sent, so a slow answer that delays the
	// next message counts against the server (no coordinated omission).
	Rate float64
	// Warmup drives the mix this long before measuring: patrons' PINs get
	// verified once, connections reach steady state. Not counted.
	Warmup   time.Duration
	Mix      string // checkout|checkin|checkoutcheckin|iteminfo|patroninfo|status
	User     string // 93 CN; no login when empty
	Password string // 93 CO
	Location string // 93 CP
	// Patrons and Items are used round robin; each connection takes its own
	// share of Items so that checkout/checkin pairs do not collide.
	Patrons     []string
	Items       []string
	PIN         string // AD of patron requests
	Institution string // AO
	TLS         bool   // TLS without certificate verification (bench only)
	// ErrorDetection sends AY/AZ.
	ErrorDetection bool
	Charset        sip2.Charset
}

// Result of a run.
type Result struct {
	Messages   int // responses received (login excluded)
	Errors     int // transport or protocol failures
	Denied     int // well-formed responses saying no (ok=0, unknown patron, ...)
	Elapsed    time.Duration
	Throughput float64 // messages per second
	P50, P99   time.Duration
	Max        time.Duration
	// Reasons counts the refusals by what the server said (the screen
	// message of the answer), so a run that is mostly refused says why.
	Reasons map[string]int
}

func (r Result) String() string {
	return fmt.Sprintf("%d messages in %v: %.0f msg/s, p50 %v, p99 %v, max %v, %d errors, %d denied",
		r.Messages, r.Elapsed.Round(time.Millisecond), r.Throughput, r.P50, r.P99, r.Max, r.Errors, r.Denied)
}

type worker struct {
	opts    Options
	n       int // worker index
	items   []string
	samples []time.Duration
	errors  int
	denied  int
	reasons map[string]int
	step    int
}

// Run drives the server for opts.Duration (or until ctx ends) and reports.
// It fails if the mix is unknown or no connection could log in.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.Conns <= 0 {
		opts.Conns = 1
	}
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	switch opts.Mix {
	case MixCheckout, MixCheckin, MixCheckoutCheckin, MixItemInfo, MixPatronInfo, MixStatus:
	default:
		return Result{}, fmt.Errorf("sip2bench: unknown mix %q", opts.Mix)
	}
	if needsPatron(opts.Mix) && len(opts.Patrons) == 0 {
		return Result{}, fmt.Errorf("sip2bench: mix %s needs patrons", opts.Mix)
	}
	if needsItem(opts.Mix) && len(opts.Items) == 0 {
		return Result{}, fmt.Errorf("sip2bench: mix %s needs items", opts.Mix)
	}
	workers := make([]*worker, opts.Conns)
	clients := make([]*wireConn, opts.Conns)
	var setupErr error
	for i := range workers {
		w := &worker{opts: opts, n: i}
		for j := i; j < len(opts.Items); j += opts.Conns {
			w.items = append(w.items, opts.Items[j])
		}
		if len(w.items) == 0 && len(opts.Items) > 0 {
			w.items = []string{opts.Items[i%len(opts.Items)]}
		}
		workers[i] = w
		c, err := w.connect(ctx)
		if err != nil {
			setupErr = err
			w.errors++
			continue
		}
		clients[i] = c
	}
	if slices.IndexFunc(clients, func(c *wireConn) bool { return c != nil }) < 0 {
		return Result{}, fmt.Errorf("sip2bench: no connection: %w", setupErr)
	}
	if opts.Warmup > 0 {
		warmCtx, cancel := context.WithTimeout(ctx, opts.Warmup)
		var wg sync.WaitGroup
		for i, w := range workers {
			if clients[i] == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.loop(warmCtx, clients[i])
			}()
		}
		wg.Wait()
		cancel()
		// The loops closed their connections (a request may have been cut
		// off mid-flight): measure on fresh ones.
		for i, w := range workers {
			w.samples, w.errors, w.denied, w.reasons = w.samples[:0], 0, 0, nil
			clients[i] = nil
			if c, err := w.connect(ctx); err == nil {
				clients[i] = c
			} else {
				w.errors++
			}
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i, w := range workers {
		if clients[i] == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(runCtx, clients[i])
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var res Result
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.samples...)
		res.Errors += w.errors
		res.Denied += w.denied
		for r, n := range w.reasons {
			if res.Reasons == nil {
				res.Reasons = map[string]int{}
			}
			res.Reasons[r] += n
		}
	}
	res.Messages = len(all)
	res.Elapsed = elapsed
	if elapsed > 0 {
		res.Throughput = float64(res.Messages) / elapsed.Seconds()
	}
	if len(all) > 0 {
		slices.Sort(all)
		res.P50 = all[len(all)*50/100]
		res.P99 = all[min(len(all)-1, len(all)*99/100)]
		res.Max = all[len(all)-1]
	}
	return res, nil
}

func needsPatron(mix string) bool {
	return mix == MixCheckout || mix == MixCheckoutCheckin || mix == MixPatronInfo
}

func needsItem(mix string) bool {
	return mix == MixCheckout || mix == MixCheckin || mix == MixCheckoutCheckin || mix == MixItemInfo
}

func (w *worker) connect(ctx context.Context) (*wireConn, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return dialWire(dctx, w.opts)
}

func (w *worker) loop(ctx context.Context, c *wireConn) {
	// The run's end is the connection's deadline, set once; a cancelled
	// run (Ctrl-C) unblocks a request in flight by moving it to the past.
	var unblock func() bool
	arm := func(c *wireConn) {
		if dl, ok := ctx.Deadline(); ok {
			c.nc.SetDeadline(dl)
		}
		unblock = context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	}
	defer func() {
		if c != nil {
			unblock()
			c.Close()
		}
	}()
	arm(c)
	var interval time.Duration
	var due time.Time
	if w.opts.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(w.opts.Conns) / w.opts.Rate)
		// Spread the connections' schedules over one interval.
		due = time.Now().Add(time.Duration(w.n) * interval / time.Duration(max(1, w.opts.Conns)))
	}
	for ctx.Err() == nil {
		if c == nil {
			var err error
			if c, err = w.connect(ctx); err != nil {
				if ctx.Err() == nil {
					w.errors++
				}
				return
			}
			arm(c)
		}
		req := w.next()
		begin := time.Now()
		if interval > 0 {
			if wait := time.Until(due); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
			begin = due
			due = due.Add(interval)
		}
		line, err := c.send(&w.opts, req, begin)
		if ctx.Err() != nil || (err != nil && errors.Is(err, os.ErrDeadlineExceeded) && runOver(ctx)) {
			return // the run ended mid-request
		}
		if err == nil {
			var denied bool
			if denied, err = verdict(req.code, line); err == nil {
				w.samples = append(w.samples, time.Since(begin))
				if denied {
					w.denied++
					if w.reasons == nil {
						w.reasons = map[string]int{}
					}
					w.reasons[reason(req.code, line)]++
				}
				continue
			}
		}
		w.errors++
		if errors.Is(err, errChecksum) || errors.Is(err, errAnswer) {
			continue // a bad answer, but the stream is still in step
		}
		unblock()
		c.Close()
		c = nil
	}
}

// runOver reports whether ctx's deadline has passed: the connection's
// deadline may fire a moment before the context notices.
func runOver(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

func (w *worker) pick(list []string) string {
	return list[(w.step/2)%len(list)]
}

// request names the next request of the mix: its code and the patron and
// item it is about. The same request within one second encodes to the
// same bytes, which the connection keeps (see wireConn.send).
type request struct {
	code         string
	patron, item string
}

// next picks the next request of the mix.
func (w *worker) next() request {
	defer func() { w.step++ }()
	o := w.opts
	// Each connection keeps its own patron when there are enough, so that
	// checkouts are never refused for the loan limit; otherwise patrons
	// rotate.
	patron := func() string {
		if len(o.Patrons) >= o.Conns || o.Mix == MixPatronInfo {
			return o.Patrons[(w.n+w.rotation())%len(o.Patrons)]
		}
		return o.Patrons[(w.n+w.step/2)%len(o.Patrons)]
	}
	checkout := func() request {
		return request{code: sip2.CodeCheckoutRequest, patron: patron(), item: w.pick(w.items)}
	}
	checkin := func() request { return request{code: sip2.CodeCheckinRequest, item: w.pick(w.items)} }
	switch o.Mix {
	case MixCheckout:
		w.step++ // a new item every time
		return checkout()
	case MixCheckin:
		w.step++
		return checkin()
	case MixCheckoutCheckin:
		if w.step%2 == 0 {
			return checkout()
		}
		return checkin()
	case MixItemInfo:
		w.step++
		return request{code: sip2.CodeItemInformationRequest, item: w.pick(w.items)}
	case MixPatronInfo:
		w.step++
		return request{code: sip2.CodePatronInformationRequest, patron: patron()}
	}
	return request{code: sip2.CodeSCStatusRequest}
}

// build makes the message of a request, dated now.
func (o *Options) build(r request, now time.Time) sip2.Message {
	var pin *string
	if o.PIN != "" {
		pin = sip2.String(o.PIN)
	}
	switch r.code {
	case sip2.CodeCheckoutRequest:
		return &sip2.CheckoutRequest{TransactionDate: now, InstitutionID: o.Institution, PatronID: r.patron, ItemID: r.item,
			PatronPassword: pin}
	case sip2.CodeCheckinRequest:
		return &sip2.CheckinRequest{TransactionDate: now, ReturnDate: now, InstitutionID: o.Institution, ItemID: r.item,
			CurrentLocation: o.Location}
	case sip2.CodeItemInformationRequest:
		return &sip2.ItemInformationRequest{TransactionDate: now, InstitutionID: o.Institution, ItemID: r.item}
	case sip2.CodePatronInformationRequest:
		return &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown, TransactionDate: now, InstitutionID: o.Institution,
			PatronID: r.patron, PatronPassword: pin, Summary: sip2.Summary{2: true}}
	}
	return &sip2.SCStatusRequest{StatusCode: "0", ProtocolVersion: "2.00"}
}

// rotation moves patron-information requests over all patrons; checkout
// mixes keep the connection's own patron.
func (w *worker) rotation() int {
	if w.opts.Mix == MixPatronInfo {
		return w.step * w.opts.Conns
	}
	return 0
}
