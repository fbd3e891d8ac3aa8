// Package sip2servertest is an in-memory sip2server.Backend for tests and
// benchmarks: patrons with PINs, items that are on the shelf or on loan,
// and counters of what reached it. It follows no loan rules beyond "an item
// on loan cannot be checked out to someone else".
package sip2servertest

import (
	"context"
	"sync"
	"time"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
)

// Backend is an in-memory library. Create it with NewBackend.
type Backend struct {
	mu      sync.Mutex
	patrons map[string]string // id → PIN
	items   map[string]string // id → patron holding it, "" on the shelf
	calls   map[string]int    // request code → count
	// Delay is added to every request (to simulate a slow store).
	Delay time.Duration
}

// NewBackend returns a library with the given patrons (id → PIN) and items
// (all on the shelf).
func NewBackend(patrons map[string]string, items []string) *Backend {
	b := &Backend{patrons: map[string]string{}, items: map[string]string{}, calls: map[string]int{}}
	for id, pin := range patrons {
		b.patrons[id] = pin
	}
	for _, id := range items {
		b.items[id] = ""
	}
	return b
}

// Calls reports how many requests of a code reached the backend.
func (b *Backend) Calls(code string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[code]
}

// Holder reports who has an item ("" on the shelf) and whether it exists.
func (b *Backend) Holder(item string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.items[item]
	return h, ok
}

// Login implements sip2server.Backend.
func (b *Backend) Login(ctx context.Context, acct *sip2server.Account, info sip2server.LoginInfo) (sip2server.Session, error) {
	return &session{b: b, acct: acct}, nil
}

type session struct {
	b    *Backend
	acct *sip2server.Account
}

// enter counts a request, waits the delay and locks the backend.
func (s *session) enter(code string) func() {
	if s.b.Delay > 0 {
		time.Sleep(s.b.Delay)
	}
	s.b.mu.Lock()
	s.b.calls[code]++
	return s.b.mu.Unlock
}

func (s *session) patronOK(id string, pin *string) (known, pinOK bool) {
	want, ok := s.b.patrons[id]
	return ok, ok && pin != nil && *pin == want
}

func (s *session) loans(patron string) []string {
	var out []string
	for it, h := range s.b.items {
		if h == patron {
			out = append(out, it)
		}
	}
	return out
}

func status(known bool) sip2.PatronStatus {
	var st sip2.PatronStatus
	if !known {
		for i := 0; i < 4; i++ {
			st[i] = true
		}
	}
	return st
}

func (s *session) SCStatus(ctx context.Context, r *sip2.SCStatusRequest) (*sip2.ACSStatusResponse, error) {
	defer s.enter(r.Code())()
	return s.acct.StatusResponse(time.Time{}), nil
}

func (s *session) PatronStatus(ctx context.Context, r *sip2.PatronStatusRequest) (*sip2.PatronStatusResponse, error) {
	defer s.enter(r.Code())()
	known, pinOK := s.patronOK(r.PatronID, r.PatronPassword)
	return &sip2.PatronStatusResponse{PatronStatus: status(known), Language: r.Language, PersonalName: name(known, r.PatronID),
		ValidPatron: sip2.Bool(known), ValidPatronPassword: sip2.Bool(pinOK)}, nil
}

func name(known bool, id string) string {
	if !known {
		return ""
	}
	return "Patron " + id
}

func (s *session) Checkout(ctx context.Context, r *sip2.CheckoutRequest) (*sip2.CheckoutResponse, error) {
	defer s.enter(r.Code())()
	resp := &sip2.CheckoutResponse{MagneticMedia: sip2.No, Desensitize: sip2.No, TitleID: "Title " + r.ItemID}
	holder, itemOK := s.b.items[r.ItemID]
	known, _ := s.patronOK(r.PatronID, r.PatronPassword)
	switch {
	case !known:
		resp.ScreenMessages = []string{"Unknown patron"}
	case !itemOK:
		resp.ScreenMessages = []string{"Unknown item"}
	case holder != "" && holder != r.PatronID:
		resp.ScreenMessages = []string{"Item is on loan"}
	default:
		resp.OK, resp.RenewalOK, resp.Desensitize = true, holder == r.PatronID, sip2.Yes
		s.b.items[r.ItemID] = r.PatronID
		resp.DueDate = sip2.FormatDate(time.Now().AddDate(0, 0, 21))
	}
	return resp, nil
}

func (s *session) Checkin(ctx context.Context, r *sip2.CheckinRequest) (*sip2.CheckinResponse, error) {
	defer s.enter(r.Code())()
	resp := &sip2.CheckinResponse{MagneticMedia: sip2.No, PermanentLocation: "MAIN", TitleID: "Title " + r.ItemID}
	holder, ok := s.b.items[r.ItemID]
	if !ok {
		resp.Alert = true
		resp.ScreenMessages = []string{"Unknown item"}
		return resp, nil
	}
	resp.OK, resp.Resensitize, resp.PatronID = true, true, holder
	s.b.items[r.ItemID] = ""
	return resp, nil
}

func (s *session) BlockPatron(ctx context.Context, r *sip2.BlockPatronRequest) (*sip2.PatronStatusResponse, error) {
	defer s.enter(r.Code())()
	_, known := s.b.patrons[r.PatronID]
	st := status(false)
	st[sip2.CardReportedLost] = true
	return &sip2.PatronStatusResponse{PatronStatus: st, ValidPatron: sip2.Bool(known)}, nil
}

func (s *session) PatronInformation(ctx context.Context, r *sip2.PatronInformationRequest) (*sip2.PatronInformationResponse, error) {
	defer s.enter(r.Code())()
	known, pinOK := s.patronOK(r.PatronID, r.PatronPassword)
	resp := &sip2.PatronInformationResponse{PatronStatus: status(known), Language: r.Language, PersonalName: name(known, r.PatronID),
		ValidPatron: sip2.Bool(known), ValidPatronPassword: sip2.Bool(pinOK)}
	if known {
		loans := s.loans(r.PatronID)
		resp.ChargedItemsCount = len(loans)
		if r.Summary.List() == sip2.SummaryChargedItems {
			resp.ChargedItems = loans
		}
	}
	return resp, nil
}

func (s *session) EndPatronSession(ctx context.Context, r *sip2.EndPatronSessionRequest) (*sip2.EndPatronSessionResponse, error) {
	defer s.enter(r.Code())()
	return &sip2.EndPatronSessionResponse{EndSession: true}, nil
}

func (s *session) FeePaid(ctx context.Context, r *sip2.FeePaidRequest) (*sip2.FeePaidResponse, error) {
	defer s.enter(r.Code())()
	return &sip2.FeePaidResponse{PaymentAccepted: false, TransactionID: r.TransactionID, ScreenMessages: []string{"No fees"}}, nil
}

func (s *session) ItemInformation(ctx context.Context, r *sip2.ItemInformationRequest) (*sip2.ItemInformationResponse, error) {
	defer s.enter(r.Code())()
	holder, ok := s.b.items[r.ItemID]
	resp := &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationOther, SecurityMarker: sip2.SecurityNone, FeeType: sip2.FeeOther}
	if ok {
		resp.TitleID, resp.CirculationStatus = "Title "+r.ItemID, sip2.CirculationAvailable
		if holder != "" {
			resp.CirculationStatus = sip2.CirculationCharged
		}
	}
	return resp, nil
}

func (s *session) ItemStatusUpdate(ctx context.Context, r *sip2.ItemStatusUpdateRequest) (*sip2.ItemStatusUpdateResponse, error) {
	defer s.enter(r.Code())()
	return &sip2.ItemStatusUpdateResponse{ItemPropertiesOK: true, ItemProperties: r.ItemProperties}, nil
}

func (s *session) PatronEnable(ctx context.Context, r *sip2.PatronEnableRequest) (*sip2.PatronEnableResponse, error) {
	defer s.enter(r.Code())()
	known, pinOK := s.patronOK(r.PatronID, r.PatronPassword)
	return &sip2.PatronEnableResponse{PatronStatus: status(known), PersonalName: name(known, r.PatronID),
		ValidPatron: sip2.Bool(known), ValidPatronPassword: sip2.Bool(pinOK)}, nil
}

func (s *session) Hold(ctx context.Context, r *sip2.HoldRequest) (*sip2.HoldResponse, error) {
	defer s.enter(r.Code())()
	return &sip2.HoldResponse{ScreenMessages: []string{"Holds are not supported"}}, nil
}

func (s *session) Renew(ctx context.Context, r *sip2.RenewRequest) (*sip2.RenewResponse, error) {
	defer s.enter(r.Code())()
	resp := &sip2.RenewResponse{MagneticMedia: sip2.No, Desensitize: sip2.No, TitleID: "Title " + r.ItemID}
	if s.b.items[r.ItemID] == r.PatronID && r.PatronID != "" {
		resp.OK, resp.RenewalOK = true, true
		resp.DueDate = sip2.FormatDate(time.Now().AddDate(0, 0, 21))
	}
	return resp, nil
}

func (s *session) RenewAll(ctx context.Context, r *sip2.RenewAllRequest) (*sip2.RenewAllResponse, error) {
	defer s.enter(r.Code())()
	loans := s.loans(r.PatronID)
	return &sip2.RenewAllResponse{OK: true, RenewedCount: len(loans), RenewedItems: loans}, nil
}
