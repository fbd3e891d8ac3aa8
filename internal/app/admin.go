package app

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// requireToken lets a request through only with the admin token as a
// bearer token. Without a configured token nobody gets through: the
// endpoints behind it change the catalogue or reveal the process's memory.
func (a *App) requireToken(h http.Handler) http.Handler {
	want := []byte(a.cfg.Admin.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(want) == 0 {
			http.Error(w, "forbidden: no admin token is configured (set admin.token or BIBGATE_ADMIN_TOKEN)", http.StatusForbidden)
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
