package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"
)

// Leaser is implemented by a store that several processes share (pgstore):
// it grants a named lease to one holder at a time, for a bounded time, on
// the database's clock. A store that only one process can open (bbolt, the
// memory store) does not implement it: its process always leads.
type Leaser interface {
	// AcquireLease takes the named lease for holder, or renews it if holder
	// holds it already, for ttl from the moment the store grants it. It
	// reports whether holder holds the lease now; false with a nil error
	// means another holder's lease is still running.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if holder holds it, so that another
	// holder can take it at once. Releasing a lease one does not hold does
	// nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// DefaultLeaseTTL is how long a lease lasts unless renewed, when
// LeadershipOptions.TTL is zero.
const DefaultLeaseTTL = 5 * time.Second

// LeadershipOptions tune a Leadership. The zero value is sensible.
type LeadershipOptions struct {
	// TTL is how long the lease lasts without renewal (DefaultLeaseTTL if
	// zero): the longest another process waits after the leader died
	// without releasing it. The leader renews it every TTL/3, and the others
	// try to take it as often. A leader that could not renew it stops
	// leading 5/6 TTL after its last renewal, before another can start.
	TTL time.Duration
	// Holder names this process in the lease (default host/pid/random).
	Holder string
	// OnChange, if set, is called with true when this process starts to
	// lead and with false when it stops.
	OnChange func(leading bool)
	// OnError, if set, is called when trying to take or renew the lease
	// fails (the store is unreachable).
	OnError func(err error)
}

// Leadership tells whether this process leads: holds the named lease of
// its store. Make one with Campaign.
type Leadership struct {
	name   string
	holder string
	opts   LeadershipOptions
	leaser Leaser // nil: always leads

	mu      sync.Mutex
	term    context.Context // the current term, nil when not leading
	endTerm context.CancelFunc
	changed chan struct{} // closed and replaced when term changes
	done    chan struct{}
}

// Campaign competes for the lease called name on st until ctx ends, then
// releases it if held. When st does not implement Leaser the process leads
// at once, until ctx ends.
func Campaign(ctx context.Context, st Store, name string, opts LeadershipOptions) *Leadership {
	if opts.TTL <= 0 {
		opts.TTL = DefaultLeaseTTL
	}
	if opts.Holder == "" {
		opts.Holder = defaultHolder()
	}
	l := &Leadership{name: name, holder: opts.Holder, opts: opts, changed: make(chan struct{}), done: make(chan struct{})}
	l.leaser, _ = st.(Leaser)
	go l.run(ctx)
	return l
}

func defaultHolder() string {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Holder is the name this process holds the lease under.
func (l *Leadership) Holder() string { return l.holder }

// Leading reports whether this process leads now, and with it the term: a
// context that ends when this process stops leading.
func (l *Leadership) Leading() (context.Context, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.term, l.term != nil
}

// Await waits until this process leads and returns the term, a context that
// ends when it stops leading; or ctx's error if ctx ends first, or an error
// once the campaign is over.
func (l *Leadership) Await(ctx context.Context) (context.Context, error) {
	for {
		l.mu.Lock()
		term, changed := l.term, l.changed
		l.mu.Unlock()
		if term != nil && term.Err() == nil {
			return term, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-l.done:
			return nil, fmt.Errorf("store: lease %s: campaign over", l.name)
		case <-changed:
		}
	}
}

// Done is closed when the campaign is over and the lease given up.
func (l *Leadership) Done() <-chan struct{} { return l.done }

func (l *Leadership) setTerm(ctx context.Context, leading bool) {
	l.mu.Lock()
	if leading == (l.term != nil) {
		l.mu.Unlock()
		return
	}
	if leading {
		l.term, l.endTerm = context.WithCancel(ctx)
	} else {
		l.endTerm()
		l.term, l.endTerm = nil, nil
	}
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	if l.opts.OnChange != nil {
		l.opts.OnChange(leading)
	}
}

func (l *Leadership) run(ctx context.Context) {
	defer close(l.done)
	if l.leaser == nil {
		l.setTerm(ctx, true)
		<-ctx.Done()
		l.setTerm(ctx, false)
		return
	}
	ttl := l.opts.TTL
	every := ttl / 3
	// deadline is when this process stops leading unless it has renewed
	// the lease: a sixth of the lease before it may run out, counted from
	// before the request that renewed it, so that the term ends before the
	// store can grant the lease to another holder.
	var deadline time.Time
	var expiry <-chan time.Time // fires at deadline while leading
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			l.setTerm(ctx, false)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), every)
			err := l.leaser.ReleaseLease(rctx, l.name, l.holder)
			cancel()
			if err != nil && l.opts.OnError != nil {
				l.opts.OnError(fmt.Errorf("store: release lease %s: %w", l.name, err))
			}
			return
		case <-expiry:
			expiry = nil
			l.setTerm(ctx, false)
			continue
		case <-timer.C:
		}
		sent := time.Now()
		wait := every
		if _, leading := l.Leading(); leading {
			wait = min(wait, time.Until(deadline))
		}
		actx, cancel := context.WithTimeout(ctx, max(wait, time.Millisecond))
		ok, err := l.leaser.AcquireLease(actx, l.name, l.holder, ttl)
		cancel()
		switch {
		case err != nil:
			if ctx.Err() != nil {
				break // released at the top of the loop
			}
			if l.opts.OnError != nil {
				l.opts.OnError(fmt.Errorf("store: lease %s: %w", l.name, err))
			}
			if !time.Now().Before(deadline) {
				expiry = nil
				l.setTerm(ctx, false)
			}
		case ok:
			deadline = sent.Add(ttl - ttl/6)
			expiry = time.After(time.Until(deadline))
			l.setTerm(ctx, true)
		default:
			expiry = nil
			l.setTerm(ctx, false)
		}
		timer.Reset(max(every-time.Since(sent), every/10))
	}
}
