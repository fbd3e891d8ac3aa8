package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestYazIllclientAgainstServe: Debian's yaz-illclient sends ILL-Requests
// to the real bibgate serve over TCP; the engine decides each against the
// demo catalogue and copies, the answer is the Status-Or-Error-Report
// yaz-illclient accepts (exit 0, "Ok") carrying the decision, or an error
// report (exit 7) for its empty robustness request; and bibgate ill
// list/show show every transaction with its history.
func TestYazIllclientAgainstServe(t *testing.T) {
	bin, err := exec.LookPath("yaz-illclient")
	if err != nil {
		t.Skipf("yaz-illclient not installed (Debian package yaz-illclient): %v", err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "ill.toml")
	cfg := "data_dir = \"" + data + "\"\n[demo]\nload = true\n[ill]\nsymbol = \"LV:ILU\"\n" +
		"[[ill.partner]]\nsymbol = \"REQLIB\"\nname = \"Requesting Library\"\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	params, err := os.ReadFile("testdata/ill-request.params")
	if err != nil {
		t.Fatal(err)
	}
	loanParams := filepath.Join(dir, "loan.params")
	oclcParams := filepath.Join(dir, "oclc.params")
	if err := os.WriteFile(loanParams, params, 0o600); err != nil {
		t.Fatal(err)
	}
	reuseParams := filepath.Join(dir, "reuse.params")
	if err := os.WriteFile(reuseParams, bytes.ReplaceAll(params, []byte("time=120000"), []byte("time=120001")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(oclcParams, bytes.ReplaceAll(params, []byte("TQ0001"), []byte("TQ0002")), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, logs := bibgate(t, dir, "serve", "--config", cfgPath, "--admin", "off", "--sip2", "off", "--z3950", "off",
		"--ill", "127.0.0.1:0", "--log-format", "json")
	addr := waitListening(t, logs, "ill")
	go func() {
		for logs.Scan() {
		}
	}()

	request := func(q string, fields ...string) []string {
		args := []string{"-D", "ill,protocol-version-num=2",
			"-D", "ill,transaction-id,initial-requester-id,person-or-institution-symbol,institution=REQLIB",
			"-D", "ill,transaction-id,transaction-group-qualifier=GQ1", "-D", "ill,transaction-id,transaction-qualifier=" + q,
			"-D", "ill,service-date-time,this,date=20261203", "-D", "ill,requester-id,person-or-institution-symbol,institution=REQLIB",
			"-D", "ill,responder-id,person-or-institution-symbol,institution=LV:ILU"}
		for _, f := range fields {
			args = append(args, "-D", f)
		}
		return args
	}
	tests := []struct {
		name string
		args []string
		exit int
		want []string
	}{
		{"loan of a title with a free copy", request("TQ-KALEVI", "ill,ill-service-type=1", "ill,item-id,title=Kalevipoeg",
			"ill,item-id,ISBN=9789985652660"), 0, []string{"Ok", "transaction_results 5", "provider_status_report 3", "will-supply"}},
		{"loan of a title we do not own (the captured request)", []string{"-f", loanParams}, 0,
			[]string{"Ok", "transaction_results 3", "provider_status_report 1", "unfilled: not-owned"}},
		{"loan of a reading-room-only copy", request("TQ-ROOM", "ill,ill-service-type=1", "ill,item-id,title=Ilūkstes novada vēsture"), 0,
			[]string{"Ok", "transaction_results 3", "unfilled: non-circulating"}},
		{"copy (yaz-illclient's default service)", request("TQ-COPY", "ill,item-id,title=Kalevipoeg"), 0,
			[]string{"Ok", "transaction_results 5"}},
		{"OCLC authentication extension", []string{"-f", oclcParams, "-o", "-u", "100-000-000", "-p", "secret"}, 0,
			[]string{"Ok", "transaction_results 3"}},
		{"empty robustness request", nil, 7, []string{"General Problem: 4"}},
		{"the same request sent again: answered as before, applied once", []string{"-f", loanParams}, 0,
			[]string{"Ok", "transaction_results 3"}},
		{"the transaction-id reused for another request", []string{"-f", reuseParams}, 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c := exec.CommandContext(ctx, bin, append(tt.args, addr)...)
			c.Dir = t.TempDir() // it writes ./req.apdu
			out, _ := c.CombinedOutput()
			if code := c.ProcessState.ExitCode(); code != tt.exit {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.exit, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	// The data directory belongs to serve while it runs: stop it, then
	// read the transactions offline.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"ill", "list", "--config", cfgPath}, &out, &errOut); code != 0 {
		t.Fatalf("ill list: exit %d: %s", code, errOut.String())
	}
	list := out.String()
	ids := map[string]string{}
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && strings.HasPrefix(f[3], "REQLIB/GQ1/") {
			ids[strings.TrimPrefix(f[3], "REQLIB/GQ1/")] = f[0]
			if f[1] != "responder" || f[2] != "REQLIB" {
				t.Errorf("ill list: %q", line)
			}
		}
	}
	for _, q := range []string{"TQ0001", "TQ0002", "TQ-KALEVI", "TQ-ROOM", "TQ-COPY"} {
		if ids[q] == "" {
			t.Errorf("ill list lacks %s:\n%s", q, list)
		}
	}
	show := func(q string, want ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"ill", "show", ids[q], "--config", cfgPath}, &out, &errOut); code != 0 {
			t.Fatalf("ill show %s: exit %d: %s", ids[q], code, errOut.String())
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("ill show %s (%s) lacks %q:\n%s", ids[q], q, w, out.String())
			}
		}
		return out.String()
	}
	first := show("TQ0001", "REQLIB/GQ1/TQ0001", "The Art of Computer Programming", "ISBN 0201896834", "State           NOT-SUPPLIED",
		"apdu    <ILL-Request", "IDLE -> IN-PROCESS", "rule    >ILL-Answer:unfilled", "IN-PROCESS -> NOT-SUPPLIED", "not-owned; to send")
	show("TQ-KALEVI", "State           IN-PROCESS", "Records         demo-0010", "Kalevipoeg", ">ILL-Answer:will-supply",
		"being-processed-for-supply; to send")
	if n := strings.Count(first, "<ILL-Request"); n != 1 {
		t.Errorf("the request sent twice was applied %d times", n)
	}
	if list := strings.Count(list, "REQLIB/GQ1/TQ0001"); list != 1 {
		t.Errorf("TQ0001 listed %d times", list)
	}
	show("TQ-ROOM", "Ilūkstes novada vēsture", "non-circulating")
	show("TQ-COPY", "copy-non-returnable", ">ILL-Answer:will-supply")
}
