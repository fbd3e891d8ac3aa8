package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill/partners"
)

// zebraCatalogue indexes testdata/zebra/records.mrc (three demo titles
// with 852 holdings of a Tartu library) with zebraidx and serves it with
// zebrasrv on a free loopback port.
func zebraCatalogue(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("zebraidx"); err != nil {
		t.Skipf("zebraidx not installed (Debian idzebra-2.0): %v", err)
	}
	if _, err := exec.LookPath("zebrasrv"); err != nil {
		t.Skipf("zebrasrv not installed (Debian idzebra-2.0): %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"zebra.cfg", "bibgate.abs", "records.mrc"} {
		b, err := os.ReadFile(filepath.Join("testdata", "zebra", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idx := exec.Command("zebraidx", "-c", "zebra.cfg", "-t", "grs.marc.bibgate", "-d", "Default", "update", "records.mrc")
	idx.Dir = dir
	if out, err := idx.CombinedOutput(); err != nil {
		t.Fatalf("zebraidx: %v\n%s", err, out)
	}
	addr := loopbackAddr(t)
	srv := exec.Command("zebrasrv", "-c", "zebra.cfg", "tcp:"+addr)
	srv.Dir = dir
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "z3950://" + addr + "/Default"
		}
	}
	t.Fatalf("zebrasrv on %s did not come up", addr)
	return ""
}

// loopbackAddr is a loopback address nothing listens on.
func loopbackAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// mute accepts connections and never answers them.
func mute(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for len(held) > 0 {
			(<-held).Close()
		}
	})
	return "z3950://" + ln.Addr().String() + "/Default"
}

// TestILLFindAcrossPartners: bibgate ill find asks three partner
// catalogues at once: a second bibgate serve (the demo catalogue over
// Z39.50, OPAC records with live circulation), Zebra (MARC records with
// 852 holdings) and a target that accepts the connection and never
// answers. The same ISBN is found in both that answer, their holdings
// merged into one ranked list: the gateway's copies on the shelf rank
// above Tartu's of unknown availability although Tartu is nearer and
// cheaper; the mute target is reported timed out and the answer comes
// within its timeout. The serve's admin route GET /ill/find gives the
// same ranking, and so do lookups by title and author and by local number.
func TestILLFindAcrossPartners(t *testing.T) {
	if testing.Short() {
		t.Skip("starts bibgate serve and zebrasrv")
	}
	zebra := zebraCatalogue(t)
	silent := mute(t)
	t.Setenv(adminTokenEnv, "find-admin-token")
	dir := t.TempDir()
	z3950Addr, admin := freeAddr(t), freeAddr(t)
	cfg := filepath.Join(dir, "bibgate.toml")
	src := fmt.Sprintf(`data_dir = %q
[demo]
load = true
[ill]
symbol = "LV:RIGA"
find_timeout = "1500ms"
[[ill.partner]]
symbol = "LV:ILU"
name = "Ilūkstes bibliotēka"
catalogue = "z3950://%s/Default"
distance_km = 230
prices = { loan = 500 }
[[ill.partner]]
symbol = "EE:TU"
name = "Tartu Ülikooli Raamatukogu"
catalogue = %q
distance_km = 40
lends = ["book", "magazine"]
prices = { loan = 200 }
[[ill.partner]]
symbol = "LT:MUTE"
catalogue = %q
`, filepath.Join(dir, "data"), z3950Addr, zebra, silent)
	if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	_, logs := bibgate(t, dir, "serve", "--config", cfg, "--admin", admin, "--sip2", "off", "--z3950", z3950Addr, "--log-format", "json")
	waitListening(t, logs, "z3950")
	go (&drain{}).run(logs)

	find := func(args ...string) (string, time.Duration) {
		t.Helper()
		var out, errOut bytes.Buffer
		start := time.Now()
		if code := run(context.Background(), append([]string{"ill", "find"}, args...), &out, &errOut); code != 0 {
			t.Fatalf("bibgate ill find %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
		}
		return out.String(), time.Since(start)
	}
	check := func(how string, res partners.Result, took time.Duration) {
		t.Helper()
		if took > 1500*time.Millisecond+time.Second {
			t.Errorf("%s: took %v with 1.5s for each target", how, took)
		}
		out := map[string]partners.Outcome{}
		for _, o := range res.Targets {
			out[o.Partner] = o
		}
		if o := out["LT:MUTE"]; !o.TimedOut {
			t.Errorf("%s: the mute target is not reported timed out: %+v", how, o)
		}
		for _, p := range []string{"LV:ILU", "EE:TU"} {
			if o := out[p]; o.Hits != 1 || o.Error != "" || o.Elapsed > time.Second {
				t.Errorf("%s: %s answered %+v, want one hit well within the timeout", how, p, o)
			}
		}
		if len(res.Candidates) != 2 {
			t.Fatalf("%s: candidates %+v", how, res.Candidates)
		}
		first, second := res.Candidates[0], res.Candidates[1]
		if first.Partner != "LV:ILU" || !first.AvailableNow || first.RecordID != "demo-0010" || len(first.Holdings) != 30 ||
			first.Holdings[0].Source != "opac" || first.Holdings[0].CallNumber == "" {
			t.Errorf("%s: first candidate %+v", how, first)
		}
		if second.Partner != "EE:TU" || second.AvailableNow || !second.Lendable || second.RecordID != "demo-0010" ||
			len(second.Holdings) != 2 || second.Holdings[0].Status != partners.Unknown || second.Holdings[1].Status != partners.ReadingRoomOnly {
			t.Errorf("%s: second candidate %+v", how, second)
		}
	}

	text, _ := find("978-9985-65266-0", "--config", cfg)
	for _, want := range []string{
		"ISBN 978-9985-65266-0 in 3 partner catalogues:",
		"LT:MUTE", "TIMED OUT: no answer within 1.5s",
		"1. LV:ILU  Kalevipoeg / Kreutzwald, Friedrich Reinhold  [book]  available now, 230 km, loan 5.00",
		"2. EE:TU  Kalevipoeg / Kreutzwald, Friedrich Reinhold  [book]  availability unknown, 40 km, loan 2.00",
		"TU (Tartu Ülikooli Raamatukogu)  894.545 K92  reading room only  852",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ill find output lacks %q:\n%s", want, text)
		}
	}
	js, took := find("9789985652660", "--config", cfg, "--json")
	var res partners.Result
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("--json: %v\n%s", err, js)
	}
	check("bibgate ill find --config", res, took)

	js, took = find("--isbn", "9789985652660", "--server", "http://"+admin, "--json")
	res = partners.Result{}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("--server --json: %v\n%s", err, js)
	}
	check("GET /ill/find", res, took)

	// By title and author, and by local number, the same two are found.
	for _, args := range [][]string{{"--title", "Kalevipoeg", "--author", "Kreutzwald"}, {"--local", "demo-0010"}} {
		js, took = find(append(args, "--config", cfg, "--json")...)
		res = partners.Result{}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, js)
		}
		check(strings.Join(args, " "), res, took)
	}
}

// BenchmarkILLFind: one partner lookup by ISBN over three targets at once
// (a bibgate serve over Z39.50 with OPAC records of 30 copies, the same
// over SRU, and Zebra over Z39.50 with 852 holdings), reporting the
// latency's median and 99th percentile.
func BenchmarkILLFind(b *testing.B) {
	dir := b.TempDir()
	zebra := zebraCatalogue(b)
	z3950Addr, admin := loopbackAddr(b), loopbackAddr(b)
	cfg := filepath.Join(dir, "bibgate.toml")
	src := fmt.Sprintf("data_dir = %q\n[demo]\nload = true\n", filepath.Join(dir, "data"))
	if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "serve", "--config", cfg, "--admin", admin, "--sip2", "off", "--z3950", z3950Addr, "--log-format", "json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BIBGATE_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	f := &partners.Finder{Timeout: 5 * time.Second, Targets: []partners.Target{
		{Symbol: "LV:ILU", Catalogue: "z3950://" + z3950Addr + "/Default"},
		{Symbol: "LV:ILU-SRU", Catalogue: "http://" + z3950Addr + "/Default"},
		{Symbol: "EE:TU", Catalogue: zebra},
	}}
	q := partners.Query{ISBN: "9789985652660"}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		res, err := f.Find(context.Background(), q)
		if err == nil && len(res.Candidates) == 3 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("targets not answering: %+v %v", res, err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	per := make([][]time.Duration, len(f.Targets))
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res, err := f.Find(context.Background(), q)
		lat = append(lat, time.Since(start))
		if err != nil || len(res.Candidates) != 3 {
			b.Fatalf("lookup: %v %+v", err, res)
		}
		for i, o := range res.Targets {
			per[i] = append(per[i], o.Elapsed)
		}
	}
	b.StopTimer()
	report := func(d []time.Duration, name string) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"p50-ms")
		b.ReportMetric(float64(d[(len(d)*99)/100].Microseconds())/1000, name+"p99-ms")
	}
	report(lat, "")
	for i, name := range []string{"opac-", "sru-", "zebra-"} {
		report(per[i], name)
	}
}
