package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEIDKey: the key is created once in the data directory, private to
// its owner, read back the same on every start; a damaged file is refused
// with its name; the memory store gets a process key.
func TestEIDKey(t *testing.T) {
	dir := t.TempDir()
	c := Default()
	c.DataDir = filepath.Join(dir, "data")
	first, err := c.EIDKey()
	if err != nil || len(first) != 32 {
		t.Fatalf("create: %d bytes, %v", len(first), err)
	}
	fi, err := os.Stat(filepath.Join(c.DataDir, "eid.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v, want mode 0600", fi, err)
	}
	again, err := c.EIDKey()
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("second start got another key: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not hex\n"), 0o600)
	c.Store.EIDKeyFile = bad
	if _, err := c.EIDKey(); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("damaged key file: %v", err)
	}
	m := Default()
	m.Store.Backend = "memory"
	if k, err := m.EIDKey(); k != nil || err != nil {
		t.Errorf("memory store: %v %v", k, err)
	}
}
