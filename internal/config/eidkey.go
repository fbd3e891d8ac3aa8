package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EIDKeyPath is where the installation's key for hashing eID personal codes
// lives: store.eid_key_file, or eid.key in the data directory.
func (c *Config) EIDKeyPath() string {
	if c.Store.EIDKeyFile != "" {
		return c.Store.EIDKeyFile
	}
	return filepath.Join(c.DataDir, "eid.key")
}

// EIDKey returns the installation's key for hashing eID personal codes,
// creating it (32 random bytes, hex, mode 0600) on first use. The memory
// store without a configured file gets nil: a key for the process only.
// Keep the file with the data and back it up with it: without it the
// stored codes find nobody. Processes sharing one PostgreSQL store need
// the same file.
func (c *Config) EIDKey() ([]byte, error) {
	if c.Store.Backend == "memory" && c.Store.EIDKeyFile == "" {
		return nil, nil
	}
	path := c.EIDKeyPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createEIDKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("eID key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("eID key %s: want at least 32 hex digits (16 bytes)", path)
	}
	return key, nil
}

func createEIDKey(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("eID key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("eID key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // created meanwhile by another process
		return (&Config{Store: Store{EIDKeyFile: path}}).EIDKey()
	}
	if err != nil {
		return nil, fmt.Errorf("eID key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("eID key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("eID key %s: %w", path, err)
	}
	return key, nil
}
