package core

import (
	"context"
	"errors"
)

// errExportStop ends an export scan early without an error.
var errExportStop = errors.New("export stopped")

// EachPatron calls fn with every patron record in card order (exports). A
// false from fn stops the scan.
func (s *Service) EachPatron(ctx context.Context, fn func(Patron) bool) error {
	return s.view(ctx, func(t tx) error {
		err := t.Scan(bPatron, "", func(_ string, v []byte) error {
			var p Patron
			if err := decode(v, &p); err != nil {
				return err
			}
			if !fn(p) {
				return errExportStop
			}
			return nil
		})
		if errors.Is(err, errExportStop) {
			return nil
		}
		return err
	})
}

// EachItem calls fn with every copy in barcode order (exports). A false
// from fn stops the scan.
func (s *Service) EachItem(ctx context.Context, fn func(Item) bool) error {
	return s.view(ctx, func(t tx) error {
		err := t.Scan(bItem, "", func(_ string, v []byte) error {
			var it Item
			if err := decode(v, &it); err != nil {
				return err
			}
			if !fn(it) {
				return errExportStop
			}
			return nil
		})
		if errors.Is(err, errExportStop) {
			return nil
		}
		return err
	})
}

// PatronRecords returns the stored records of the cards that exist
// (imports: guardians, updates), keyed by card.
func (s *Service) PatronRecords(ctx context.Context, cards []string) (map[string]Patron, error) {
	out := make(map[string]Patron, len(cards))
	err := s.view(ctx, func(t tx) error {
		clear(out)
		for _, c := range cards {
			var p Patron
			ok, err := t.getRecord(bPatron, c, &p)
			if err != nil {
				return err
			}
			if ok {
				out[c] = p
			}
		}
		return nil
	})
	return out, err
}
