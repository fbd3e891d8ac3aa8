package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/gencat"
)

// startApp runs the demo configuration in-process on loopback ports, with
// edit applied to its configuration first.
func startApp(t *testing.T, edit func(*config.Config)) *App {
	t.Helper()
	return startAppLog(t, zerolog.Nop(), func(cfg *config.Config) {
		cfg.Admin.Listen = "127.0.0.1:0"
		cfg.SIP2.Listen = ""
		cfg.Z3950.Listen = ""
		if edit != nil {
			edit(cfg)
		}
	})
}

// startAppLog runs the demo configuration, edited, on the memory store.
func startAppLog(t *testing.T, log zerolog.Logger, edit func(*config.Config)) *App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	edit(cfg)
	a, err := New(cfg, log, Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := a.Start(context.Background(), 60*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return a
}

func records(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gencat.Generate(&b, n, 1, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const testToken = "0123456789abcdef0123"

// TestAdminRequiresToken: whoever reaches the admin listener may read
// /metrics, /healthz and /readyz, but profiles and catalogue import need
// the token; without a configured token nobody gets them.
func TestAdminRequiresToken(t *testing.T) {
	body := records(t, 3)
	for _, configured := range []string{testToken, ""} {
		a := startApp(t, func(c *config.Config) { c.Admin.Token = configured })
		base := "http://" + a.Addr("admin").String()
		tests := []struct {
			name, method, path, token string
			want                      int
		}{
			{"metrics open", "GET", "/metrics", "", 200},
			{"healthz open", "GET", "/healthz", "", 200},
			{"readyz open", "GET", "/readyz", "", 200},
			{"pprof without token", "GET", "/debug/pprof/", "", 401},
			{"heap without token", "GET", "/debug/pprof/heap", "", 401},
			{"goroutine stacks with a wrong token", "GET", "/debug/pprof/goroutine?debug=2", "wrong-token-wrong-token", 401},
			{"trace without token", "GET", "/debug/pprof/trace?seconds=1", "", 401},
			{"import without token", "POST", "/catalogue/import", "", 401},
			{"import with a wrong token", "POST", "/catalogue/import", testToken + "x", 401},
			{"pprof with the token", "GET", "/debug/pprof/", testToken, 200},
			{"import with the token", "POST", "/catalogue/import", testToken, 200},
		}
		for _, tt := range tests {
			want := tt.want
			if configured == "" && (want == 401 || tt.token != "") {
				want = 403 // nothing behind the token is served at all
			}
			t.Run("token="+map[bool]string{true: "set", false: "unset"}[configured != ""]+"/"+tt.name, func(t *testing.T) {
				var rd io.Reader
				if tt.method == "POST" {
					rd = bytes.NewReader(body)
				}
				req, _ := http.NewRequest(tt.method, base+tt.path, rd)
				if tt.token != "" {
					req.Header.Set("Authorization", "Bearer "+tt.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, resp.StatusCode, want, msg)
				}
			})
		}
		// A refused import stored nothing.
		if configured == "" {
			if n := demoCount(t, a); n != 47 {
				t.Errorf("catalogue has %d records after refused imports, want the 47 of the demo", n)
			}
		}
	}
}

// TestAdminImportSizeLimited: an import over admin.max_import is refused
// with 413; when its length is declared, before anything is stored.
func TestAdminImportSizeLimited(t *testing.T) {
	body := records(t, 200)
	a := startApp(t, func(c *config.Config) {
		c.Admin.Token = testToken
		c.Admin.MaxImport = int64(len(body) / 2)
	})
	url := "http://" + a.Addr("admin").String() + "/catalogue/import"
	for _, declared := range []bool{true, false} {
		var rd io.Reader = bytes.NewReader(body)
		if !declared {
			rd = io.MultiReader(rd) // hides the length: chunked
		}
		req, _ := http.NewRequest("POST", url, rd)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "max_import") {
			t.Errorf("declared=%v: %d %s, want 413 naming admin.max_import", declared, resp.StatusCode, msg)
		}
		if declared {
			if n := demoCount(t, a); n != 47 {
				t.Errorf("after a refused import the catalogue has %d records, want the 47 of the demo", n)
			}
		}
	}
}

func demoCount(t *testing.T, a *App) int64 {
	t.Helper()
	st, err := a.catalog.Index().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Records
}

// TestStaffAPIOnAdminListener: the staff API answers on the admin
// listener; without a session it refuses, with the account created by
// the core a librarian signs in and reads the dashboard; the secure_cookie
// setting marks the cookie Secure on plain HTTP.
func TestStaffAPIOnAdminListener(t *testing.T) {
	a := startApp(t, func(c *config.Config) { c.Staff.SecureCookie = true })
	if _, err := a.svc.AddStaff(context.Background(), nil, core.NewStaff{ID: "ilze", Library: "ILU", Roles: []core.Role{core.RoleCirculation},
		Password: "desk-password-2026"}); err != nil {
		t.Fatal(err)
	}
	base := "http://" + a.Addr("admin").String() + "/api/v1"
	resp, err := http.Get(base + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("dashboard without a session: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Post(base+"/session", "application/json", strings.NewReader(`{"id":"ilze","password":"desk-password-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cks := resp.Cookies()
	if resp.StatusCode != 200 || len(cks) != 1 || !cks[0].Secure || !cks[0].HttpOnly {
		t.Fatalf("sign in: %d %+v", resp.StatusCode, cks)
	}
	req, _ := http.NewRequest("GET", base+"/dashboard", nil)
	req.AddCookie(&http.Cookie{Name: cks[0].Name, Value: cks[0].Value})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"library":"ILU"`) {
		t.Errorf("dashboard: %d %s", resp.StatusCode, b)
	}
}

// TestAdminSessionOpensAdminEndpoints: without any admin token, an
// administrator's staff session reaches the profiles and, with its CSRF
// token, the catalogue import; a circulation librarian's session does
// not, and /metrics stays open to all.
func TestAdminSessionOpensAdminEndpoints(t *testing.T) {
	a := startApp(t, nil)
	ctx := context.Background()
	for id, role := range map[string]core.Role{"root": core.RoleAdmin, "desk": core.RoleCirculation} {
		if _, err := a.svc.AddStaff(ctx, nil, core.NewStaff{ID: id, Library: "ILU", Roles: []core.Role{role}, Password: "desk-password-2026"}); err != nil {
			t.Fatal(err)
		}
	}
	base := "http://" + a.Addr("admin").String()
	signIn := func(id string) (*http.Cookie, string) {
		resp, err := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"id":"`+id+`","password":"desk-password-2026"}`))
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			CSRF string `json:"csrf_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("sign in %s: %d", id, resp.StatusCode)
		}
		ck := resp.Cookies()[0]
		return &http.Cookie{Name: ck.Name, Value: ck.Value}, info.CSRF
	}
	rootCookie, rootCSRF := signIn("root")
	deskCookie, deskCSRF := signIn("desk")
	body := records(t, 2)
	tests := []struct {
		name, method, path string
		cookie             *http.Cookie
		csrf               string
		want               int
	}{
		{"metrics without a session", "GET", "/metrics", nil, "", 200},
		{"pprof without a session", "GET", "/debug/pprof/", nil, "", 403},
		{"pprof as a librarian", "GET", "/debug/pprof/", deskCookie, "", 403},
		{"pprof as an administrator", "GET", "/debug/pprof/", rootCookie, "", 200},
		{"import as a librarian", "POST", "/catalogue/import", deskCookie, deskCSRF, 403},
		{"import as an administrator without CSRF token", "POST", "/catalogue/import", rootCookie, "", 403},
		{"import as an administrator", "POST", "/catalogue/import", rootCookie, rootCSRF, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rd io.Reader
			if tt.method == "POST" {
				rd = bytes.NewReader(body)
			}
			req, _ := http.NewRequest(tt.method, base+tt.path, rd)
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			if tt.csrf != "" {
				req.Header.Set("X-CSRF-Token", tt.csrf)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%d, want %d: %.200s", resp.StatusCode, tt.want, msg)
			}
		})
	}
}

// TestSignInBehindAProxy: behind a reverse proxy listed in
// staff.trusted_proxies, the audit trail records the librarian's address
// from X-Forwarded-For; from an address not listed, the header is
// ignored and the peer's address is recorded.
func TestSignInBehindAProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		want    string
	}{
		{"proxy trusted", []string{"127.0.0.1", "::1"}, "198.51.100.23"},
		{"no proxy trusted", nil, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := startApp(t, func(c *config.Config) { c.Staff.TrustedProxies = tc.trusted })
			ctx := context.Background()
			for id, role := range map[string]core.Role{"root": core.RoleAdmin, "ilze": core.RoleCirculation} {
				if _, err := a.svc.AddStaff(ctx, nil, core.NewStaff{ID: id, Library: "ILU", Roles: []core.Role{role}, Password: "desk-password-2026"}); err != nil {
					t.Fatal(err)
				}
			}
			req, _ := http.NewRequest("POST", "http://"+a.Addr("admin").String()+"/api/v1/session",
				strings.NewReader(`{"id":"ilze","password":"desk-password-2026"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "198.51.100.23")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("sign in: %d", resp.StatusCode)
			}
			entries, err := a.svc.QueryAudit(ctx, core.Actor{StaffID: "root", From: "test"}, core.AuditQuery{Actor: "ilze"})
			if err != nil {
				t.Fatal(err)
			}
			var froms []string
			for _, e := range entries {
				froms = append(froms, e.From)
			}
			if len(froms) == 0 || froms[len(froms)-1] != tc.want {
				t.Errorf("sign-in recorded from %v, want %s", froms, tc.want)
			}
		})
	}
}

// TestStaffAPICopyOfACatalogueRecord: through the running server, a
// cataloguer's new copy of a demo record takes the record's title and
// author from the catalogue; a copy of a record the catalogue does not
// have is refused (404 record_not_found) and not written.
func TestStaffAPICopyOfACatalogueRecord(t *testing.T) {
	a := startApp(t, nil)
	ctx := context.Background()
	if _, err := a.svc.AddStaff(ctx, nil, core.NewStaff{ID: "kat", Library: "ILU", Roles: []core.Role{core.RoleCataloguing},
		Password: "desk-password-2026"}); err != nil {
		t.Fatal(err)
	}
	base := "http://" + a.Addr("admin").String() + "/api/v1"
	resp, err := http.Post(base+"/session", "application/json", strings.NewReader(`{"id":"kat","password":"desk-password-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	ck := resp.Cookies()[0]
	for _, tc := range []struct {
		record, barcode string
		status          int
		want            string
	}{
		{"demo-0001", "NEWCOPY1", 201, `"title":"Zaļā zeme","author":"Upīts, Andrejs"`},
		{"no-such-record", "NEWCOPY2", 404, `"reason":"record_not_found"`},
	} {
		req, _ := http.NewRequest("POST", base+"/records/"+tc.record+"/copies", strings.NewReader(`{"id":"`+tc.barcode+`","value":1200}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", info.CSRF)
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("copy of %s: %d %s", tc.record, resp.StatusCode, b)
		}
	}
	if _, err := a.svc.Item(ctx, "NEWCOPY2"); core.ReasonOf(err) != core.ReasonItemNotFound {
		t.Errorf("the refused copy: %v", err)
	}
}
