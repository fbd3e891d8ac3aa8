package sru

import (
	"slices"
	"testing"
)

// A backend that swaps in new index slices is answered with the new
// indexes at once; one that returns the same slices reuses the profile.
func TestProfileFollowsExplain(t *testing.T) {
	h, f := newHandler()
	query := func(q string) []string {
		t.Helper()
		return get(t, h, vals("version", "1.2", "operation", "searchRetrieve", "query", q)).doc.diagURIs()
	}
	if d := query("bath.isbn=1"); len(d) != 0 {
		t.Fatalf("bath.isbn before the change: %v", d)
	}
	first := h.profiles.last.Load()
	if query("dc.title=x"); h.profiles.last.Load() != first {
		t.Error("profile rebuilt although Explain returned the same slices")
	}

	// The backend drops bath.isbn and adds dc.identifier, in new slices.
	f.info.Indexes = slices.DeleteFunc(slices.Clone(f.info.Indexes), func(ix Index) bool { return ix.Name == "isbn" })
	f.info.Indexes = append(f.info.Indexes, Index{Title: "Identifier", Set: "dc", Name: "identifier"})
	if d := query("bath.isbn=1"); !slices.Equal(d, []string{"info:srw/diagnostic/1/16"}) {
		t.Errorf("bath.isbn after it was dropped: %v, want diagnostic 16", d)
	}
	if d := query("dc.identifier=1"); len(d) != 0 {
		t.Errorf("dc.identifier after it was added: %v", d)
	}

	// A new default context set changes what an unprefixed index means.
	if d := query("lccn=1"); !slices.Equal(d, []string{"info:srw/diagnostic/1/16"}) {
		t.Errorf("lccn with default set %q: %v, want diagnostic 16", f.info.DefaultContextSet, d)
	}
	f.info.DefaultContextSet = "bibgate"
	if d := query("lccn=1"); len(d) != 0 {
		t.Errorf("lccn with default set bibgate: %v", d)
	}
}
