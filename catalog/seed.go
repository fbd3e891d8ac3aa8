package catalog

import (
	"context"
	"fmt"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/boltindex"
)

// SeedIfEmpty stores recs (keyed by their 001) when the catalogue holds no
// record at all, and reports whether it did. It is how the demo records are
// loaded: a catalogue that already has records, a library's own, is left
// as it is instead of having the demo titles mixed into it.
func (c *Catalogue) SeedIfEmpty(ctx context.Context, recs []*marc.Record) (bool, error) {
	empty, err := c.empty(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog: seed: %w", err)
	}
	if !empty {
		return false, nil
	}
	docs := make([]boltindex.Doc, 0, len(recs))
	for _, rec := range recs {
		raw, err := marc.Marshal(rec)
		if err != nil {
			return false, fmt.Errorf("catalog: seed %s: %w", rec.ControlNumber(), err)
		}
		docs = append(docs, boltindex.Doc{Key: rec.ControlNumber(), Record: rec, Raw: raw})
	}
	if _, err := c.store(ctx, docs); err != nil {
		return false, fmt.Errorf("catalog: seed: %w", err)
	}
	if err := c.indexed(ctx); err != nil {
		return false, fmt.Errorf("catalog: seed: %w", err)
	}
	return true, nil
}
