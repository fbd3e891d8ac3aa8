package catalog_test

import (
	"bytes"
	"context"
	"testing"

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
