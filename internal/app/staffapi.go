package app

import (
	"context"
	"fmt"

	"github.com/bibgate/bibgate/adapters/holdings"
)

// recordDescription is a catalogue record's title and author, for a copy
// the staff API adds to it; ok is false when the catalogue has no record
// with that id (its 001). Before the catalogue is open nothing is known
// and nothing is refused.
func (a *App) recordDescription(ctx context.Context, key string) (title, author string, ok bool, err error) {
	if a.catalog == nil {
		return "", "", true, nil
	}
	id, ok, err := a.catalog.Index().ID(ctx, key)
	if err != nil || !ok {
		return "", "", false, err
	}
	recs, err := a.catalog.Parsed(ctx, []uint32{id})
	if err != nil {
		return "", "", false, fmt.Errorf("catalogue record %s: %w", key, err)
	}
	if len(recs) == 0 || recs[0] == nil {
		return "", "", true, nil // indexed, unreadable: the copy may still be added
	}
	title, author = holdings.Describe(recs[0])
	return title, author, true, nil
}
