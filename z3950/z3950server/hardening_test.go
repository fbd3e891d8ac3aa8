package z3950server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// sruGet makes one SRU request on its own connection and closes it, as a
// client without keep-alive does.
func sruGet(addr string) error {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/Default?version=1.2&operation=explain")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// eventually retries f for up to two seconds: a slot is given back just
// after the client sees its connection close.
func eventually(f func() error) error {
	var err error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}

func TestSRUOnZ3950PortReleasesSlot(t *testing.T) {
	const max = 2
	ts := startServer(t, func(s *Server) { s.MaxConnections = max })
	// Many more SRU requests than there are slots, one after the other.
	for i := range 3 * max {
		if err := eventually(func() error { return sruGet(ts.addr) }); err != nil {
			t.Fatalf("SRU request %d of %d refused with max_conns = %d: %v", i+1, 3*max, max, err)
		}
	}
	// Z39.50 on the same port is still served.
	if err := eventually(func() error {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write(z3950.Marshal(initRequest("", ""))); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err = ber.NewReader(c, ber.Limits{}).ReadRaw()
		return err
	}); err != nil {
		t.Fatalf("Z39.50 init after SRU requests: %v", err)
	}
	// The last Z39.50 connection may still be closing.
	if err := eventually(func() error {
		if n := ts.srv.active.Load(); n != 0 {
			return fmt.Errorf("%d connections counted as open", n)
		}
		return nil
	}); err != nil {
		t.Errorf("after every client closed: %v", err)
	}
}

func TestSlowHTTPBodyTimedOut(t *testing.T) {
	ts := startServer(t, func(s *Server) {
		s.InitTimeout = 300 * time.Millisecond
		// Like the SRU handler: a POST body is read in full, a read error
		// answers 400.
		s.HTTPHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, "cannot read request body", http.StatusBadRequest)
				return
			}
			io.WriteString(w, "ok")
		})
	})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The headers promise 100 bytes; 10 come, then nothing.
	fmt.Fprint(c, "POST /Default HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 100\r\n\r\nversion=1.")
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body after %v: %v", time.Since(start).Round(time.Millisecond), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("stalled body answered %s, want 400", resp.Status)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stalled body answered after %v, want about the 300ms init timeout", d)
	}
	// A prompt body on the same port is still read in full.
	resp2, err := http.Post("http://"+ts.addr+"/Default", "application/x-www-form-urlencoded",
		strings.NewReader("version=1.2&operation=explain"))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusOK {
		t.Errorf("prompt POST: %s", resp2.Status)
	}
}
