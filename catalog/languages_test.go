package catalog_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/marc"
)

// TestLanguages: the summary register's language of a title comes from
// its record's 008/35-37.
func TestLanguages(t *testing.T) {
	c := openTemp(t, nil)
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	want := map[string]string{}
	for _, r := range demo.Records() {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		if f := r.First("008"); f != nil && len(f.Value) >= 38 {
			want[r.ControlNumber()] = f.Value[35:38]
		}
	}
	importBytes(t, c, buf.Bytes())
	keys := []string{"no-such-record"}
	for k := range want {
		keys = append(keys, k)
	}
	got, err := c.Languages(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if got["demo-0001"] != "lav" {
		t.Errorf("Zaļā zeme: %q, want lav", got["demo-0001"])
	}
	if _, ok := got["no-such-record"]; ok {
		t.Error("a record not in the catalogue has a language")
	}
	for k, l := range want {
		if got[k] != l && l != "   " && l != "und" && l != "|||" && l != "mul" && l != "zxx" {
			t.Errorf("%s: %q, want %q", k, got[k], l)
		}
	}
}

// TestRegisterFacts: the summary register's UDC class of a title comes
// from its record's 080 $a. The six real records of pymarc-1251.dat are
// classified by UDC (Russian practice, as Latvian): engineering,
// psychology, building, Swedish children's literature, physics.
func TestRegisterFacts(t *testing.T) {
	c := openTemp(t, nil)
	importBytes(t, c, testdata(t, "pymarc-1251.dat"))
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	for _, r := range demo.Records() { // no 080
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	importBytes(t, c, buf.Bytes())
	want := []struct {
		key, udc string
		class    accounting.Class
	}{
		{"ru03-000001RKP", "624.01:532.5(075.8)", accounting.ClassApplied},
		{"ru03-000002RKP", "159.922.7", accounting.ClassPhilosophy},
		{"ru03-000003RKP", "69:658.012(075.8)", accounting.ClassApplied},
		{"ru03-000004RKP", "69:658(075.8)", accounting.ClassApplied},
		{"ru03-000005RKP", "821.113.6-93", accounting.ClassLanguage},
		{"ru03-000006RKP", "530.182", accounting.ClassScience},
		{"demo-0001", "", accounting.Unclassified},
	}
	keys := []string{"no-such-record"}
	for _, w := range want {
		keys = append(keys, w.key)
	}
	got, err := c.RegisterFacts(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok || f.UDC != w.udc || accounting.ClassOf(f.UDC) != w.class {
			t.Errorf("%s: %+v %v, want UDC %q (class %s)", w.key, f, ok, w.udc, w.class)
		}
	}
	if got["demo-0001"].Language != "lav" {
		t.Errorf("Zaļā zeme: language %q, want lav", got["demo-0001"].Language)
	}
	if _, ok := got["no-such-record"]; ok {
		t.Error("a record not in the catalogue has facts")
	}
}
