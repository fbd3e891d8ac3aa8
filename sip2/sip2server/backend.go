package sip2server

import (
	"context"
	"errors"
	"net"

	"github.com/bibgate/bibgate/sip2"
)

// Backend opens a Session for a connection that has logged in.
type Backend interface {
	// Login is called after the server found the account of a 93 and
	// checked its password, or at the first request of a client from a
	// trusted network (info.Trusted, acct = Server.Default). An error is
	// answered with 940 (or, for a trusted client, with the failure
	// response of the request) and the connection stays unauthenticated.
	Login(ctx context.Context, acct *Account, info LoginInfo) (Session, error)
}

// LoginInfo describes the connection being logged in.
type LoginInfo struct {
	UserID     string   // CN
	Location   string   // CP of the 93, or the account's Location
	RemoteAddr net.Addr // the SC's address
	TLS        bool
	Trusted    bool // logged in by network, without a 93
}

// Session answers the requests of one logged-in connection, one method per
// request type, in SIP2 terms. A method returns the response to send; the
// server fills what it knows (transaction date, AO, AA and AB echoes, BX,
// the patron status mapping, AG width). An error (or a nil response) is
// answered with the message's own failure response and an AF saying
// "system error" in the account's language; it is logged but never sent.
// Methods are called one at a time per connection.
type Session interface {
	SCStatus(ctx context.Context, req *sip2.SCStatusRequest) (*sip2.ACSStatusResponse, error)
	PatronStatus(ctx context.Context, req *sip2.PatronStatusRequest) (*sip2.PatronStatusResponse, error)
	Checkout(ctx context.Context, req *sip2.CheckoutRequest) (*sip2.CheckoutResponse, error)
	Checkin(ctx context.Context, req *sip2.CheckinRequest) (*sip2.CheckinResponse, error)
	BlockPatron(ctx context.Context, req *sip2.BlockPatronRequest) (*sip2.PatronStatusResponse, error)
	PatronInformation(ctx context.Context, req *sip2.PatronInformationRequest) (*sip2.PatronInformationResponse, error)
	EndPatronSession(ctx context.Context, req *sip2.EndPatronSessionRequest) (*sip2.EndPatronSessionResponse, error)
	FeePaid(ctx context.Context, req *sip2.FeePaidRequest) (*sip2.FeePaidResponse, error)
	ItemInformation(ctx context.Context, req *sip2.ItemInformationRequest) (*sip2.ItemInformationResponse, error)
	ItemStatusUpdate(ctx context.Context, req *sip2.ItemStatusUpdateRequest) (*sip2.ItemStatusUpdateResponse, error)
	PatronEnable(ctx context.Context, req *sip2.PatronEnableRequest) (*sip2.PatronEnableResponse, error)
	Hold(ctx context.Context, req *sip2.HoldRequest) (*sip2.HoldResponse, error)
	Renew(ctx context.Context, req *sip2.RenewRequest) (*sip2.RenewResponse, error)
	RenewAll(ctx context.Context, req *sip2.RenewAllRequest) (*sip2.RenewAllResponse, error)
}

// SessionCloser is an optional Session capability: Close is called when the
// connection ends or logs in again.
type SessionCloser interface {
	Close() error
}

// ErrLoginRefused may be returned by Backend.Login to refuse a login.
var ErrLoginRefused = errors.New("sip2server: login refused")

// ErrNotSupported may be returned by a Session method for a request it does
// not support; it is answered like a disabled message.
var ErrNotSupported = errors.New("sip2server: not supported")
