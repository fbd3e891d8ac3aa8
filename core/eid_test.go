package core

import (
	"context"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

func eidService(t *testing.T, st store.Store, key string) *Service {
	t.Helper()
	c := &Consortium{Name: "t", Libraries: []Library{{ID: "L"}}}
	s, err := NewService(st, c, Options{EIDKey: []byte(key), KDF: KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storeHolds reports which of the needles occur in any key or value.
func storeHolds(t *testing.T, st *memstore.Store, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	buckets, err := st.Buckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	err = st.View(ctx, func(tx store.Tx) error {
		for _, b := range buckets {
			if err := tx.Scan(b, "", func(k string, v []byte) error {
				for _, n := range needles {
					if strings.Contains(k, n) || strings.Contains(string(v), n) {
						found = append(found, b+"/"+k)
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestEIDCodeStoredHashed: a personal code given at registration, or left
// in plain text by an older bibgate, is in no key or value of the store,
// and the patron is still found by it in any spelling; a store hashed with
// another installation's key is refused clearly.
func TestEIDCodeStoredHashed(t *testing.T) {
	ctx := context.Background()
	const code, bare = "010190-12345", "01019012345"
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Service)
	}{
		{"registered now", func(t *testing.T, s *Service) {
			if err := s.RegisterPatrons(ctx, []NewPatron{{Patron: Patron{ID: "C1", Name: "A", PersonalCode: code}}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"plain text from an older version, migrated", func(t *testing.T, s *Service) {
			err := s.update(ctx, func(t tx) error {
				if err := t.putRecord(bPatron, "C1", &Patron{ID: "C1", Name: "A", PersonalCode: bare}); err != nil {
					return err
				}
				return t.Put(bPatronEID, bare, []byte("C1"))
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.MigrateEID(ctx)
			if err != nil || n != 1 {
				t.Fatalf("migrate: %d %v", n, err)
			}
			if n, err := s.MigrateEID(ctx); err != nil || n != 0 {
				t.Fatalf("second migration: %d %v", n, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			s := eidService(t, st, "installation key one")
			tt.setup(t, s)
			if found := storeHolds(t, st, code, bare); len(found) > 0 {
				t.Errorf("personal code in plain text at %v", found)
			}
			for _, spelling := range []string{code, bare, " " + code + " "} {
				a, err := s.Authenticate(ctx, spelling, nil, true)
				if err != nil || a.Card != "C1" || !a.ByEID {
					t.Errorf("authenticate %q: %+v %v", spelling, a, err)
				}
			}
			if _, err := s.Authenticate(ctx, code, nil, false); ReasonOf(err) != ReasonPatronNotFound {
				t.Errorf("eID not allowed: %v", err)
			}
			other := eidService(t, st, "another installation")
			if _, err := other.MigrateEID(ctx); err == nil || !strings.Contains(err.Error(), "another key") {
				t.Errorf("store hashed with another key: %v", err)
			}
			err := other.RegisterPatrons(ctx, []NewPatron{{Patron: Patron{ID: "C2", Name: "B", PersonalCode: "020290-54321"}}})
			if err == nil || !strings.Contains(err.Error(), "another key") {
				t.Errorf("registration under another key: %v", err)
			}
		})
	}
}
