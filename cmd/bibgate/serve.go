package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/bibgate/bibgate/internal/app"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/logbuf"
)

// loadConfig reads --config (or the embedded default) and applies the
// flags that override it.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	return config.Load(path)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "TOML configuration file (default: the embedded demo configuration)")
	dataDir := fs.String("data-dir", "", "directory for the data files (overrides data_dir)")
	admin := fs.String("admin", "", "admin listener for /metrics, /healthz, /readyz, \"off\" to disable (overrides admin.listen)")
	sip2Addr := fs.String("sip2", "", "SIP2 listener address, \"off\" to disable (overrides sip2.listen)")
	sip2TLS := fs.String("sip2-tls", "", "SIP2 over TLS listener address (overrides sip2.tls_listen)")
	z3950Addr := fs.String("z3950", "", "Z39.50 (and SRU) listener address, \"off\" to disable (overrides z3950.listen)")
	sruAddr := fs.String("sru", "", "separate SRU HTTP listener address (overrides sru.listen)")
	illAddr := fs.String("ill", "", "ISO 10161 interlibrary loan listener address, \"off\" to disable (overrides ill.listen)")
	illTLS := fs.String("ill-tls", "", "ISO 10161 over TLS listener address, \"off\" to disable (overrides ill.tls_listen)")
	illHTTP := fs.String("ill-http", "", "ISO 18626 (XML over HTTP) listener address, \"off\" to disable (overrides ill.http_listen)")
	illHTTPS := fs.String("ill-https", "", "ISO 18626 over HTTPS listener address, \"off\" to disable (overrides ill.http_tls_listen)")
	staffAddr := fs.String("staff", "", "staff web console listener address, besides /staff/ on the admin listener (overrides console.listen)")
	logFormat := fs.String("log-format", "", "console or json (overrides log.format)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (overrides log.level)")
	benchPatrons := fs.Int("bench-patrons", 0, "add this many load-test patrons B00001… (PIN 1234)")
	benchItems := fs.Int("bench-items", 0, "add this many load-test books X0000001… at the central library")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	override := func(dst *string, v string) {
		if v == "off" {
			*dst = ""
		} else if v != "" {
			*dst = v
		}
	}
	override(&cfg.DataDir, *dataDir)
	override(&cfg.Admin.Listen, *admin)
	override(&cfg.SIP2.Listen, *sip2Addr)
	override(&cfg.SIP2.TLSListen, *sip2TLS)
	override(&cfg.Z3950.Listen, *z3950Addr)
	override(&cfg.SRU.Listen, *sruAddr)
	override(&cfg.ILL.Listen, *illAddr)
	override(&cfg.ILL.TLSListen, *illTLS)
	override(&cfg.ILL.HTTPListen, *illHTTP)
	override(&cfg.ILL.HTTPTLSListen, *illHTTPS)
	override(&cfg.Console.Listen, *staffAddr)
	override(&cfg.Log.Format, *logFormat)
	override(&cfg.Log.Level, *logLevel)
	if err := adminTokenFromEnv(cfg); err != nil {
		return err
	}
	// The flags may have changed what the file said: check again, before
	// anything is opened.
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	// A gateway holds little live heap; collecting less often trades a
	// little memory for steadier latency. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if *benchPatrons > 0 {
		cfg.Demo.BenchPatrons = *benchPatrons
	}
	if *benchItems > 0 {
		cfg.Demo.BenchItems = *benchItems
	}
	logOut := logbuf.New(stderr, 64<<10, 200*time.Millisecond)
	defer logOut.Close()
	log, err := newLogger(cfg.Log, logOut)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := app.New(cfg, log, app.Options{})
	if err != nil {
		return err
	}
	log.Info().Str("version", version).Str("data_dir", cfg.DataDir).Str("store", cfg.Store.Backend).Msg("bibgate starting")
	if err := a.Run(ctx); err != nil {
		return err
	}
	log.Info().Msg("stopped")
	return nil
}

func newLogger(c config.Log, w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(c.Level)
	if err != nil || c.Level == "" {
		if c.Level != "" {
			return zerolog.Logger{}, fmt.Errorf("log level %q: use debug, info, warn or error", c.Level)
		}
		level = zerolog.InfoLevel
	}
	out := w
	if c.Format != "json" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339, NoColor: !isTerminal(os.Stderr)}
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
}

// isTerminal reports whether w is a terminal (not a pipe, a file or
// /dev/null).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
