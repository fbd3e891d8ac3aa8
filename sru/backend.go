// Package sru serves SRU 1.1, 1.2 and 2.0 (Search/Retrieve via URL) over
// HTTP: explain, searchRetrieve and scan, with records in MARCXML, Dublin
// Core and MODS built from MARC 21. It parses requests, checks them,
// asks a Backend for hits, records and terms, and writes the XML
// responses; it knows nothing of how records are stored or searched.
//
// Mount the Handler at the database path (/Default) or strip the prefix
// before it: the last path segment, when there is one, must name the
// database that Backend.Explain reports, else the answer is diagnostic
// 235.
package sru

import (
	"context"
	"errors"
	"fmt"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/cql"
)

// Backend answers SRU requests in SRU terms. Queries and scan clauses
// arrive checked against the indexes in Explain().Indexes and normalised
// (cql.Profile.Normalize): every index is "prefix.name" with the prefixes
// of ExplainInfo, relations are canonical (=, ==, any ...), prefix
// assignments are resolved.
//
// Errors that carry an SRU diagnostic (*Diagnostic, *cql.Error, anywhere
// in the chain) are reported to the client as such; any other error is
// diagnostic 1, and its text is logged, not sent.
type Backend interface {
	// Search runs q and returns the hit count and the records at
	// positions start (1-based) to start+max-1, fewer at the end of the
	// result. max may be 0: only the count is wanted. q.SortKeys, if
	// any, give the order (from CQL sortBy or the SRU 1.1 sortKeys
	// parameter).
	Search(ctx context.Context, q *cql.Query, start, max int) (*SearchResult, error)
	// Scan returns up to n terms of the clause's index around the
	// clause's term; pos is the 1-based position the term itself (or the
	// term after it, if absent) should have in the list, 0 meaning just
	// before the first and n+1 just after the last.
	Scan(ctx context.Context, clause *cql.Clause, n, pos int) ([]Term, error)
	// Explain describes the database. It is called for every request, so
	// it should be cheap. The Handler keeps the query profile it derives
	// from the slices of ExplainInfo for as long as the same slices (same
	// first element, same length) come back: to change the indexes,
	// relations or context sets, return new slices, never edit the old
	// ones in place.
	Explain() ExplainInfo
}

// SearchResult is the answer to Backend.Search.
type SearchResult struct {
	Count   int            // exact number of hits
	Records []*marc.Record // the records from position start on; a nil entry is a record that no longer exists
}

// Term is one entry of a scan list.
type Term struct {
	Value       string
	Count       int    // records with this term
	Display     string // optional
	WhereInList string // optional: first, last, only or inner
}

// Index is one searchable index, for explain and for query checking:
// Set is a context set prefix (dc, bath, cql, or one of
// ExplainInfo.ContextSets) and Name the index name in it.
type Index struct {
	Title string
	Set   string
	Name  string
	Sort  bool // usable as a sort key
}

// ExplainInfo describes the database behind the handler.
type ExplainInfo struct {
	Title       string
	Description string
	Database    string // the path segment, e.g. "Default"
	Host        string
	Port        int
	Indexes     []Index
	// ContextSets adds sets beyond cql, dc, bath, rec and sort.
	ContextSets []cql.ContextSet
	// DefaultContextSet is the prefix for unprefixed indexes; "" is dc.
	DefaultContextSet string
	// Schemas names the record schemas to offer (short names or
	// identifiers of Handler schemas), the first being the default;
	// nil offers all, marcxml first.
	Schemas []string
	// Relations and RelationModifiers restrict the CQL relations and
	// relation modifiers; nil means the standard ones.
	Relations         []string
	RelationModifiers []string
}

// Diagnostic is an SRU diagnostic (info:srw/diagnostic/1/Code). Backends
// return it (wrapped or not) to report an SRU-level failure.
type Diagnostic struct {
	Code    int
	Details string
	Message string // "" means the standard message for Code
}

// NewDiagnostic returns a *Diagnostic with the standard message.
func NewDiagnostic(code int, details string) *Diagnostic {
	return &Diagnostic{Code: code, Details: details}
}

func (d *Diagnostic) Error() string {
	s := fmt.Sprintf("sru: diagnostic %d: %s", d.Code, d.message())
	if d.Details != "" {
		s += " (" + d.Details + ")"
	}
	return s
}

// URI returns info:srw/diagnostic/1/Code.
func (d *Diagnostic) URI() string { return fmt.Sprintf("info:srw/diagnostic/1/%d", d.Code) }

func (d *Diagnostic) message() string {
	if d.Message != "" {
		return d.Message
	}
	return DiagnosticMessage(d.Code)
}

// asDiagnostic maps an error to the diagnostic to send; internal reports
// whether it hides an internal error that should be logged.
func asDiagnostic(err error) (d *Diagnostic, internal bool) {
	var sd *Diagnostic
	if errors.As(err, &sd) {
		return sd, false
	}
	var ce *cql.Error
	if errors.As(err, &ce) {
		return &Diagnostic{Code: ce.Code, Details: ce.Details}, false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Diagnostic{Code: DiagUnavailable}, true
	}
	return &Diagnostic{Code: DiagSystemError}, true
}
