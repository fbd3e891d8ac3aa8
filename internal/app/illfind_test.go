package app

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill/partners"
	"github.com/bibgate/bibgate/internal/config"
)

// TestILLFindRoute: GET /ill/find is behind the admin token, refuses a
// query without anything to look for or a bad timeout, and answers within
// the timeout asked for with the catalogue that never answers reported as
// timed out.
func TestILLFindRoute(t *testing.T) {
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	a := startApp(t, func(c *config.Config) {
		c.Admin.Token = testToken
		c.ILL.Symbol = "LV:ILU"
		c.ILL.Partners = []config.ILLPartner{{Catalogue: "z3950://" + mute.Addr().String() + "/Default"}}
		c.ILL.Partners[0].Symbol = "EE:MUTE"
	})
	base := "http://" + a.Addr("admin").String()
	get := func(path, token string) (int, string, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), time.Since(start)
	}
	for _, tt := range []struct {
		path, token string
		code        int
		body        string
	}{
		{"/ill/find?isbn=9789985652660", "", 401, ""},
		{"/ill/find", testToken, 400, "give isbn, issn, local, or title"},
		{"/ill/find?isbn=1&timeout=forever", testToken, 400, `timeout "forever"`},
		{"/ill/find?isbn=1&timeout=2m", testToken, 400, `timeout "2m"`},
	} {
		if code, body, _ := get(tt.path, tt.token); code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("GET %s: %d %q, want %d %q", tt.path, code, body, tt.code, tt.body)
		}
	}
	code, body, took := get("/ill/find?isbn=9789985652660&timeout=300ms", testToken)
	if code != 200 || took > 2*time.Second {
		t.Fatalf("GET /ill/find: %d after %v: %s", code, took, body)
	}
	var res partners.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 1 || !res.Targets[0].TimedOut || res.Targets[0].Partner != "EE:MUTE" || len(res.Candidates) != 0 {
		t.Errorf("result %+v", res)
	}
}
