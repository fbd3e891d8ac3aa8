package core

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/bibgate/bibgate/store/memstore"
)

// PIN hashes brought from an earlier system are stored as they are and
// verified when the patron logs in.
func TestImportedPINHashes(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("4711"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	koha := "$2a$" + string(b[4:]) // Koha writes $2a$
	php := "$2y$" + string(b[4:])
	argon, err := HashPIN("4711", KDFParams{Time: 1, Memory: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash string
		wantBad    bool
	}{
		{"bcrypt $2b$", string(b), false},
		{"Koha bcrypt $2a$", koha, false},
		{"PHP bcrypt $2y$", php, false},
		{"argon2id from another installation", argon, false},
		{"MD5 is refused", "5f4dcc3b5aa765d61d8327deb882cf99", true},
		{"truncated bcrypt is refused", string(b[:20]), true},
	}
	svc := newPINTestService(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPINHash(tt.hash); (err != nil) != tt.wantBad {
				t.Fatalf("CheckPINHash: %v, want refused=%v", err, tt.wantBad)
			}
			err := svc.RegisterPatrons(ctx, []NewPatron{{Patron: Patron{ID: "IMP1", Name: "A B", HomeLibrary: "ILU", PINHash: tt.hash}}})
			if tt.wantBad {
				if err == nil {
					t.Fatal("registered a patron with an unusable hash")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.VerifyPatron(ctx, "IMP1", "4711"); err != nil {
				t.Errorf("right PIN refused: %v", err)
			}
			if err := svc.VerifyPatron(ctx, "IMP1", "0000"); err == nil {
				t.Error("wrong PIN accepted")
			}
		})
	}
}

func newPINTestService(t *testing.T) *Service {
	t.Helper()
	cons := &Consortium{Name: "t", Libraries: []Library{{ID: "ILU", Name: "Ilūkste"}}}
	svc, err := NewService(memstore.New(), cons, Options{KDF: KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
