package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// benchSIP2Idle opens many SIP2 connections, logs each in, holds them idle
// (as a fleet of selfchecks between patrons does), checks a sample still
// answers, and reports the server's resident memory from its /metrics.
func benchSIP2Idle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench sip2-idle", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:6001", "SIP2 server address")
	conns := fs.Int("conns", 10000, "connections to open and hold")
	hold := fs.Duration("hold", 30*time.Second, "how long to hold them")
	user := fs.String("user", "demo", "93 login user")
	password := fs.String("password", "demo", "93 login password")
	metricsURL := fs.String("metrics", "http://127.0.0.1:9100/metrics", "the server's /metrics, to read its memory")
	parallel := fs.Int("parallel", 64, "connections opened at once")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	rssBefore, _ := serverRSS(ctx, *metricsURL)
	clients := make([]*sip2client.Client, *conns)
	var failed atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := sip2client.Dial(ctx, *addr, sip2client.Options{ErrorDetection: true, Timeout: 30 * time.Second})
			if err == nil {
				if err = c.Login(ctx, *user, *password, ""); err != nil {
					c.Close()
				}
			}
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	opened := time.Since(start)
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	select {
	case <-time.After(*hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	// After the hold, a sample of the connections must still answer.
	answered, asked := 0, 0
	for i := 0; i < len(clients); i += max(1, len(clients)/100) {
		if clients[i] == nil {
			continue
		}
		asked++
		if _, err := clients[i].Send(ctx, &sip2.SCStatusRequest{StatusCode: "0", MaxPrintWidth: 80, ProtocolVersion: "2.00"}); err == nil {
			answered++
		}
	}
	rss, err := serverRSS(ctx, *metricsURL)
	if err != nil {
		return fmt.Errorf("read server memory: %w", err)
	}
	held := *conns - int(failed.Load())
	out := map[string]any{"protocol": "sip2", "addr": *addr, "conns": *conns, "held": held, "failed": failed.Load(),
		"open_seconds": opened.Seconds(), "hold_seconds": hold.Seconds(), "sample_asked": asked, "sample_answered": answered,
		"server_rss_mb_before": rssBefore / (1 << 20), "server_rss_mb": rss / (1 << 20)}
	if e, ok := firstErr.Load().(string); ok {
		out["first_error"] = e
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "held %d of %d logged-in connections for %v (opened in %v); %d/%d sampled still answer\n",
		held, *conns, *hold, opened.Round(time.Millisecond), answered, asked)
	fmt.Fprintf(stdout, "server RSS %.0f MB (before: %.0f MB)\n", rss/(1<<20), rssBefore/(1<<20))
	return nil
}

// serverRSS reads process_resident_memory_bytes from a Prometheus endpoint.
func serverRSS(ctx context.Context, url string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no process_resident_memory_bytes at %s", url)
}
