package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

func TestRecordFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"record", "--protocol", "z3950", "--upstream", "127.0.0.1:1"}, `--protocol "z3950": use sip2 or ill`},
		{[]string{"record", "--protocol", "ill"}, "--upstream is required"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), tt.args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
}

// TestRecordILL runs bibgate record --protocol ill between a client and an
// ISO 10161 peer that answers a Status-Query: the APDUs pass unchanged and
// the session is written as an ILL transcript.
func TestRecordILL(t *testing.T) {
	peer, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	tm := "101500"
	h := ill.Header{Version: 2, TransactionID: ill.TransactionID{GroupQualifier: "G1", Qualifier: "Q1"},
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261102", Time: &tm}}}
	answer, err := ill.Encode(&ill.StatusOrErrorReport{Header: h, ReasonNoReport: new(int)})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		c, err := peer.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := ber.NewReader(c, ber.Limits{}).ReadRaw(); err == nil {
			c.Write(answer)
		}
	}()
	listen, out := freeAddr(t), t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"record", "--protocol", "ill", "--listen", listen, "--upstream", peer.Addr().String(),
			"--out", out, "--log-level", "error"}, &stdout, &stderr)
	}()
	var c net.Conn
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err = net.Dial("tcp", listen); err == nil {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("record does not listen: %v", err)
		}
	}
	query, _ := ill.Encode(&ill.StatusQuery{Header: h})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(query); err != nil {
		t.Fatal(err)
	}
	got, err := ber.NewReader(c, ber.Limits{}).ReadRaw()
	if err != nil || !bytes.Equal(got, answer) {
		t.Fatalf("the answer did not pass unchanged: % X, %v", got, err)
	}
	c.Close()
	var files []string
	for end := time.Now().Add(10 * time.Second); len(files) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(out, "ill-*.session"))
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("record: exit %d: %s", code, stderr.String())
	}
	if len(files) != 1 {
		t.Fatalf("transcripts %v", files)
	}
	text, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# protocol: ill\n", "#| Status-Query [APPLICATION 18] {", "#| Status-Or-Error-Report [APPLICATION 19] {",
		`date "YYYYMMDD"`, "> 72 "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(stdout.String(), "recording ILL sessions") {
		t.Errorf("stdout %q", stdout.String())
	}
}
