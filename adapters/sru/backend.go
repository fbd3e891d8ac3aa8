// Package sruadapter serves the union catalogue over SRU: it implements
// sru.Backend on catalog.Catalogue. Queries are converted by
// search/cqlquery; explain lists the CQL names of the real index table
// (search.Indexes) and says which of them sort; scan browses the
// catalogue's index. Records are parsed and rendered (MARCXML, Dublin Core,
// MODS) through a recordcache.Cache, which the Z39.50 adapter may share.
package sruadapter

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/adapters/z3950/recordcache"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cql"
	"github.com/bibgate/bibgate/search/cqlquery"
	"github.com/bibgate/bibgate/sru"
)

// Backend answers SRU requests from a catalogue. Set the fields before
// the first request; they must not change afterwards.
type Backend struct {
	Catalogue *catalog.Catalogue
	// Database is the path segment served ("Default").
	Database string
	// Title and Description go into explain.
	Title, Description string
	// Host and Port go into explain's serverInfo.
	Host string
	Port int
	// Cache keeps parsed and rendered records; nil makes a private one.
	Cache *recordcache.Cache

	once    sync.Once
	explain sru.ExplainInfo
}

var _ sru.Backend = (*Backend)(nil)

func (b *Backend) init() {
	b.once.Do(func() {
		if b.Cache == nil {
			b.Cache = recordcache.New(0)
		}
		db := b.Database
		if db == "" {
			db = "Default"
		}
		title := b.Title
		if title == "" {
			title = "bibgate union catalogue"
		}
		b.explain = sru.ExplainInfo{
			Title: title, Description: b.Description, Database: db, Host: b.Host, Port: b.Port,
			Indexes:           explainIndexes(),
			ContextSets:       []cql.ContextSet{cqlquery.ContextSet()},
			DefaultContextSet: cqlquery.ContextSetPrefix,
			Relations:         cqlquery.Relations(),
			RelationModifiers: cqlquery.RelationModifiers(),
		}
	})
}

// explainIndexes lists every CQL name of the index table, plus
// cql.allRecords, in the spelling of their context sets.
func explainIndexes() []sru.Index {
	out := []sru.Index{{Title: "all records", Set: "cql", Name: "allRecords"}}
	for _, ix := range search.Indexes() {
		_, sorts := search.SortKeyFor(ix)
		for _, name := range ix.CQL {
			set, local, ok := strings.Cut(name, ".")
			if !ok {
				set, local = cqlquery.ContextSetPrefix, name
			}
			out = append(out, sru.Index{Title: ix.Name, Set: set, Name: spelling(local), Sort: sorts})
		}
	}
	return out
}

// standardSpelling gives the index names of the standard context sets
// their usual capitals; the table keeps them lower-case.
var standardSpelling = map[string]string{}

func init() {
	for _, n := range []string{"serverChoice", "allRecords", "allIndexes", "anyIndexes", "anywhere", "keyTitle",
		"uniformTitle", "seriesTitle", "personalName", "corporateName", "conferenceName", "topicalSubject",
		"standardIdentifier", "localNumber", "materialType", "lcCallNumber", "resultSetId"} {
		standardSpelling[strings.ToLower(n)] = n
	}
}

func spelling(name string) string {
	if s, ok := standardSpelling[name]; ok {
		return s
	}
	return name
}

// Explain describes the database.
func (b *Backend) Explain() sru.ExplainInfo {
	b.init()
	return b.explain
}

// Search runs the query and returns the records of one page.
func (b *Backend) Search(ctx context.Context, q *cql.Query, start, max int) (*sru.SearchResult, error) {
	b.init()
	sq, sorts, err := cqlquery.FromCQL(q)
	if err != nil {
		return nil, err
	}
	res, err := b.Catalogue.Search(ctx, sq)
	if err != nil {
		return nil, asSRU(err)
	}
	ids := res.IDs
	out := &sru.SearchResult{Count: len(ids)}
	if max <= 0 || start < 1 || start > len(ids) {
		return out, nil
	}
	if len(sorts) > 0 && len(ids) > 1 {
		if ids, err = b.Catalogue.Sort(ctx, ids, sorts...); err != nil {
			return nil, asSRU(err)
		}
	}
	page := ids[start-1 : min(start-1+max, len(ids))]
	raws, err := b.Catalogue.Records(ctx, page)
	if err != nil {
		return nil, err
	}
	out.Records = make([]*marc.Record, len(page))
	for i, raw := range raws {
		if raw == nil {
			continue
		}
		if rec, err := b.Cache.Parse(page[i], raw); err == nil {
			out.Records[i] = rec
		}
	}
	return out, nil
}

// asSRU turns index diagnostics (Bib-1) into SRU ones; other errors pass
// unchanged so that the handler logs them and sends diagnostic 1.
func asSRU(err error) error {
	var sd *search.Diagnostic
	if errors.As(err, &sd) {
		return cqlquery.AsError(err)
	}
	return err
}

// Scan lists terms of the clause's index around its term. The relation
// == (exact) lists whole headings, any other relation words.
func (b *Backend) Scan(ctx context.Context, clause *cql.Clause, n, pos int) ([]sru.Term, error) {
	b.init()
	name := clause.Index
	if p, local, ok := strings.Cut(name, "."); ok && strings.EqualFold(p, cqlquery.ContextSetPrefix) {
		name = local
	}
	ix, err := search.ByCQL(name)
	if err != nil {
		return nil, asSRU(err)
	}
	rel := clause.Relation.Name()
	headings := rel == "==" || rel == "exact"
	terms, err := b.Catalogue.Scan(ctx, search.ScanRequest{Index: ix.Name, Headings: headings,
		From: strings.TrimRight(cql.Unescape(clause.Term), "*"), Before: max(pos-1, 0), Count: n})
	if err != nil {
		return nil, asSRU(err)
	}
	out := make([]sru.Term, len(terms))
	for i, t := range terms {
		out[i] = sru.Term{Value: t.Term, Count: t.Count}
	}
	return out, nil
}

// Handler returns the SRU HTTP handler on this backend. Records are
// rendered through the cache.
func (b *Backend) Handler(log *zerolog.Logger) *sru.Handler {
	b.init()
	schemas := sru.DefaultSchemas()
	for i := range schemas {
		render, format := schemas[i].Render, "sru/"+schemas[i].Name
		schemas[i].Render = func(rec *marc.Record) ([]byte, error) {
			return b.Cache.RenderParsed(rec, format, render)
		}
	}
	return &sru.Handler{Backend: b, Schemas: schemas, Logger: log}
}
