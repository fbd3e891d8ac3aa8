package illclient_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illclient"
)

// peer accepts one connection, reads until the client closes its side,
// then writes answer (raw bytes) and closes.
func peer(t *testing.T, answer []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
		_, _ = c.Write(answer)
	}()
	return ln.Addr().String()
}

func status(t *testing.T, q string) []byte {
	t.Helper()
	tm := "101500"
	b, err := ill.Encode(&ill.StatusOrErrorReport{Header: ill.Header{Version: ill.Version2,
		TransactionID:   ill.TransactionID{InitialRequesterID: ill.Institution("LV:ILU"), Qualifier: ill.String(q)},
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261203", Time: &tm}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSend: the answers a partner writes after our APDU are returned, in
// order; a partner that answers nothing is ErrNoReply when an answer is
// expected, garbage is ErrBadReply, and a partner that does not listen is
// an error.
func TestSend(t *testing.T) {
	ctx := context.Background()
	req := &ill.Message{Header: ill.Header{Version: ill.Version2,
		TransactionID: ill.TransactionID{InitialRequesterID: ill.Institution("LV:ILU"), Qualifier: "T1"}}, Note: "hello"}
	two := append(status(t, "A"), status(t, "B")...)
	tests := []struct {
		name    string
		answer  []byte
		expect  bool
		replies int
		err     error
	}{
		{"two answers", two, true, 2, nil},
		{"no answer, none expected", nil, false, 0, nil},
		{"no answer, one expected", nil, true, 0, illclient.ErrNoReply},
		{"garbage", []byte{0x7f, 0xff, 0xff}, true, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &illclient.Client{Addr: peer(t, tc.answer), ExpectReply: tc.expect, Timeout: 5 * time.Second}
			got, err := c.Send(ctx, req)
			if tc.name == "garbage" {
				if err == nil {
					t.Fatal("garbage answer accepted")
				}
				return
			}
			if !errors.Is(err, tc.err) || len(got) != tc.replies {
				t.Fatalf("%d replies, err %v; want %d, %v", len(got), err, tc.replies, tc.err)
			}
			if tc.replies == 2 && string(got[1].Head().TransactionID.Qualifier) != "B" {
				t.Errorf("answers out of order: %+v", got)
			}
		})
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	if _, err := (&illclient.Client{Addr: dead}).Send(ctx, req); err == nil {
		t.Error("sent to a closed port")
	}
}
