package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestSearchListsIndexes: the README sends newcomers to bibgate search for
// the index names; --indexes lists each with its Bib-1 use and CQL names.
func TestSearchListsIndexes(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"search", "--indexes"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"title", "author", "isbn", "dc.title", "1003", "bath.isbn"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("search --indexes lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"search", "--indexes", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("--json exit %d: %s", code, errOut.String())
	}
	var infos []indexInfo
	if err := json.Unmarshal(out.Bytes(), &infos); err != nil || len(infos) == 0 || infos[0].Name != "title" {
		t.Fatalf("--json: %v %+v", err, infos)
	}
}
