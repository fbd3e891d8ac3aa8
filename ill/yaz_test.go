package ill

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/internal/ber"
)

// The replies in testdata that drove yaz-illclient, built from Go values:
// the codec produces them byte for byte.
func TestRepliesProducedByteForByte(t *testing.T) {
	tid := TransactionID{InitialRequesterID: Institution("REQLIB"), GroupQualifier: "GQ1", Qualifier: "TQ0001"}
	head := func(date, tm string) Header {
		return Header{Version: 2, TransactionID: tid,
			ServiceDateTime: ServiceDateTime{This: DateTime{Date: date, Time: sp(tm)}},
			RequesterID:     Institution("REQLIB"), ResponderID: Institution("RESPLIB")}
	}
	other := OtherProblem
	tests := []struct {
		file string
		a    APDU
	}{
		{"status-or-error-report-ok.reply.ber", &StatusOrErrorReport{Header: head("20261122", "022734"), ReasonNoReport: ip(Temporary)}},
		{"status-or-error-report-minimal.reply.ber", &StatusOrErrorReport{Header: Header{Version: 2,
			TransactionID:   TransactionID{GroupQualifier: "GQ1", Qualifier: "TQ0001"},
			ServiceDateTime: ServiceDateTime{This: DateTime{Date: "20250101"}}}, ReasonNoReport: ip(Temporary)}},
		{"status-or-error-report-error.reply.ber", &StatusOrErrorReport{Header: head("20261122", "022742"),
			ErrorReport: &ErrorReport{CorrelationInformation: "test", ReportSource: ProviderSource,
				ProviderErrorReport: &ProviderErrorReport{GeneralProblem: &other}},
			Note: Str("listener says no")}},
		{"ill-answer-will-supply.reply.ber", &Answer{Header: head("20261122", "022743"), TransactionResults: WillSupply}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Encode(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if want := read(t, tt.file); !bytes.Equal(got, want) {
				t.Errorf("\n got %X\nwant %X", got, want)
			}
		})
	}
}

// ack is what a responder sends yaz-illclient at once: a
// Status-Or-Error-Report echoing the request's transaction-id.
func ack(r *Request) *StatusOrErrorReport {
	return &StatusOrErrorReport{
		Header: Header{Version: Version2, TransactionID: r.TransactionID,
			ServiceDateTime: ServiceDateTime{This: DateTime{Date: "20261203", Time: sp("101500")}},
			RequesterID:     r.RequesterID, ResponderID: r.ResponderID},
		ReasonNoReport: ip(Temporary),
	}
}

// Debian's yaz-illclient against a loopback listener that decodes its
// request with this package and answers with an APDU this package encodes.
func TestYazIllclient(t *testing.T) {
	bin, err := exec.LookPath("yaz-illclient")
	if err != nil {
		t.Skip("yaz-illclient not installed (Debian package yaz-illclient)")
	}
	params, err := filepath.Abs("testdata/request.params")
	if err != nil {
		t.Fatal(err)
	}
	general := OtherProblem
	tests := []struct {
		name   string
		args   []string
		reply  func(*Request) APDU
		exit   int
		output string
		check  func(*testing.T, *Request)
	}{
		{"loan, acknowledged", []string{"-f", params}, func(r *Request) APDU { return ack(r) }, 0, "Ok",
			func(t *testing.T, r *Request) { checkLoan(t, r) }},
		{"OCLC authentication extension", []string{"-f", params, "-o", "-u", "100-000-000", "-p", "secret"},
			func(r *Request) APDU { return ack(r) }, 0, "Ok",
			func(t *testing.T, r *Request) {
				checkLoan(t, r)
				if len(r.Extensions) != 2 {
					t.Errorf("%d extensions", len(r.Extensions))
				}
			}},
		{"empty robustness request", nil, func(r *Request) APDU { return ack(r) }, 0, "Ok",
			func(t *testing.T, r *Request) {
				if r.Version != 0 || r.ItemID.Title == nil || *r.ItemID.Title != "" {
					t.Errorf("%+v", r)
				}
			}},
		{"copy by -D, error report", []string{"-D", "ill,protocol-version-num=2", "-D", "ill,item-id,title=Dune",
			"-D", "ill,transaction-id,transaction-qualifier=TQ9"},
			func(r *Request) APDU {
				a := ack(r)
				a.ReasonNoReport = nil
				a.ErrorReport = &ErrorReport{CorrelationInformation: "c", ReportSource: ProviderSource,
					ProviderErrorReport: &ProviderErrorReport{GeneralProblem: &general}}
				a.Note = Str("no, thanks")
				return a
			}, 7, "General Problem: 5",
			func(t *testing.T, r *Request) {
				if s(r.ItemID.Title) != "Dune" || r.TransactionID.Qualifier != "TQ9" ||
					len(r.ServiceTypes) != 1 || r.ServiceTypes[0] != CopyNonReturnable {
					t.Errorf("%+v", r)
				}
			}},
		{"answer instead of report", []string{"-f", params}, func(r *Request) APDU {
			return &Answer{Header: ack(r).Header, TransactionResults: WillSupply}
		}, 6, "wrong packet type: 4", func(t *testing.T, r *Request) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			type got struct {
				raw []byte
				req *Request
				err error
			}
			done := make(chan got, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					done <- got{err: err}
					return
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				raw, err := ber.NewReader(c, ber.Limits{}).ReadRaw()
				if err != nil {
					done <- got{err: err}
					return
				}
				a, err := Decode(raw)
				if err != nil {
					done <- got{raw: raw, err: err}
					return
				}
				r, ok := a.(*Request)
				if !ok {
					done <- got{err: errors.New("not an ILL-Request: " + a.Type().String())}
					return
				}
				out, err := Encode(tt.reply(r))
				if err == nil {
					_, err = c.Write(out)
				}
				done <- got{raw: raw, req: r, err: err}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			dir := t.TempDir() // it writes ./req.apdu
			cmd := exec.CommandContext(ctx, bin, append(tt.args, ln.Addr().String())...)
			cmd.Dir = dir
			out, _ := cmd.CombinedOutput()
			code := cmd.ProcessState.ExitCode()
			g := <-done
			if g.err != nil {
				t.Fatalf("listener: %v", g.err)
			}
			if code != tt.exit || !strings.Contains(string(out), tt.output) {
				t.Errorf("exit %d, want %d with %q; output:\n%s", code, tt.exit, tt.output, out)
			}
			if sent, err := os.ReadFile(filepath.Join(dir, "req.apdu")); err != nil || !bytes.Equal(sent, g.raw) {
				t.Errorf("req.apdu (%v) is not what arrived", err)
			}
			tt.check(t, g.req)
		})
	}
}
