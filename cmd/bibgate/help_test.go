package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEveryCommandHelpExitsZero asks each command and each bench for its
// flags: a newcomer's first step must not end in an error status.
func TestEveryCommandHelpExitsZero(t *testing.T) {
	var cases [][]string
	for _, c := range commands() {
		cases = append(cases, []string{c.name, "--help"}, []string{c.name, "-h"})
	}
	for _, b := range benches {
		cases = append(cases, []string{"bench", b.name, "--help"})
	}
	cases = append(cases, []string{"help"}, []string{"--help"})
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), args, &out, &errOut); code != 0 {
				t.Errorf("bibgate %s exited %d, want 0\n%s", strings.Join(args, " "), code, errOut.String())
			}
			if out.Len()+errOut.Len() == 0 {
				t.Errorf("bibgate %s printed nothing", strings.Join(args, " "))
			}
		})
	}
}

// TestBenchHelpListsBenches: "bench --help" names every bench there is.
func TestBenchHelpListsBenches(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, b := range []string{"sip2", "sip2-echo", "sip2-idle", "z3950", "sru"} {
		if !strings.Contains(out.String(), "  "+b+" ") {
			t.Errorf("bench --help does not list %s:\n%s", b, out.String())
		}
	}
	// An unknown bench is still the caller's mistake.
	if code := run(context.Background(), []string{"bench", "nope"}, &out, &errOut); code != 2 {
		t.Errorf("bench nope exited %d, want 2", code)
	}
}
