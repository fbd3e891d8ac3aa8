package sip2bench

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// EchoServer is the ceiling of a benchmark: plain TCP, one goroutine per
// connection, it reads CR-terminated lines and answers each with a fixed
// response ("941" for a login), doing no parsing and no work.
type EchoServer struct {
	response []byte

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewEchoServer returns an echo server answering every non-login line with
// response (a CR is appended if missing).
func NewEchoServer(response []byte) *EchoServer {
	r := append([]byte(nil), response...)
	if len(r) == 0 || r[len(r)-1] != '\r' {
		r = append(r, '\r')
	}
	return &EchoServer{response: r, conns: map[net.Conn]struct{}{}}
}

// EchoResponse is a response of realistic size for a mix, as the real
// server would send it, for use with NewEchoServer.
func EchoResponse(mix string) []byte {
	now := time.Now()
	var m sip2.Message
	switch mix {
	case MixCheckout, MixCheckoutCheckin:
		m = &sip2.CheckoutResponse{OK: true, MagneticMedia: sip2.No, Desensitize: sip2.Yes, TransactionDate: now, InstitutionID: "LIB",
			PatronID: "P0000001", ItemID: "I000000001", TitleID: "Title I000000001", DueDate: sip2.FormatDate(now.AddDate(0, 0, 21))}
	case MixCheckin:
		m = &sip2.CheckinResponse{OK: true, Resensitize: true, MagneticMedia: sip2.No, TransactionDate: now, InstitutionID: "LIB",
			ItemID: "I000000001", PermanentLocation: "MAIN", TitleID: "Title I000000001", PatronID: "P0000001"}
	case MixItemInfo:
		m = &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationAvailable, SecurityMarker: sip2.SecurityNone,
			FeeType: sip2.FeeOther, TransactionDate: now, ItemID: "I000000001", TitleID: "Title I000000001"}
	case MixPatronInfo:
		m = &sip2.PatronInformationResponse{TransactionDate: now, InstitutionID: "LIB", PatronID: "P0000001",
			PersonalName: "Patron P0000001", ValidPatron: sip2.Bool(true), ValidPatronPassword: sip2.Bool(true)}
	default:
		m = &sip2.ACSStatusResponse{OnLine: true, CheckinOK: true, CheckoutOK: true, TimeoutPeriod: 30, RetriesAllowed: 3,
			DateTimeSync: now, ProtocolVersion: "2.00", InstitutionID: "LIB", Supported: sip2.SupportedMessages{true, true, true}}
	}
	var c sip2.Codec
	return c.Encode(sip2.Frame{Message: m})
}

// Serve answers connections on ln until Close.
func (e *EchoServer) Serve(ln net.Listener) error {
	e.mu.Lock()
	e.ln = ln
	e.mu.Unlock()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		e.mu.Lock()
		e.conns[c] = struct{}{}
		e.wg.Add(1)
		e.mu.Unlock()
		go e.serve(c)
	}
}

func (e *EchoServer) serve(c net.Conn) {
	defer func() {
		c.Close()
		e.mu.Lock()
		delete(e.conns, c)
		e.mu.Unlock()
		e.wg.Done()
	}()
	rd := bufio.NewReaderSize(c, 4096)
	login := []byte("941\r")
	for {
		line, err := rd.ReadSlice('\r')
		if err != nil {
			return
		}
		if len(line) > 0 && line[0] == '\n' {
			line = line[1:]
		}
		out := e.response
		if len(line) >= 2 && line[0] == '9' && line[1] == '3' {
			out = login
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// Close stops the listener and closes all connections.
func (e *EchoServer) Close() error {
	e.mu.Lock()
	if e.ln != nil {
		e.ln.Close()
	}
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	e.wg.Wait()
	return nil
}
