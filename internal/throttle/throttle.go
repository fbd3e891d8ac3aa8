// Package throttle counts failed attempts (wrong PINs, wrong passwords) per
// key — a patron, a connection, a source address — and locks a key out for
// a while once it has failed too often, as a bank card does.
package throttle

import (
	"sync"
	"time"
)

// Settings say how many failures a key may have and for how long it is
// locked after.
type Settings struct {
	// Limit is the number of failures, each within Window of the previous
	// one, after which the key is locked. Zero or negative: never locked.
	Limit int
	// Window: a failure longer than this after the previous one starts the
	// count again.
	Window time.Duration
	// Lockout is how long a key stays locked.
	Lockout time.Duration
}

// Enabled reports whether the settings ever lock a key.
func (s Settings) Enabled() bool { return s.Limit > 0 && s.Lockout > 0 }

// DefaultMaxKeys bounds the keys a Throttle remembers.
const DefaultMaxKeys = 100_000

type entry struct {
	fails int
	last  time.Time
	until time.Time
}

// Throttle is safe for concurrent use. The zero value never locks.
type Throttle struct {
	Settings
	// MaxKeys bounds memory (DefaultMaxKeys if zero): when full, keys that
	// are neither locked nor counting are forgotten first; if every key is
	// locked or counting, the new key is not counted.
	MaxKeys int

	mu   sync.Mutex
	keys map[string]*entry
}

// New returns a Throttle with the given settings.
func New(s Settings) *Throttle { return &Throttle{Settings: s} }

// Locked reports whether key is locked at now, and until when.
func (t *Throttle) Locked(key string, now time.Time) (bool, time.Time) {
	if t == nil || !t.Enabled() {
		return false, time.Time{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.keys[key]
	if e == nil || !now.Before(e.until) {
		return false, time.Time{}
	}
	return true, e.until
}

// Fail counts a failure of key at now and reports whether the key is now
// locked.
func (t *Throttle) Fail(key string, now time.Time) bool {
	if t == nil || !t.Enabled() {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keys == nil {
		t.keys = map[string]*entry{}
	}
	e := t.keys[key]
	if e == nil {
		if !t.room(now) {
			return false
		}
		e = &entry{}
		t.keys[key] = e
	}
	if now.Before(e.until) {
		return true
	}
	if t.Window > 0 && now.Sub(e.last) > t.Window {
		e.fails = 0
	}
	e.fails++
	e.last = now
	if e.fails >= t.Limit {
		e.fails = 0
		e.until = now.Add(t.Lockout)
		return true
	}
	return false
}

// Reset forgets key's failures (a correct PIN on that card). A lockout in
// force stays.
func (t *Throttle) Reset(key string, now time.Time) {
	if t == nil || !t.Enabled() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.keys[key]; e != nil && !now.Before(e.until) {
		delete(t.keys, key)
	}
}

// room makes space for one more key; t.mu is held.
func (t *Throttle) room(now time.Time) bool {
	max := t.MaxKeys
	if max <= 0 {
		max = DefaultMaxKeys
	}
	if len(t.keys) < max {
		return true
	}
	for k, e := range t.keys {
		if !now.Before(e.until) && (t.Window <= 0 || now.Sub(e.last) > t.Window) {
			delete(t.keys, k)
		}
	}
	return len(t.keys) < max
}
