package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/conformance"
	"github.com/bibgate/bibgate/internal/config"
)

// runRecord runs the recording proxy: every SIP2 (or, with --protocol
// ill, ISO 10161) connection to --listen is forwarded to --upstream and
// written to --out as a conformance transcript (SIP2 passwords and PINs
// masked). It runs until interrupted.
func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("record", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	protocol := fs.String("protocol", "sip2", "sip2 or ill (ISO 10161)")
	listen := fs.String("listen", "127.0.0.1:6002", "address the client (selfcheck, ILL peer) connects to")
	upstream := fs.String("upstream", "", "address of the server to forward to (required)")
	out := fs.String("out", ".", "directory for the transcripts, one file per connection")
	logFormat := fs.String("log-format", "console", "console or json")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *protocol != "sip2" && *protocol != "ill" {
		return fmt.Errorf("%w: --protocol %q: use sip2 or ill", errUsage, *protocol)
	}
	if *upstream == "" {
		return fmt.Errorf("%w: --upstream is required (the server to record against)", errUsage)
	}
	if *listen == "" || *out == "" {
		return fmt.Errorf("%w: --listen and --out must not be empty", errUsage)
	}
	log, err := newLogger(config.Log{Format: *logFormat, Level: *logLevel}, stderr)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	name := map[string]string{"sip2": "SIP2", "ill": "ILL"}[*protocol]
	fmt.Fprintf(stdout, "recording %s sessions: %s -> %s, transcripts in %s\n", name, *listen, *upstream, *out)
	return conformance.Record(ctx, *protocol, *listen, *upstream, *out, log)
}
