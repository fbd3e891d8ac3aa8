// Package z3950server is a Z39.50 version 2/3 server: it runs associations
// (Init, Search with piggybacked records, Present, Scan, Sort, Delete result
// set, Close), keeps each connection's named result sets, applies the
// message-size rules, and asks a Backend for everything that needs data.
//
// A Backend speaks in Z39.50 terms (RPN trees, CQL strings, record-syntax
// OIDs, Bib-1 diagnostics); an adapter elsewhere maps them onto the
// catalogue. Scan and Sort are optional: a Session that implements Scanner
// or Sorter gets them, and the Init options say so.
//
// The same port also answers HTTP: a connection whose first bytes are an
// HTTP method is handed to Server.HTTPHandler (SRU), as YAZ servers do.
package z3950server

import (
	"context"
	"net"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

// Backend opens sessions. Init decides on authentication: return a
// *z3950.Diagnostic (for example 1011, bad user or password) to refuse the
// association with that diagnostic; any other error refuses it with 1014.
type Backend interface {
	Init(ctx context.Context, info InitInfo) (Session, error)
}

// InitInfo is what the client said in its InitializeRequest. The password
// is here for the backend only; the server never logs it.
type InitInfo struct {
	User      string
	Group     string
	Password  string
	Anonymous bool // no idAuthentication, or the anonymous form
	// Charset is "UTF-8" when UTF-8 was negotiated, else "" (the client's
	// terms are then Latin-1 or whatever it was configured for).
	Charset               string
	ImplementationID      string
	ImplementationName    string
	ImplementationVersion string
	RemoteAddr            net.Addr
	Request               *z3950.InitializeRequest
}

// Session serves one association. Methods are called from the connection's
// goroutine, one at a time. Errors that are *z3950.Diagnostic reach the
// client as that diagnostic; other errors are logged and reported as Bib-1
// diagnostic 2 (temporary system error).
type Session interface {
	// Search runs a query and returns the hit count and an opaque handle
	// for the result set, passed back to Records and Sort.
	Search(ctx context.Context, args SearchArgs) (SearchResult, error)
	// Records returns records Start..Start+Count-1 (1-based) of a result
	// set. It may return fewer; a record that cannot be rendered is a
	// Record with Diagnostic set (e.g. 238 not available in this syntax).
	Records(ctx context.Context, args RecordsArgs) ([]Record, error)
}

// Scanner is implemented by sessions that support Scan.
type Scanner interface {
	Scan(ctx context.Context, args ScanArgs) (ScanResult, error)
}

// Sorter is implemented by sessions that support Sort.
type Sorter interface {
	Sort(ctx context.Context, args SortArgs) (SearchResult, error)
}

// Closer is implemented by sessions that hold resources; Close is called
// once when the connection ends.
type Closer interface {
	Close() error
}

// SearchArgs is a search request.
type SearchArgs struct {
	ResultSetName string
	Databases     []string
	// Query is a Type-1 RPN tree (Query.Kind == z3950.QueryRPN) or a CQL
	// string (z3950.QueryCQL); other kinds never reach the backend.
	Query   z3950.Query
	Request *z3950.SearchRequest
	// LookupResultSet resolves a result-set operand of the query (a
	// *z3950.ResultSetOperand) to the handle the backend returned for it.
	// ok is false for a set that does not exist (diagnostic 30 or 128).
	LookupResultSet func(name string) (handle any, ok bool)
}

// SearchResult is a search outcome. Handle identifies the result set to
// Records and Sort; the server keeps it for the life of the set.
type SearchResult struct {
	Count  int
	Handle any
}

// RecordsArgs asks for a slice of a result set.
type RecordsArgs struct {
	Handle     any
	Databases  []string
	Start      int // 1-based
	Count      int
	Syntax     ber.OID // preferred record syntax; USMARC when the client named none
	ElementSet string  // "F", "B", "marcxml", ... or "" when none was given
}

// Record is one database record, or a surrogate diagnostic in its place.
// Build External with z3950.OctetRecord, z3950.SUTRSRecord or
// (*z3950.OPACRecord).External.
type Record struct {
	Database   string
	External   *ber.External
	Diagnostic *z3950.Diagnostic
}

// ScanArgs is a scan request.
type ScanArgs struct {
	Databases    []string
	AttributeSet ber.OID
	Term         z3950.AttributesPlusTerm
	StepSize     int
	Count        int // number of terms requested
	Position     int // preferred position of the start term in the response (1 = first)
}

// ScanTerm is one entry of a term list.
type ScanTerm struct {
	Term        string
	DisplayTerm string // set when Term is a normalised key
	Count       int    // records with the term
}

// ScanResult is a term list. Position is the position of the start term in
// Terms (1-based). Status is a z3950.Scan* value; when zero the server uses
// success, or partial-5 when fewer terms came back than were asked for.
type ScanResult struct {
	Terms    []ScanTerm
	Position int
	Status   int
}

// SortInput is one input result set of a sort.
type SortInput struct {
	Name   string
	Handle any
	Count  int
}

// SortArgs is a sort request.
type SortArgs struct {
	Inputs []SortInput
	Output string
	Keys   []z3950.SortKeySpec
}
