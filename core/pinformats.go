package core

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// PIN hashes accepted from an earlier system (imports): bibgate's own
// Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash, any
// cost), and bcrypt ($2a$, $2b$, $2y$: Koha's, Evergreen's, PHP's
// password_hash). They are stored as given and verified when the patron
// next logs in; a PIN given in clear is hashed with Argon2id.

func isBcrypt(h string) bool {
	return strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$")
}

func checkBcrypt(encoded, pin string) (bool, error) {
	// Go's bcrypt reads $2y$ as PHP writes it: the same algorithm as $2b$.
	if strings.HasPrefix(encoded, "$2y$") {
		encoded = "$2b$" + encoded[4:]
	}
	err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pin))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("core: bcrypt PIN hash: %w", err)
	}
}

// CheckPINHash reports whether h is a PIN hash bibgate can verify: an
// Argon2id PHC string or a bcrypt hash. The message never quotes h.
func CheckPINHash(h string) error {
	if isBcrypt(h) {
		if _, err := bcrypt.Cost([]byte(strings.Replace(h, "$2y$", "$2b$", 1))); err != nil {
			return fmt.Errorf("not a valid bcrypt hash")
		}
		return nil
	}
	parts := strings.Split(h, "$")
	if len(parts) == 6 && parts[1] == "argon2id" {
		var p KDFParams
		if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
			return fmt.Errorf("argon2id hash with unreadable parameters")
		}
		return nil
	}
	return fmt.Errorf("unknown PIN hash format (accepted: argon2id PHC string, bcrypt $2a$/$2b$/$2y$)")
}

// hashNewPatrons checks the card numbers and imported hashes and hashes
// the PINs given in clear, several at a time (the KDF is slow on purpose;
// a batch of imported patrons must not take one core's time per PIN).
func (s *Service) hashNewPatrons(ctx context.Context, ps []NewPatron) ([]Patron, error) {
	out := make([]Patron, len(ps))
	var todo []int
	for i := range ps {
		out[i] = ps[i].Patron
		if out[i].ID == "" {
			return nil, refuse(ReasonBadRequest, "patron %d has no card number", i)
		}
		if ps[i].PIN != "" {
			todo = append(todo, i)
		} else if h := out[i].PINHash; h != "" {
			if err := CheckPINHash(h); err != nil {
				return nil, refuse(ReasonBadRequest, "patron %s: PIN hash: %v", out[i].ID, err)
			}
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	workers := min(len(todo), max(1, runtime.GOMAXPROCS(0)))
	next := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				h, err := HashPIN(ps[i].PIN, s.kdf)
				if err != nil && errs[w] == nil {
					errs[w] = err
				}
				out[i].PINHash = h
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, errors.Join(errs...)
}
