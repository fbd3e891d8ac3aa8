package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// The eID personal code is a national identifier: bibgate never stores it
// in plain text. It keeps a keyed hash (HMAC-SHA-256 with a key of the
// installation, kept outside the store: Options.EIDKey) in the patron
// record and as the key of the lookup index, so that a copy of the store
// alone reveals no personal code.
const (
	eidHashPrefix = "hmac-sha256:"
	bMeta         = "meta"          // name -> value
	metaEIDCheck  = "eid_key_check" // HMAC of a fixed text: which key hashed the codes
	// metaEIDMigrated is set once every stored code is a hash.
	metaEIDMigrated = "eid_migrated_v1"
)

func normalisePersonalCode(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "-", "") }

// isEIDHash reports whether a stored personal code is already hashed.
func isEIDHash(s string) bool { return strings.HasPrefix(s, eidHashPrefix) }

// IsPersonalCodeHash reports whether s is a personal code in its stored
// form (a patron read back, or exported, carries it so). Registering a
// patron with it keeps it as is: it finds the patron only in the
// installation whose key made it.
func IsPersonalCodeHash(s string) bool { return isEIDHash(s) }

// eidHash is the stored form of a personal code (any spelling: dashes and
// spaces are ignored).
func (s *Service) eidHash(code string) string {
	m := hmac.New(sha256.New, s.eidKey)
	m.Write([]byte(normalisePersonalCode(code)))
	return eidHashPrefix + hex.EncodeToString(m.Sum(nil))
}

func (s *Service) eidCheck() string {
	m := hmac.New(sha256.New, s.eidKey)
	m.Write([]byte("bibgate eID key check"))
	return hex.EncodeToString(m.Sum(nil))
}

// ephemeralEIDKey is the key of a service given none: personal codes
// hashed with it cannot be found after a restart (tests, memory stores).
func ephemeralEIDKey() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("core: no randomness for the eID key: %v", err))
	}
	return b
}

// checkEIDKey makes sure the personal codes in the store were hashed with
// this service's key, and records the key's check value on first use. A
// store hashed with another key is refused: lookups would find nobody.
func (s *Service) checkEIDKey(t tx) error {
	v, ok, err := t.Get(bMeta, metaEIDCheck)
	if err != nil {
		return err
	}
	want := s.eidCheck()
	if !ok {
		return t.Put(bMeta, metaEIDCheck, []byte(want))
	}
	if string(v) != want {
		return fmt.Errorf("core: the eID personal codes in this store were hashed with another key: " +
			"use the installation's key (eid_key_file, default DATA_DIR/eid.key)")
	}
	return nil
}

// MigrateEID hashes personal codes stored in plain text by an older
// bibgate (in patron records and the lookup index) and checks that the
// store's codes were hashed with this service's key. It is idempotent and
// runs at start; it returns how many patrons it migrated.
func (s *Service) MigrateEID(ctx context.Context) (int, error) {
	migrated := false
	err := s.update(ctx, func(t tx) error {
		if err := s.checkEIDKey(t); err != nil {
			return err
		}
		// Once migrated, no plain code can come back (every write hashes),
		// so later starts skip the scan of every patron.
		_, ok, err := t.Get(bMeta, metaEIDMigrated)
		if err != nil || ok {
			migrated = ok
			return err
		}
		var plain []string
		err = t.Scan(bPatronEID, "", func(k string, _ []byte) error {
			if !isEIDHash(k) {
				plain = append(plain, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range plain {
			v, _, err := t.Get(bPatronEID, k)
			if err != nil {
				return err
			}
			card := append([]byte(nil), v...)
			if err := t.Delete(bPatronEID, k); err != nil {
				return err
			}
			if err := t.Put(bPatronEID, s.eidHash(k), card); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("core: migrate eID codes: %w", err)
	}
	if migrated {
		return 0, nil
	}
	n, err := s.sweep(ctx, bPatron, func(t tx, _ string, v []byte, _ time.Time) (bool, int, error) {
		var p Patron
		if err := decode(v, &p); err != nil {
			return false, 0, err
		}
		if p.PersonalCode == "" || isEIDHash(p.PersonalCode) {
			return true, 0, nil
		}
		h := s.eidHash(p.PersonalCode)
		p.PersonalCode = h
		if err := t.Put(bPatronEID, h, []byte(p.ID)); err != nil {
			return false, 0, err
		}
		return true, 1, t.putRecord(bPatron, p.ID, &p)
	})
	if err != nil {
		return n, fmt.Errorf("core: migrate eID codes: %w", err)
	}
	if err := s.update(ctx, func(t tx) error { return t.Put(bMeta, metaEIDMigrated, []byte("1")) }); err != nil {
		return n, fmt.Errorf("core: migrate eID codes: %w", err)
	}
	return n, nil
}
