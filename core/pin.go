package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id cost parameters for PIN hashes.
type KDFParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultKDF is OWASP's minimum recommendation for Argon2id (19 MiB, 2
// passes).
var DefaultKDF = KDFParams{Time: 2, Memory: 19 * 1024, Threads: 1}

// HashPIN returns an encoded Argon2id hash of pin with a fresh salt, in the
// PHC string format.
func HashPIN(pin string, p KDFParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("core: salt: %w", err)
	}
	sum := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// CheckPIN reports whether pin matches an encoded hash from HashPIN.
//
// Hashes imported from an earlier system in another accepted format (see
// CheckPINHash) are verified the same way.
func CheckPIN(encoded, pin string) (bool, error) {
	if isBcrypt(encoded) {
		return checkBcrypt(encoded, pin)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("core: unknown PIN hash format")
	}
	var p KDFParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("core: PIN hash parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("core: PIN hash salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("core: PIN hash: %w", err)
	}
	got := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// pinCache remembers recent successful PIN checks so that a selfcheck that
// sends the PIN with every message does not pay the KDF every time. It keeps
// only an HMAC (keyed with a per-process random key) of the stored hash and
// the PIN, never the PIN; a changed PIN changes the stored hash and so
// misses the cache. Bounded: when full it is cleared.
//
// The KDF is deliberately expensive in CPU and memory, so checks are also
// bounded: at most one per processor but one runs at a time (the rest wait their
// turn instead of thrashing memory; one processor is always left for
// serving), and concurrent checks of the same
// hash and PIN share one computation. The wait for a turn is bounded
// (wait): when many patrons arrive at once — a cold start with every
// selfcheck busy — a check that cannot start in time fails with
// ReasonPINCheckBusy instead of queueing behind hundreds of others, and the
// patron is asked to try again; a busy check guesses nothing and is not
// counted as a wrong PIN.
type pinCache struct {
	mu       sync.Mutex
	key      []byte
	ok       map[string]struct{}
	inflight map[string]*pinCall
	max      int
	slots    chan struct{}
	wait     time.Duration // for a KDF slot; 0 or less: as long as ctx allows
}

type pinCall struct {
	done chan struct{}
	ok   bool
	err  error
}

func newPINCache(size, slots int, wait time.Duration) *pinCache {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0)-1)
	}
	return &pinCache{key: key, ok: make(map[string]struct{}), inflight: map[string]*pinCall{}, max: size,
		slots: make(chan struct{}, slots), wait: wait}
}

// errPINCheckBusy: no KDF slot came free within the wait.
var errPINCheckBusy = &Error{Reason: ReasonPINCheckBusy}

func (c *pinCache) mac(hash, pin string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(hash))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return string(m.Sum(nil))
}

// check reports whether pin matches hash, from the cache when it can.
func (c *pinCache) check(ctx context.Context, hash, pin string) (bool, error) {
	k := c.mac(hash, pin)
	c.mu.Lock()
	if _, ok := c.ok[k]; ok {
		c.mu.Unlock()
		return true, nil
	}
	if call, ok := c.inflight[k]; ok {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.ok, call.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	call := &pinCall{done: make(chan struct{})}
	c.inflight[k] = call
	c.mu.Unlock()

	var timeout <-chan time.Time
	if c.wait > 0 {
		t := time.NewTimer(c.wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case c.slots <- struct{}{}:
		call.ok, call.err = CheckPIN(hash, pin)
		<-c.slots
	case <-timeout:
		call.err = errPINCheckBusy
	case <-ctx.Done():
		call.err = ctx.Err()
	}
	c.mu.Lock()
	delete(c.inflight, k)
	if call.ok {
		if len(c.ok) >= c.max {
			clear(c.ok)
		}
		c.ok[k] = struct{}{}
	}
	c.mu.Unlock()
	close(call.done)
	return call.ok, call.err
}
