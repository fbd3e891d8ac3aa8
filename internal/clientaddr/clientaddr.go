// Package clientaddr tells the address of the client behind an HTTP
// request. Behind a reverse proxy (nginx or a load balancer terminating
// TLS) every request comes from the proxy; the proxy names the client in
// X-Forwarded-For. That header is believed only from proxies the operator
// lists as trusted, since any client can send one: the address is the
// rightmost entry not added by a trusted proxy.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address. The zero value trusts no
// proxy and answers the connection's peer address.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a resolver trusting the proxies at the given addresses or
// CIDR prefixes ("127.0.0.1", "10.0.0.0/8", "::1").
func New(trusted []string) (*Resolver, error) {
	r := &Resolver{}
	for _, s := range trusted {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, err
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// Check reports the first entry of trusted that New would refuse.
func Check(trusted []string) error {
	_, err := New(trusted)
	return err
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Of returns the client address of req, without a port.
func (r *Resolver) Of(req *http.Request) string {
	peer := hostOf(req.RemoteAddr)
	if r == nil || len(r.trusted) == 0 || !r.isTrusted(peer) {
		return peer
	}
	var hops []string
	for _, v := range req.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hostOf(hops[i]))
		if err != nil {
			return client // a trusted proxy passed on garbage: the last hop it vouches for
		}
		client = a.Unmap().String()
		if !r.isTrusted(client) {
			return client
		}
	}
	return client
}

func (r *Resolver) isTrusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hostOf strips a port, and the brackets of an IPv6 address, if present.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
}

// Handler passes requests on to h with RemoteAddr set to the client's
// address (port 0 when it came from X-Forwarded-For), so that handlers
// reading RemoteAddr — logs, sign-in throttles, the audit trail — see the
// client and not the proxy.
func (r *Resolver) Handler(h http.Handler) http.Handler {
	if r == nil || len(r.trusted) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if client := r.Of(req); client != hostOf(req.RemoteAddr) {
			req = req.Clone(req.Context())
			req.RemoteAddr = net.JoinHostPort(client, "0")
		}
		h.ServeHTTP(w, req)
	})
}
