package sip2server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/sip2"
)

// fakeBackend records what reaches it and answers with fixed data.
type fakeBackend struct {
	mu       sync.Mutex
	calls    map[string]int
	logins   []LoginInfo
	lastSeen map[string]sip2.Message
	fail     bool // every Session method fails
	closed   int
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{calls: map[string]int{}, lastSeen: map[string]sip2.Message{}}
}

func (b *fakeBackend) count(code string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[code]
}

func (b *fakeBackend) seen(code string) sip2.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastSeen[code]
}

func (b *fakeBackend) Login(ctx context.Context, acct *Account, info LoginInfo) (Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logins = append(b.logins, info)
	return &fakeSession{b: b, acct: acct}, nil
}

type fakeSession struct {
	b    *fakeBackend
	acct *Account
}

var errBackend = errors.New("store unavailable")

func (s *fakeSession) note(m sip2.Message) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.calls[m.Code()]++
	s.b.lastSeen[m.Code()] = m
	if s.b.fail {
		return errBackend
	}
	return nil
}

func (s *fakeSession) Close() error {
	s.b.mu.Lock()
	s.b.closed++
	s.b.mu.Unlock()
	return nil
}

func (s *fakeSession) SCStatus(ctx context.Context, r *sip2.SCStatusRequest) (*sip2.ACSStatusResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	resp := s.acct.StatusResponse(time.Time{})
	resp.PrintLines = []string{"a print line that is longer than ten characters"}
	return resp, nil
}

func (s *fakeSession) PatronStatus(ctx context.Context, r *sip2.PatronStatusRequest) (*sip2.PatronStatusResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	st := sip2.PatronStatus{}
	st[sip2.ChargePrivilegesDenied] = true
	st[sip2.HoldPrivilegesDenied] = true
	return &sip2.PatronStatusResponse{PatronStatus: st, PersonalName: "Jānis Bērziņš", ValidPatron: sip2.Bool(true),
		ValidPatronPassword: sip2.Bool(true), ScreenMessages: []string{"Sveiki, " + r.InstitutionID}}, nil
}

func (s *fakeSession) Checkout(ctx context.Context, r *sip2.CheckoutRequest) (*sip2.CheckoutResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.CheckoutResponse{OK: true, MagneticMedia: sip2.No, Desensitize: sip2.Yes, TitleID: "Title of " + r.ItemID,
		DueDate: "20250401    235900"}, nil
}

func (s *fakeSession) Checkin(ctx context.Context, r *sip2.CheckinRequest) (*sip2.CheckinResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.CheckinResponse{OK: true, Resensitize: true, MagneticMedia: sip2.No, PermanentLocation: "MAIN", TitleID: "T"}, nil
}

func (s *fakeSession) BlockPatron(ctx context.Context, r *sip2.BlockPatronRequest) (*sip2.PatronStatusResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.PatronStatusResponse{PatronStatus: unknownPatron()}, nil
}

func (s *fakeSession) PatronInformation(ctx context.Context, r *sip2.PatronInformationRequest) (*sip2.PatronInformationResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.PatronInformationResponse{PersonalName: "P", ChargedItemsCount: 1, ChargedItems: []string{"it1"},
		ValidPatron: sip2.Bool(true), ValidPatronPassword: sip2.Bool(true)}, nil
}

func (s *fakeSession) EndPatronSession(ctx context.Context, r *sip2.EndPatronSessionRequest) (*sip2.EndPatronSessionResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.EndPatronSessionResponse{EndSession: true}, nil
}

func (s *fakeSession) FeePaid(ctx context.Context, r *sip2.FeePaidRequest) (*sip2.FeePaidResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.FeePaidResponse{PaymentAccepted: true}, nil
}

func (s *fakeSession) ItemInformation(ctx context.Context, r *sip2.ItemInformationRequest) (*sip2.ItemInformationResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationAvailable, SecurityMarker: sip2.SecurityNone,
		FeeType: sip2.FeeOther, TitleID: "Dzejoļi"}, nil
}

func (s *fakeSession) ItemStatusUpdate(ctx context.Context, r *sip2.ItemStatusUpdateRequest) (*sip2.ItemStatusUpdateResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.ItemStatusUpdateResponse{ItemPropertiesOK: true}, nil
}

func (s *fakeSession) PatronEnable(ctx context.Context, r *sip2.PatronEnableRequest) (*sip2.PatronEnableResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.PatronEnableResponse{ValidPatron: sip2.Bool(true)}, nil
}

func (s *fakeSession) Hold(ctx context.Context, r *sip2.HoldRequest) (*sip2.HoldResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.HoldResponse{OK: true}, nil
}

func (s *fakeSession) Renew(ctx context.Context, r *sip2.RenewRequest) (*sip2.RenewResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.RenewResponse{OK: false, ScreenMessages: []string{"Renewal limit reached"}}, nil
}

func (s *fakeSession) RenewAll(ctx context.Context, r *sip2.RenewAllRequest) (*sip2.RenewAllResponse, error) {
	if err := s.note(r); err != nil {
		return nil, err
	}
	return &sip2.RenewAllResponse{OK: true, RenewedItems: []string{"a"}, RenewedCount: 1}, nil
}

var clock = time.Date(2025, 3, 14, 10, 15, 0, 0, time.UTC)

type fixture struct {
	srv     *Server
	backend *fakeBackend
	reg     *prometheus.Registry
	logs    *syncBuffer
	addr    string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func baseAccounts() Accounts {
	return Accounts{
		"kiosk1": {UserID: "kiosk1", Password: "s3cret", Institution: "LNB", Location: "floor1"},
		"baltic": {UserID: "baltic", Password: "pw1257", Institution: "RCB", Charset: sip2.Windows1257, ScreenLanguage: "lv"},
		"crlf":   {UserID: "crlf", Password: "pw", Institution: "X", Terminator: "\r\n", ErrorDetection: sip2.ErrorDetectionRequire},
		"limited": {UserID: "limited", Password: "pw", Institution: "X", AllowedMessages: []string{"23", "17"},
			PatronStatus: PatronStatusMap{AlwaysPermitLoans: true}},
		"noreplay": {UserID: "noreplay", Password: "pw", DisableReplay: true},
		"window":   {UserID: "window", Password: "pw", ReplayWindow: 3 * time.Second},
	}
}

func newFixture(t *testing.T, configure func(*Server)) *fixture {
	t.Helper()
	fx := &fixture{backend: newFakeBackend(), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	m, err := NewMetrics(fx.reg)
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = &Server{Backend: fx.backend, Accounts: baseAccounts(), Metrics: m,
		Logger: zerolog.New(fx.logs).Level(zerolog.InfoLevel), Now: func() time.Time { return clock }}
	if configure != nil {
		configure(fx.srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fx.addr = ln.Addr().String()
	go fx.srv.Serve(ln)
	t.Cleanup(func() { fx.srv.Close() })
	return fx
}

// client is a raw test client: it writes bytes and reads up to CR.
type client struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func (fx *fixture) dial(t *testing.T) *client {
	t.Helper()
	c, err := net.Dial("tcp", fx.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c, rd: bufio.NewReader(c)}
}

// send writes msg and a CR and returns the response without its CR.
func (c *client) send(msg string) string {
	c.t.Helper()
	return c.sendRaw([]byte(msg + "\r"))
}

func (c *client) sendRaw(b []byte) string {
	c.t.Helper()
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	resp, err := c.rd.ReadString('\r')
	if err != nil {
		c.t.Fatalf("after %q: read: %v", b, err)
	}
	return strings.TrimSuffix(resp, "\r")
}

// withChecksum appends AYn AZxxxx.
func withChecksum(msg string, seq int) string {
	b := []byte(msg + "AY" + string(rune('0'+seq)) + "AZ")
	return string(b) + strings.ToUpper(hex4(sip2.Checksum(b)))
}

func hex4(v uint16) string {
	const d = "0123456789ABCDEF"
	return string([]byte{d[v>>12], d[v>>8&15], d[v>>4&15], d[v&15]})
}

func parse(t *testing.T, s string) sip2.Message {
	t.Helper()
	m, err := sip2.Parse([]byte(s))
	if err != nil {
		t.Fatalf("response %q: %v", s, err)
	}
	return m
}

const (
	checkout = "11YN20250314    101500                  AOLNB|AAP100|ABI200|AC|ADpin4321|"
	checkin  = "09N20250314    10150020250314    101500APfloor1|AOLNB|ABI200|AC|"
	status23 = "2300020250314    101500AOLNB|AAP100|AC|ADpin4321|"
	item17   = "1720250314    101500AOLNB|ABI200|"
)

func TestLoginPhase(t *testing.T) {
	fx := newFixture(t, nil)
	c := fx.dial(t)

	// A request before 93: its own failure response, the backend is not reached.
	r := parse(t, c.send(status23)).(*sip2.PatronStatusResponse)
	if r.ValidPatron == nil || *r.ValidPatron || r.ScreenMessages[0] != "Not logged in" || r.PatronID != "P100" {
		t.Errorf("23 before login: %+v", r)
	}
	// 99 before login is answered from the default policy.
	if got := c.send("9900302.00"); !strings.HasPrefix(got, "98YYYNNN030003") || !strings.Contains(got, "BXYYYYYYYYYYYYYYYY|") {
		t.Errorf("99 before login: %q", got)
	}
	if got := c.send("9300CNkiosk1|COwrong|CPdesk|"); got != "940" {
		t.Errorf("wrong password: %q", got)
	}
	if got := c.send("9300CNnobody|COs3cret|"); got != "940" {
		t.Errorf("unknown user: %q", got)
	}
	if got := c.send("9310CNkiosk1|COs3cret|"); got != "940" {
		t.Errorf("encrypted algorithm accepted: %q", got)
	}
	if got := c.send(withChecksum("9300CNkiosk1|COs3cret|CPdesk|", 0)); got != "941AY0AZFDFD" {
		t.Errorf("login: %q", got)
	}
	if n := fx.backend.count("23"); n != 0 {
		t.Errorf("backend saw %d requests before login", n)
	}
	resp := parse(t, c.send(checkout)).(*sip2.CheckoutResponse)
	want := &sip2.CheckoutResponse{OK: true, MagneticMedia: sip2.No, Desensitize: sip2.Yes, TransactionDate: clock,
		InstitutionID: "LNB", PatronID: "P100", ItemID: "I200", TitleID: "Title of I200", DueDate: "20250401    235900"}
	resp.TransactionDate = resp.TransactionDate.UTC()
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("checkout:\n got %+v\nwant %+v", resp, want)
	}
	if info := fx.backend.logins[0]; info.UserID != "kiosk1" || info.Location != "desk" || info.Trusted {
		t.Errorf("login info %+v", info)
	}
	// A failed second login logs the connection out.
	if got := c.send("9300CNkiosk1|COwrong|"); got != "940" {
		t.Fatalf("%q", got)
	}
	c.send(checkout + "BOY|")
	if n := fx.backend.count("11"); n != 1 {
		t.Errorf("checkout after a failed re-login reached the backend (%d)", n)
	}
	if fx.backend.closed != 1 {
		t.Errorf("session closed %d times", fx.backend.closed)
	}
}

func login(t *testing.T, c *client, user, pw string) {
	t.Helper()
	if got := c.send("9300CN" + user + "|CO" + pw + "|"); got != "941" {
		t.Fatalf("login %s: %q", user, got)
	}
}

func TestDuplicateReplay(t *testing.T) {
	fx := newFixture(t, nil)
	c := fx.dial(t)
	login(t, c, "kiosk1", "s3cret")

	// With error detection: the same bytes (same AY) are a retransmission.
	req := withChecksum(checkout, 3)
	first := c.send(req)
	second := c.send(req)
	if first != second || !strings.Contains(first, "AY3AZ") {
		t.Errorf("replay differs:\n%q\n%q", first, second)
	}
	if n := fx.backend.count("11"); n != 1 {
		t.Errorf("backend ran the checkout %d times", n)
	}
	// The next sequence number is a new request.
	c.send(withChecksum(checkout, 4))
	if n := fx.backend.count("11"); n != 2 {
		t.Errorf("new AY not run: %d", n)
	}
	// Without AY two identical requests are two requests.
	c.send(checkin)
	c.send(checkin)
	if n := fx.backend.count("09"); n != 2 {
		t.Errorf("checkin without AY ran %d times, want 2", n)
	}
	c.send(item17)
	c.send(item17)
	if n := fx.backend.count("17"); n != 2 {
		t.Errorf("item information ran %d times, want 2", n)
	}
	if got := metricValue(t, fx.reg, "bibgate_sip2_requests_total", "checkout", OutcomeReplayed); got != 1 {
		t.Errorf("replayed checkouts counted %v", got)
	}

	// An account can turn replay off.
	c2 := fx.dial(t)
	login(t, c2, "noreplay", "pw")
	c2.send(req)
	c2.send(req)
	if n := fx.backend.count("11"); n != 4 {
		t.Errorf("replay not disabled: %d", n)
	}
}

func TestResend(t *testing.T) {
	fx := newFixture(t, nil)
	c := fx.dial(t)
	if got := c.send("97AZFEF5"); got != "96AZFEF6" {
		t.Errorf("97 with nothing sent: %q", got)
	}
	login(t, c, "kiosk1", "s3cret")
	resp := c.send(withChecksum(item17, 5))
	again := c.send("97AZFEF5")
	// The last response, without its AY, with a fresh checksum.
	body := resp[:strings.Index(resp, "AY5AZ")]
	if !strings.HasPrefix(again, body+"AZ") || len(again) != len(body)+6 {
		t.Errorf("resend:\n%q\n%q", resp, again)
	}
	if _, err := sip2.Parse([]byte(again)); err != nil {
		t.Errorf("resent response does not verify: %v", err)
	}
	if n := fx.backend.count("17"); n != 1 {
		t.Errorf("97 ran the request again (%d)", n)
	}
	// A 96 we sent does not replace the stored response.
	c.send("XX garbage")
	if got := c.send("97"); got != body {
		t.Errorf("after a 96, 97 gave %q", got)
	}
}

func TestMalformedInput(t *testing.T) {
	fx := newFixture(t, func(s *Server) { s.MaxMessageSize = 200 })
	c := fx.dial(t)
	login(t, c, "kiosk1", "s3cret")
	tests := []struct{ in, want string }{
		{"9900401.00AY1AZAAAA", "96AZFEF6"}, // bad checksum: 96 with a checksum
		{"55xyz", "96"},                     // unknown message
		{"11NN2025", "96"},                  // fixed part too short
		{"", "96"},                          // empty line
		{"12" + strings.Repeat("0", 30), "96"},
	}
	for _, tc := range tests {
		if got := c.send(tc.in); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
		c.send(item17) // reset the consecutive-96 count
	}
	// Oversized: cut off, answered 96, the connection goes on.
	if got := c.send("17" + strings.Repeat("x", 500)); got != "96" {
		t.Errorf("oversized: %q", got)
	}
	if got := c.send(item17); !strings.HasPrefix(got, "18") {
		t.Errorf("after oversized: %q", got)
	}
	// Retries allowed (3) consecutive 96s and the server hangs up.
	c.send("55")
	c.send("55")
	c.send("55")
	c.c.SetDeadline(time.Now().Add(2 * time.Second))
	c.c.Write([]byte(item17 + "\r"))
	if _, err := c.rd.ReadString('\r'); err == nil {
		t.Error("connection still served after 3 consecutive 96")
	}
	if got := metricValue(t, fx.reg, "bibgate_sip2_requests_total", "unknown", OutcomeBadRequest); got < 4 {
		t.Errorf("bad requests counted %v", got)
	}
}

// TestCharsetAccount: a Windows-1257 account sends and receives Latvian
// diacritics as single bytes, checksummed over those bytes.
func TestCharsetAccount(t *testing.T) {
	fx := newFixture(t, nil)
	c := fx.dial(t)
	login(t, c, "baltic", "pw1257")
	codec := sip2.Codec{Charset: sip2.Windows1257}
	req := codec.Encode(sip2.Frame{Message: &sip2.PatronStatusRequest{Language: "000", TransactionDate: clock,
		InstitutionID: "Rīgas bibliotēka", PatronID: "P1", PatronPassword: sip2.String("1")}, HasSeq: true, Seq: 2, HasChecksum: true})
	if !bytes.Contains(req, []byte("R\xeegas bibliot\xe7ka")) {
		t.Fatalf("request not in Windows-1257: %q", req)
	}
	raw := c.sendRaw(req)
	if !strings.Contains(raw, "AEJ\xe2nis B\xe7rzi\xf2\xf0|") {
		t.Errorf("AE not in Windows-1257: %q", raw)
	}
	f, err := codec.Decode([]byte(raw))
	if err != nil {
		t.Fatalf("response does not verify in Windows-1257: %v", err)
	}
	resp := f.Message.(*sip2.PatronStatusResponse)
	if resp.PersonalName != "Jānis Bērziņš" || resp.ScreenMessages[0] != "Sveiki, Rīgas bibliotēka" || f.Seq != 2 {
		t.Errorf("%+v", resp)
	}
	if got := fx.backend.seen("23").(*sip2.PatronStatusRequest).InstitutionID; got != "Rīgas bibliotēka" {
		t.Errorf("backend saw AO %q", got)
	}
	// The server's own texts are in the account's language.
	c.send("9300CNbaltic|COwrong|")
	raw = c.sendRaw(req)
	if m, _ := codec.Parse([]byte(raw)); m == nil || m.(*sip2.PatronStatusResponse).ScreenMessages[0] != "Nav pieteikšanās" {
		t.Errorf("not-logged-in text: %q", raw)
	}
}

func TestAccountSettings(t *testing.T) {
	fx := newFixture(t, nil)
	t.Run("CRLF and required checksums", func(t *testing.T) {
		c := fx.dial(t)
		crlf := func(msg string) string {
			t.Helper()
			got := c.send(msg)
			if b, err := c.rd.ReadByte(); err != nil || b != '\n' {
				t.Fatalf("after %q: terminator not CRLF", got)
			}
			return got
		}
		if got := crlf("9300CNcrlf|COpw|"); got != "941AZFEC7" {
			t.Errorf("login: %q", got)
		}
		if got := crlf(item17); got != "96AZFEF6" { // no checksum: refused under "require"
			t.Errorf("%q", got)
		}
		if got := crlf(withChecksum(item17, 1)); !strings.HasPrefix(got, "18") || !strings.Contains(got, "AY1AZ") {
			t.Errorf("%q", got)
		}
	})
	t.Run("allowed messages and patron status mapping", func(t *testing.T) {
		c := fx.dial(t)
		login(t, c, "limited", "pw")
		r := parse(t, c.send("15+20250314    101500AOX|AAP1|ABI1|")).(*sip2.HoldResponse)
		if r.OK || r.ScreenMessages[0] != "This function is not available" || fx.backend.count("15") != 0 {
			t.Errorf("disabled hold: %+v", r)
		}
		st := parse(t, c.send("9900102.00")).(*sip2.ACSStatusResponse)
		if st.Supported.String() != "YNNNYYYNNNYNNNNN" {
			t.Errorf("BX %s", st.Supported)
		}
		if len(st.PrintLines) != 1 || st.PrintLines[0] != "a print li" {
			t.Errorf("AG not fitted to print width 10: %q", st.PrintLines)
		}
		ps := parse(t, c.send("2300020250314    101500AOX|AAP1|AC|")).(*sip2.PatronStatusResponse)
		if ps.PatronStatus[sip2.ChargePrivilegesDenied] || !ps.PatronStatus[sip2.HoldPrivilegesDenied] {
			t.Errorf("mapping not applied: %q", ps.PatronStatus)
		}
		if ps.ValidPatronPassword != nil {
			t.Errorf("CQ sent although the request had no AD")
		}
	})
	t.Run("backend errors give a failure response", func(t *testing.T) {
		c := fx.dial(t)
		login(t, c, "kiosk1", "s3cret")
		fx.backend.mu.Lock()
		fx.backend.fail = true
		fx.backend.mu.Unlock()
		defer func() { fx.backend.mu.Lock(); fx.backend.fail = false; fx.backend.mu.Unlock() }()
		r := parse(t, c.send(checkin)).(*sip2.CheckinResponse)
		if r.OK || !r.Alert || r.ItemID != "I200" || r.InstitutionID != "LNB" || r.ScreenMessages[0] != "System error, please ask staff" {
			t.Errorf("%+v", r)
		}
		fx.waitLogs(t, "\"outcome\":\"error\"")
		if !strings.Contains(fx.logs.String(), errBackend.Error()) {
			t.Errorf("error not logged:\n%s", fx.logs.String())
		}
	})
}

func TestTrustedNetwork(t *testing.T) {
	fx := newFixture(t, func(s *Server) {
		s.Default = &Account{Name: "lan", Institution: "LAN", Location: "sorter"}
		s.TrustedNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	c := fx.dial(t)
	r := parse(t, c.send(checkout)).(*sip2.CheckoutResponse)
	if !r.OK {
		t.Errorf("trusted client refused: %+v", r)
	}
	if len(fx.backend.logins) != 1 || !fx.backend.logins[0].Trusted || fx.backend.logins[0].Location != "sorter" {
		t.Errorf("logins %+v", fx.backend.logins)
	}
}

func TestTimeouts(t *testing.T) {
	fx := newFixture(t, func(s *Server) {
		s.Default = &Account{LoginTimeout: 150 * time.Millisecond}
		s.Accounts = Accounts{"k": {UserID: "k", Password: "p", IdleTimeout: 300 * time.Millisecond}}
	})
	c := fx.dial(t)
	begin := time.Now()
	c.c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.rd.ReadString('\r'); err == nil || time.Since(begin) > 2*time.Second {
		t.Errorf("login timeout: %v after %v", err, time.Since(begin))
	}
	c2 := fx.dial(t)
	login(t, c2, "k", "p")
	time.Sleep(200 * time.Millisecond) // past the login timeout, within the idle one
	if got := c2.send(item17); !strings.HasPrefix(got, "18") {
		t.Errorf("logged-in connection hit the login timeout: %q", got)
	}
	c2.c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c2.rd.ReadString('\r'); err == nil {
		t.Error("idle timeout did not close the connection")
	}
}

// TestLogging: a line per request only at debug (metrics count them at
// every level), one "message" per line; secrets never, the patron id only
// at debug.
func TestLogging(t *testing.T) {
	for _, lvl := range []zerolog.Level{zerolog.InfoLevel, zerolog.DebugLevel} {
		fx := newFixture(t, func(s *Server) { s.Logger = s.Logger.Level(lvl) })
		c := fx.dial(t)
		login(t, c, "kiosk1", "s3cret")
		c.send(checkout)
		c.send(status23)
		if lvl == zerolog.DebugLevel {
			fx.waitLogs(t, "\"sip2_message\":\"patron_status\"")
		}
		logs := fx.logs.String()
		for _, secret := range []string{"s3cret", "pin4321"} {
			if strings.Contains(logs, secret) {
				t.Errorf("%v: secret %q logged:\n%s", lvl, secret, logs)
			}
		}
		if got := strings.Contains(logs, "P100"); got != (lvl == zerolog.DebugLevel) {
			t.Errorf("%v: patron id logged = %v", lvl, got)
		}
		for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
			if line != "" && strings.Count(line, "\"message\":") != 1 {
				t.Errorf("%v: not one message in %s", lvl, line)
			}
		}
		lines := strings.Count(logs, "\"sip2_message\":\"checkout\"")
		if lvl == zerolog.InfoLevel && lines != 0 {
			t.Errorf("info: ordinary requests logged:\n%s", logs)
		}
		if lvl == zerolog.DebugLevel && (lines != 1 || !strings.Contains(logs, "\"account\":\"kiosk1\"") || !strings.Contains(logs, "\"latency\"")) {
			t.Errorf("debug: log lines:\n%s", logs)
		}
		if n := metricValue(t, fx.reg, "bibgate_sip2_requests_total", "checkout", OutcomeOK); n != 1 {
			t.Errorf("%v: %v checkouts counted, want 1", lvl, n)
		}
	}
}

func TestTLS(t *testing.T) {
	srvCfg, cliCfg := selfSignedTLS(t)
	fx := newFixture(t, func(s *Server) { s.TLSConfig = srvCfg })
	tc, err := tls.Dial("tcp", fx.addr, cliCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := &client{t: t, c: tc, rd: bufio.NewReader(tc)}
	login(t, c, "kiosk1", "s3cret")
	if r := parse(t, c.send(checkout)).(*sip2.CheckoutResponse); !r.OK {
		t.Errorf("%+v", r)
	}
	if !fx.backend.logins[0].TLS {
		t.Error("login not marked TLS")
	}
}

func TestConnectionCap(t *testing.T) {
	fx := newFixture(t, func(s *Server) { s.MaxConns = 1 })
	c := fx.dial(t)
	login(t, c, "kiosk1", "s3cret")
	c2 := fx.dial(t)
	c2.c.SetDeadline(time.Now().Add(2 * time.Second))
	c2.c.Write([]byte("9300CNkiosk1|COs3cret|\r"))
	if _, err := c2.rd.ReadString('\r'); err == nil {
		t.Error("second connection served over the cap")
	}
}

func TestShutdownFinishesRequest(t *testing.T) {
	fx := newFixture(t, nil)
	c := fx.dial(t)
	login(t, c, "kiosk1", "s3cret")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := fx.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	c.c.SetDeadline(time.Now().Add(time.Second))
	c.c.Write([]byte(item17 + "\r"))
	if _, err := c.rd.ReadString('\r'); err == nil {
		t.Error("idle connection survived Shutdown")
	}
}

// waitLogs waits for a log line: it is written just after the response.
func (fx *fixture) waitLogs(t *testing.T, substr string) {
	t.Helper()
	for i := 0; i < 200 && !strings.Contains(fx.logs.String(), substr); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(fx.logs.String(), substr) {
		t.Fatalf("no log line with %s:\n%s", substr, fx.logs.String())
	}
}

func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for i, lp := range m.GetLabel() {
				if i < len(labels) && lp.GetValue() != labels[i] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func selfSignedTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bibgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}
