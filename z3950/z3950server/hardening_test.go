package z3950server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
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

func TestZ3950ClaimedLengthNotPreallocated(t *testing.T) {
	ts := startServer(t, nil)
	const n = 100
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		// An initRequest that claims 1 MiB - 16 bytes; three arrive.
		if _, err := c.Write([]byte{0xB4, 0x83, 0x0f, 0xff, 0xf0, 0x83, 0x01, 0x00}); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until the server has read every header and sits in the value.
	for deadline := time.Now().Add(5 * time.Second); ts.srv.active.Load() < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("%d connections claiming 1 MiB: %d KiB allocated per connection", n, per>>10)
	// The connection's 16 KiB read buffer and its bookkeeping, not the
	// claimed megabyte nor a 64 KiB slice of it.
	if per > 40<<10 {
		t.Errorf("%d KiB allocated per connection that claims 1 MiB and sends 3 bytes, want under 40 KiB", per>>10)
	}
	// Each is still waiting for the rest, not refused.
	if got := ts.srv.active.Load(); got != n {
		t.Errorf("%d of %d connections open", got, n)
	}
}
