package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// runSIP2 is the operator's SIP2 client: it sends messages (arguments, or a
// script file of one message a line) to any SIP2 server and prints each
// response field by field.
func runSIP2(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("sip2", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: bibgate sip2 --addr HOST:PORT [flags] [MESSAGE...]\n\n"+
			"Sends each MESSAGE (raw SIP2 without sequence number and checksum, e.g. '9900302.00')\n"+
			"or each line of --script, after logging in with --user/--password, and prints\n"+
			"every response field by field.\n\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:6001", "SIP2 server address")
	useTLS := fs.Bool("tls", false, "connect with TLS")
	insecure := fs.Bool("insecure", false, "with --tls: do not verify the server certificate")
	user := fs.String("user", "", "93 login user (CN); no login when empty")
	password := fs.String("password", "", "93 login password (CO)")
	location := fs.String("location", "", "93 location (CP)")
	charset := fs.String("charset", "utf-8", "wire character set")
	checksums := fs.Bool("checksums", true, "send sequence numbers and checksums (AY/AZ)")
	script := fs.String("script", "", "file with one message a line ('#' starts a comment)")
	raw := fs.Bool("raw", false, "print the response as it came on the wire, not field by field")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for each response")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	msgs := fs.Args()
	if *script != "" {
		lines, err := readScript(*script)
		if err != nil {
			return err
		}
		msgs = append(msgs, lines...)
	}
	if len(msgs) == 0 && *user == "" {
		fs.Usage()
		return fmt.Errorf("%w: nothing to send", errUsage)
	}
	cs, err := sip2.ParseCharset(*charset)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	opts := sip2client.Options{Charset: cs, ErrorDetection: *checksums, Timeout: *timeout}
	if *useTLS {
		opts.TLS = &tls.Config{InsecureSkipVerify: *insecure} //nolint:gosec // operator's explicit choice
	}
	c, err := sip2client.Dial(ctx, *addr, opts)
	if err != nil {
		return fmt.Errorf("connect %s: %w", *addr, err)
	}
	defer c.Close()
	if *user != "" {
		if err := c.Login(ctx, *user, *password, *location); err != nil {
			return fmt.Errorf("login as %s: %w", *user, err)
		}
		fmt.Fprintf(stdout, "94 Login Response: OK\n\n")
	}
	codec := sip2.Codec{Charset: cs}
	for _, line := range msgs {
		req, err := sip2.Parse([]byte(line))
		if err != nil {
			return fmt.Errorf("message %q: %w", line, err)
		}
		resp, err := c.Send(ctx, req)
		if err != nil {
			return fmt.Errorf("%s: %w", sip2.Name(req.Code()), err)
		}
		if *raw {
			fmt.Fprintf(stdout, "%s\n", strings.TrimRight(string(codec.Format(resp)), "\r\n"))
			continue
		}
		printMessage(stdout, resp)
		fmt.Fprintln(stdout)
	}
	return nil
}

func readScript(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

// printMessage prints a typed message's code, name and every field that is
// set, one a line.
func printMessage(w io.Writer, m sip2.Message) {
	fmt.Fprintf(w, "%s %s\n", m.Code(), sip2.Name(m.Code()))
	v := reflect.ValueOf(m).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, val := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Name == "Extra" {
			for _, x := range val.Interface().([]sip2.Field) {
				fmt.Fprintf(w, "  %-22s %s\n", "field "+x.Code, x.Value)
			}
			continue
		}
		if s, ok := render(val); ok {
			fmt.Fprintf(w, "  %-22s %s\n", f.Name, s)
		}
	}
}

func render(v reflect.Value) (string, bool) {
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return "", false
		}
		// SIP2 dates carry no zone: show the clock time as sent.
		return x.Format("2006-01-02 15:04:05"), true
	case sip2.Tri:
		if x == sip2.Unknown {
			return "U", true
		}
		return string(rune(x)), true
	case sip2.PatronStatus:
		return x.String(), x.Any()
	case fmt.Stringer:
		s := x.String()
		return s, s != ""
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "", false
		}
		return render(v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			return "", false
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(parts, " | "), true
	case reflect.Bool:
		return fmt.Sprint(v.Bool()), true
	}
	if v.IsZero() {
		return "", false
	}
	return fmt.Sprint(v.Interface()), true
}
