package partners

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bibgate/bibgate/marc"
)

// Target is one partner's catalogue and the rules its supplies are ranked
// by.
type Target struct {
	Symbol string // the partner's ILL symbol
	Name   string
	// Catalogue is "z3950://host:port/Database" (also "tcp:host:port/Database"
	// or "host:port/Database") or an SRU base URL ("http(s)://...").
	Catalogue string
	// Lends are the material types the partner lends (book, magazine,
	// audio, ...); empty: every type.
	Lends []string
	// Distance is how far the partner is, in kilometres; 0: unknown.
	Distance int
	// Price is the partner's price of a loan in minor units (cents);
	// HasPrice false: the partner has no price for a loan.
	Price    int64
	HasPrice bool
}

// Query is what to look for. The first of ISBN, ISSN, LocalNumber and
// Title (with Author) that is set is used.
type Query struct {
	ISBN, ISSN  string
	Title       string
	Author      string
	LocalNumber string
}

// Validate reports a query with nothing to look for.
func (q Query) Validate() error {
	if q.ISBN == "" && q.ISSN == "" && q.LocalNumber == "" && q.Title == "" && q.Author == "" {
		return errors.New("partners: give an ISBN, an ISSN, a local number, or a title and author")
	}
	return nil
}

func (q Query) String() string {
	switch {
	case q.ISBN != "":
		return "ISBN " + q.ISBN
	case q.ISSN != "":
		return "ISSN " + q.ISSN
	case q.LocalNumber != "":
		return "local number " + q.LocalNumber
	}
	s := fmt.Sprintf("title %q", q.Title)
	if q.Author != "" {
		s += fmt.Sprintf(" author %q", q.Author)
	}
	return s
}

// Availability of one copy.
type Availability string

const (
	Available       Availability = "available"
	OnLoan          Availability = "on loan"
	ReadingRoomOnly Availability = "reading room only"
	NotForLoan      Availability = "not for loan" // missing, lost, in repair, ...
	Unknown         Availability = "unknown"      // a holdings field without circulation data
)

// Holding is one copy (or one holdings statement) in a partner's catalogue.
type Holding struct {
	Library     string       `json:"library"`
	LibraryName string       `json:"library_name,omitempty"`
	CallNumber  string       `json:"call_number,omitempty"`
	Status      Availability `json:"status"`
	Restriction string       `json:"restriction,omitempty"` // the target's words when not lendable
	Due         string       `json:"due,omitempty"`         // YYYY-MM-DD while on loan
	OnHold      bool         `json:"on_hold,omitempty"`     // a hold waits for the copy
	Source      string       `json:"source"`                // opac, 852 or 952
}

// Lendable reports whether the copy could be lent home at all.
func (h Holding) Lendable() bool {
	return h.Status == Available || h.Status == OnLoan || h.Status == Unknown
}

// Candidate is one record in one partner's catalogue with its holdings.
type Candidate struct {
	Partner  string    `json:"partner"`
	Name     string    `json:"name,omitempty"`
	RecordID string    `json:"record_id,omitempty"` // 001
	Title    string    `json:"title"`
	Author   string    `json:"author,omitempty"`
	ISBN     string    `json:"isbn,omitempty"`
	Material string    `json:"material"`
	Holdings []Holding `json:"holdings"`
	// Ranking facts.
	LendsType    bool   `json:"lends_type"`    // the partner lends this material type
	Lendable     bool   `json:"lendable"`      // a copy is not reading-room only (nor otherwise kept)
	AvailableNow bool   `json:"available"`     // a lendable copy is on the shelf now
	Queue        int    `json:"queue"`         // copies with a hold waiting
	Due          string `json:"due,omitempty"` // earliest due date when none is available
	Distance     int    `json:"distance_km,omitempty"`
	Price        *int64 `json:"price,omitempty"`
}

// Outcome is how one target answered.
type Outcome struct {
	Partner   string        `json:"partner"`
	Catalogue string        `json:"catalogue"`
	Hits      int           `json:"hits"` // records the target found
	Elapsed   time.Duration `json:"elapsed_ns"`
	TimedOut  bool          `json:"timed_out,omitempty"`
	Error     string        `json:"error,omitempty"`
}

// Result is a lookup: the ranked candidates and every target's outcome in
// the order the targets were given.
type Result struct {
	Query      string      `json:"query"`
	Candidates []Candidate `json:"candidates"`
	Targets    []Outcome   `json:"targets"`
}

// Finder queries partner catalogues.
type Finder struct {
	Targets []Target
	// Timeout bounds each target's lookup (connect, search, records);
	// default 5s.
	Timeout time.Duration
	// MaxRecords is the most records read from one target; default 10.
	MaxRecords int
}

// DefaultTimeout is a target's time to answer when Finder.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// record is one record a target returned, holdings parsed.
type record struct {
	bib      *marc.Record
	holdings []Holding
}

// Find queries every target in parallel and ranks what they hold. A target
// that fails or does not answer within the timeout is reported in the
// outcomes and does not hold up the others; Find returns when every target
// has answered or run out of time.
func (f *Finder) Find(ctx context.Context, q Query) (*Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	max := f.MaxRecords
	if max <= 0 {
		max = 10
	}
	res := &Result{Query: q.String(), Targets: make([]Outcome, len(f.Targets))}
	found := make([][]record, len(f.Targets))
	var wg sync.WaitGroup
	for i, t := range f.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			hits, recs, err := lookup(tctx, t.Catalogue, q, max)
			o := Outcome{Partner: t.Symbol, Catalogue: t.Catalogue, Hits: hits, Elapsed: time.Since(start)}
			if err != nil {
				if timedOut(tctx, err) {
					o.TimedOut = true
					o.Error = fmt.Sprintf("no answer within %v", timeout)
				} else {
					o.Error = err.Error()
				}
			}
			res.Targets[i] = o
			found[i] = recs
		}()
	}
	wg.Wait()
	for i, t := range f.Targets {
		for _, r := range found[i] {
			res.Candidates = append(res.Candidates, candidate(t, r))
		}
	}
	Rank(res.Candidates)
	return res, nil
}

// timedOut: the target did not answer in time (the context's deadline,
// or the connection's, which is set to it).
func timedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) || ctx.Err() == context.DeadlineExceeded
}

// lookup queries one catalogue.
func lookup(ctx context.Context, catalogue string, q Query, max int) (int, []record, error) {
	kind, addr, db, err := ParseCatalogue(catalogue)
	if err != nil {
		return 0, nil, err
	}
	if kind == "sru" {
		return lookupSRU(ctx, addr, q, max)
	}
	return lookupZ3950(ctx, addr, db, q, max)
}

// ParseCatalogue reads a catalogue address: kind "z3950" with host:port
// and database, or "sru" with the base URL.
func ParseCatalogue(s string) (kind, addr, database string, err error) {
	switch {
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", "", "", fmt.Errorf("partners: %q is not an SRU base URL", s)
		}
		return "sru", s, "", nil
	case strings.HasPrefix(s, "z3950://"):
		s = strings.TrimPrefix(s, "z3950://")
	case strings.HasPrefix(s, "tcp:"):
		s = strings.TrimPrefix(s, "tcp:")
	case strings.Contains(s, "://"):
		return "", "", "", fmt.Errorf("partners: %q: use z3950://host:port/Database or an http(s) SRU base URL", s)
	}
	addr, database, _ = strings.Cut(s, "/")
	if addr == "" {
		return "", "", "", fmt.Errorf("partners: %q names no host", s)
	}
	if !strings.Contains(addr, ":") {
		addr += ":210"
	}
	if database == "" {
		database = "Default"
	}
	return "z3950", addr, database, nil
}

// candidate turns one record of a partner into a candidate with its
// ranking facts.
func candidate(t Target, r record) Candidate {
	c := Candidate{Partner: t.Symbol, Name: t.Name, Holdings: r.holdings, Distance: t.Distance}
	if c.Holdings == nil {
		c.Holdings = []Holding{}
	}
	if t.HasPrice {
		p := t.Price
		c.Price = &p
	}
	if r.bib != nil {
		c.RecordID = r.bib.ControlNumber()
		if f := r.bib.First("245"); f != nil {
			c.Title = strings.TrimRight(strings.TrimSpace(f.Text("abnp")), " /:;,.")
		}
		for _, tag := range []string{"100", "110", "111"} {
			if f := r.bib.First(tag); f != nil {
				c.Author = strings.TrimRight(f.Sub('a'), " ,.")
				break
			}
		}
		if f := r.bib.First("020"); f != nil {
			c.ISBN = f.Sub('a')
		}
		c.Material = Material(r.bib.Leader)
	} else {
		c.Material = "other"
	}
	c.LendsType = len(t.Lends) == 0
	for _, m := range t.Lends {
		if strings.EqualFold(m, c.Material) {
			c.LendsType = true
		}
	}
	for _, h := range c.Holdings {
		if !h.Lendable() {
			continue
		}
		c.Lendable = true
		if h.Status == Available {
			c.AvailableNow = true
		}
		if h.OnHold {
			c.Queue++
		}
		if h.Status == OnLoan && h.Due != "" && (c.Due == "" || h.Due < c.Due) {
			c.Due = h.Due
		}
	}
	if c.AvailableNow {
		c.Due = ""
	}
	return c
}

// Material is the material type a bibliographic leader describes, in the
// words of the circulation rules: book, magazine, audio, kit or other.
func Material(leader string) string {
	if len(leader) < 8 {
		return "other"
	}
	switch leader[6] {
	case 'a', 't':
		if leader[7] == 's' || leader[7] == 'b' {
			return "magazine"
		}
		return "book"
	case 'i', 'j':
		return "audio"
	case 'o', 'p':
		return "kit"
	}
	return "other"
}

// Rank orders candidates best supplier first: the partner lends this
// type; a copy may leave the building (not reading-room only); a copy is
// available now; nearest; cheapest; fewest in the queue; soonest due.
// Unknown distances and prices come after known ones; ties keep the order
// of the partners as configured.
func Rank(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if a.LendsType != b.LendsType {
			return a.LendsType
		}
		if a.Lendable != b.Lendable {
			return a.Lendable
		}
		if a.AvailableNow != b.AvailableNow {
			return a.AvailableNow
		}
		if x, y := known(a.Distance > 0, int64(a.Distance)), known(b.Distance > 0, int64(b.Distance)); x != y {
			return x < y
		}
		if x, y := price(a.Price), price(b.Price); x != y {
			return x < y
		}
		if a.Queue != b.Queue {
			return a.Queue < b.Queue
		}
		if a.Due != b.Due {
			return a.Due != "" && (b.Due == "" || a.Due < b.Due)
		}
		return false
	})
}

const unknownLast = int64(1) << 62

func known(ok bool, v int64) int64 {
	if !ok {
		return unknownLast
	}
	return v
}

func price(p *int64) int64 {
	if p == nil {
		return unknownLast
	}
	return *p
}

// normaliseISBN drops hyphens and spaces.
func normaliseISBN(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}
