package staffapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/memstore"
)

// FuzzRequestBodies sends any body to any route of a signed-in session:
// the API answers with a JSON document or a problem, never a server error
// or a panic. The seeds (testdata/fuzz) are the bodies the desk sends.
func FuzzRequestBodies(f *testing.F) {
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Load(ctx, svc); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.AddStaff(ctx, nil, core.NewStaff{ID: "root", Library: demo.Central, Roles: []core.Role{core.RoleConsortiumAdmin}, Password: password}); err != nil {
		f.Fatal(err)
	}
	h := staffapi.New(svc, staffapi.Options{})
	token, sess, _, err := svc.StaffSignIn(ctx, "root", password, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	routes := h.Routes()
	f.Add("POST /api/v1/checkouts", "P0001", `{"patron":"P0001","item":"I000001"}`)
	f.Add("POST /api/v1/session", "", `{"id":"root","password":"x"}`)
	f.Fuzz(func(t *testing.T, route, param, body string) {
		pick := routes[len(route)%len(routes)]
		for _, r := range routes {
			if r == route {
				pick = r
			}
		}
		method, path, _ := strings.Cut(pick, " ")
		if method == "DELETE" && strings.HasSuffix(path, "/session") || strings.HasSuffix(path, "/session/password") ||
			strings.HasPrefix(path, "/api/v1/staff/") {
			return // signing out, or changing or disabling the account, would end the fuzzing session
		}
		for _, p := range []string{"{card}", "{id}", "{barcode}", "{loan}", "{hold}", "{record}"} {
			path = strings.ReplaceAll(path, p, urlSafe(param))
		}
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(staffapi.CSRFHeader, sess.CSRF)
		req.AddCookie(&http.Cookie{Name: staffapi.CookieName, Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); rec.Code != http.StatusNoContent &&
			ct != "application/json" && ct != "application/problem+json" {
			t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
		if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
		}
	})
}

// urlSafe keeps a fuzzed path parameter one path segment ("." and ".."
// are dot-segments, which the server's mux resolves by a redirect, not
// parameters).
func urlSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7f && !strings.ContainsRune("/?#%", r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || b.String() == "." || b.String() == ".." {
		return "X"
	}
	return b.String()
}
