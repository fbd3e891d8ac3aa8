// Command z3950load runs z3950bench against any Z39.50 server with the PQF
// queries of a file (one a line) and prints one line of results.
//
//	go run ./bench/z3950load -addr tcp:127.0.0.1:9999/Default -queries bench/queries.pqf -conns 8 -duration 10s
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bibgate/bibgate/z3950/z3950bench"
)

func main() {
	addr := flag.String("addr", "tcp:127.0.0.1:9999/Default", "server (YAZ target syntax)")
	file := flag.String("queries", "bench/queries.pqf", "PQF queries, one a line")
	conns := flag.Int("conns", 8, "connections")
	dur := flag.Duration("duration", 10*time.Second, "run time")
	present := flag.Int("present", 0, "records to fetch after each search")
	flag.Parse()
	if err := run(*addr, *file, *conns, *dur, *present); err != nil {
		fmt.Fprintln(os.Stderr, "z3950load:", err)
		os.Exit(1)
	}
}

func run(addr, file string, conns int, dur time.Duration, present int) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	var queries []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			queries = append(queries, q)
		}
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	res, err := z3950bench.Run(context.Background(), z3950bench.Options{
		Addr: addr, Conns: conns, Duration: dur, Queries: queries, Present: present,
	})
	if err != nil {
		return err
	}
	fmt.Printf("queries %d errors %d hits %d elapsed %s throughput %.0f/s p50 %s p99 %s\n",
		res.Queries, res.Errors, res.Hits, res.Elapsed.Round(time.Millisecond), res.Throughput, res.P50, res.P99)
	if res.FirstError != "" {
		fmt.Printf("first error: %s\n", res.FirstError)
	}
	return nil
}
