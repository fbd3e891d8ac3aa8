package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeBlocks returns the fenced code blocks of the README.
func readmeBlocks(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	parts := strings.Split(string(src), "```")
	for i := 1; i < len(parts); i += 2 {
		_, body, _ := strings.Cut(parts[i], "\n") // drop the language tag
		blocks = append(blocks, body)
	}
	return blocks
}

func blockStarting(t *testing.T, prefix string) string {
	t.Helper()
	for _, b := range readmeBlocks(t) {
		if strings.HasPrefix(b, prefix) {
			return b
		}
	}
	t.Fatalf("README has no code block starting %q", prefix)
	return ""
}

// TestReadmeExamplesWork pastes the README's examples: the binary in
// every command (never go run), the SIP2 messages well formed, and the
// yaz-client lines as yaz-client reads them, against the demo.
func TestReadmeExamplesWork(t *testing.T) {
	for _, b := range readmeBlocks(t) {
		for _, line := range strings.Split(b, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "go run") {
				t.Errorf("README example runs go run: %q", line)
			}
		}
	}
	a := startDemo(t)

	t.Run("sip2", func(t *testing.T) {
		block := blockStarting(t, "bibgate sip2 ")
		msgs := regexp.MustCompile(`'([^']+)'`).FindAllStringSubmatch(block, -1)
		// Where each message's transaction date sits (after its code and
		// the fixed fields before it).
		dateAt := map[string]int{"23": 5, "11": 4, "17": 2}
		date := regexp.MustCompile(`^\d{8} {4}\d{6}$`)
		args := []string{"sip2", "--addr", a.Addr("sip2").String(), "--user", "demo", "--password", "demo"}
		for _, m := range msgs {
			msg := m[1]
			at, ok := dateAt[msg[:2]]
			if !ok {
				t.Fatalf("README sends %q: add where its date is", msg)
			}
			if len(msg) < at+18 || !date.MatchString(msg[at:at+18]) {
				t.Errorf("README message %q: no transaction date at position %d", msg, at)
			}
			args = append(args, msg)
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		for _, want := range []string{"ValidPatron            true", "12 checkout\n  OK                     true", "TitleID                Zaļā zeme"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("answers lack %q:\n%s", want, out.String())
			}
		}
	})

	t.Run("yaz-client", func(t *testing.T) {
		path, err := exec.LookPath("yaz-client")
		if err != nil {
			t.Skip("yaz-client not installed (Debian package yaz); skipping the README's yaz-client example")
		}
		block := blockStarting(t, "find @attr 1=1003")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, "tcp:"+a.Addr("z3950").String()+"/Default")
		cmd.Stdin = strings.NewReader(block + "quit\n")
		out, _ := cmd.CombinedOutput() // yaz-client exits 0 whatever happened
		s := string(out)
		if strings.Contains(strings.ToLower(s), "error") || strings.Count(s, "Number of hits: 1,") != 2 || !strings.Contains(s, "callNumber") {
			t.Errorf("yaz-client with the README's lines:\n%s", s)
		}
	})
}
