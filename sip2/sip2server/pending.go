package sip2server

import (
	"container/list"
	"sync"
	"time"
)

// DefaultLoginTimeout is the time from connect to a successful 93 when
// neither Server.LoginTimeout nor the Default account sets one.
const DefaultLoginTimeout = 60 * time.Second

// loginTimeout is the time a connection has to log in: the Default
// account's setting, else the server's, else DefaultLoginTimeout; 0 means
// none (a negative setting).
func (s *Server) loginTimeout() time.Duration {
	d := s.LoginTimeout
	if s.Default != nil && s.Default.LoginTimeout != 0 {
		d = s.Default.LoginTimeout
	}
	switch {
	case d < 0:
		return 0
	case d == 0:
		return DefaultLoginTimeout
	}
	return d
}

// maxUnauthenticated is the cap on connections that have not logged in:
// MaxUnauthenticated, or by default a quarter of MaxConns (at least 1);
// 0 means none.
func (s *Server) maxUnauthenticated() int {
	switch {
	case s.MaxUnauthenticated < 0:
		return 0
	case s.MaxUnauthenticated > 0:
		return s.MaxUnauthenticated
	case s.MaxConns > 0:
		return max(s.MaxConns/4, 1)
	}
	return 0
}

// pendingConns are the connections waiting for their login, oldest first.
// When the cap is reached the oldest is closed to make room: a selfcheck
// that connects logs in at once, so it is the sockets left idle that go,
// and they can never hold more than the cap of the connection slots.
type pendingConns struct {
	mu    sync.Mutex
	order list.List // of *conn
}

// add registers c and returns the connection to close to keep within max
// (nil if none).
func (p *pendingConns) add(c *conn, max int) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var evict *conn
	if max > 0 && p.order.Len() >= max {
		evict = p.order.Remove(p.order.Front()).(*conn)
		evict.pending = nil
	}
	c.pending = p.order.PushBack(c)
	return evict
}

// remove unregisters c if it is registered.
func (p *pendingConns) remove(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.pending != nil {
		p.order.Remove(c.pending)
		c.pending = nil
	}
}
