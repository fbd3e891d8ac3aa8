package app

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/core"
)

// requireToken lets a request through only with the admin token as a
// bearer token, or with the staff session of an administrator (and its
// CSRF token on a POST). Without a configured token only such a session
// gets through: the endpoints behind it change the catalogue or reveal the
// process's memory.
func (a *App) requireToken(h http.Handler) http.Handler {
	want := []byte(a.cfg.Admin.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.adminSession(r) {
			h.ServeHTTP(w, r)
			return
		}
		if len(want) == 0 {
			http.Error(w, "forbidden: no admin token is configured (set admin.token or BIBGATE_ADMIN_TOKEN) and no administrator is signed in", http.StatusForbidden)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), want) != 1 {
			a.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Msg("admin request without a valid token refused")
			w.Header().Set("WWW-Authenticate", `Bearer realm="bibgate admin"`)
			http.Error(w, "unauthorized: send the admin token as Authorization: Bearer TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// adminSession reports whether r carries the staff session cookie of an
// administrator and, unless it only reads, the session's CSRF token.
func (a *App) adminSession(r *http.Request) bool {
	ck, err := r.Cookie(staffapi.CookieName)
	if err != nil || ck.Value == "" {
		return false
	}
	sess, st, err := a.svc.StaffSession(r.Context(), ck.Value)
	if err != nil || core.Permit(st, core.ActServerAdmin, "") != nil {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead &&
		subtle.ConstantTimeCompare([]byte(r.Header.Get(staffapi.CSRFHeader)), []byte(sess.CSRF)) != 1 {
		return false
	}
	return true
}

// limitImport refuses an import larger than admin.max_import: at once when
// the request says its length, otherwise when the limit is reached.
func (a *App) limitImport(h http.Handler) http.Handler {
	limit := a.cfg.Admin.MaxImport
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			http.Error(w, fmt.Sprintf("import of %d bytes refused: the limit is %d (admin.max_import); nothing was imported", r.ContentLength, limit),
				http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

// tooLarge reports whether err is the import running past the limit.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
