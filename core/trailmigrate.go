package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

const metaTrail = "patron_trail_v1" // set once the trail covers records written before it existed

// MigrateTrail indexes, once, the fees, holds, notices, returned loans and
// lost items written before bibgate kept a per-patron trail of them, so
// that purging a patron also finds those. It is idempotent and runs at
// start; it returns how many records it indexed.
func (s *Service) MigrateTrail(ctx context.Context) (int, error) {
	done := false
	if err := s.view(ctx, func(t tx) error {
		_, ok, err := t.Get(bMeta, metaTrail)
		done = ok
		return err
	}); err != nil || done {
		return 0, err
	}
	total := 0
	for _, b := range []struct {
		bucket string
		card   func(t tx, key string, v []byte) (card, kind, id string, err error)
	}{
		{bFee, func(_ tx, k string, v []byte) (string, string, string, error) {
			var f Fee
			err := decode(v, &f)
			return f.PatronID, trailFee, k, err
		}},
		{bHold, func(_ tx, k string, v []byte) (string, string, string, error) {
			var h Hold
			err := decode(v, &h)
			return h.PatronID, trailHold, k, err
		}},
		{bNotice, func(_ tx, k string, v []byte) (string, string, string, error) {
			var n Notice
			err := decode(v, &n)
			return n.PatronID, trailNotice, k, err
		}},
		{bReturned, func(t tx, k string, _ []byte) (string, string, string, error) {
			_, id, _ := strings.Cut(k, "/")
			l, err := t.loan(id)
			if err != nil {
				return "", "", "", err
			}
			return l.PatronID, trailLoan, id, nil
		}},
		{bItem, func(_ tx, k string, v []byte) (string, string, string, error) {
			var it Item
			err := decode(v, &it)
			return it.LostBy, trailItem, k, err
		}},
	} {
		n, err := s.sweep(ctx, b.bucket, func(t tx, key string, v []byte, _ time.Time) (bool, int, error) {
			card, kind, id, err := b.card(t, key, v)
			if err != nil || card == "" {
				return true, 0, err
			}
			return true, 1, t.trail(card, kind, id)
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("core: index patron trail (%s): %w", b.bucket, err)
		}
	}
	return total, s.update(ctx, func(t tx) error { return t.Put(bMeta, metaTrail, []byte("1")) })
}
