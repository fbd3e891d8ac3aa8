package catalog

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/boltindex"
)

// Feed is a shared store of catalogue records that the local index follows
// (PostgreSQL for a consortium of gateways). Changes are numbered from 1
// without gaps, in the order they were committed; a record written again
// takes a new number.
type Feed interface {
	// Ident names the feed; an index built from another feed is rebuilt.
	Ident() string
	// Write stores recs in one transaction (last occurrence of a key wins)
	// and returns the keys that replaced another record (a stored one or one
	// earlier in recs, once per replacement) and the head after the write.
	Write(ctx context.Context, recs []FeedRecord) (replaced []string, head int64, err error)
	// Changes returns, in order, up to limit records whose last change is
	// numbered above after.
	Changes(ctx context.Context, after int64, limit int) ([]FeedRecord, error)
	// Head is the number of the last committed change.
	Head(ctx context.Context) (int64, error)
	// HasRecords reports whether any live record is stored.
	HasRecords(ctx context.Context) (bool, error)
	// Listen calls ready once it listens, then wake with the new head at
	// each commit, until ctx ends (nil) or the connection fails.
	Listen(ctx context.Context, ready func(), wake func(head int64)) error
}

// FeedRecord is a record in a Feed.
type FeedRecord struct {
	Key     string
	Raw     []byte // ISO 2709, UTF-8; nil when deleted
	Deleted bool
	Seq     int64         // set by Changes
	Age     time.Duration // since the change committed; set by Changes
}

// FollowOptions tune a Follower; the zero value is sensible.
type FollowOptions struct {
	// Batch is the number of changes applied per index transaction
	// (default 5000).
	Batch int
	// Poll is how often the head is read when no notification came
	// (default 1 s).
	Poll time.Duration
	// Progress is called after each applied batch while the index is built
	// from an empty start or catches up.
	Progress func(st FollowStatus)
	// Error is called when reading the feed or listening fails; the
	// follower keeps trying.
	Error func(err error)
}

// FollowStatus is how far the local index is.
type FollowStatus struct {
	Applied int64 // last change in the index
	Head    int64 // last change known in the feed
	// Lag is about the age of the oldest change not yet applied (0 when
	// caught up).
	Lag time.Duration
	// Building is true while an index that started empty has not caught
	// up with the feed for the first time (across restarts).
	Building bool
}

// Behind is the number of changes not yet applied.
func (s FollowStatus) Behind() int64 { return max(s.Head-s.Applied, 0) }

// Follower keeps a catalogue's local index in step with a Feed: it applies
// the changes in order, each batch in one index transaction together with
// the number of its last change, so that after a crash it resumes exactly
// where the index is (nothing skipped, nothing applied twice).
type Follower struct {
	idx  *boltindex.Index
	feed Feed
	opts FollowOptions
	wake chan struct{}

	mu       sync.Mutex
	st       FollowStatus  // Lag unused: see pendingSince
	advanced chan struct{} // closed and replaced when Applied moves
	building bool
	// pendingSince is when the oldest change not yet applied committed, as
	// far as known; zero when caught up.
	pendingSince time.Time
}

var (
	followBucket = []byte("catalogue.follow")
	followIdent  = []byte("ident")
	followSeq    = []byte("applied")
	// followBuilt is set once the index has caught up with the feed for
	// the first time: an index that was still being built when its process
	// stopped goes on building (not ready) after a restart.
	followBuilt = []byte("built")
)

// ErrOtherFeed is returned by NewFollower for an index that was built from
// another feed, or holds records from no feed at all.
var ErrOtherFeed = errors.New("catalog: the local index was not built from this feed")

// NewFollower prepares to follow feed into idx. An index that has never
// followed a feed is marked as this feed's when it is empty; one with
// records of its own, or marked for another feed, is refused with
// ErrOtherFeed (the caller rebuilds it, see OpenFollowing).
func NewFollower(ctx context.Context, idx *boltindex.Index, feed Feed, opts FollowOptions) (*Follower, error) {
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	f := &Follower{idx: idx, feed: feed, opts: opts, wake: make(chan struct{}, 1), advanced: make(chan struct{})}
	st, err := idx.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: follow: %w", err)
	}
	var ident []byte
	var built bool
	err = idx.DB().Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(followBucket)
		if err != nil {
			return err
		}
		ident = bytes.Clone(b.Get(followIdent))
		if ident == nil && st.Records == 0 {
			ident = []byte(feed.Ident())
			return b.Put(followIdent, ident)
		}
		if v := b.Get(followSeq); len(v) == 8 {
			f.st.Applied = int64(binary.BigEndian.Uint64(v))
		}
		built = b.Get(followBuilt) != nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: follow: %w", err)
	}
	if string(ident) != feed.Ident() {
		return nil, fmt.Errorf("%w (index marked %q, feed %q, %d records)", ErrOtherFeed, ident, feed.Ident(), st.Records)
	}
	head, err := feed.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: follow: %w", err)
	}
	f.st.Head = head
	f.building = !built && f.st.Applied < head
	f.st.Building = f.building
	return f, nil
}

// Status reports how far the index is.
func (f *Follower) Status() FollowStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.st
	if st.Applied < st.Head && !f.pendingSince.IsZero() {
		st.Lag = time.Since(f.pendingSince)
	}
	return st
}

// Poke makes the follower read the feed now.
func (f *Follower) Poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// noteHead records a head learnt from a write or a notification.
func (f *Follower) noteHead(head int64) {
	f.mu.Lock()
	if head > f.st.Head {
		f.st.Head = head
	}
	if f.st.Applied < f.st.Head && f.pendingSince.IsZero() {
		f.pendingSince = time.Now()
	}
	f.mu.Unlock()
	f.Poke()
}

// WaitFor returns once the index holds change seq (or ctx ends).
func (f *Follower) WaitFor(ctx context.Context, seq int64) error {
	for {
		f.mu.Lock()
		applied, ch := f.st.Applied, f.advanced
		f.mu.Unlock()
		if applied >= seq {
			return nil
		}
		f.noteHead(seq)
		select {
		case <-ctx.Done():
			return fmt.Errorf("catalog: waiting for the index to apply change %d (at %d): %w", seq, applied, ctx.Err())
		case <-ch:
		}
	}
}

// Run follows the feed until ctx ends: it listens for notifications (and
// listens again after a failure) and reads the head every Poll otherwise.
func (f *Follower) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { f.listen(ctx) })
	t := time.NewTicker(f.opts.Poll)
	defer t.Stop()
	for {
		if err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
			f.report(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-t.C:
		}
	}
}

func (f *Follower) listen(ctx context.Context) {
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := f.feed.Listen(ctx, f.Poke, f.noteHead)
		if err == nil || ctx.Err() != nil {
			return
		}
		f.report(err)
		if time.Since(start) > time.Minute {
			delay = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
}

func (f *Follower) report(err error) {
	if f.opts.Error != nil {
		f.opts.Error(err)
	}
}

// CatchUp applies every change committed before it was called, and more
// that come meanwhile.
func (f *Follower) CatchUp(ctx context.Context) error {
	head, err := f.feed.Head(ctx)
	if err != nil {
		return fmt.Errorf("catalog: follow: %w", err)
	}
	f.noteHead(head)
	for {
		st := f.Status()
		if st.Applied >= head {
			f.mu.Lock()
			if f.st.Applied >= f.st.Head {
				f.pendingSince = time.Time{}
			}
			finished := f.building && f.st.Applied >= f.st.Head
			f.mu.Unlock()
			if finished {
				if err := f.markBuilt(); err != nil {
					return err
				}
				f.mu.Lock()
				f.building, f.st.Building = false, false
				f.mu.Unlock()
			}
			return nil
		}
		rows, err := f.feed.Changes(ctx, st.Applied, f.opts.Batch)
		if err != nil {
			return fmt.Errorf("catalog: follow: %w", err)
		}
		if len(rows) == 0 {
			// The head said more; the rows are not visible yet. Next round.
			return nil
		}
		if err := f.apply(ctx, rows); err != nil {
			return err
		}
		if last := rows[len(rows)-1].Seq; last > head {
			head = last
		}
		if f.opts.Progress != nil {
			f.opts.Progress(f.Status())
		}
	}
}

// markBuilt records that the index has caught up once.
func (f *Follower) markBuilt() error {
	err := f.idx.DB().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(followBucket)
		if b == nil {
			return errors.New("follow bucket missing")
		}
		return b.Put(followBuilt, []byte{1})
	})
	if err != nil {
		return fmt.Errorf("catalog: follow: %w", err)
	}
	return nil
}

// apply puts rows into the index with the number of the last one, in one
// transaction.
func (f *Follower) apply(ctx context.Context, rows []FeedRecord) error {
	var puts []boltindex.Doc
	var dels []string
	for _, r := range rows {
		if r.Deleted {
			dels = append(dels, r.Key)
			continue
		}
		rec, err := marc.NewReader(bytes.NewReader(r.Raw)).Next()
		if rec == nil {
			// Not readable as stored: it cannot be searched, but must not
			// stop the feed either.
			f.report(fmt.Errorf("catalog: follow: change %d, record %q unreadable: %v", r.Seq, r.Key, err))
			dels = append(dels, r.Key)
			continue
		}
		puts = append(puts, boltindex.Doc{Key: r.Key, Record: rec, Raw: r.Raw})
	}
	last := rows[len(rows)-1].Seq
	_, err := f.idx.Apply(ctx, puts, dels, func(tx *bbolt.Tx) error {
		b := tx.Bucket(followBucket)
		if b == nil {
			return errors.New("follow bucket missing")
		}
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], uint64(last))
		return b.Put(followSeq, v[:])
	})
	if err != nil {
		return fmt.Errorf("catalog: follow: apply changes %d-%d: %w", rows[0].Seq, last, err)
	}
	f.mu.Lock()
	f.st.Applied = last
	if last > f.st.Head {
		f.st.Head = last
	}
	f.pendingSince = time.Time{}
	if f.st.Applied < f.st.Head {
		// The oldest change still waiting is no older than the last applied.
		f.pendingSince = time.Now().Add(-rows[len(rows)-1].Age)
	}
	close(f.advanced)
	f.advanced = make(chan struct{})
	f.mu.Unlock()
	return nil
}
