// Package iso18626adapter connects ISO 18626 (package ill/iso18626, XML
// over HTTP) to the same ILL engine of the circulation core that ISO 10161
// uses, one core call per message, as the event table of ill.md §5 says: a
// request is core.ILLIncoming, after its citation is matched to our
// catalogue; a supplyingAgencyMessage (ExpectToSupply, WillSupply, Loaned,
// Unfilled, RenewResponse ...) or a requestingAgencyMessage (Received,
// ShippedReturn, Renew, Cancel ...) is core.ILLApply on the transaction its
// header names. Each is answered with its confirmation: messageStatus OK,
// or ERROR with the errorType and errorValue of what could not be used.
//
// 18626 answers travel as messages of their own, never in the
// confirmation: what the engine answers stays in its outbox, and Sender
// (an illadapter.EventSender) renders each outgoing event as the message
// the partner expects (its edition and dialect) and POSTs it, marking it
// sent only once the partner confirmed it. Handler is the HTTP endpoint
// for the partners' messages, with per-partner authentication.
//
// Transactions are keyed as ill.md §4.5 says: the requesting agency's id
// and its requestingAgencyRequestId are the core's transaction-id tuple
// (initial requester and transaction qualifier); an agency id's value is
// the partner's symbol.
package iso18626adapter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/iso18626"
)

// Partner is how one partner speaks ISO 18626.
type Partner struct {
	// Symbol is the partner's ILL symbol: the value of its agency id.
	Symbol string
	// AgencyType is the agencyIdType of its and our agency ids (default
	// ISIL).
	AgencyType string
	// Version is the edition written to it (default the dialect's, else
	// 2017).
	Version iso18626.Version
	// Dialect is its shim (nil for none).
	Dialect *iso18626.Dialect
	// URL is its endpoint; what we send it is POSTed there.
	URL string
	// Auth is the credential it must present to us and that we present to
	// it; zero: none.
	Auth Auth
}

// Auth is a per-partner credential: a shared secret in a header, or HTTP
// basic authentication.
type Auth struct {
	Header string // header name of a shared secret, e.g. X-ILL-Secret
	Secret string
	User   string // HTTP basic
	// Password is a secret: never log it.
	Password string
}

// IsZero reports no credential.
func (a Auth) IsZero() bool { return a.Secret == "" && a.User == "" && a.Password == "" }

// DefaultAgencyType is the agencyIdType written when a partner's is not set.
const DefaultAgencyType = "ISIL"

// AgencyTypeScheme is the open list agency id types come from.
const AgencyTypeScheme = "http://illtransactions.org/ISO18626/OpenCodeList/AgencyIdTypeList-V1.0"

func (p Partner) agencyType() string {
	if p.AgencyType != "" {
		return p.AgencyType
	}
	return DefaultAgencyType
}

func (p Partner) version() iso18626.Version {
	if p.Version != 0 {
		return p.Version
	}
	if p.Dialect != nil && p.Dialect.Version != 0 {
		return p.Dialect.Version
	}
	return iso18626.V2017
}

// Backend hands the partners' ISO 18626 messages to the engine. Set the
// fields before use; they must not change afterwards.
type Backend struct {
	Svc       *core.Service
	Catalogue illadapter.Catalogue
	// Partners is per partner symbol; a partner of the engine not in it
	// gets the defaults.
	Partners map[string]Partner
	Logger   zerolog.Logger
}

// From is the partner a message comes from: the requesting agency of a
// request or requestingAgencyMessage, the supplying agency of a
// supplyingAgencyMessage; "" for anything else.
func From(m *iso18626.Message) string {
	switch {
	case m.Request != nil:
		return m.Request.Header.RequestingAgencyID.Value
	case m.RequestingAgencyMessage != nil:
		return m.RequestingAgencyMessage.Header.RequestingAgencyID.Value
	case m.SupplyingAgencyMessage != nil:
		return m.SupplyingAgencyMessage.Header.SupplyingAgencyID.Value
	}
	return ""
}

// Handle applies a message from a partner and returns its confirmation.
// The error is an outage (the store failed), for which no confirmation
// can be given; every problem with the message itself is in the
// confirmation.
func (b *Backend) Handle(ctx context.Context, m *iso18626.Message) (iso18626.Message, error) {
	var problems []iso18626.ErrorData
	var err error
	switch m.Kind() {
	case iso18626.KindRequest:
		problems, err = b.request(ctx, m.Request)
	case iso18626.KindSupplyingAgencyMessage:
		problems, err = b.supplying(ctx, m.SupplyingAgencyMessage)
	case iso18626.KindRequestingAgencyMessage:
		problems, err = b.requesting(ctx, m.RequestingAgencyMessage)
	default:
		problems = []iso18626.ErrorData{{ErrorType: iso18626.BadlyFormedMessage,
			ErrorValue: "expected a request, supplyingAgencyMessage or requestingAgencyMessage"}}
	}
	if err != nil {
		return iso18626.Message{}, err
	}
	return iso18626.Confirm(m, b.Svc.Now(), problems...), nil
}

func bad(t iso18626.ErrorType, format string, args ...any) []iso18626.ErrorData {
	return []iso18626.ErrorData{{ErrorType: t, ErrorValue: fmt.Sprintf(format, args...)}}
}

// tid is the engine's transaction-id of the transaction a header names.
func tid(h *iso18626.Header) core.TransactionID {
	return core.TransactionID{InitialRequester: core.SystemID{Symbol: h.RequestingAgencyID.Value}, Transaction: h.RequestingAgencyRequestID}
}

func (b *Backend) request(ctx context.Context, r *iso18626.Request) ([]iso18626.ErrorData, error) {
	h := &r.Header
	if h.RequestingAgencyRequestID == "" {
		return bad(iso18626.UnrecognisedDataValue, "requestingAgencyRequestId is empty"), nil
	}
	if ours := b.Svc.Consortium().ILL.Symbol; h.SupplyingAgencyID.Value != "" && ours != "" && h.SupplyingAgencyID.Value != ours {
		return bad(iso18626.UnrecognisedDataValue, "supplyingAgencyId %s is not ours (%s)", h.SupplyingAgencyID.Value, ours), nil
	}
	svc := core.ILLLoan
	note := ""
	if si := r.ServiceInfo; si != nil {
		note = si.Note
		switch si.ServiceType {
		case iso18626.ServiceCopy:
			svc = core.ILLCopy
		case iso18626.ServiceLoan, iso18626.ServiceCopyOrLoan, "":
		default:
			return bad(iso18626.UnrecognisedDataValue, "serviceType %s", si.ServiceType), nil
		}
	}
	bi := &r.BibliographicInfo
	item := core.ILLItem{Title: bi.Title, Author: bi.Author}
	for _, id := range bi.BibliographicItemID {
		switch strings.ToUpper(id.Code.Value) {
		case "ISBN":
			item.ISBN = id.Identifier
		case "ISSN":
			item.ISSN = id.Identifier
		}
	}
	item, err := illadapter.MatchItem(ctx, b.Catalogue, item)
	if err != nil {
		return nil, err
	}
	req := core.ILLIncomingRequest{TID: tid(h), Partner: h.RequestingAgencyID.Value, Service: svc, Item: item, Note: note,
		Origin: core.OriginAPDU, ServiceTime: h.Timestamp.Time, Repeatable: !h.Timestamp.Time.IsZero()}
	if si := r.ServiceInfo; si != nil && !si.NeedBeforeDate.Time.IsZero() {
		req.Expiry = si.NeedBeforeDate.Time
	}
	x, err := b.Svc.ILLIncoming(ctx, req)
	if core.ReasonOf(err) == core.ReasonILLDuplicateAPDU {
		b.Logger.Info().Str("transaction", x.ID).Str("partner", x.Partner).Msg("iso18626: request received again: confirmed, not applied")
		return nil, nil
	}
	if err != nil {
		return b.refused(err, "request")
	}
	b.Logger.Info().Str("transaction", x.ID).Str("partner", x.Partner).Msg("iso18626: request answered")
	return nil, nil
}

// apply hands an event for the transaction h names to the engine, as the
// role we have in it, after checking that partner is its partner.
func (b *Backend) apply(ctx context.Context, h *iso18626.Header, role core.ILLRole, partner, what string, in core.ILLEventInput) ([]iso18626.ErrorData, error) {
	id := tid(h)
	if id.Transaction == "" {
		return bad(iso18626.UnrecognisedDataValue, "requestingAgencyRequestId is empty"), nil
	}
	ref := core.ILLRef{TID: &id, Role: role}
	x, err := b.Svc.ILLGet(ctx, ref)
	if err != nil {
		return b.refused(err, what)
	}
	if x.Partner != partner {
		return bad(iso18626.UnrecognisedDataValue, "transaction %s is not with %s", id.Transaction, partner), nil
	}
	in.Dir, in.Origin = illstate.Incoming, core.OriginAPDU
	in.ServiceTime, in.Repeatable = h.Timestamp.Time, !h.Timestamp.Time.IsZero()
	x, err = b.Svc.ILLApply(ctx, core.ILLRef{ID: x.ID}, in)
	if core.ReasonOf(err) == core.ReasonILLDuplicateAPDU {
		b.Logger.Info().Str("transaction", x.ID).Str("kind", what).Msg("iso18626: message received again: confirmed, not applied")
		return nil, nil
	}
	if err != nil {
		return b.refused(err, what)
	}
	b.Logger.Info().Str("transaction", x.ID).Str("kind", what).Str("state", x.State.String()).Msg("iso18626: message applied")
	return nil, nil
}

// refused turns a core refusal into the confirmation's error; an error
// that is no refusal is an outage.
func (b *Backend) refused(err error, what string) ([]iso18626.ErrorData, error) {
	var te *illstate.TransitionError
	if errors.As(err, &te) {
		return bad(iso18626.UnrecognisedDataValue, "%s is not allowed in state %s", what, te.State), nil
	}
	switch core.ReasonOf(err) {
	case "":
		return nil, err
	case core.ReasonILLUnknownTransaction:
		return bad(iso18626.UnrecognisedDataValue, "no such transaction (requestingAgencyRequestId)"), nil
	case core.ReasonILLDuplicateTransaction:
		return bad(iso18626.UnrecognisedDataValue, "requestingAgencyRequestId already in use"), nil
	case core.ReasonILLUnknownPartner:
		return bad(iso18626.UnrecognisedDataValue, "not an interlibrary loan partner of ours"), nil
	}
	var ce *core.Error
	note := err.Error()
	if errors.As(err, &ce) && ce.Detail != "" {
		note = ce.Detail
	}
	return bad(iso18626.UnrecognisedDataValue, "%s: %s", core.ReasonOf(err), note), nil
}

// actions are the services requestingAgencyMessage actions are.
var actions = map[iso18626.Action]illstate.Service{
	iso18626.ActionReceived:      illstate.ReceivedService,
	iso18626.ActionShippedReturn: illstate.ReturnedService,
	iso18626.ActionRenew:         illstate.Renew,
	iso18626.ActionCancel:        illstate.Cancel,
	iso18626.ActionStatusRequest: illstate.StatusQuery,
	iso18626.ActionNotification:  illstate.Message,
	iso18626.ActionLost:          illstate.LostService,
}

func (b *Backend) requesting(ctx context.Context, r *iso18626.RequestingAgencyMessage) ([]iso18626.ErrorData, error) {
	svc, ok := actions[r.Action]
	if !ok {
		return bad(iso18626.UnsupportedActionType, "%s", r.Action), nil
	}
	in := core.ILLEventInput{Service: svc, Note: r.Note}
	return b.apply(ctx, &r.Header, illstate.Responder, r.Header.RequestingAgencyID.Value, string(r.Action), in)
}

func (b *Backend) supplying(ctx context.Context, s *iso18626.SupplyingAgencyMessage) ([]iso18626.ErrorData, error) {
	in, problems := eventOf(s)
	if problems != nil {
		return problems, nil
	}
	what := string(s.MessageInfo.ReasonForMessage) + " " + string(s.StatusInfo.Status)
	return b.apply(ctx, &s.Header, illstate.Requester, s.Header.SupplyingAgencyID.Value, what, in)
}

// eventOf is the engine event a supplyingAgencyMessage carries.
func eventOf(s *iso18626.SupplyingAgencyMessage) (core.ILLEventInput, []iso18626.ErrorData) {
	mi, st := &s.MessageInfo, &s.StatusInfo
	in := core.ILLEventInput{Note: mi.Note}
	yes := strings.EqualFold(string(mi.AnswerYesNo), "Y")
	switch mi.ReasonForMessage {
	case iso18626.ReasonRenewResponse:
		in.Service, in.Qualifier = illstate.RenewAnswer, yesNo(yes)
		in.Date = st.DueDate.Time
		return in, nil
	case iso18626.ReasonCancelResponse:
		in.Service, in.Qualifier = illstate.CancelReply, yesNo(yes)
		return in, nil
	case iso18626.ReasonNotification:
		in.Service = illstate.Message
		return in, nil
	case iso18626.ReasonStatusRequestResponse:
		in.Service = illstate.StatusOrErrorReport
		return in, nil
	case iso18626.ReasonRequestResponse, iso18626.ReasonStatusChange:
	default:
		return in, bad(iso18626.UnsupportedReasonForMessageType, "%s", mi.ReasonForMessage)
	}
	switch st.Status {
	case iso18626.StatusRequestReceived:
		in.Service = illstate.StatusOrErrorReport
	case iso18626.StatusExpectToSupply:
		in.Service, in.Qualifier, in.Date = illstate.ILLAnswer, illstate.QHoldPlaced, st.ExpectedDeliveryDate.Time
	case iso18626.StatusWillSupply:
		in.Service, in.Qualifier, in.Date = illstate.ILLAnswer, illstate.QWillSupply, st.ExpectedDeliveryDate.Time
	case iso18626.StatusUnfilled:
		in.Service, in.Qualifier, in.Reason = illstate.ILLAnswer, illstate.QUnfilled, reasonIn(mi.ReasonUnfilled.Value)
	case iso18626.StatusRetryPossible:
		in.Service, in.Qualifier, in.Reason = illstate.ILLAnswer, illstate.QRetry, reasonIn(mi.ReasonRetry.Value)
		in.Date = mi.RetryAfter.Time
		if ri := s.RetryInfo; ri != nil && in.Date.IsZero() {
			in.Date = ri.RetryAfter.Time
		}
	case iso18626.StatusLoaned, iso18626.StatusCopyCompleted:
		in.Service, in.Date = illstate.ShippedService, st.DueDate.Time
		if d := s.DeliveryInfo; d != nil && len(d.DeliveryCosts) > 0 {
			in.Amount = money(d.DeliveryCosts[0].MonetaryValue)
		}
		if r := s.ReturnInfo; r != nil {
			in.ReturnAddress = strings.TrimSpace(r.Name)
		}
	case iso18626.StatusOverdue:
		in.Service, in.Date = illstate.OverdueService, st.DueDate.Time
	case iso18626.StatusRecalled:
		in.Service = illstate.RecallService
	case iso18626.StatusLoanCompleted:
		in.Service = illstate.CheckedInService
	case iso18626.StatusCancelled:
		in.Service, in.Qualifier = illstate.CancelReply, illstate.QYes
	default:
		return in, bad(iso18626.UnrecognisedDataValue, "status %s", st.Status)
	}
	return in, nil
}

func yesNo(b bool) string {
	if b {
		return illstate.QYes
	}
	return illstate.QNo
}

// The open lists of reasons, as the engine names them (ISO 10161's names)
// and as ISO 18626 peers write them.
const (
	reasonUnfilledScheme = "http://illtransactions.org/ISO18626/OpenCodeList/ReasonUnfilledList-V1.0"
	reasonRetryScheme    = "http://illtransactions.org/ISO18626/OpenCodeList/ReasonRetryList-V1.0"
)

var reasonsOut = map[string]string{
	"not-owned": "NotHeld", "non-circulating": "NonCirculating", "not-on-shelf": "NotOnShelf",
	"in-use-on-loan": "OnLoan", "in-process": "InProcess", "at-bindery": "AtBindery", "on-order": "OnOrder",
	"policy-problem": "PolicyProblem", "poor-condition": "PoorCondition", "lost": "Lost",
	"cost-exceeds-limit": "CostExceedsMaxCost", "not-found-as-cited": "NotFoundAsCited", "on-hold": "OnHold",
	"lacking": "Lacking", "charges": "Charges", "other": "Other",
}

var reasonsIn = func() map[string]string {
	m := map[string]string{}
	for k, v := range reasonsOut {
		m[strings.ToLower(v)] = k
	}
	return m
}()

// reasonIn is the engine's name of a reason a peer gave; one it does not
// know is kept as written.
func reasonIn(v string) string {
	if n, ok := reasonsIn[strings.ToLower(strings.TrimSpace(v))]; ok {
		return n
	}
	return strings.TrimSpace(v)
}

func reasonOut(n string) string {
	if v, ok := reasonsOut[n]; ok {
		return v
	}
	return n
}

// money reads a monetary value ("3.50") as cents; 0 when unreadable.
func money(s string) core.Money {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	var w, f int64
	if _, err := fmt.Sscan(whole, &w); err != nil || w < 0 {
		return 0
	}
	frac = (frac + "00")[:2]
	if _, err := fmt.Sscan(frac, &f); err != nil {
		return 0
	}
	return core.Money(w*100 + f)
}

func dateTime(t time.Time) iso18626.DateTime {
	if t.IsZero() {
		return iso18626.DateTime{}
	}
	return iso18626.At(t)
}
