// Package tcpproxy is a loopback TCP proxy whose link a test can cut and
// restore, to see how a client behaves when its server restarts or goes
// silent, without touching the server itself.
package tcpproxy

import (
	"fmt"
	"net"
	"sync"
)

// Mode is what the proxy does with connections.
type Mode int

const (
	// Forward relays bytes both ways.
	Forward Mode = iota
	// Refuse closes every open connection and closes new ones at once, as
	// a server that is restarting does.
	Refuse
	// Silent keeps connections open but relays nothing and answers
	// nothing, as a server behind a broken network does.
	Silent
)

// Proxy relays connections from its loopback address to a target.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  Mode
	links map[*link]struct{}
	wg    sync.WaitGroup
}

type link struct {
	client, server net.Conn
	tainted        bool // bytes were dropped: not usable after Forward again
}

func (l *link) close() {
	l.client.Close()
	l.server.Close()
}

// Start listens on a loopback port and relays to target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tcpproxy: %w", err)
	}
	p := &Proxy{ln: ln, target: target, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() *net.TCPAddr { return p.ln.Addr().(*net.TCPAddr) }

// Set switches the mode. Refuse closes the open connections; Forward after
// Silent closes those that lost bytes meanwhile.
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	for l := range p.links {
		if m == Refuse || m == Forward && l.tainted {
			l.close()
			delete(p.links, l)
		}
	}
}

// Close stops listening and closes every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.Set(Refuse)
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		if mode == Refuse {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		l := &link{client: c, server: s}
		p.mu.Lock()
		p.links[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(l, c, s)
		go p.pipe(l, s, c)
	}
}

// pipe copies from src to dst while the mode is Forward, and drops what
// arrives while it is Silent.
func (p *Proxy) pipe(l *link, src, dst net.Conn) {
	defer p.wg.Done()
	defer func() {
		l.close()
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			silent := p.mode == Silent
			if silent {
				l.tainted = true
			}
			p.mu.Unlock()
			if !silent {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}
