package catalog

import (
	"context"
	"errors"
	"fmt"
	"os"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
)

// OpenFollowing opens the catalogue at path as one node's copy of a shared
// catalogue: records are written to feed, and the local index at path
// follows it once the Follower runs (Follower().Run). An index built from
// another feed is moved aside to path+".other-feed" and built again from
// the feed; one that followed no feed yet and holds records (a catalogue
// from before the shared one) gives its records to the feed when the feed
// has none, and is rebuilt from the feed otherwise. A file bbolt cannot
// read is moved aside to path+".corrupt" and built again. moved reports
// the file moved aside, if any.
func OpenFollowing(ctx context.Context, path string, circ *core.Service, feed Feed, opts FollowOptions) (c *Catalogue, moved string, err error) {
	c, err = Open(path, circ)
	if unreadable(err) {
		// Only an index: the feed has every record.
		moved = path + ".corrupt"
		if rerr := os.Rename(path, moved); rerr != nil {
			return nil, "", fmt.Errorf("%w (and it cannot be moved aside: %v)", err, rerr)
		}
		c, err = Open(path, circ)
	}
	if err != nil {
		return nil, moved, err
	}
	c.feed = feed
	c.follow, err = NewFollower(ctx, c.idx, feed, opts)
	if errors.Is(err, ErrOtherFeed) {
		unmarked, perr := c.unmarkedWithRecords()
		if perr != nil {
			c.Close()
			return nil, "", perr
		}
		if unmarked {
			has, herr := feed.HasRecords(ctx)
			if herr != nil {
				c.Close()
				return nil, "", herr
			}
			if !has {
				if perr := c.publish(ctx); perr != nil {
					c.Close()
					return nil, "", perr
				}
			}
		}
		c.Close()
		moved = path + ".other-feed"
		if err := os.Rename(path, moved); err != nil {
			return nil, "", fmt.Errorf("catalog: move aside the index of another feed: %w", err)
		}
		if c, err = Open(path, circ); err != nil {
			return nil, moved, err
		}
		c.feed = feed
		c.follow, err = NewFollower(ctx, c.idx, feed, opts)
	}
	if err != nil {
		c.Close()
		return nil, moved, err
	}
	return c, moved, nil
}

// WriteOnly returns a catalogue that writes its records to feed and keeps
// no index of its own: the tools that import into a shared catalogue use
// it while the gateways' indexes follow the feed. Only Import, SeedIfEmpty
// and Close may be called.
func WriteOnly(feed Feed) *Catalogue { return &Catalogue{feed: feed} }

// unreadable reports an error of opening a file that is no sound bbolt
// database (a lock held by another process is not one).
func unreadable(err error) bool {
	return errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) ||
		errors.Is(err, bolterrors.ErrVersionMismatch)
}

// Follower is the follower of the shared catalogue (nil for a catalogue of
// its own).
func (c *Catalogue) Follower() *Follower { return c.follow }

// unmarkedWithRecords reports whether the index never followed a feed.
func (c *Catalogue) unmarkedWithRecords() (bool, error) {
	unmarked := true
	err := c.idx.DB().View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(followBucket); b != nil && b.Get(followIdent) != nil {
			unmarked = false
		}
		return nil
	})
	return unmarked, err
}

// publish writes every record of the local index to the feed.
func (c *Catalogue) publish(ctx context.Context) error {
	res, err := c.idx.Search(ctx, &search.All{})
	if err != nil {
		return fmt.Errorf("catalog: publish: %w", err)
	}
	for i := 0; i < len(res.IDs); i += 1000 {
		ids := res.IDs[i:min(i+1000, len(res.IDs))]
		keys, err := c.idx.Keys(ctx, ids)
		if err != nil {
			return fmt.Errorf("catalog: publish: %w", err)
		}
		raws, err := c.idx.Records(ctx, ids)
		if err != nil {
			return fmt.Errorf("catalog: publish: %w", err)
		}
		recs := make([]FeedRecord, 0, len(ids))
		for j := range ids {
			if raws[j] != nil && keys[j] != "" {
				recs = append(recs, FeedRecord{Key: keys[j], Raw: raws[j]})
			}
		}
		if _, _, err := c.feed.Write(ctx, recs); err != nil {
			return fmt.Errorf("catalog: publish: %w", err)
		}
	}
	return nil
}

// store writes a batch of records: to the feed when there is one (the
// index follows), else to the index.
func (c *Catalogue) store(ctx context.Context, docs []boltindex.Doc) (boltindex.PutReport, error) {
	if c.feed == nil {
		return c.idx.PutBatchReport(ctx, docs)
	}
	recs := make([]FeedRecord, len(docs))
	for i, d := range docs {
		recs[i] = FeedRecord{Key: d.Key, Raw: d.Raw}
	}
	replaced, head, err := c.feed.Write(ctx, recs)
	if err != nil {
		return boltindex.PutReport{}, err
	}
	if c.follow != nil {
		c.follow.noteHead(head)
	}
	return boltindex.PutReport{Added: len(docs) - len(replaced), Replaced: replaced}, nil
}

// indexed waits, with a feed, until the local index holds every change
// known so far (the writes of this node among them).
func (c *Catalogue) indexed(ctx context.Context) error {
	if c.follow == nil {
		return nil
	}
	return c.follow.WaitFor(ctx, c.follow.Status().Head)
}

// empty reports whether the catalogue holds no record (in the feed, when
// there is one).
func (c *Catalogue) empty(ctx context.Context) (bool, error) {
	if c.feed != nil {
		has, err := c.feed.HasRecords(ctx)
		return !has, err
	}
	st, err := c.idx.Stats(ctx)
	return st.Records == 0, err
}
