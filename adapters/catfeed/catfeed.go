// Package catfeed hands the shared catalogue kept in PostgreSQL
// (pgstore.Catalogue) to the catalogue as the feed its local index follows
// (catalog.Feed).
package catfeed

import (
	"context"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/store/pgstore"
)

// Feed is a catalog.Feed over a pgstore.Catalogue.
type Feed struct{ C *pgstore.Catalogue }

var _ catalog.Feed = Feed{}

// Ident names the feed.
func (f Feed) Ident() string { return f.C.Ident() }

// Write stores recs.
func (f Feed) Write(ctx context.Context, recs []catalog.FeedRecord) ([]string, int64, error) {
	in := make([]pgstore.CatalogueRecord, len(recs))
	for i, r := range recs {
		in[i] = pgstore.CatalogueRecord{Key: r.Key, Raw: r.Raw, Deleted: r.Deleted}
	}
	w, err := f.C.Write(ctx, in)
	return w.Replaced, w.Head, err
}

// Changes returns the changes after after.
func (f Feed) Changes(ctx context.Context, after int64, limit int) ([]catalog.FeedRecord, error) {
	rows, err := f.C.Changes(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.FeedRecord, len(rows))
	for i, r := range rows {
		out[i] = catalog.FeedRecord{Key: r.Key, Raw: r.Raw, Deleted: r.Deleted, Seq: r.Seq, Age: r.Age}
	}
	return out, nil
}

// Head is the last committed change.
func (f Feed) Head(ctx context.Context) (int64, error) { return f.C.Head(ctx) }

// HasRecords reports whether a live record is stored.
func (f Feed) HasRecords(ctx context.Context) (bool, error) { return f.C.HasRecords(ctx) }

// Listen waits for commits.
func (f Feed) Listen(ctx context.Context, ready func(), wake func(int64)) error {
	return f.C.Listen(ctx, ready, wake)
}
