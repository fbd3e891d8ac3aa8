package clientaddr

import (
	"net/http"
	"testing"
)

func TestOf(t *testing.T) {
	trusted := []string{"127.0.0.1", "10.0.0.0/8", "::1"}
	for _, tc := range []struct {
		name    string
		trusted []string
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the peer", nil, "192.0.2.7:5555", []string{"198.51.100.1"}, "192.0.2.7"},
		{"an untrusted peer's header is ignored", trusted, "192.0.2.7:5555", []string{"198.51.100.1"}, "192.0.2.7"},
		{"behind nginx on the same host", trusted, "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged entry before the real one", trusted, "127.0.0.1:40000", []string{"203.0.113.9, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", trusted, "127.0.0.1:40000", []string{"198.51.100.1, 10.1.2.3"}, "198.51.100.1"},
		{"headers repeated", trusted, "127.0.0.1:40000", []string{"198.51.100.1", "10.1.2.3"}, "198.51.100.1"},
		{"trusted proxy without header", trusted, "127.0.0.1:40000", nil, "127.0.0.1"},
		{"garbage from the proxy", trusted, "127.0.0.1:40000", []string{"198.51.100.1, not-an-ip"}, "127.0.0.1"},
		{"IPv6 peer and client", trusted, "[::1]:40000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"entry with a port", trusted, "127.0.0.1:40000", []string{"198.51.100.1:1234"}, "198.51.100.1"},
		{"all hops trusted", trusted, "127.0.0.1:40000", []string{"10.0.0.5"}, "10.0.0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.Of(req); got != tc.want {
				t.Errorf("Of = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewRefusesWhatIsNotAnAddress(t *testing.T) {
	for _, s := range []string{"localhost", "10.0.0.0/33", "", "1.2.3"} {
		if err := Check([]string{s}); err == nil {
			t.Errorf("trusted proxy %q accepted", s)
		}
	}
}

func TestNilResolver(t *testing.T) {
	var r *Resolver
	req, _ := http.NewRequest("GET", "/", nil)
	req.RemoteAddr = "192.0.2.7:1"
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := r.Of(req); got != "192.0.2.7" {
		t.Errorf("nil resolver: %q", got)
	}
}

func TestHandlerShowsTheClient(t *testing.T) {
	r, err := New([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	h := r.Handler(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) { seen = req.RemoteAddr }))
	for _, tc := range []struct{ remote, xff, want string }{
		{"127.0.0.1:4000", "198.51.100.1", "198.51.100.1:0"},
		{"127.0.0.1:4000", "", "127.0.0.1:4000"},
		{"192.0.2.7:4000", "198.51.100.1", "192.0.2.7:4000"},
		{"127.0.0.1:4000", "2001:db8::5", "[2001:db8::5]:0"},
	} {
		req, _ := http.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.remote
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		h.ServeHTTP(nil, req)
		if seen != tc.want {
			t.Errorf("%s with X-Forwarded-For %q: handler saw %q, want %q", tc.remote, tc.xff, seen, tc.want)
		}
	}
}
