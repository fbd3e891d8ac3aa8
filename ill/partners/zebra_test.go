package partners

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startZebra indexes testdata/zebra/records.mrc with zebraidx into a temp
// directory and serves it with zebrasrv on a free loopback port, Z39.50
// and SRU; it returns the host:port.
func startZebra(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("zebraidx"); err != nil {
		t.Skipf("zebraidx not installed (Debian idzebra-2.0): %v", err)
	}
	if _, err := exec.LookPath("zebrasrv"); err != nil {
		t.Skipf("zebrasrv not installed (Debian idzebra-2.0): %v", err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, f := range []string{"zebra.cfg", "bibgate.abs", "records.mrc", "yazgfs.xml", "pqf.properties"} {
		b, err := os.ReadFile(filepath.Join("testdata", "zebra", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "yazgfs.xml" {
			b = []byte(strings.ReplaceAll(string(b), "@LISTEN@", "tcp:"+addr))
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idx := exec.Command("zebraidx", "-c", "zebra.cfg", "-t", "grs.marc.bibgate", "-d", "Default", "update", "records.mrc")
	idx.Dir = dir
	if out, err := idx.CombinedOutput(); err != nil || !strings.Contains(string(out), "Records: 3 i/u/d 3/0/0") {
		t.Fatalf("zebraidx: %v\n%s", err, out)
	}
	srv := exec.Command("zebrasrv", "-f", "yazgfs.xml")
	srv.Dir = dir
	logs, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	var mu sync.Mutex
	var log strings.Builder
	go func() {
		s := bufio.NewScanner(logs)
		for s.Scan() {
			mu.Lock()
			log.WriteString(s.Text() + "\n")
			mu.Unlock()
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Fatalf("zebrasrv on %s did not come up:\n%s", addr, log.String())
	return ""
}

// silentTarget accepts connections and never answers.
func silentTarget(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never read
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(done)
		for _, c := range conns {
			c.Close()
		}
	})
	return "z3950://" + ln.Addr().String() + "/Default"
}

// TestZebraHoldingsFromMARC852: Zebra gives no OPAC records (diagnostic
// 238), so the holdings come from the 852 fields of the MARC record; every
// kind of query finds the record; a target that never answers is reported
// timed out while Zebra's answer is in long before the timeout.
func TestZebraHoldingsFromMARC852(t *testing.T) {
	zebra := "z3950://" + startZebra(t) + "/Default"
	silent := silentTarget(t)
	const timeout = 1500 * time.Millisecond
	f := &Finder{Timeout: timeout, Targets: []Target{
		{Symbol: "EE:SILENT", Catalogue: silent},
		{Symbol: "EE:TU", Name: "Tartu", Catalogue: zebra, Distance: 250, Price: 300, HasPrice: true},
	}}
	start := time.Now()
	res, err := f.Find(context.Background(), Query{ISBN: "978-9985-65266-0"})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took > timeout+time.Second {
		t.Errorf("lookup took %v with a %v timeout per target", took, timeout)
	}
	if o := res.Targets[0]; !o.TimedOut || o.Partner != "EE:SILENT" || o.Elapsed < timeout-100*time.Millisecond {
		t.Errorf("silent target outcome %+v, want timed out after %v", o, timeout)
	}
	if o := res.Targets[1]; o.TimedOut || o.Error != "" || o.Hits != 1 || o.Elapsed > timeout/2 {
		t.Errorf("Zebra outcome %+v, want 1 hit well within the timeout", o)
	}
	if len(res.Candidates) != 1 {
		t.Fatalf("candidates %+v", res.Candidates)
	}
	c := res.Candidates[0]
	if c.Partner != "EE:TU" || c.RecordID != "demo-0010" || c.Title != "Kalevipoeg" || c.Author != "Kreutzwald, Friedrich Reinhold" ||
		c.Material != "book" || !c.Lendable || c.AvailableNow || c.Price == nil || *c.Price != 300 {
		t.Errorf("candidate %+v", c)
	}
	want := []Holding{
		{Library: "TU", LibraryName: "Tartu Ülikooli Raamatukogu", CallNumber: "894.545 K92", Status: Unknown, Source: "852"},
		{Library: "TU", LibraryName: "Tartu Ülikooli Raamatukogu", CallNumber: "894.545 K92", Status: ReadingRoomOnly, Source: "852"},
	}
	if len(c.Holdings) != len(want) {
		t.Fatalf("holdings %+v", c.Holdings)
	}
	for i := range want {
		if c.Holdings[i] != want[i] {
			t.Errorf("holding %d = %+v, want %+v", i, c.Holdings[i], want[i])
		}
	}

	f.Targets = f.Targets[1:]
	for _, tt := range []struct {
		q    Query
		want string
	}{
		{Query{LocalNumber: "demo-0012"}, "demo-0012"},
		{Query{Title: "Kalevipoeg", Author: "Kreutzwald"}, "demo-0010"},
		{Query{ISBN: "9984800115"}, "demo-0005"},
	} {
		res, err := f.Find(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) != 1 || res.Candidates[0].RecordID != tt.want {
			t.Errorf("%s: candidates %+v, outcomes %+v", tt.q, res.Candidates, res.Targets)
		}
	}
	// The dictionary is kept in its reading room: not a candidate to lend.
	res, _ = f.Find(context.Background(), Query{ISBN: "9984800115"})
	if c := res.Candidates[0]; c.Lendable {
		t.Errorf("reading-room-only copy counted lendable: %+v", c)
	}
}

// TestZebraOverSRU: the same catalogue asked by SRU (CQL with the Bath
// indexes, MARCXML records) gives the same candidate and holdings.
func TestZebraOverSRU(t *testing.T) {
	addr := startZebra(t)
	z := &Finder{Timeout: 3 * time.Second, Targets: []Target{{Symbol: "EE:TU", Catalogue: "z3950://" + addr + "/Default"}}}
	s := &Finder{Timeout: 3 * time.Second, Targets: []Target{{Symbol: "EE:TU", Catalogue: "http://" + addr + "/Default"}}}
	for _, q := range []Query{{ISBN: "9789985652660"}, {Title: "Kalevipoeg", Author: "Kreutzwald"}, {LocalNumber: "demo-0012"}} {
		zr, err := z.Find(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := s.Find(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if o := sr.Targets[0]; o.Error != "" || o.Hits != 1 {
			t.Fatalf("%s over SRU: %+v", q, o)
		}
		if len(zr.Candidates) != 1 || len(sr.Candidates) != 1 {
			t.Fatalf("%s: Z39.50 %+v, SRU %+v", q, zr.Candidates, sr.Candidates)
		}
		zc, sc := zr.Candidates[0], sr.Candidates[0]
		if zc.RecordID != sc.RecordID || zc.Title != sc.Title || zc.Author != sc.Author || len(zc.Holdings) != len(sc.Holdings) || len(sc.Holdings) == 0 {
			t.Errorf("%s: Z39.50 %+v\nSRU %+v", q, zc, sc)
		}
		for i := range sc.Holdings {
			if sc.Holdings[i] != zc.Holdings[i] {
				t.Errorf("%s: holding %d over SRU %+v, over Z39.50 %+v", q, i, sc.Holdings[i], zc.Holdings[i])
			}
		}
	}
	res, err := s.Find(context.Background(), Query{ISBN: "9780000000002"})
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Targets[0]; o.Error != "" || o.Hits != 0 || len(res.Candidates) != 0 {
		t.Errorf("an ISBN nobody holds: %+v %+v", o, res.Candidates)
	}
	// No record has an 022, so Zebra has no ISSN index: its diagnostic is
	// the target's error.
	res, err = s.Find(context.Background(), Query{ISSN: "1234-5678"})
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Targets[0]; !strings.Contains(o.Error, "info:srw/diagnostic/1/16 Unsupported index") || o.TimedOut {
		t.Errorf("an ISSN Zebra cannot search: %+v", o)
	}
}
