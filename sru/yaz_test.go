package sru

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestYAZClient drives the handler with YAZ's yaz-client over SRU GET and
// POST in each version, as a librarian's client would.
func TestYAZClient(t *testing.T) {
	bin, err := exec.LookPath("yaz-client")
	if err != nil {
		t.Skip("yaz-client not installed (Debian package yaz); skipping the interoperability test")
	}
	h, _ := newHandler()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, mode := range []string{"get 1.1", "get 1.2", "post 1.2", "get 2.0", "post 2.0"} {
		t.Run(mode, func(t *testing.T) {
			script := strings.Join([]string{
				"sru " + mode,
				"open " + srv.URL + "/Default",
				"querytype cql",
				"find dc.title = computer",
				"schema dc",
				"show 1",
				"find dc.foo = x",
				"scan dc.title=comp",
				"quit",
			}, "\n") + "\n"
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Stdin = strings.NewReader(script)
			out, _ := cmd.CombinedOutput() // yaz-client always exits 0
			s := string(out)
			checks := []string{
				"Number of hits: 2",
				"pos=1 schema=info:srw/schema/1/dc-v1.1",
				"<dc:title>The art of computer programming</dc:title>",
				"SRW diagnostic info:srw/diagnostic/1/16",
				"Details: dc.foo",
				"ceļojumi: 3 first",
				"zīmes: 1 last",
			}
			for _, want := range checks {
				if !strings.Contains(s, want) {
					t.Errorf("yaz-client output lacks %q:\n%s", want, s)
				}
			}
		})
	}
}
