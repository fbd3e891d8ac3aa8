package sip2bench

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// EchoServer is the ceiling of a benchmark: plain TCP, one goroutine per
// connection, it reads CR-terminated lines and answers each with a fixed
// response ("941" for a login), doing no parsing and no work; a request
// with a checksum gets the response with its sequence number and checksum.
type EchoServer struct {
	response []byte
	// checked[n] and loginChecked[n] carry AYn and AZ, for requests sent
	// with error detection (a client that requires checksums gets them).
	checked, loginChecked [10][]byte

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
	e := &EchoServer{response: r, conns: map[net.Conn]struct{}{}}
	for n := range 10 {
		e.checked[n] = withTrailer(r, n)
		e.loginChecked[n] = withTrailer([]byte("941\r"), n)
	}
	return e
}

// withTrailer is a CR-terminated response with AYn and its AZ checksum.
func withTrailer(resp []byte, seq int) []byte {
	b := append([]byte(nil), resp[:len(resp)-1]...)
	b = append(b, 'A', 'Y', byte('0'+seq), 'A', 'Z')
	b = fmt.Appendf(b, "%04X\r", sip2.Checksum(b))
	return b
}

// trailerSeq returns the AY sequence number of a request line (CR
// included) that carries an AZ checksum, or -1.
func trailerSeq(line []byte) int {
	n := len(line)
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	if n < 8 || line[n-6] != 'A' || line[n-5] != 'Z' {
		return -1
	}
	if n >= 11 && line[n-9] == 'A' && line[n-8] == 'Y' && line[n-7] >= '0' && line[n-7] <= '9' {
		return int(line[n-7] - '0')
	}
	return 0
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
		login93 := len(line) >= 2 && line[0] == '9' && line[1] == '3'
		out := e.response
		switch seq := trailerSeq(line); {
		case seq >= 0 && login93:
			out = e.loginChecked[seq]
		case seq >= 0:
			out = e.checked[seq]
		case login93:
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
