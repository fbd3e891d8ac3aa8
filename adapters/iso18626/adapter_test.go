package iso18626adapter_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/ill/iso18626"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// Demo titles: Kalevipoeg has copies that circulate, the dictionary is a
// reference work.
const (
	kalevipoegISBN = "9789985652660"
	dictionaryISBN = "9984800115"
)

// gateway is one library's bibgate on ISO 18626: its core, HTTP endpoint
// and outbox.
type gateway struct {
	svc     *core.Service
	backend *iso18626adapter.Backend
	srv     *httptest.Server
	outbox  *illadapter.Outbox
	// sent records every message body the endpoint received.
	mu   sync.Mutex
	seen [][]byte
}

func newGateway(t testing.TB, symbol string, partners ...string) *gateway {
	return newGatewayOn(t, memstore.New(), symbol, partners...)
}

func newGatewayOn(t testing.TB, st store.Store, symbol string, partners ...string) *gateway {
	t.Helper()
	return newGatewayWith(t, st, nil, 0, symbol, partners...)
}

// newGatewayWith is newGatewayOn with the core's clock (nil: the real
// one) and ILL expiry_days.
func newGatewayWith(t testing.TB, st store.Store, clock core.Clock, expiryDays int, symbol string, partners ...string) *gateway {
	t.Helper()
	ctx := context.Background()
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: symbol, ExpiryDays: expiryDays}
	for _, partner := range partners {
		cons.ILL.Partners = append(cons.ILL.Partners, core.ILLPartner{Symbol: partner, Name: partner,
			Prices: map[core.ILLServiceType]core.Money{core.ILLLoan: 350}})
	}
	svc, err := core.NewService(st, cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalogue.db"), svc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if _, err := cat.SeedIfEmpty(ctx, demo.CatalogueRecords()); err != nil {
		t.Fatal(err)
	}
	log := zerolog.Nop() // a fuzz target's messages go nowhere
	if tt, ok := t.(*testing.T); ok {
		log = zerolog.New(zerolog.NewTestWriter(tt))
	}
	g := &gateway{svc: svc}
	g.backend = &iso18626adapter.Backend{Svc: svc, Catalogue: cat, Logger: log, Partners: map[string]iso18626adapter.Partner{}}
	h := &iso18626adapter.Handler{Backend: g.backend}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.seen = append(g.seen, body)
		g.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	g.outbox = &illadapter.Outbox{Backend: &illadapter.Backend{Svc: svc, Logger: log}, Logger: log,
		EventSenders: map[string]illadapter.EventSender{}}
	return g
}

// connect makes p a partner of g on ISO 18626: g sends to to's endpoint,
// both sides holding the same secret.
func (g *gateway) connect(p iso18626adapter.Partner, to *gateway, wrap func(illadapter.EventSender) illadapter.EventSender) {
	p.URL = to.srv.URL
	g.backend.Partners[p.Symbol] = p
	var s illadapter.EventSender = &iso18626adapter.Sender{Backend: g.backend, Partner: p, Client: &http.Client{Timeout: 5 * time.Second}}
	if wrap != nil {
		s = wrap(s)
	}
	g.outbox.EventSenders[p.Symbol] = s
}

func (g *gateway) flush(t *testing.T, want int) {
	t.Helper()
	n, err := g.outbox.Flush(context.Background())
	if err != nil || n != want {
		t.Fatalf("flush: %d sent, want %d (%v)", n, want, err)
	}
}

func (g *gateway) only(t *testing.T, role core.ILLRole) core.ILLTransaction {
	t.Helper()
	xs, err := g.svc.ILLList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []core.ILLTransaction
	for _, x := range xs {
		if x.Role == role {
			out = append(out, x)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d %s transactions, want 1", len(out), role)
	}
	return out[0]
}

func (g *gateway) staff(t *testing.T, x core.ILLTransaction, svc illstate.Service) core.ILLTransaction {
	t.Helper()
	x, err := g.svc.ILLApply(context.Background(), core.ILLRef{ID: x.ID}, core.ILLEventInput{Service: svc, Dir: illstate.Outgoing, Origin: core.OriginStaff})
	if err != nil {
		t.Fatalf("%s: %v", svc, err)
	}
	return x
}

// last is the last message g's endpoint received, parsed.
func (g *gateway) last(t *testing.T) iso18626.Message {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.seen) == 0 {
		t.Fatal("no message received")
	}
	m, err := iso18626.Parse(g.seen[len(g.seen)-1])
	if err != nil {
		t.Fatalf("message received: %v", err)
	}
	return m
}

// lostConfirmation delivers and then fails, as a gateway that crashed
// after the partner confirmed and before it recorded the message sent.
type lostConfirmation struct {
	illadapter.EventSender
	times int
}

func (l *lostConfirmation) SendEvent(ctx context.Context, m core.ILLOutgoing) error {
	err := l.EventSender.SendEvent(ctx, m)
	if err == nil && l.times > 0 {
		l.times--
		return errors.New("crashed before recording it sent")
	}
	return err
}

func lastEvent(x core.ILLTransaction) core.ILLEvent { return x.Events[len(x.Events)-1] }

// TestTwoGatewaysOverHTTP: a Latvian library borrows from an Estonian one,
// both on bibgate, over ISO 18626 HTTP only, each POSTing its outbox to
// the other's endpoint with a shared secret: request; ExpectToSupply with
// the expected date, as every copy is out; once one is back, WillSupply;
// Loaned with the due date; Received (the patron owes the price);
// ShippedReturn; LoanCompleted. A message confirmed but not recorded sent
// (a crash in between) is sent again and applied once.
func TestTwoGatewaysOverHTTP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	secret := iso18626adapter.Auth{Secret: "s3cret-shared"}
	crash := &lostConfirmation{times: 1}
	lv.outbox.FirstBackoff = 1 // try again at once
	lv.connect(iso18626adapter.Partner{Symbol: "EE:TARTU", Auth: secret}, ee,
		func(s illadapter.EventSender) illadapter.EventSender { crash.EventSender = s; return crash })
	ee.connect(iso18626adapter.Partner{Symbol: "LV:ILU", Auth: secret, Version: iso18626.V2021}, lv, nil)

	copies, err := ee.svc.ItemsOfRecord(ctx, "demo-0010")
	if err != nil || len(copies) == 0 {
		t.Fatalf("copies of demo-0010: %d %v", len(copies), err)
	}
	var lent []string
	for i, c := range copies {
		if c.Item.ReadingRoomOnly || c.Item.Status != core.ItemAvailable {
			continue
		}
		if _, err := ee.svc.Checkout(ctx, core.CheckoutRequest{Library: c.Item.Library, PatronID: fmt.Sprintf("P%04d", 20+i), ItemID: c.Item.ID}); err != nil {
			t.Fatalf("lend %s: %v", c.Item.ID, err)
		}
		lent = append(lent, c.Item.ID)
	}
	req, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: kalevipoegISBN}, PickupLibrary: demo.Subate})
	if err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 0) // confirmed, then "crashed": still in the outbox
	lv.flush(t, 1) // sent again: the partner recognises it
	if m := ee.last(t); m.Request == nil || m.Request.Header.RequestingAgencyRequestID != req.ID {
		t.Fatalf("supplier received %s, want the request %s", m.Kind(), req.ID)
	}
	lend := ee.only(t, illstate.Responder)
	requests := 0
	for _, e := range lend.Events {
		if e.Service == illstate.ILLRequest {
			requests++
		}
	}
	if requests != 1 {
		t.Fatalf("the request sent twice was applied %d times", requests)
	}
	if len(lend.Events) < 2 || lend.Events[1].Qualifier != illstate.QHoldPlaced {
		t.Fatalf("supplier %+v, want hold-placed", lend.Events)
	}

	ee.flush(t, 1)
	m := lv.last(t)
	if s := m.SupplyingAgencyMessage; s == nil || s.StatusInfo.Status != iso18626.StatusExpectToSupply ||
		s.MessageInfo.ReasonForMessage != iso18626.ReasonRequestResponse || m.Version != "2021-2" {
		t.Fatalf("requester received %s %+v (version %s), want a 2021 RequestResponse ExpectToSupply", m.Kind(), s, m.Version)
	}
	if x := lv.only(t, illstate.Requester); lastEvent(x).Qualifier != illstate.QHoldPlaced || lastEvent(x).Date.IsZero() ||
		!strings.Contains(lastEvent(x).Note, "queue position 1") {
		t.Fatalf("requester after ExpectToSupply: %s %+v, want hold-placed with the date and the queue note", x.State, lastEvent(x))
	}

	if _, err := ee.svc.Checkin(ctx, core.CheckinRequest{Library: demo.Central, ItemID: lent[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := ee.svc.ILLStaffAction(ctx, core.ILLRef{ID: lend.ID}, "supply", "", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	ee.flush(t, 1)
	if s := lv.last(t).SupplyingAgencyMessage; s == nil || s.StatusInfo.Status != iso18626.StatusWillSupply ||
		s.MessageInfo.ReasonForMessage != iso18626.ReasonStatusChange {
		t.Fatalf("requester received %+v, want StatusChange WillSupply", s)
	}
	if x := lv.only(t, illstate.Requester); lastEvent(x).Qualifier != illstate.QWillSupply {
		t.Fatalf("requester after WillSupply: %+v", lastEvent(x))
	}

	ee.staff(t, lend, illstate.ShippedService)
	ee.flush(t, 1)
	s := lv.last(t).SupplyingAgencyMessage
	if s == nil || s.StatusInfo.Status != iso18626.StatusLoaned || s.StatusInfo.DueDate.Time.IsZero() {
		t.Fatalf("requester received %+v, want Loaned with a due date", s)
	}
	borrow := lv.only(t, illstate.Requester)
	if borrow.State != illstate.Shipped || !borrow.Due.Equal(s.StatusInfo.DueDate.Time) {
		t.Fatalf("requester after Loaned: %s due %v, want SHIPPED due %v", borrow.State, borrow.Due, s.StatusInfo.DueDate.Time)
	}

	borrow = lv.staff(t, borrow, illstate.ReceivedService)
	lv.flush(t, 1)
	if a := ee.last(t).RequestingAgencyMessage; a == nil || a.Action != iso18626.ActionReceived {
		t.Fatalf("supplier received %+v, want Received", a)
	}
	if x := ee.only(t, illstate.Responder); x.State != illstate.Received {
		t.Fatalf("supplier after Received: %s", x.State)
	}
	if _, err := lv.svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: borrow.TempItemID}); core.ReasonOf(err) != policy.ItemILLReadingRoom {
		t.Fatalf("home loan of the received item: %v, want %s", err, policy.ItemILLReadingRoom)
	}
	if sum, _ := lv.svc.Patron(ctx, demo.PatronGood); sum.Patron.Owed != 350 {
		t.Errorf("patron owes %v, want the partner's price 3.50", sum.Patron.Owed)
	}

	// Renew asked, refused: a reader at the supplier waits for the title.
	if _, err := ee.svc.PlaceHold(ctx, core.HoldRequest{PatronID: "P0012", RecordID: "demo-0010", PickupLibrary: demo.Central}); err != nil {
		t.Fatal(err)
	}
	borrow = lv.staff(t, borrow, illstate.Renew)
	lv.flush(t, 1)
	if a := ee.last(t).RequestingAgencyMessage; a == nil || a.Action != iso18626.ActionRenew {
		t.Fatalf("supplier received %+v, want Renew", a)
	}
	ee.flush(t, 1)
	if s := lv.last(t).SupplyingAgencyMessage; s == nil || s.MessageInfo.ReasonForMessage != iso18626.ReasonRenewResponse ||
		s.MessageInfo.AnswerYesNo != iso18626.No {
		t.Fatalf("requester received %+v, want RenewResponse N", s)
	}
	borrow = lv.only(t, illstate.Requester)
	if borrow.State != illstate.Received || lastEvent(borrow).Qualifier != illstate.QNo || !strings.Contains(lastEvent(borrow).Note, "waiting") {
		t.Fatalf("requester after the refusal: %s %+v", borrow.State, lastEvent(borrow))
	}

	lv.staff(t, borrow, illstate.ReturnedService)
	lv.flush(t, 1)
	if a := ee.last(t).RequestingAgencyMessage; a == nil || a.Action != iso18626.ActionShippedReturn {
		t.Fatalf("supplier received %+v, want ShippedReturn", a)
	}
	if x := ee.only(t, illstate.Responder); x.State != illstate.Returned {
		t.Fatalf("supplier after ShippedReturn: %s", x.State)
	}
	ee.staff(t, ee.only(t, illstate.Responder), illstate.CheckedInService)
	ee.flush(t, 1)
	if s := lv.last(t).SupplyingAgencyMessage; s == nil || s.StatusInfo.Status != iso18626.StatusLoanCompleted {
		t.Fatalf("requester received %+v, want LoanCompleted", s)
	}
	if x := lv.only(t, illstate.Requester); x.State != illstate.CheckedIn {
		t.Fatalf("requester at the end: %s", x.State)
	}
	for _, g := range []*gateway{lv, ee} {
		if p, _ := g.svc.ILLPending(ctx, 0); len(p) != 0 {
			t.Errorf("%s outbox not empty: %d", g.svc.Consortium().ILL.Symbol, len(p))
		}
	}
	validateAll(t, lv, ee)
}

// TestUnfilledOverHTTP: a request for a reference work is answered
// Unfilled with the reason NonCirculating; the requester records the
// reason.
func TestUnfilledOverHTTP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	lv.connect(iso18626adapter.Partner{Symbol: "EE:TARTU", Dialect: iso18626.OCLC}, ee, nil)
	ee.connect(iso18626adapter.Partner{Symbol: "LV:ILU"}, lv, nil)
	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{ISBN: dictionaryISBN}}); err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 1)
	if m := ee.last(t); m.Version != "v1_2_2017" {
		t.Errorf("request to an OCLC partner has version %q, want v1_2_2017", m.Version)
	}
	ee.flush(t, 1)
	s := lv.last(t).SupplyingAgencyMessage
	if s == nil || s.StatusInfo.Status != iso18626.StatusUnfilled || s.MessageInfo.ReasonUnfilled.Value != "NonCirculating" {
		t.Fatalf("requester received %+v, want Unfilled NonCirculating", s)
	}
	x := lv.only(t, illstate.Requester)
	if x.State != illstate.NotSupplied || lastEvent(x).Reason != "non-circulating" {
		t.Fatalf("requester: %s %+v, want NOT-SUPPLIED for non-circulating", x.State, lastEvent(x))
	}
	validateAll(t, lv, ee)
}

// validateAll checks every message the gateways received against the XSD
// of its edition with xmllint.
func validateAll(t *testing.T, gs ...*gateway) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skipf("xmllint not installed (Debian libxml2-utils): %v", err)
	}
	for _, g := range gs {
		g.mu.Lock()
		msgs := append([][]byte(nil), g.seen...)
		g.mu.Unlock()
		for i, b := range msgs {
			xsd := "ISO-18626-v1_2.xsd"
			if strings.Contains(string(b), `ill:version="2021`) {
				xsd = "iso18626-2021.xsd"
			}
			path := filepath.Join(t.TempDir(), fmt.Sprintf("m%d.xml", i))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("testdata", xsd), path).CombinedOutput()
			if err != nil {
				t.Errorf("message %d does not validate against %s: %v\n%s\n%s", i, xsd, err, out, b)
			}
		}
	}
}

// TestEndpointRefuses: what the endpoint cannot use is answered as
// ill.md §4.3 says, and nothing is applied: a wrong or missing
// credential gets 401; a body that is no XML 400; a message the engine
// cannot use a confirmation with messageStatus ERROR and its errorType.
func TestEndpointRefuses(t *testing.T) {
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	ee.backend.Partners["LV:ILU"] = iso18626adapter.Partner{Symbol: "LV:ILU", Auth: iso18626adapter.Auth{User: "lv", Password: "pw"}}
	const head = `<?xml version="1.0"?><ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2">`
	hdr := func(id string) string {
		return `<header><supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>EE:TARTU</agencyIdValue></supplyingAgencyId>` +
			`<requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>LV:ILU</agencyIdValue></requestingAgencyId>` +
			`<multipleItemRequestId></multipleItemRequestId><timestamp>2026-12-01T10:00:00Z</timestamp>` +
			`<requestingAgencyRequestId>` + id + `</requestingAgencyRequestId></header>`
	}
	request := head + `<request>` + hdr("R1") + `<bibliographicInfo><title>Kalevipoeg</title></bibliographicInfo>` +
		`<serviceInfo><serviceType>Loan</serviceType></serviceInfo></request></ISO18626Message>`
	tests := []struct {
		name, body, ctype string
		user, pw          string
		status            int
		errorType         iso18626.ErrorType // "" for OK
	}{
		{"no credential", request, "application/xml", "", "", http.StatusUnauthorized, ""},
		{"wrong password", request, "application/xml", "lv", "nope", http.StatusUnauthorized, ""},
		{"not XML", "hello", "text/xml", "lv", "pw", http.StatusBadRequest, ""},
		{"not an XML type", request, "application/json", "lv", "pw", http.StatusUnsupportedMediaType, ""},
		{"action unknown", head + `<requestingAgencyMessage>` + hdr("R1") + `<action>Teleport</action></requestingAgencyMessage></ISO18626Message>`,
			"text/xml", "lv", "pw", http.StatusOK, iso18626.UnsupportedActionType},
		{"timestamp junk", strings.Replace(request, "2026-12-01T10:00:00Z", "timestamp_holder", 1), "application/xml", "lv", "pw",
			http.StatusOK, iso18626.UnrecognisedDataValue},
		{"no such transaction", head + `<requestingAgencyMessage>` + hdr("R9") + `<action>Received</action></requestingAgencyMessage></ISO18626Message>`,
			"application/xml", "lv", "pw", http.StatusOK, iso18626.UnrecognisedDataValue},
		{"request", request, "application/xml", "lv", "pw", http.StatusOK, ""},
		{"not allowed now", head + `<requestingAgencyMessage>` + hdr("R1") + `<action>ShippedReturn</action></requestingAgencyMessage></ISO18626Message>`,
			"application/xml", "lv", "pw", http.StatusOK, iso18626.UnrecognisedDataValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := ee.svc.ILLList(context.Background())
			req, _ := http.NewRequest(http.MethodPost, ee.srv.URL, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pw)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			after, _ := ee.svc.ILLList(context.Background())
			if tt.status != http.StatusOK || tt.errorType != "" {
				if len(after) != len(before) || (len(after) > 0 && len(after[0].Events) != len(before[0].Events)) {
					t.Errorf("refused, yet applied")
				}
			}
			if tt.status != http.StatusOK {
				return
			}
			m, err := iso18626.Parse(body)
			if err != nil {
				t.Fatalf("confirmation: %v\n%s", err, body)
			}
			ch := m.ConfirmationHeader()
			if ch == nil {
				t.Fatalf("answered %s, want a confirmation", m.Kind())
			}
			if tt.errorType == "" {
				if ch.MessageStatus != iso18626.StatusOK {
					t.Fatalf("messageStatus %s, want OK: %s", ch.MessageStatus, body)
				}
				return
			}
			if ch.MessageStatus != iso18626.StatusError || !strings.Contains(string(body), string(tt.errorType)) {
				t.Fatalf("want ERROR %s, got %s", tt.errorType, body)
			}
		})
	}
}

// TestCopyOverHTTP: a copy is asked for, supplied (CopyCompleted) and
// received; the requester's transaction ends there.
func TestCopyOverHTTP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	lv.connect(iso18626adapter.Partner{Symbol: "EE:TARTU", Version: iso18626.V2021}, ee, nil)
	ee.connect(iso18626adapter.Partner{Symbol: "LV:ILU", Dialect: iso18626.ReShare}, lv, nil)
	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU", Service: core.ILLCopy,
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: kalevipoegISBN}}); err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 1)
	if r := ee.last(t).Request; r == nil || r.ServiceInfo == nil || r.ServiceInfo.ServiceType != iso18626.ServiceCopy {
		t.Fatalf("supplier received %+v, want a request for a copy", r)
	}
	ee.flush(t, 1) // WillSupply
	lend := ee.only(t, illstate.Responder)
	if lend.Service != core.ILLCopy {
		t.Fatalf("supplier's transaction is for %s", lend.Service)
	}
	ee.staff(t, lend, illstate.ShippedService)
	ee.flush(t, 1)
	if s := lv.last(t).SupplyingAgencyMessage; s == nil || s.StatusInfo.Status != iso18626.StatusCopyCompleted {
		t.Fatalf("requester received %+v, want CopyCompleted", s)
	}
	borrow := lv.only(t, illstate.Requester)
	borrow = lv.staff(t, borrow, illstate.ReceivedService)
	lv.flush(t, 1)
	if borrow.State != illstate.Received || borrow.TempItemID != "" {
		t.Fatalf("requester after the copy arrived: %s, temporary copy %q (want none)", borrow.State, borrow.TempItemID)
	}
	if a := ee.last(t).RequestingAgencyMessage; a == nil || a.Action != iso18626.ActionReceived {
		t.Fatalf("supplier received %+v, want Received", a)
	}
	validateAll(t, lv, ee)
}

// TestOutboxRetriesOverHTTP: a partner answering 503 (or not at all) is
// tried again; the message stays in the outbox, is not marked sent, and
// goes once the partner is back.
func TestOutboxRetriesOverHTTP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	var down atomic.Bool
	down.Store(true)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		ee.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	p := iso18626adapter.Partner{Symbol: "EE:TARTU", URL: front.URL}
	lv.backend.Partners[p.Symbol] = p
	lv.outbox.EventSenders[p.Symbol] = &iso18626adapter.Sender{Backend: lv.backend, Partner: p, Client: &http.Client{Timeout: 5 * time.Second}}
	lv.outbox.FirstBackoff = time.Nanosecond
	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{ISBN: kalevipoegISBN}}); err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 0)
	if x := lv.only(t, illstate.Requester); !x.Events[0].Sent.IsZero() {
		t.Fatal("marked sent though the partner answered 503")
	}
	if xs, _ := ee.svc.ILLList(ctx); len(xs) != 0 {
		t.Fatalf("the partner has %d transactions while down", len(xs))
	}
	down.Store(false)
	time.Sleep(time.Millisecond)
	lv.flush(t, 1)
	if x := lv.only(t, illstate.Requester); x.Events[0].Sent.IsZero() {
		t.Fatal("not marked sent after the partner confirmed")
	}
	ee.only(t, illstate.Responder)
}
