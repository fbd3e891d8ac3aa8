package core

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

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
func CheckPIN(encoded, pin string) (bool, error) {
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
type pinCache struct {
	mu  sync.Mutex
	key []byte
	ok  map[string]struct{}
	max int
}

func newPINCache(max int) *pinCache {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &pinCache{key: key, ok: make(map[string]struct{}), max: max}
}

func (c *pinCache) mac(hash, pin string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(hash))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return string(m.Sum(nil))
}

func (c *pinCache) has(hash, pin string) bool {
	k := c.mac(hash, pin)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ok[k]
	return ok
}

func (c *pinCache) add(hash, pin string) {
	k := c.mac(hash, pin)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ok) >= c.max {
		clear(c.ok)
	}
	c.ok[k] = struct{}{}
}
