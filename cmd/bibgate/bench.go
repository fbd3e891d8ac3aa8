package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2bench"
)

// runBench drives load against any server of a protocol.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		benchUsage(stderr)
		return fmt.Errorf("%w: which bench?", errUsage)
	}
	switch args[0] {
	case "-h", "--help", "help":
		benchUsage(stdout)
		return nil
	case "sip2":
		return benchSIP2(ctx, args[1:], stdout, stderr)
	case "sip2-echo":
		return benchSIP2Echo(ctx, args[1:], stdout, stderr)
	case "sip2-idle":
		return benchSIP2Idle(ctx, args[1:], stdout, stderr)
	case "z3950":
		return benchZ3950(ctx, args[1:], stdout, stderr)
	case "sru":
		return benchSRU(ctx, args[1:], stdout, stderr)
	case "staffapi":
		return benchStaffAPI(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("%w: unknown bench %q", errUsage, args[0])
}

// benches are the load generators of bibgate bench, for its --help.
var benches = []struct{ name, summary string }{
	{"sip2", "closed-loop or paced SIP2 load against any SIP2 server (bibgate serve or another ACS)"},
	{"sip2-echo", "a plain server answering every line at once: the load generator's own ceiling"},
	{"sip2-idle", "hold many idle logged-in SIP2 connections and check they still answer"},
	{"z3950", "Z39.50 search and present load against any Z39.50 server"},
	{"sru", "SRU searchRetrieve load against any SRU server"},
	{"staffapi", "desk checkout+checkin through the staff API, one staff session per client"},
}

func benchUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: bibgate bench BENCH [flags]\n\nBenches:")
	for _, b := range benches {
		fmt.Fprintf(w, "  %-10s %s\n", b.name, b.summary)
	}
	fmt.Fprintln(w, "\nRun 'bibgate bench BENCH --help' for a bench's flags.")
}

func benchSIP2(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench sip2", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:6001", "SIP2 server address")
	conns := fs.Int("conns", 10, "connections, each logged in and driven in a closed loop")
	duration := fs.Duration("duration", 10*time.Second, "how long to drive the load")
	warmup := fs.Duration("warmup", 0, "drive the load at least this long first, unmeasured, and until every connection has had an answer (PINs verified, caches warm)")
	warmupMax := fs.Duration("warmup-max", 0, "give up waiting for every connection's first answer after this long (default 10 × --warmup, at least 1m)")
	rate := fs.Float64("rate", 0, "pace the load at this many messages/s in all instead of a closed loop (latency from when each was due)")
	mix := fs.String("mix", "iteminfo", "checkout|checkin|checkoutcheckin|iteminfo|patroninfo|status")
	user := fs.String("user", "demo", "93 login user")
	password := fs.String("password", "demo", "93 login password")
	location := fs.String("location", "", "93 location")
	patrons := fs.String("patrons", "P0009-P0100", "patron cards: a comma-separated list of cards and ranges")
	items := fs.String("items", "", "item barcodes: list and ranges (default: the demo's lendable copies at the central library, where the demo account is)")
	pin := fs.String("pin", demo.PIN, "patron PIN (AD)")
	institution := fs.String("institution", "", "AO to send")
	useTLS := fs.Bool("tls", false, "connect with TLS (certificate not verified)")
	checksums := fs.Bool("checksums", true, "send AY/AZ")
	charset := fs.String("charset", "utf-8", "wire character set")
	asJSON := fs.Bool("json", false, "print one JSON object with the figures")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cs, err := sip2.ParseCharset(*charset)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	pl, err := expandIDs(*patrons)
	if err != nil {
		return fmt.Errorf("%w: --patrons: %v", errUsage, err)
	}
	var il []string
	if *items == "" {
		il = lendableDemoItems()
	} else if il, err = expandIDs(*items); err != nil {
		return fmt.Errorf("%w: --items: %v", errUsage, err)
	}
	res, err := sip2bench.Run(ctx, sip2bench.Options{Addr: *addr, Conns: *conns, Duration: *duration, Warmup: *warmup, WarmupMax: *warmupMax, Rate: *rate, Mix: *mix,
		User: *user, Password: *password, Location: *location, Patrons: pl, Items: il, PIN: *pin,
		Institution: *institution, TLS: *useTLS, ErrorDetection: *checksums, Charset: cs})
	if err != nil {
		return err
	}
	labels := map[string]any{"protocol": "sip2", "addr": *addr, "mix": *mix, "conns": *conns}
	if *rate > 0 {
		labels["rate"] = *rate
	}
	if *asJSON && len(res.Reasons) > 0 {
		labels["denied_reasons"] = res.Reasons
	}
	if *asJSON && *warmup > 0 {
		labels["warmup_s"] = res.Warmup.Seconds()
	}
	if err := printBench(stdout, *asJSON, labels,
		res.Messages, res.Errors, res.Denied, res.Elapsed, res.Throughput, res.P50, res.P99, res.Max); err != nil {
		return err
	}
	if !*asJSON {
		printReasons(stdout, res.Reasons)
		if res.Warmup > *warmup {
			fmt.Fprintf(stdout, "warm-up    %v (until every connection had an answer)\n", res.Warmup.Round(time.Millisecond))
		}
	}
	return nil
}

// printBench prints the figures as text or as one JSON object.
func printBench(w io.Writer, asJSON bool, labels map[string]any, msgs, errs, denied int, elapsed time.Duration,
	rate float64, p50, p99, max time.Duration) error {
	if asJSON {
		out := map[string]any{"messages": msgs, "errors": errs, "denied": denied, "seconds": elapsed.Seconds(),
			"throughput": rate, "p50_ms": ms(p50), "p99_ms": ms(p99), "max_ms": ms(max)}
		for k, v := range labels {
			out[k] = v
		}
		return json.NewEncoder(w).Encode(out)
	}
	fmt.Fprintf(w, "%v\n", labels)
	fmt.Fprintf(w, "messages   %d in %v\nthroughput %.0f msg/s\np50        %.3f ms\np99        %.3f ms\nmax        %.3f ms\nerrors     %d\ndenied     %d\n",
		msgs, elapsed.Round(time.Millisecond), rate, ms(p50), ms(p99), ms(max), errs, denied)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchSIP2Echo runs the ceiling: a plain TCP server answering every line
// with a fixed response of the size the real server sends for the mix.
func benchSIP2Echo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench sip2-echo", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:6101", "address to serve on")
	mix := fs.String("mix", "iteminfo", "the mix whose response size to imitate")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := sip2bench.NewEchoServer(sip2bench.EchoResponse(*mix))
	fmt.Fprintf(stdout, "echo server for mix %s on %s (Ctrl-C stops)\n", *mix, ln.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	// Serve returns only when the listener fails or is closed by Close.
	if err := srv.Serve(ln); ctx.Err() == nil {
		return err
	}
	return nil
}

// expandIDs reads "P0001,P0005-P0010": ranges keep the prefix and the
// zero-padded width of their first end.
func expandIDs(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, isRange := strings.Cut(part, "-")
		if !isRange {
			out = append(out, part)
			continue
		}
		i := strings.IndexFunc(from, func(r rune) bool { return r >= '0' && r <= '9' })
		if i < 0 || !strings.HasPrefix(to, from[:i]) {
			return nil, fmt.Errorf("range %q: both ends need the same prefix and a number", part)
		}
		a, err1 := strconv.Atoi(from[i:])
		b, err2 := strconv.Atoi(to[i:])
		if err1 != nil || err2 != nil || b < a || b-a > 10_000_000 {
			return nil, fmt.Errorf("range %q", part)
		}
		width := len(from) - i
		for n := a; n <= b; n++ {
			out = append(out, fmt.Sprintf("%s%0*d", from[:i], width, n))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	return out, nil
}

// lendableDemoItems are the demo copies an ordinary patron may borrow at
// the central library, where the demo account checks out and in: a copy
// of another library checked in there would go in transit home and be
// refused at its next checkout. The copies the demo lends to P0003 are
// left out too.
func lendableDemoItems() []string {
	var out []string
	onLoan := demoLoans()
	for _, it := range demo.Items() {
		if it.Library != demo.Central || it.ReadingRoomOnly || it.ILL || it.Material == policy.MaterialReference || onLoan[it.ID] {
			continue
		}
		out = append(out, it.ID)
	}
	return out
}
