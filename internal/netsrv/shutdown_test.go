package netsrv

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// workHandler answers each line after work that, like a store
// transaction, gives up when its context is cancelled. markLate leaves
// the connection marked idle for a while after the request is read, the
// window in which a shutdown may begin.
func workHandler(work, markLate time.Duration) Handler {
	return HandlerFunc(func(ctx context.Context, c net.Conn) {
		r := bufio.NewReader(c)
		for {
			MarkIdle(ctx)
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			time.Sleep(markLate)
			MarkBusy(ctx)
			answer := "done " + line
			select {
			case <-time.After(work):
			case <-ctx.Done():
				answer = "system error " + line
			}
			if _, err := io.WriteString(c, answer); err != nil {
				return
			}
		}
	})
}

func TestShutdownFinishesInFlight(t *testing.T) {
	tests := []struct {
		name           string
		work, markLate time.Duration
	}{
		// The request is being worked on when the shutdown begins.
		{"busy", 300 * time.Millisecond, 0},
		// The request was read but the handler had not yet said so.
		{"just read", 0, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{Handler: workHandler(tt.work, tt.markLate), Logger: zerolog.Nop()}
			addr, _ := start(t, s)
			const n = 10
			type conn struct {
				c net.Conn
				r *bufio.Reader
			}
			var conns []conn
			for range n {
				c, r := dial(t, addr)
				c.SetDeadline(time.Now().Add(5 * time.Second))
				conns = append(conns, conn{c, r})
			}
			waitFor(t, "all connections served", func() bool { return s.ActiveConns() == n })
			for _, c := range conns {
				io.WriteString(c.c, "checkout\n")
			}
			time.Sleep(100 * time.Millisecond) // every request is read, none answered
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			shutdown := make(chan error, 1)
			go func() { shutdown <- s.Shutdown(ctx) }()
			for i, c := range conns {
				line, err := c.r.ReadString('\n')
				if err != nil || line != "done checkout\n" {
					t.Errorf("connection %d: in-flight request answered %q, %v; want its normal answer", i, line, err)
				}
			}
			if err := <-shutdown; err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		})
	}
}
