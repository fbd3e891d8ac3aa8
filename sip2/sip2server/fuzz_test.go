package sip2server

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// FuzzConn feeds arbitrary bytes into a served connection after a login.
// The server must neither panic nor hang: once the client closes, the
// connection loop ends.
func FuzzConn(f *testing.F) {
	data, err := os.ReadFile("../testdata/messages.tsv")
	if err != nil {
		f.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 {
			continue
		}
		cols := strings.Split(line, "\t")
		f.Add([]byte(cols[len(cols)-1] + "\r"))
	}
	f.Add([]byte("97\r97AZFEF5\r" + checkout + "\r" + checkout + "\r\n\n\r"))
	f.Add([]byte("9300CNbaltic|COpw1257|\r2300020250314    101500AOR\xeegas|AAP1|AC|AD1|\r"))
	srv := &Server{Backend: newFakeBackend(), Accounts: baseAccounts(), Logger: zerolog.Nop(), MaxMessageSize: 512}
	f.Fuzz(func(t *testing.T, in []byte) {
		serverSide, clientSide := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.ServeConn(context.Background(), serverSide)
			serverSide.Close()
			close(done)
		}()
		go io.Copy(io.Discard, bufio.NewReader(clientSide))
		clientSide.SetWriteDeadline(time.Now().Add(2 * time.Second))
		clientSide.Write([]byte("9300CNkiosk1|COs3cret|\r"))
		clientSide.Write(in)
		clientSide.Write([]byte("\r"))
		clientSide.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("connection loop did not end after the client closed")
		}
	})
}
