package staffweb

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
)

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want core.Money
		ok   bool
	}{
		{"6.00", 600, true}, {"6,00", 600, true}, {"6", 600, true}, {" 0,5 ", 50, true}, {"12.3", 1230, true},
		{"1234567.89", 123456789, true},
		{"", 0, false}, {"0", 0, false}, {"0.00", 0, false}, {"-1", 0, false}, {"1.234", 0, false}, {".50", 0, false},
		{"6 EUR", 0, false}, {"1e3", 0, false}, {"12345678", 0, false}, {"1.2.3", 0, false},
	} {
		got, ok := parseMoney(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMoney(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseMoney: an amount accepted is positive and reads back the same
// from how the console shows it.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"6.00", "6,00", "0,50", "12", "3.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := parseMoney(s)
		if !ok {
			return
		}
		if m <= 0 {
			t.Fatalf("parseMoney(%q) accepted %v", s, m)
		}
		if back, ok := parseMoney(m.String()); !ok || back != m {
			t.Fatalf("parseMoney(%q) = %v, but %q reads back as %v, %v", s, m, m.String(), back, ok)
		}
	})
}

// FuzzAcceptLanguage: whatever the header, the page gets one of the four
// languages.
func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"en-US,en;q=0.9", "lv,en-US;q=0.7,en;q=0.3", "et-EE", "sl-SI,sl;q=0.9,en-GB;q=0.8,en;q=0.7", "*", ""} {
		f.Add(s)
	}
	s := &Server{prefix: "/staff"}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/staff/", nil)
		r.Header.Set("Accept-Language", header)
		if l := s.language(httptest.NewRecorder(), r); !known(l) {
			t.Fatalf("Accept-Language %q gave %q", header, l)
		}
	})
}

// TestEveryTextInFourLanguages: no text of the catalogue is left empty in
// any language.
func TestEveryTextInFourLanguages(t *testing.T) {
	for k, m := range catalogue {
		for i, s := range m {
			if s == "" {
				t.Errorf("%s has no %s text", k, languages[i])
			}
		}
	}
}

// FuzzSafeNext: the page a sign-in returns to is always one of the
// console's own, never another site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/staff/patron/P0001", "/staff/find?q=berzins", "//evil.example/staff/", "https://evil.example/", "/staff/\\evil", "/staffx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next, "/staff")
		if !strings.HasPrefix(got, "/staff/") || strings.HasPrefix(got, "//") || strings.Contains(got, "\\") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		if u, err := url.Parse(got); err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}
