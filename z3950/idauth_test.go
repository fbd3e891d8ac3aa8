package z3950

import (
	"strings"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

// TestMalformedIDAuthenticationNotOpen: an idAuthentication that is not
// one of its four forms (a stray wrapper around the strings, a SEQUENCE of
// wrappers) makes the init malformed instead of being read as the open
// form, whose bytes would run the user and the password together. Proper
// open strings, segmented ones too, still read.
func TestMalformedIDAuthenticationNotOpen(t *testing.T) {
	vs := func(s string) *ber.Node { return ber.NewString(ber.Universal, ber.TagVisibleString, s) }
	octets := func(s string) *ber.Node { return ber.NewString(ber.Universal, ber.TagOctetString, s) }
	initWith := func(auth *ber.Node) []byte {
		req := &InitializeRequest{ProtocolVersion: ber.Bits(0, 1, 2), Options: ber.Bits(0)}
		n := req.node(false)
		n.Children = append(n.Children, explicit(7, auth))
		return ber.Marshal(n)
	}
	bad := []struct {
		name string
		auth *ber.Node
	}{
		{"context wrapper", ber.NewConstructed(ber.Context, 0, vs("alice"), vs("secret"))},
		{"application wrapper", ber.NewConstructed(ber.Application, 3, vs("alice/secret"))},
		{"string wrapping strings", ber.NewConstructed(ber.Universal, ber.TagVisibleString, vs("alice"), vs("secret"))},
		{"idPass with a wrapped field", ber.NewSequence(ber.NewConstructed(ber.Context, 1, vs("alice"), vs("secret")))},
		{"integer", ber.NewInt(ber.Universal, ber.TagInteger, 7)},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal(initWith(tc.auth), ber.Limits{})
			if err == nil {
				t.Fatal("malformed idAuthentication accepted")
			}
			if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "secret") {
				t.Errorf("error tells the credentials: %v", err)
			}
		})
	}
	good := []struct {
		name       string
		auth       *ber.Node
		user, pass string
	}{
		{"open", vs("alice/secret"), "alice", "secret"},
		{"open, general string", ber.NewString(ber.Universal, ber.TagGeneralString, "alice/secret"), "alice", "secret"},
		{"open in segments", ber.NewConstructed(ber.Universal, ber.TagVisibleString, octets("alice/"), octets("secret")), "alice", "secret"},
		{"idPass", ber.NewSequence(ber.NewString(ber.Context, 1, "alice"), ber.NewString(ber.Context, 2, "secret")), "alice", "secret"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Unmarshal(initWith(tc.auth), ber.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			u, _, pw := p.(*InitializeRequest).Auth.Credentials()
			if u != tc.user || pw != tc.pass {
				t.Errorf("credentials %q %q", u, pw)
			}
		})
	}
}

// idAuthSeeds are inits with each idAuthentication form, good and
// malformed, for the fuzz target.
func idAuthSeeds() [][]byte {
	vs := func(s string) *ber.Node { return ber.NewString(ber.Universal, ber.TagVisibleString, s) }
	octets := func(s string) *ber.Node { return ber.NewString(ber.Universal, ber.TagOctetString, s) }
	var out [][]byte
	for _, auth := range []*ber.Node{
		ber.NewConstructed(ber.Context, 0, vs("alice"), vs("secret")),
		ber.NewConstructed(ber.Universal, ber.TagVisibleString, octets("alice/"), octets("secret")),
		ber.NewSequence(ber.NewConstructed(ber.Context, 1, vs("alice"))),
		ber.NewSequence(ber.NewString(ber.Context, 1, "alice"), ber.NewString(ber.Context, 2, "secret")),
	} {
		req := &InitializeRequest{ProtocolVersion: ber.Bits(0, 1, 2), Options: ber.Bits(0)}
		n := req.node(false)
		n.Children = append(n.Children, explicit(7, auth))
		out = append(out, ber.Marshal(n))
	}
	return out
}
