package z3950server

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// TestInitCredentialsNeverLogged: over a real socket, no init puts what a
// client sent as user and password into the log: not a refused one (whose
// addinfo repeats the user), not an open string without "/" (which may be
// "user:password"), not a malformed idAuthentication (a stray wrapper,
// refused with a protocol-error Close instead of being read as the open
// form). An accepted user is logged, its password never.
func TestInitCredentialsNeverLogged(t *testing.T) {
	ts := startServer(t, nil)
	tests := []struct {
		name   string
		auth   *z3950.IDAuthentication
		raw    []byte // sent instead of an init with auth
		result bool
		close  bool
	}{
		{name: "wrong password", auth: &z3950.IDAuthentication{Kind: z3950.AuthOpen, Open: "alice/guessed-pw"}},
		{name: "no slash", auth: &z3950.IDAuthentication{Kind: z3950.AuthOpen, Open: "alice:guessed-pw"}},
		{name: "idPass, wrong", auth: &z3950.IDAuthentication{Kind: z3950.AuthIDPass, UserID: "alice", Password: "guessed-pw"}},
		{name: "stray wrapper", raw: strayWrapperInit(), close: true},
		{name: "right password", auth: &z3950.IDAuthentication{Kind: z3950.AuthOpen, Open: "alice/secret"}, result: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			var resp z3950.PDU
			if tc.raw != nil {
				if _, err := c.nc.Write(tc.raw); err != nil {
					t.Fatal(err)
				}
				resp = c.recv()
			} else {
				req := initRequest("", "")
				req.Auth = tc.auth
				resp = c.roundTrip(req)
			}
			switch r := resp.(type) {
			case *z3950.InitializeResponse:
				if tc.close || r.Result != tc.result {
					t.Errorf("init answered %+v", r)
				}
			case *z3950.Close:
				if !tc.close || r.CloseReason != z3950.CloseProtocolError {
					t.Errorf("closed: %+v", r)
				}
			}
		})
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && strings.Count(ts.logText(), "\n") < len(tests) {
		time.Sleep(10 * time.Millisecond)
	}
	logs := ts.logText()
	for _, secret := range []string{"guessed-pw", "secret", "alice:"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"user":"alice"`) {
		t.Errorf("accepted user not logged:\n%s", logs)
	}
}

// strayWrapperInit is an init whose idAuthentication wraps the user and
// the password in a context-tagged constructed value.
func strayWrapperInit() []byte {
	vs := func(s string) *ber.Node { return ber.NewString(ber.Universal, ber.TagVisibleString, s) }
	auth := ber.NewConstructed(ber.Context, 7, ber.NewConstructed(ber.Context, 0, vs("alice"), vs("guessed-pw")))
	n := ber.NewConstructed(ber.Context, z3950.TagInitRequest,
		ber.NewBitString(ber.Context, 3, ber.Bits(0, 1, 2)), ber.NewBitString(ber.Context, 4, ber.Bits(0)), auth)
	return ber.Marshal(n)
}
