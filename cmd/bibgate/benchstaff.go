package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/adapters/staffapi"
)

// benchStaffAPI drives desk checkout+checkin through the staff API: each
// of --sessions signs in once with the same staff account, then, in a
// closed loop, checks one of its own copies out to its own patron and in
// again. Every request is a durable transaction with its audit entry.
func benchStaffAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("bench staffapi", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bibgate bench staffapi [flags] < password\n\n"+
			"The staff password is read from standard input (first line), never from\nthe command line.\n\nFlags:")
		fs.PrintDefaults()
	}
	base := fs.String("url", "http://127.0.0.1:9100", "the admin listener serving "+staffapi.Prefix)
	user := fs.String("user", "bench", "staff account (circulation at the library that owns the copies)")
	sessions := fs.Int("sessions", 50, "concurrent sessions, each driven in a closed loop")
	duration := fs.Duration("duration", 10*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 2*time.Second, "drive the load this long first, unmeasured")
	patrons := fs.String("patrons", "B00001-B00050", "patron cards, one per session: list and ranges")
	items := fs.String("items", "X0000001-X0000500", "copy barcodes, shared out among the sessions: list and ranges")
	asJSON := fs.Bool("json", false, "print one JSON object with the figures")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	pl, err := expandIDs(*patrons)
	if err != nil {
		return fmt.Errorf("%w: --patrons: %v", errUsage, err)
	}
	il, err := expandIDs(*items)
	if err != nil {
		return fmt.Errorf("%w: --items: %v", errUsage, err)
	}
	if *sessions <= 0 || len(pl) < *sessions || len(il) < *sessions {
		return fmt.Errorf("%w: %d sessions need as many patrons (%d) and copies (%d)", errUsage, *sessions, len(pl), len(il))
	}
	password, err := readSecret(os.Stdin)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *sessions}, Timeout: 30 * time.Second}
	type result struct {
		lat           []time.Duration
		errs, refused int
	}
	results := make([]result, *sessions)
	var measuring, stop time.Time
	start := time.Now()
	measuring, stop = start.Add(*warmup), start.Add(*warmup+*duration)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for s := 0; s < *sessions; s++ {
		cookie, csrf, err := staffSignIn(ctx, client, *base, *user, password)
		if err != nil {
			return fmt.Errorf("session %d: %w", s+1, err)
		}
		var mine []string
		for i := s; i < len(il); i += *sessions {
			mine = append(mine, il[i])
		}
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			r := &results[s]
			for n := 0; ; n++ {
				item := mine[(n/2)%len(mine)]
				path, body := "/checkouts", map[string]string{"patron": pl[s], "item": item}
				if n%2 == 1 {
					path, body = "/checkins", map[string]string{"item": item}
				}
				t0 := time.Now()
				if t0.After(stop) || ctx.Err() != nil {
					return
				}
				status, err := staffPost(ctx, client, *base+staffapi.Prefix+path, cookie, csrf, body)
				d := time.Since(t0)
				if t0.Before(measuring) {
					continue
				}
				switch {
				case err != nil:
					r.errs++
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				case status >= 400:
					r.refused++
				}
				r.lat = append(r.lat, d)
			}
		}(s)
	}
	wg.Wait()
	var lat []time.Duration
	errs, refused := 0, 0
	for _, r := range results {
		lat = append(lat, r.lat...)
		errs += r.errs
		refused += r.refused
	}
	if len(lat) == 0 {
		return fmt.Errorf("no request was measured (first error: %v)", firstErr)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	labels := map[string]any{"protocol": "staffapi", "url": *base, "mix": "checkoutcheckin", "sessions": *sessions}
	if err := printBench(stdout, *asJSON, labels, len(lat), errs, refused, *duration, float64(len(lat))/duration.Seconds(),
		pct(0.50), pct(0.99), lat[len(lat)-1]); err != nil {
		return err
	}
	if firstErr != nil && !*asJSON {
		fmt.Fprintf(stdout, "first error: %v\n", firstErr)
	}
	return nil
}

// staffSignIn opens a staff session and returns its cookie and CSRF token.
func staffSignIn(ctx context.Context, c *http.Client, base, user, password string) (*http.Cookie, string, error) {
	b, _ := json.Marshal(map[string]string{"id": user, "password": password})
	req, err := http.NewRequestWithContext(ctx, "POST", base+staffapi.Prefix+"/session", bytes.NewReader(b))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	var info staffapi.SessionInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != 200 {
		return nil, "", fmt.Errorf("sign in as %s: %s", user, resp.Status)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == staffapi.CookieName {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}, info.CSRFToken, nil
		}
	}
	return nil, "", errors.New("sign in: no session cookie")
}

func staffPost(ctx context.Context, c *http.Client, url string, cookie *http.Cookie, csrf string, body any) (int, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(staffapi.CSRFHeader, csrf)
	req.AddCookie(cookie)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// readSecret reads one line from r: a password piped in.
func readSecret(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
